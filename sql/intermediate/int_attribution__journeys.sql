-- materialized: table
-- comment: Customer journeys for multi-touch attribution, one row per paid order (a converting journey) and one per user who never placed a paid order (a null journey). A converting journey holds the user's touchpoints in the attribution.lookback_days × 24 hours up to the order, oldest first; a null journey the user's touchpoints in the same span up to their last touch. Touches at the same instant are ordered impression, visit, click, then by channel. A paid order with no touch in its window (or no user) gets the one-touch path [direct], as in last-touch attribution, and is marked no_touch. Values are paid order amounts in the reporting currency (refunds are not netted: attribution credits the sale); an amount without an exchange rate counts as 0, as in marts.kpi_daily, and is listed in meta.fx_missing.
WITH touches AS (
    SELECT
        user_id,
        ts,
        channel,
        CASE interaction WHEN 'click' THEN 2 WHEN 'visit' THEN 1 ELSE 0 END AS strength
    FROM staging.touchpoints
    WHERE user_id IS NOT NULL
),

orders AS (
    SELECT order_id, user_id, ts, date, CAST(coalesce(amount, 0) AS DECIMAL(18,2)) AS value
    FROM staging.orders
    WHERE status = 'paid'
),

converting AS (
    SELECT
        'order:' || orders.order_id AS journey_id,
        orders.user_id,
        true AS converted,
        orders.date,
        orders.value,
        orders.ts AS converted_at,
        list(touches.channel ORDER BY touches.ts, touches.strength, touches.channel)
            FILTER (WHERE touches.ts IS NOT NULL) AS channels,
        list(epoch(orders.ts - touches.ts) / 86400.0 ORDER BY touches.ts, touches.strength, touches.channel)
            FILTER (WHERE touches.ts IS NOT NULL) AS days_before,
        min(touches.ts) AS first_touch_at
    FROM orders
    LEFT JOIN touches
        ON touches.user_id = orders.user_id
       AND touches.ts <= orders.ts
       AND touches.ts > orders.ts - INTERVAL {{.AttributionLookbackDays}} DAY
    GROUP BY ALL
),

buyers AS (
    SELECT DISTINCT user_id FROM orders WHERE user_id IS NOT NULL
),

last_touch AS (
    SELECT user_id, max(ts) AS last_ts
    FROM touches
    WHERE user_id NOT IN (SELECT user_id FROM buyers)
    GROUP BY user_id
),

null_journeys AS (
    SELECT
        'user:' || touches.user_id AS journey_id,
        touches.user_id,
        false AS converted,
        CAST(last_touch.last_ts AT TIME ZONE '{{.Timezone}}' AS DATE) AS date,
        CAST(0 AS DECIMAL(18,2)) AS value,
        CAST(NULL AS TIMESTAMPTZ) AS converted_at,
        list(touches.channel ORDER BY touches.ts, touches.strength, touches.channel) AS channels,
        list(epoch(last_touch.last_ts - touches.ts) / 86400.0 ORDER BY touches.ts, touches.strength, touches.channel) AS days_before,
        min(touches.ts) AS first_touch_at
    FROM touches
    JOIN last_touch
        ON last_touch.user_id = touches.user_id
       AND touches.ts > last_touch.last_ts - INTERVAL {{.AttributionLookbackDays}} DAY
    GROUP BY ALL
)

SELECT
    journey_id,
    user_id,
    converted,
    date,
    value,
    converted_at,
    first_touch_at,
    coalesce(channels, ['direct']) AS channels,
    coalesce(days_before, [0.0]) AS days_before,
    channels IS NULL AS no_touch
FROM converting

UNION ALL

SELECT
    journey_id,
    user_id,
    converted,
    date,
    value,
    converted_at,
    first_touch_at,
    channels,
    days_before,
    false AS no_touch
FROM null_journeys
