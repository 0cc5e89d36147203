package ga4bigquery

import (
	"strings"
)

// Markers start each query's text, so that logs, INFORMATION_SCHEMA.JOBS
// and the fake (bqtest) recognise them.
const (
	MarkerConversions = "-- pacer:ga4_bigquery:conversions v1"
	MarkerTouchpoints = "-- pacer:ga4_bigquery:touchpoints v1"
)

// sourceCTE picks the export tables of @from_day..@to_day (YYYYMMDD, in
// the property's time zone): the daily events_YYYYMMDD, and
// events_intraday_YYYYMMDD only for days without a daily table (both can
// coexist for a while; never read both for one day). One wildcard covers
// both, so a dataset without streaming export does not fail.
const sourceCTE = `WITH src AS (
  SELECT *, STARTS_WITH(_TABLE_SUFFIX, 'intraday_') AS is_intraday, RIGHT(_TABLE_SUFFIX, 8) AS table_day
  FROM ` + "`{table}`" + `
  WHERE _TABLE_SUFFIX BETWEEN @from_day AND @to_day
     OR (@intraday AND _TABLE_SUFFIX BETWEEN CONCAT('intraday_', @from_day) AND CONCAT('intraday_', @to_day))
),
events AS (
  SELECT * FROM src
  WHERE NOT is_intraday OR table_day NOT IN (SELECT DISTINCT table_day FROM src WHERE NOT is_intraday)
)
`

// conversionsSQL reads the configured conversion events. Money is cast to
// NUMERIC in BigQuery so that it reaches us as exact decimal text, never
// through float64. dup_index numbers events that share user, timestamp
// and name (GA4 batches can hold such twins).
const conversionsSQL = MarkerConversions + `
` + sourceCTE + `SELECT
  event_date,
  event_timestamp,
  event_name,
  user_pseudo_id,
  user_id,
  (SELECT value.int_value FROM UNNEST(event_params) WHERE key = 'ga_session_id') AS ga_session_id,
  ROW_NUMBER() OVER (PARTITION BY user_pseudo_id, event_timestamp, event_name ORDER BY event_bundle_sequence_id) - 1 AS dup_index,
  ecommerce.transaction_id AS transaction_id,
  CAST(ecommerce.purchase_revenue AS NUMERIC) AS purchase_revenue,
  (SELECT CAST(COALESCE(value.double_value, value.float_value, value.int_value) AS NUMERIC)
     FROM UNNEST(event_params) WHERE key = 'value') AS value,
  (SELECT value.string_value FROM UNNEST(event_params) WHERE key = 'currency') AS currency,
  is_intraday
FROM events
WHERE event_name IN UNNEST(@conversion_events)
ORDER BY event_date, event_timestamp, user_pseudo_id, event_name, dup_index
`

// touchpointsSQL reads the events that carry attribution: every
// session_start, and every event that brought new campaign data
// (collected_traffic_source set: a UTM-tagged or gclid hit mid-session),
// with the three traffic-source records of the export side by side; the
// connector picks one per event and keeps the changes.
const touchpointsSQL = MarkerTouchpoints + `
` + sourceCTE + `SELECT
  event_date,
  event_timestamp,
  event_name,
  user_pseudo_id,
  user_id,
  (SELECT value.int_value FROM UNNEST(event_params) WHERE key = 'ga_session_id') AS ga_session_id,
  session_traffic_source_last_click.cross_channel_campaign.source AS lc_source,
  session_traffic_source_last_click.cross_channel_campaign.medium AS lc_medium,
  session_traffic_source_last_click.cross_channel_campaign.campaign_name AS lc_campaign,
  session_traffic_source_last_click.cross_channel_campaign.campaign_id AS lc_campaign_id,
  session_traffic_source_last_click.cross_channel_campaign.default_channel_group AS lc_channel_group,
  collected_traffic_source.manual_source AS cs_source,
  collected_traffic_source.manual_medium AS cs_medium,
  collected_traffic_source.manual_campaign_name AS cs_campaign,
  collected_traffic_source.manual_campaign_id AS cs_campaign_id,
  collected_traffic_source.gclid AS cs_gclid,
  traffic_source.source AS ts_source,
  traffic_source.medium AS ts_medium,
  traffic_source.name AS ts_campaign,
  is_intraday
FROM events
WHERE event_name = 'session_start'
   OR collected_traffic_source.manual_source IS NOT NULL
   OR collected_traffic_source.gclid IS NOT NULL
ORDER BY user_pseudo_id, ga_session_id, event_timestamp, event_name
`

// SQL returns the query text of a stream for the export table
// project.dataset.events_*.
func SQL(stream, project, dataset string) string {
	q := conversionsSQL
	if stream == TouchpointsStream {
		q = touchpointsSQL
	}
	return strings.ReplaceAll(q, "{table}", project+"."+dataset+".events_*")
}
