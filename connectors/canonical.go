package connectors

import (
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// Column is one column of a canonical stream.
type Column struct {
	Name string
	// Type is the DuckDB type staging casts the column to.
	Type string
	// Required columns must be present in every source feeding the stream;
	// optional ones are NULL when absent.
	Required bool
	// Comment explains the column to an analyst; it becomes a COMMENT ON COLUMN.
	Comment string
}

// CanonicalStream is one of the streams of PRODUCT.md that connectors and
// files feed and staging models read.
type CanonicalStream struct {
	Name    string
	Grain   string // what one row is
	Key     []string
	Columns []Column
	// DateColumn is the column that places a row on a day (see Stream.DateColumn).
	DateColumn string
}

// Money is the DuckDB type of every money column: exact decimal, never float.
const Money = "DECIMAL(38,9)"

// Canonical lists the canonical streams by name.
var Canonical = map[string]CanonicalStream{
	"ad_performance": {
		Name:       "ad_performance",
		Grain:      "one row per day, platform, account and campaign (and ad group/ad when present)",
		Key:        []string{"platform", "account_id", "date", "campaign_id", "ad_group_id", "ad_id"},
		DateColumn: "date",
		Columns: []Column{
			{"date", "DATE", true, "reporting day in the ad account's own time zone, as the platform reports it"},
			{"platform", "VARCHAR", true, "ad platform, e.g. google_ads, meta, tiktok"},
			{"account_id", "VARCHAR", true, "ad account id on the platform"},
			{"account_timezone", "VARCHAR", false, "IANA time zone of the ad account (the zone of date)"},
			{"campaign_id", "VARCHAR", true, "campaign id on the platform"},
			{"campaign_name", "VARCHAR", true, "campaign name on the platform"},
			{"ad_group_id", "VARCHAR", false, "ad group / ad set id, NULL at campaign grain"},
			{"ad_id", "VARCHAR", false, "ad id, NULL above ad grain"},
			{"channel", "VARCHAR", true, "marketing channel: paid_search, paid_social, short_video, display, ..."},
			{"currency", "VARCHAR", true, "ISO 4217 code of the account's money columns"},
			{"spend", Money, true, "cost in the account currency"},
			{"impressions", "BIGINT", true, "impressions served"},
			{"clicks", "BIGINT", true, "clicks"},
			{"conversions", "DOUBLE", true, "conversions the platform claims (may be fractional)"},
			{"conversion_value", Money, true, "conversion value the platform claims, in the account currency"},
		},
	},
	"web_traffic": {
		Name:       "web_traffic",
		Grain:      "one row per day, source, medium and campaign",
		Key:        []string{"date", "source", "medium", "campaign"},
		DateColumn: "date",
		Columns: []Column{
			{"date", "DATE", true, "day in the analytics property's time zone"},
			{"source", "VARCHAR", true, "traffic source, e.g. google, (direct)"},
			{"medium", "VARCHAR", true, "traffic medium, e.g. cpc, organic, (none)"},
			{"campaign", "VARCHAR", true, "campaign as tagged (utm_campaign); matches a campaign id or name"},
			{"channel_group", "VARCHAR", true, "channel group, mapped to pacer channels in staging"},
			{"sessions", "BIGINT", true, "sessions"},
			{"users", "BIGINT", true, "users"},
			{"new_users", "BIGINT", false, "first-time users"},
			{"key_events", "DOUBLE", true, "key events (conversions) counted by web analytics"},
			{"revenue", Money, true, "revenue web analytics attributes to these sessions"},
			{"currency", "VARCHAR", false, "currency of revenue; the reporting currency when absent"},
		},
	},
	"touchpoints": {
		Name:       "touchpoints",
		Grain:      "one row per marketing interaction of a user",
		Key:        []string{"user_id", "ts", "channel"},
		DateColumn: "ts",
		Columns: []Column{
			{"user_id", "VARCHAR", true, "pseudonymous user id shared with conversions and orders"},
			{"ts", "TIMESTAMPTZ", true, "instant of the interaction"},
			{"channel", "VARCHAR", true, "marketing channel of the interaction"},
			{"source", "VARCHAR", false, "traffic source"},
			{"medium", "VARCHAR", false, "traffic medium"},
			{"campaign", "VARCHAR", false, "campaign name as tagged"},
			{"campaign_id", "VARCHAR", false, "platform campaign id, when known"},
			{"interaction", "VARCHAR", true, "impression, click or visit"},
		},
	},
	"conversions": {
		Name:       "conversions",
		Grain:      "one row per conversion event",
		Key:        []string{"conversion_id"},
		DateColumn: "ts",
		Columns: []Column{
			{"conversion_id", "VARCHAR", true, "unique id of the conversion"},
			{"user_id", "VARCHAR", true, "user who converted"},
			{"ts", "TIMESTAMPTZ", true, "instant of the conversion"},
			{"type", "VARCHAR", true, "lead, signup, purchase, ..."},
			{"value", Money, true, "value of the conversion in currency"},
			{"currency", "VARCHAR", true, "ISO 4217 code of value"},
		},
	},
	"orders": {
		Name:       "orders",
		Grain:      "one row per order, plus one row per refund (status refunded, amount refunded, time of the refund)",
		Key:        []string{"order_id", "status", "ts"},
		DateColumn: "ts",
		Columns: []Column{
			{"order_id", "VARCHAR", true, "order id; a refund row repeats the id of the order it refunds"},
			{"customer_id", "VARCHAR", true, "customer id, stable across orders"},
			{"user_id", "VARCHAR", false, "web user id, links the order to touchpoints"},
			{"ts", "TIMESTAMPTZ", true, "instant the order was placed, or the refund was made"},
			{"amount", Money, true, "order amount, or the refunded amount (positive) on a refund row"},
			{"currency", "VARCHAR", true, "ISO 4217 code of amount"},
			{"status", "VARCHAR", true, "paid, refunded, cancelled or pending"},
			{"region", "VARCHAR", false, "where the order ships or is sold (the marketing mix's place), e.g. East China; NULL when the source does not say"},
			{"product_line", "VARCHAR", false, "product line of the order (the marketing mix's product; the first item's when a basket mixes lines); NULL when the source does not say"},
		},
	},
	"crm_deals": {
		Name:       "crm_deals",
		Grain:      "one row per lead or deal, latest state",
		Key:        []string{"deal_id"},
		DateColumn: "created_at",
		Columns: []Column{
			{"deal_id", "VARCHAR", true, "CRM id of the lead or deal"},
			{"created_at", "TIMESTAMPTZ", true, "when the lead was created"},
			{"closed_at", "TIMESTAMPTZ", false, "when the deal was won or lost; NULL while open"},
			{"stage", "VARCHAR", true, "pipeline stage: lead, qualified, proposal, won, lost"},
			{"is_won", "BOOLEAN", true, "true when the deal is won"},
			{"amount", Money, false, "deal amount in currency"},
			{"currency", "VARCHAR", false, "ISO 4217 code of amount"},
			{"lead_source", "VARCHAR", false, "channel or source the lead came from"},
			{"campaign_id", "VARCHAR", false, "campaign the lead is attributed to in the CRM"},
			{"owner", "VARCHAR", false, "sales or marketing owner"},
			{"team", "VARCHAR", false, "owner's team"},
		},
	},
	"survey_metrics": {
		Name:  "survey_metrics",
		Grain: "one row per period and metric",
		Key:   []string{"period", "metric"},
		Columns: []Column{
			{"period", "VARCHAR", true, "period the survey covers: YYYY, YYYY-Qn or YYYY-MM"},
			{"metric", "VARCHAR", true, "brand_awareness, nps, ..."},
			{"value", "DOUBLE", true, "measured value (a share 0..1 for awareness, -100..100 for NPS)"},
			{"sample_size", "BIGINT", false, "respondents"},
		},
	},
	"market_benchmarks": {
		Name:  "market_benchmarks",
		Grain: "one row per period and metric",
		Key:   []string{"period", "metric"},
		Columns: []Column{
			{"period", "VARCHAR", true, "period the benchmark covers: YYYY, YYYY-Qn or YYYY-MM"},
			{"metric", "VARCHAR", true, "market_revenue, competitor_spend, ..."},
			{"value", "DOUBLE", true, "value, money in the reporting currency"},
			{"source", "VARCHAR", false, "who published the figure"},
		},
	},
}

// CanonicalNames lists the canonical streams, sorted.
func CanonicalNames() []string {
	out := make([]string, 0, len(Canonical))
	for n := range Canonical {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LookupCanonical returns the canonical stream called name.
func LookupCanonical(name string) (CanonicalStream, error) {
	s, ok := Canonical[name]
	if !ok {
		return CanonicalStream{}, fmt.Errorf("unknown stream %q (known: %v)", name, CanonicalNames())
	}
	return s, nil
}

// ArrowSchema returns the Arrow schema of the stream's columns: money as
// decimal128(38,9), timestamps as microsecond UTC, dates as date32.
func (c CanonicalStream) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(c.Columns))
	for i, col := range c.Columns {
		fields[i] = arrow.Field{Name: col.Name, Type: ArrowType(col.Type), Nullable: !col.Required}
	}
	return arrow.NewSchema(fields, nil)
}

// Comment is the metadata of an Arrow field that documents a column: the
// warehouse makes it the raw table's column comment.
func Comment(text string) arrow.Metadata {
	return arrow.MetadataFrom(map[string]string{"comment": text})
}

// ArrowType maps the DuckDB types used by canonical streams to Arrow types.
// It panics on a type it does not know (a programmer error in Canonical).
func ArrowType(duck string) arrow.DataType {
	switch duck {
	case "VARCHAR":
		return arrow.BinaryTypes.String
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIMESTAMPTZ":
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case "TIMESTAMP":
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case "BIGINT":
		return arrow.PrimitiveTypes.Int64
	case "DOUBLE":
		return arrow.PrimitiveTypes.Float64
	case "BOOLEAN":
		return arrow.FixedWidthTypes.Boolean
	case Money:
		return &arrow.Decimal128Type{Precision: 38, Scale: 9}
	}
	panic("connectors: no Arrow type for " + duck)
}
