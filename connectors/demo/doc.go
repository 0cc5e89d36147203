// Package demo is the "demo" connector type: a deterministic synthetic
// company that feeds every canonical stream, so that pacer runs end to end
// with no configuration, no network and no secrets (pacer demo).
//
// # The company
//
// Lumen Tea 流明茶 is a Chinese direct-to-consumer tea brand: loose-leaf
// tea, matcha and gift boxes sold through its own online shop, reporting in
// CNY on Asia/Shanghai days, plus a small wholesale business (cafés, hotels,
// corporate gifts) run through a CRM. It buys media on five platforms:
//
//   - paid_search: google_ads (account currency USD), brand, generic,
//     competitor, shopping and PMax campaigns;
//   - paid_social: meta (USD), prospecting, retargeting, Advantage+ and
//     lookalike campaigns;
//   - short_video: ocean_engine 巨量引擎 (Douyin KOL seeding, live-room
//     traffic, Qianchuan product ads) and tiktok (overseas), both CNY;
//   - display: tencent_ads (WeChat Moments, Official Accounts, the ad
//     network), CNY.
//
// Email, organic, direct and referral (Xiaohongshu, Zhihu, SMZDM, Weibo)
// bring traffic without spend. Seasonal campaigns run every year around
// 618, 11.11 (Singles' Day), 12.12, the Chinese New Year gifting season
// (年货节) and the Mid-Autumn Festival; some always-on campaigns start or
// stop during the year. About 30 campaigns appear in 13 months of data.
//
// # What it models
//
//   - Demand: a weekday rhythm, a summer lull, peaks on 3.8, 520, 618,
//     11.11 (a ramp from October 20, five times a normal day on the 11th),
//     12.12 and the year-end, the gifting weeks before Chinese New Year and
//     the dip while couriers stop, and about 30% growth a year.
//   - Media: spend follows budgets, the season and weekday pacing (search
//     spends less at weekends, short video more); CPMs rise in festivals;
//     real orders follow diminishing returns (orders ∝ spend^0.7) and the
//     platforms claim 25–60% more conversions than the orders they drove.
//     Campaign-days and ad groups with no delivery are absent.
//   - Shoppers: journeys of 1–8 impressions, clicks and visits over up to 30
//     days across channels; buyers get an order (AOV about 290 CNY from a
//     basket model with festival discounts and shipping fees), returning
//     customers reorder weeks or months later (about a quarter of orders),
//     about 6% of paid orders are refunded 1–20 days later, a few are
//     cancelled or pending. Browsing journeys never buy; some visitors sign
//     up for the newsletter or send a wholesale inquiry.
//   - Wholesale: inquiries and trade-show, partner and outbound leads move
//     lead → qualified → proposal → won/lost over weeks, owned by li.wei,
//     chen.jie (growth), wang.fang (brand), zhang.min and liu.yang (sales).
//   - A monthly brand tracker (awareness, NPS, loyalty) and an industry
//     panel (market revenue, competitor spend), with a year of history.
//
// # Determinism
//
// The rows of a day depend only on the seed, the scale, the start date and
// that day, never on the range requested: every random draw comes from a
// PCG generator seeded by hashing (seed, stream, day, index). Entities that
// span days (a journey, an order and its refund, a customer's later orders,
// a deal) are generated whole from the day they are keyed on and emitted on
// the days their events fall on, so reading [A,B] then [B+1,C] gives the
// rows of [A,C]. CRM deals are the one stream whose rows also depend on the
// read's Until: like a real CRM, a deal shows the stage it has reached by
// the end of that day.
//
// # Scale
//
// "small" (the default) has about 18k ad-group rows, 170k touchpoints, 65k
// journeys and 36k paid orders in 13 months, generated in about 0.2 s.
// "large" is the same company 42 times bigger at ad grain (12–14 ad groups
// of 140–210 rotating creatives per campaign): about 11.6M ad rows, 2.7M
// journeys, 7M touchpoints and 1.5M paid orders in 13 months. Ad rows are
// generated at 3–4M rows/s on one core.
package demo

// Describe returns one paragraph about the demo company, for the CLI.
func Describe() string {
	return "Lumen Tea 流明茶 is a synthetic Chinese direct-to-consumer tea brand that reports in CNY on " +
		"Asia/Shanghai days. It buys paid search on Google Ads and paid social on Meta (both in USD), " +
		"short video on Ocean Engine (Douyin) and TikTok and display on Tencent Ads (in CNY), and also " +
		"gets email, organic, direct and referral traffic. Its year has a weekly rhythm, 618, the " +
		"Singles' Day (11.11) peak, 12.12, year-end and Chinese New Year gifting and the holiday dip; " +
		"platforms over-claim conversions, returning customers reorder, some orders are refunded, and " +
		"a small wholesale team works leads in a CRM. The same seed always produces the same data."
}
