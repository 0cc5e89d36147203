-- severity: error
-- go_tables: marts.attribution_by_channel
-- comment: When attribution credits paid orders (the default), two independent implementations of last-touch attribution agree: the last_touch model of marts.attribution_by_channel (lists of touches per journey) credits each channel, over the whole window, exactly the paid orders and gross revenue marts.kpi_daily attributes to it (one ASOF join in staging.int_events__last_touch).
WITH kpi AS (
    SELECT channel, sum(orders) AS orders, CAST(sum(gross_revenue) AS DOUBLE) AS gross_revenue
    FROM marts.kpi_daily
    GROUP BY channel
),

attributed AS (
    SELECT channel, conversions, value
    FROM marts.attribution_by_channel
    WHERE model = 'last_touch' AND period = 'all'
)

SELECT channel, kpi.orders, attributed.conversions, kpi.gross_revenue, attributed.value
FROM kpi
FULL JOIN attributed USING (channel)
WHERE (SELECT count(*) FROM attributed) > 0
  AND {{if .AttributionConversionTypes}}false -- attribution credits conversion events, not the orders of kpi_daily{{else}}true{{end}}
  AND (abs(coalesce(kpi.orders, 0) - coalesce(attributed.conversions, 0)) > 1e-6
       OR abs(coalesce(kpi.gross_revenue, 0) - coalesce(attributed.value, 0)) > 0.01)
ORDER BY channel
