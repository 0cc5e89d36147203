package transforms_test

import (
	"syscall"
	"testing"
	"time"

	sqlfs "github.com/pacerhq/pacer/sql"
	"github.com/pacerhq/pacer/transforms"
)

// benchAdRows etc. size the synthetic warehouse of BenchmarkKPIMarts.
const (
	benchAdRows      = 10_000_000
	benchOrders      = 1_000_000
	benchTouchpoints = 3_000_000
	benchConversions = 200_000
	benchWebRows     = 73_000 // 365 days × 200 source/medium/campaign rows
)

// BenchmarkKPIMarts times Transform (every model, KPI marts included) over
// 10 M ad rows, 1 M orders, 3 M touchpoints, 0.2 M conversions and 73 k web
// rows generated with DuckDB's range(): one year, 1000 campaigns in four
// channels, USD and CNY accounts with daily CNY rates.
func BenchmarkKPIMarts(b *testing.B) {
	_, conn := openDB(b)
	for _, q := range benchFixtures {
		mustExec(b, conn, q)
	}
	models, err := transforms.LoadModels(sqlfs.FS)
	if err != nil {
		b.Fatal(err)
	}
	r := transforms.New(models, transforms.Vars{Currency: "USD", Timezone: "Asia/Shanghai", AttributionLookbackDays: 30}, nil)
	inputs := []transforms.RawInput{
		{Source: "bench", Stream: "ad_performance", Canonical: "ad_performance", Table: "raw.bench__ad_performance"},
		{Source: "bench", Stream: "orders", Canonical: "orders", Table: "raw.bench__orders"},
		{Source: "bench", Stream: "touchpoints", Canonical: "touchpoints", Table: "raw.bench__touchpoints"},
		{Source: "bench", Stream: "conversions", Canonical: "conversions", Table: "raw.bench__conversions"},
		{Source: "bench", Stream: "web_traffic", Canonical: "web_traffic", Table: "raw.bench__web_traffic"},
	}
	var res transforms.Result
	cpu0 := cpuTime()
	for b.Loop() {
		res, err = r.Transform(b.Context(), conn, inputs)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	for _, m := range res.Models {
		b.Logf("%-40s %-5s %6d ms %9d rows", m.Name, m.Materialized, m.Duration.Milliseconds(), m.Rows)
	}
	b.ReportMetric(float64(benchAdRows)*float64(b.N)/b.Elapsed().Seconds(), "ad_rows/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/transform")
	// CPU seconds do not depend on what else runs on the machine; on two idle
	// cores the wall time is a little over half of them.
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/transform")
}

var benchFixtures = []string{
	`CREATE TABLE raw.bench__ad_performance AS
	 SELECT
	     DATE '2025-01-01' + CAST(i % 365 AS INTEGER) AS date,
	     ['google_ads', 'meta', 'tiktok', 'google_ads'][CAST((i // 365) % 4 AS INTEGER) + 1] AS platform,
	     'acct-' || ((i // 365) % 1000 % 5) AS account_id,
	     'Asia/Shanghai' AS account_timezone,
	     'cmp-' || ((i // 365) % 1000) AS campaign_id,
	     'Campaign ' || ((i // 365) % 1000) AS campaign_name,
	     'grp-' || ((i // 365000) % 5) AS ad_group_id,
	     'ad-' || (i // 365000) AS ad_id,
	     ['paid_search', 'paid_social', 'short_video', 'display'][CAST((i // 365) % 4 AS INTEGER) + 1] AS channel,
	     CASE WHEN (i // 365) % 1000 % 5 = 0 THEN 'CNY' ELSE 'USD' END AS currency,
	     CAST((i % 1000) / 100 AS DECIMAL(38,9)) AS spend,
	     CAST(i % 5000 AS BIGINT) AS impressions,
	     CAST(i % 50 AS BIGINT) AS clicks,
	     CAST(i % 7 AS DOUBLE) / 2 AS conversions,
	     CAST((i % 3000) / 100 AS DECIMAL(38,9)) AS conversion_value,
	     CAST(1 AS BIGINT) AS _run_id,
	     TIMESTAMP '2026-01-01' AS _synced_at
	 FROM range(` + itoa(benchAdRows) + `) AS t(i)`,
	`INSERT INTO raw.fx_rates (date, currency, rate)
	 SELECT DATE '2024-12-25' + CAST(i AS INTEGER), 'CNY', CAST(0.14 + (i % 10) / 1000 AS DECIMAL(38,12))
	 FROM range(380) AS t(i)`,
	`CREATE TABLE raw.bench__touchpoints AS
	 SELECT
	     'u' || (i % 500000) AS user_id,
	     TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(CAST(i * 10 AS BIGINT)) AS ts,
	     ['paid_search', 'paid_social', 'short_video', 'display', 'email', 'organic'][CAST(i % 6 AS INTEGER) + 1] AS channel,
	     'google' AS source, 'cpc' AS medium,
	     'Campaign ' || (i % 1000) AS campaign,
	     CASE WHEN i % 6 < 4 THEN 'cmp-' || (i % 1000) END AS campaign_id,
	     'click' AS interaction,
	     CAST(1 AS BIGINT) AS _run_id, TIMESTAMP '2026-01-01' AS _synced_at
	 FROM range(` + itoa(benchTouchpoints) + `) AS t(i)`,
	`CREATE TABLE raw.bench__orders AS
	 SELECT
	     'o' || (i // 50 * 50 + CASE WHEN i % 50 = 49 THEN 0 ELSE i % 50 END) AS order_id,
	     'c' || (i % 300000) AS customer_id,
	     'u' || (i % 500000) AS user_id,
	     TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(CAST(i * 31 + CASE WHEN i % 50 = 49 THEN 86400 ELSE 0 END AS BIGINT)) AS ts,
	     CAST(10 + (i % 20000) / 100 AS DECIMAL(38,9)) AS amount,
	     CASE WHEN i % 7 = 0 THEN 'CNY' ELSE 'USD' END AS currency,
	     CASE WHEN i % 50 = 49 THEN 'refunded' WHEN i % 97 = 0 THEN 'cancelled' ELSE 'paid' END AS status,
	     CAST(1 AS BIGINT) AS _run_id, TIMESTAMP '2026-01-01' AS _synced_at
	 FROM range(` + itoa(benchOrders) + `) AS t(i)`,
	`CREATE TABLE raw.bench__conversions AS
	 SELECT
	     'cv' || i AS conversion_id,
	     'u' || (i * 7 % 500000) AS user_id,
	     TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(CAST(i * 63 AS BIGINT)) AS ts,
	     'signup' AS type,
	     CAST(5 AS DECIMAL(38,9)) AS value,
	     'USD' AS currency,
	     CAST(1 AS BIGINT) AS _run_id, TIMESTAMP '2026-01-01' AS _synced_at
	 FROM range(` + itoa(benchConversions) + `) AS t(i)`,
	`CREATE TABLE raw.bench__web_traffic AS
	 SELECT
	     DATE '2025-01-01' + CAST(i % 365 AS INTEGER) AS date,
	     'google' AS source, 'cpc' AS medium,
	     CASE WHEN i // 365 < 150 THEN 'cmp-' || (i // 365) ELSE 'Campaign ' || (i // 365) END AS campaign,
	     ['Paid Search', 'Paid Social', 'Organic Search', 'Direct', 'Email'][CAST((i // 365) % 5 AS INTEGER) + 1] AS channel_group,
	     CAST(100 + i % 50 AS BIGINT) AS sessions,
	     CAST(80 + i % 40 AS BIGINT) AS users,
	     CAST(10 AS BIGINT) AS new_users,
	     CAST(3 AS DOUBLE) AS key_events,
	     CAST(250 AS DECIMAL(38,9)) AS revenue,
	     'USD' AS currency,
	     CAST(1 AS BIGINT) AS _run_id, TIMESTAMP '2026-01-01' AS _synced_at
	 FROM range(` + itoa(benchWebRows) + `) AS t(i)`,
	`INSERT INTO meta.stream_state (source, stream, canonical, raw_table, updated_at, run_id, synced_through, provisional_from)
	 VALUES ('bench', 'ad_performance', 'ad_performance', 'raw.bench__ad_performance', now(), 1, DATE '2025-12-31', DATE '2025-12-25')`,
	`CHECKPOINT`,
}

// cpuTime returns the user plus system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
