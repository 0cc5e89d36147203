package reports

import (
	"database/sql"
	"math"
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	null := sql.NullFloat64{}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"yuan with separators", formatMoney(1234567.891, "CNY"), "¥1,234,567.89"},
		{"dollars", formatMoney(0.5, "USD"), "$0.50"},
		{"euros, negative", formatMoney(-1500, "EUR"), "-€1,500.00"},
		{"another code is shown as the code", formatMoney(12, "GBP"), "GBP\u00a012.00"},
		{"no currency", formatMoney(12, ""), "12.00"},
		{"no minus zero", formatMoney(-0.001, "USD"), "$0.00"},
		{"three digits stay ungrouped", formatMoney(999.99, "USD"), "$999.99"},
		{"missing money", formatMoneyN(null, "USD"), "–"},
		{"counts", formatInt(1234567), "1,234,567"},
		{"negative counts", formatInt(-1234), "-1,234"},
		{"ROAS with 2 decimals", formatRatio(valid(3.14159)), "3.14"},
		{"large ratio grouped", formatRatio(valid(12345.678)), "12,345.68"},
		{"missing ROAS", formatRatio(null), "–"},
		{"percent with 1 decimal", formatPercent(valid(0.12345)), "12.3%"},
		{"missing percent", formatPercent(null), "–"},
		{"rise", formatChange(valid(0.5)), "+50.0%"},
		{"fall, float noise removed", formatChange(valid(3.37/4 - 1)), "-15.8%"},
		{"no change", formatChange(valid(0)), "0.0%"},
		{"tiny change rounds to zero", formatChange(valid(-0.00001)), "0.0%"},
		{"missing change", formatChange(null), "–"},
		{"CSV money has no separators", csvMoney(1234567.5), "1234567.50"},
		{"CSV ratio rounded to 6 decimals", csvFloat(valid(15765.0 / 180)), "87.583333"},
		{"CSV ratio without noise", csvFloat(valid(3.37/4 - 1)), "-0.1575"},
		{"CSV NULL is empty", csvFloat(null), ""},
		{"CSV formula is neutralised", csvText("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")"},
		{"CSV plain text unchanged", csvText("paid_search"), "paid_search"},
		{"date", formatDate(sql.NullTime{Time: time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC), Valid: true}), "2025-03-09"},
		{"missing date", formatDate(sql.NullTime{}), "–"},
		{"instant in UTC", formatInstant(time.Date(2025, 4, 1, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))), "2025-04-01 06:00 UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestRatiosAreMissingWithoutDenominator(t *testing.T) {
	zero := totals{}
	for name, v := range map[string]sql.NullFloat64{
		"ROAS": zero.ROAS(), "CAC": zero.CAC(), "AOV": zero.AOV(), "conversion rate": zero.ConversionRate(),
		"CAC without spend": totals{NewCustomers: 3}.CAC(),
		"change from 0":     change(valid(5), valid(0)),
	} {
		if v.Valid {
			t.Errorf("%s = %v, want missing", name, v.Float64)
		}
	}
	if got := (totals{Spend: 100, NewCustomers: 4}).CAC(); !got.Valid || got.Float64 != 25 {
		t.Errorf("CAC = %v", got)
	}
	if got := change(valid(-5), valid(-10)); !got.Valid || math.Abs(got.Float64-0.5) > 1e-12 {
		t.Errorf("change from a negative base = %v, want +50%%", got)
	}
}
