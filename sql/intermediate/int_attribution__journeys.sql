-- materialized: table
-- comment: Customer journeys for multi-touch attribution, one row per paid order (a converting journey; with attribution.conversion_types set, per conversion event of those types instead) and one per user who never converted (a null journey). A converting journey holds the user's touchpoints in the attribution.lookback_days × 24 hours up to the order, oldest first; a null journey the user's touchpoints in the same span up to their last touch. Touches at the same instant are ordered impression, visit, click, then by channel. A paid order with no touch in its window (or no user) gets the one-touch path [direct], as in last-touch attribution, and is marked no_touch. Values are paid order amounts in the reporting currency (refunds are not netted: attribution credits the sale); an amount without an exchange rate counts as 0, as in marts.kpi_daily, and is listed in meta.fx_missing.
WITH touches AS (
    SELECT
        user_id,
        ts,
        epoch_us(ts) AS us,
        channel,
        CASE interaction WHEN 'click' THEN 2 WHEN 'visit' THEN 1 ELSE 0 END AS strength
    FROM staging.touchpoints
    WHERE user_id IS NOT NULL
),

-- The conversions attribution credits: paid orders, or, when
-- attribution.conversion_types is set, conversion events of those types.
orders AS (
{{- if .AttributionConversionTypes}}
    SELECT
        'conversion:' || conversion_id AS journey_id, user_id, ts, epoch_us(ts) AS us, date,
        CAST(coalesce(value, 0) AS DECIMAL(18,2)) AS value
    FROM staging.conversions
    WHERE type IN ({{range $i, $t := .AttributionConversionTypes}}{{if $i}}, {{end}}'{{$t}}'{{end}})
{{- else}}
    SELECT
        'order:' || order_id AS journey_id, user_id, ts, epoch_us(ts) AS us, date,
        CAST(coalesce(amount, 0) AS DECIMAL(18,2)) AS value
    FROM staging.orders
    WHERE status = 'paid'
{{- end}}
),

-- Each order's touches, as a list sorted by (instant, strength, channel),
-- each with its days before the order: list_sort over small per-order
-- lists is several times faster than an ordered aggregate. Time arithmetic
-- is on epoch microseconds: TIMESTAMPTZ subtraction goes through ICU and
-- costs more than the whole rest of the model.
order_touches AS (
    SELECT
        orders.journey_id,
        list_sort(list((touches.ts, touches.strength, touches.channel, (orders.us - touches.us) / 86400e6))) AS touches
    FROM orders
    JOIN touches
        ON touches.user_id = orders.user_id
       AND touches.us <= orders.us
       AND touches.us > orders.us - {{.AttributionLookbackDays}} * 86400000000
    GROUP BY orders.journey_id
),

buyers AS (
    SELECT DISTINCT user_id FROM orders WHERE user_id IS NOT NULL
),

non_buyer_touches AS (
    SELECT touches.*, max(us) OVER (PARTITION BY user_id) AS last_us
    FROM touches
    ANTI JOIN buyers USING (user_id)
),

null_journeys AS (
    SELECT
        user_id,
        max(ts) AS last_ts,
        list_sort(list((ts, strength, channel, (last_us - us) / 86400e6))) AS touches
    FROM non_buyer_touches
    WHERE us > last_us - {{.AttributionLookbackDays}} * 86400000000
    GROUP BY user_id
)

SELECT
    orders.journey_id,
    orders.user_id,
    true AS converted,
    orders.date,
    orders.value,
    orders.ts AS converted_at,
    order_touches.touches[1][1] AS first_touch_at,
    coalesce(list_transform(order_touches.touches, t -> t[3]), ['direct']) AS channels,
    coalesce(list_transform(order_touches.touches, t -> t[4]), [0.0]) AS days_before,
    order_touches.touches IS NULL AS no_touch
FROM orders
LEFT JOIN order_touches USING (journey_id)

UNION ALL

SELECT
    'user:' || user_id AS journey_id,
    user_id,
    false AS converted,
    CAST(last_ts AT TIME ZONE '{{.Timezone}}' AS DATE) AS date,
    CAST(0 AS DECIMAL(18,2)) AS value,
    CAST(NULL AS TIMESTAMPTZ) AS converted_at,
    touches[1][1] AS first_touch_at,
    list_transform(touches, t -> t[3]) AS channels,
    list_transform(touches, t -> t[4]) AS days_before,
    false AS no_touch
FROM null_journeys
