package microsoftads_test

import (
	"testing"
	"time"

	"github.com/pacerhq/pacer/connectors"
	"github.com/pacerhq/pacer/connectors/microsoftads"
	"github.com/pacerhq/pacer/connectors/microsoftads/microsoftadstest"
)

// BenchmarkReport measures a realistic report download into the
// ad_performance schema on one core: a zipped CSV of about 10,000 rows
// (120 campaigns over 100 days, Microsoft's header block and footer), unzipped,
// parsed with encoding/csv and built into Arrow batches with exact decimals.
func BenchmarkReport(b *testing.B) {
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 99)
	fake := microsoftadstest.New(microsoftadstest.Options{Campaigns: 120, From: from, To: to})
	b.Cleanup(fake.Close)
	zipped := fake.ZipFor(0, from, to, true)
	dec := microsoftads.NewReportDecoder(connectors.Canonical["ad_performance"].ArrowSchema(), "paid_search")
	dec.TimeZone = "America/Los_Angeles"
	csvBody, err := microsoftads.Unzip(zipped)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := dec.Decode(csvBody)
	if err != nil || len(rep.Rejected) > 0 {
		b.Fatal(err, rep.Rejected)
	}
	rows := rep.Rows
	rep.Release()
	if rows < 10_000 {
		b.Fatalf("%d rows; the benchmark wants at least 10,000", rows)
	}
	b.SetBytes(int64(len(csvBody)))
	for b.Loop() {
		body, err := microsoftads.Unzip(zipped)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := dec.Decode(body)
		if err != nil || rep.Rows != rows {
			b.Fatal(err)
		}
		rep.Release()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(len(csvBody))/float64(rows), "B/row")
}
