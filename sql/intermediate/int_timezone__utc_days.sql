-- materialized: table
-- comment: One row per UTC day from 1970-01-02 to 2199-12-31 on which the reporting time zone keeps one UTC offset all day, with that offset. Staging models turn an instant ts into its reporting day as 1970-01-01 + (epoch_us(ts) + offset_us) // 86400000000 days, which equals CAST(ts AT TIME ZONE <reporting zone> AS DATE) but is about ten times faster than asking ICU for every row; instants on days when the offset changes (daylight saving switches) or outside the range fall back to AT TIME ZONE.
WITH days AS (
    SELECT CAST(range AS BIGINT) AS utc_day
    FROM range(1, 84001)
),

offsets AS (
    SELECT
        utc_day,
        epoch_us(CAST(to_timestamp(utc_day * 86400) AT TIME ZONE '{{.Timezone}}' AS TIMESTAMP)) - utc_day * 86400000000 AS offset_us
    FROM days
),

steady AS (
    SELECT
        utc_day,
        offset_us,
        lead(offset_us) OVER (ORDER BY utc_day) AS next_offset_us
    FROM offsets
)

SELECT
    utc_day,
    CAST(DATE '1970-01-01' + CAST(utc_day AS INTEGER) AS DATE) AS utc_date,
    offset_us
FROM steady
WHERE offset_us = next_offset_us
