-- materialized: incremental
-- incremental_key: date
-- comment: Customer journeys for multi-touch attribution, one row per paid order (a converting journey; with attribution.conversion_types set, per conversion event of those types instead) and one per user who never converted (a null journey). A converting journey holds the user's touchpoints in the attribution.lookback_days × 24 hours up to the order, oldest first; a null journey the user's touchpoints in the same span up to their last touch. Touches at the same instant are ordered impression, visit, click, then by a hash of channel and campaign, as in the last-touch attribution of staging.int_events__last_touch, so the last touch of a path is the touch that model credits. A paid order with no touch in its window (or no user) gets the one-touch path [direct], as in last-touch attribution, and is marked no_touch. Values are paid order amounts in the reporting currency (refunds are not netted: attribution credits the sale); an amount without an exchange rate counts as 0, as in marts.kpi_daily, and is listed in meta.fx_missing. Rebuilt incrementally: a nightly run rewrites the journeys of new orders and of the users with new touches or orders.

{{- /* An incremental build rewrites the converting journeys dated from
.Since on and every journey of the users who touched or converted from
.Since on: their null journey may have moved or ended. */ -}}
{{define "affected_users"}}
    SELECT user_id FROM staging.touchpoints
    -- a day early: a null journey is dated by its last touch in the
    -- reporting time zone
    WHERE user_id IS NOT NULL AND epoch_us(ts) >= epoch_us(CAST(DATE '{{.Since}}' AS TIMESTAMPTZ)) - 86400000000
    UNION
{{- if .AttributionConversionTypes}}
    SELECT user_id FROM staging.conversions
{{- else}}
    SELECT user_id FROM staging.orders
{{- end}}
    WHERE user_id IS NOT NULL AND date >= DATE '{{.Since}}'
{{end}}

{{- define "delete"}}date >= DATE '{{.Since}}' OR (NOT converted AND user_id IN ({{template "affected_users" .}})){{end}}

WITH touches AS (
    SELECT
        user_id,
        ts,
        epoch_us(ts) AS us,
        channel,
        CASE interaction WHEN 'click' THEN 2 WHEN 'visit' THEN 1 ELSE 0 END AS strength,
        hash(channel, campaign_id) AS tie
    FROM staging.touchpoints
    WHERE user_id IS NOT NULL
),

-- The conversions attribution credits: paid orders, or, when
-- attribution.conversion_types is set, conversion events of those types.
conversions AS (
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

selected_conversions AS (
    SELECT *
    FROM conversions
{{- if .Since}}
    WHERE date >= DATE '{{.Since}}'
{{- end}}
),

-- Each conversion's touches, as a list sorted by (instant, strength, tie),
-- each with its days before the conversion: list_sort over small lists is
-- several times faster than an ordered aggregate. Time arithmetic is on
-- epoch microseconds: TIMESTAMPTZ subtraction goes through ICU and costs
-- more than the whole rest of the model.
conversion_touches AS (
    SELECT
        selected_conversions.journey_id,
        list_sort(list((touches.ts, touches.strength, touches.tie, touches.channel,
            (selected_conversions.us - touches.us) / 86400e6))) AS touches
    FROM selected_conversions
    JOIN touches
        ON touches.user_id = selected_conversions.user_id
       AND touches.us <= selected_conversions.us
       AND touches.us > selected_conversions.us - {{.AttributionLookbackDays}} * 86400000000
    GROUP BY selected_conversions.journey_id
),

converters AS (
    SELECT DISTINCT user_id FROM conversions WHERE user_id IS NOT NULL
),

-- Users who never converted: all of them, or in an incremental build those
-- whose journeys may have changed.
non_converters AS (
    SELECT user_id, max(us) AS last_us
    FROM touches
{{- if .Since}}
    SEMI JOIN ({{template "affected_users" .}}) AS affected USING (user_id)
{{- end}}
    ANTI JOIN converters USING (user_id)
    GROUP BY user_id
),

null_journeys AS (
    SELECT
        touches.user_id,
        max(touches.ts) AS last_ts,
        list_sort(list((touches.ts, touches.strength, touches.tie, touches.channel,
            (non_converters.last_us - touches.us) / 86400e6))) AS touches
    FROM touches
    JOIN non_converters
        ON non_converters.user_id = touches.user_id
       AND touches.us > non_converters.last_us - {{.AttributionLookbackDays}} * 86400000000
    GROUP BY touches.user_id
)

SELECT
    selected_conversions.journey_id,
    selected_conversions.user_id,
    true AS converted,
    selected_conversions.date,
    selected_conversions.value,
    selected_conversions.ts AS converted_at,
    conversion_touches.touches[1][1] AS first_touch_at,
    coalesce(list_transform(conversion_touches.touches, t -> t[4]), ['direct']) AS channels,
    coalesce(list_transform(conversion_touches.touches, t -> t[5]), [0.0]) AS days_before,
    conversion_touches.touches IS NULL AS no_touch
FROM selected_conversions
LEFT JOIN conversion_touches USING (journey_id)

UNION ALL

SELECT
    'user:' || user_id AS journey_id,
    user_id,
    false AS converted,
    CAST(last_ts AT TIME ZONE '{{.Timezone}}' AS DATE) AS date,
    CAST(0 AS DECIMAL(18,2)) AS value,
    CAST(NULL AS TIMESTAMPTZ) AS converted_at,
    touches[1][1] AS first_touch_at,
    list_transform(touches, t -> t[4]) AS channels,
    list_transform(touches, t -> t[5]) AS days_before,
    false AS no_touch
FROM null_journeys
