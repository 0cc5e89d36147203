-- materialized: incremental
-- incremental_key: date
-- comment: Orders, refunds and conversions with the touchpoint that gets the credit under last-touch attribution, found in one ASOF join of all of them against staging.touchpoints (3 M touchpoints are sorted once, not once per kind of event). Rule: the event gets the channel and campaign of its user's last touchpoint at or before the event (among touches at the same instant a click beats a visit beats an impression), if that touch is at most attribution.lookback_days × 24 hours older; otherwise (no user, no touch, or the last touch too old) channel direct and campaign (none). A refund is attributed like the order it refunds (the earliest paid row with its order_id, at that order's time; at its own time and user when the order is unknown) but keeps its own date. is_first_order marks each customer's earliest paid order (by ts, ties by order_id) in the data pacer holds. staging.int_orders__attributed and staging.int_conversions__attributed and marts.kpi_daily read it.
WITH orders AS (
    SELECT
        order_id, customer_id, user_id, ts, date, status,
        currency_original, amount_original, fx_rate, _source, _stream
    FROM staging.orders
),

conversions AS (
    SELECT
        conversion_id, user_id, ts, date, type,
        currency_original, value_original, fx_rate, _source, _stream
    FROM staging.conversions
),

-- The paid order each refund refunds: its earliest paid row.
refunded_orders AS (
    SELECT order_id, min(ts) AS ts, min(user_id) AS user_id
    FROM orders
    WHERE status = 'paid'
      AND order_id IN (SELECT order_id FROM orders WHERE status = 'refunded')
    GROUP BY order_id
),

-- Each customer's first paid order: earliest ts, ties by order_id.
first_orders AS (
    SELECT customer_id, min((ts, order_id)) AS first_order
    FROM orders
    WHERE status = 'paid'
    GROUP BY customer_id
),

events AS (
    SELECT 'order' AS event, orders.*, user_id AS attributed_user_id, ts AS attributed_at
    FROM orders
    WHERE status IS DISTINCT FROM 'refunded'

    UNION ALL BY NAME

    SELECT
        'order' AS event,
        orders.*,
        coalesce(refunded_orders.user_id, orders.user_id) AS attributed_user_id,
        coalesce(refunded_orders.ts, orders.ts) AS attributed_at
    FROM orders
    LEFT JOIN refunded_orders
        ON refunded_orders.order_id = orders.order_id
    WHERE orders.status = 'refunded'

    UNION ALL BY NAME

    SELECT 'conversion' AS event, conversions.*, user_id AS attributed_user_id, ts AS attributed_at
    FROM conversions
),

-- An incremental build rewrites the events of the days from .Since on;
-- orders before them still serve refunds and first orders above.
selected_events AS (
    SELECT *
    FROM events
{{- if .Since}}
    WHERE date >= DATE '{{.Since}}'
{{- end}}
),

-- touch_key orders a user's touches by instant, then click > visit >
-- impression, then a hash of (channel, campaign_id), so that touches at the
-- same instant resolve the same way on every run (the ASOF join alone would
-- pick any of them). 2^70 keys per microsecond: events take the last one.
touches AS (
    SELECT
        user_id,
        ts,
        channel,
        campaign_id,
        CAST(epoch_us(ts) AS HUGEINT) * 1180591620717411303424
            + CAST(CASE interaction WHEN 'click' THEN 2 WHEN 'visit' THEN 1 ELSE 0 END AS HUGEINT) * 18446744073709551616
            + hash(channel, campaign_id) AS touch_key
    FROM staging.touchpoints
    WHERE user_id IS NOT NULL
{{- if .Since}}
      -- only touches that can be the last touch of a selected event
      AND epoch_us(ts) >= (SELECT min(epoch_us(attributed_at)) FROM selected_events) - {{.AttributionLookbackDays}} * 86400000000
{{- end}}
),

-- Numbered so that the ASOF join carries only (row, user, instant), not the
-- events' columns: sorting narrow rows is what makes it fast.
numbered AS MATERIALIZED (
    SELECT row_number() OVER () AS event_row, *
    FROM selected_events
),

last_touch AS (
    SELECT
        numbered.event_row,
        touches.ts AS touch_ts,
        touches.channel AS touch_channel,
        touches.campaign_id AS touch_campaign_id
    FROM (
        SELECT
            event_row,
            attributed_user_id,
            attributed_at,
            CAST(epoch_us(attributed_at) AS HUGEINT) * 1180591620717411303424 + 1180591620717411303423 AS event_key
        FROM numbered
    ) AS numbered
    ASOF JOIN touches
        ON touches.user_id = numbered.attributed_user_id
       AND numbered.event_key >= touches.touch_key
    WHERE epoch_us(touches.ts) >= epoch_us(numbered.attributed_at) - {{.AttributionLookbackDays}} * 86400000000
)

SELECT
    events.* EXCLUDE (event_row),
    {{money "amount_original" "fx_rate"}} AS amount,
    {{money "value_original" "fx_rate"}} AS value,
    last_touch.touch_ts,
    coalesce(last_touch.touch_channel, 'direct') AS channel,
    CASE WHEN last_touch.touch_ts IS NULL THEN '(none)' ELSE coalesce(last_touch.touch_campaign_id, '(none)') END AS campaign_id,
    coalesce(
        events.event = 'order'
        AND events.status = 'paid'
        AND (events.ts, events.order_id) = first_orders.first_order,
        false
    ) AS is_first_order
FROM numbered AS events
LEFT JOIN last_touch
    ON last_touch.event_row = events.event_row
LEFT JOIN first_orders
    ON first_orders.customer_id = events.customer_id
