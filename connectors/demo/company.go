package demo

import (
	"strconv"
	"strings"
)

// channel is a pacer marketing channel.
type channel uint8

const (
	paidSearch channel = iota
	paidSocial
	shortVideo
	display
	email
	organic
	direct
	referral
	numChannels
)

// numPaidChannels counts the channels that buy media; they come first.
const numPaidChannels = 4

var channelNames = [numChannels]string{
	"paid_search", "paid_social", "short_video", "display", "email", "organic", "direct", "referral",
}

func (c channel) paid() bool     { return c < numPaidChannels }
func (c channel) String() string { return channelNames[c] }

// idFormat describes how a platform's numeric ids look: a fixed prefix, then
// hashed digits up to a total length.
type idFormat struct {
	prefix uint64
	digits int
}

var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// make returns the id for hash h.
func (f idFormat) make(h uint64) uint64 {
	rest := f.digits - numDigits(f.prefix)
	return f.prefix*pow10[rest] + h%pow10[rest]
}

func numDigits(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// platform is an ad platform account of the company.
type platform struct {
	name      string
	channel   channel
	accountID string
	timezone  string
	currency  string // account currency
	// source, medium and channelGroup are how its clicks arrive in web analytics.
	source, medium, channelGroup   string
	campaignIDs, adGroupIDs, adIDs idFormat
	// fractional platforms report modelled, fractional conversions.
	fractional bool
}

// Indexes into platforms.
const (
	googleAds = iota
	meta
	oceanEngine
	tiktok
	tencentAds
)

var platforms = []platform{
	googleAds: {name: "google_ads", channel: paidSearch, accountID: "482-913-5570", timezone: "Asia/Shanghai",
		currency: "USD", source: "google", medium: "cpc", channelGroup: "Paid Search",
		campaignIDs: idFormat{2, 11}, adGroupIDs: idFormat{1, 12}, adIDs: idFormat{6, 12}, fractional: true},
	meta: {name: "meta", channel: paidSocial, accountID: "act_1029384756", timezone: "Asia/Shanghai",
		currency: "USD", source: "facebook", medium: "cpc", channelGroup: "Paid Social",
		campaignIDs: idFormat{120210, 18}, adGroupIDs: idFormat{120211, 18}, adIDs: idFormat{120212, 18}},
	oceanEngine: {name: "ocean_engine", channel: shortVideo, accountID: "1771234567890123", timezone: "Asia/Shanghai",
		currency: "CNY", source: "douyin", medium: "cpv", channelGroup: "Paid Video",
		campaignIDs: idFormat{17, 16}, adGroupIDs: idFormat{17, 16}, adIDs: idFormat{73, 19}},
	tiktok: {name: "tiktok", channel: shortVideo, accountID: "7301234567890123457", timezone: "Asia/Singapore",
		currency: "CNY", source: "tiktok", medium: "cpv", channelGroup: "Paid Video",
		campaignIDs: idFormat{17, 19}, adGroupIDs: idFormat{17, 19}, adIDs: idFormat{17, 19}},
	tencentAds: {name: "tencent_ads", channel: display, accountID: "24681357", timezone: "Asia/Shanghai",
		currency: "CNY", source: "tencent", medium: "display", channelGroup: "Display",
		campaignIDs: idFormat{3, 9}, adGroupIDs: idFormat{6, 10}, adIDs: idFormat{9, 11}},
}

// campaignSpec is one line of the media plan. Money is CNY per day at small
// scale, before seasonality and growth.
type campaignSpec struct {
	platform int
	name     string // "{Y}" is replaced by the year of a seasonal campaign
	budget   float64
	cpa      float64 // CNY per real order at the base budget
	cpm      float64 // CNY per thousand impressions
	ctr      float64
	// overclaim is how many conversions the platform reports per real order.
	overclaim float64
	// Evergreen campaigns run from start+from to start+to (to 0: open-ended;
	// from 0: already running before the data starts). Seasonal ones run
	// from anchor+from to anchor+to every year.
	anchor   anchor
	from, to int
}

var mediaPlan = []campaignSpec{
	// Paid search on Google (overseas shoppers and Chinese-speaking diaspora).
	{platform: googleAds, name: "Brand – Lumen Tea 流明茶", budget: 280, cpa: 40, cpm: 260, ctr: 0.11, overclaim: 1.25},
	{platform: googleAds, name: "Generic – 茶叶 Tea Leaves", budget: 380, cpa: 150, cpm: 180, ctr: 0.045, overclaim: 1.35},
	{platform: googleAds, name: "Generic – 绿茶 Green Tea", budget: 200, cpa: 170, cpm: 170, ctr: 0.04, overclaim: 1.35, to: 210},
	{platform: googleAds, name: "Competitor Conquest", budget: 150, cpa: 220, cpm: 200, ctr: 0.035, overclaim: 1.45},
	{platform: googleAds, name: "Shopping – 全部商品 All Products", budget: 420, cpa: 120, cpm: 90, ctr: 0.012, overclaim: 1.4},
	{platform: googleAds, name: "PMax – 礼盒 Gift Boxes", budget: 220, cpa: 130, cpm: 70, ctr: 0.01, overclaim: 1.5, from: 60},
	// Paid social on Meta.
	{platform: meta, name: "Prospecting – 新客 Broad", budget: 450, cpa: 190, cpm: 55, ctr: 0.011, overclaim: 1.55},
	{platform: meta, name: "Retargeting – Cart Abandoners 30d", budget: 180, cpa: 75, cpm: 85, ctr: 0.018, overclaim: 1.6},
	{platform: meta, name: "Advantage+ Shopping – ASC", budget: 380, cpa: 145, cpm: 60, ctr: 0.013, overclaim: 1.5, from: 75},
	{platform: meta, name: "Lookalike – 高价值客户 LAL 3%", budget: 220, cpa: 175, cpm: 58, ctr: 0.012, overclaim: 1.45, to: 250},
	// Short video: Douyin through Ocean Engine (巨量引擎), TikTok abroad.
	{platform: oceanEngine, name: "抖音 达人种草 KOL Seeding", budget: 400, cpa: 230, cpm: 32, ctr: 0.022, overclaim: 1.4},
	{platform: oceanEngine, name: "抖音 直播间引流 Live Room", budget: 450, cpa: 125, cpm: 38, ctr: 0.028, overclaim: 1.35},
	{platform: oceanEngine, name: "千川 商品推广 Product Ads", budget: 320, cpa: 140, cpm: 42, ctr: 0.025, overclaim: 1.3, from: 45},
	{platform: tiktok, name: "TikTok Global – Matcha 抹茶 US", budget: 220, cpa: 200, cpm: 45, ctr: 0.010, overclaim: 1.5, from: 30},
	{platform: tiktok, name: "TikTok Spark Ads – Creators", budget: 150, cpa: 220, cpm: 40, ctr: 0.012, overclaim: 1.55, from: 150, to: 330},
	// Display on Tencent (WeChat Moments, Official Accounts, the ad network).
	{platform: tencentAds, name: "朋友圈 Moments – 品牌曝光 Awareness", budget: 260, cpa: 380, cpm: 22, ctr: 0.005, overclaim: 1.6},
	{platform: tencentAds, name: "公众号 WeChat OA – 关注 Follow", budget: 160, cpa: 280, cpm: 18, ctr: 0.006, overclaim: 1.5},
	{platform: tencentAds, name: "优量汇 Network – 再营销 Retargeting", budget: 130, cpa: 150, cpm: 15, ctr: 0.004, overclaim: 1.6, from: 100},
	// Seasonal pushes, one set per year.
	{platform: googleAds, name: "{Y} 双11 预热 Search", budget: 500, cpa: 110, cpm: 220, ctr: 0.05, overclaim: 1.35, anchor: singlesDay, from: -22, to: 0},
	{platform: meta, name: "{Y} Double 11 Sale – Meta", budget: 600, cpa: 150, cpm: 70, ctr: 0.014, overclaim: 1.55, anchor: singlesDay, from: -22, to: 1},
	{platform: oceanEngine, name: "{Y} 双11 抖音直播 大促 Live", budget: 700, cpa: 120, cpm: 45, ctr: 0.03, overclaim: 1.35, anchor: singlesDay, from: -22, to: 0},
	{platform: googleAds, name: "{Y} 双12 年终 Search", budget: 350, cpa: 120, cpm: 210, ctr: 0.045, overclaim: 1.35, anchor: doubleTwelve, from: -11, to: 0},
	{platform: googleAds, name: "{Y} 618 年中大促 Search", budget: 400, cpa: 120, cpm: 210, ctr: 0.045, overclaim: 1.35, anchor: mid618, from: -17, to: 0},
	{platform: oceanEngine, name: "{Y} 618 抖音 爆款 Hero SKU", budget: 500, cpa: 125, cpm: 42, ctr: 0.028, overclaim: 1.35, anchor: mid618, from: -17, to: 1},
	{platform: meta, name: "{Y} 年货节 CNY Gifting 礼盒", budget: 400, cpa: 150, cpm: 65, ctr: 0.013, overclaim: 1.5, anchor: springFestival, from: -30, to: -9},
	{platform: tencentAds, name: "{Y} 年货节 朋友圈 礼盒 Moments", budget: 300, cpa: 260, cpm: 24, ctr: 0.006, overclaim: 1.55, anchor: springFestival, from: -30, to: -9},
	{platform: oceanEngine, name: "{Y} 中秋 礼盒 Mid-Autumn Gifts", budget: 350, cpa: 140, cpm: 40, ctr: 0.026, overclaim: 1.35, anchor: midAutumnDay, from: -18, to: -2},
}

// people are the marketing and sales staff who own targets and deals.
var people = []struct{ owner, team, role string }{
	{"li.wei", "growth", "head of growth; owns paid search and company revenue"},
	{"chen.jie", "growth", "performance marketer; paid social, inbound leads"},
	{"wang.fang", "brand", "brand manager; short video, display, partnerships"},
	{"zhang.min", "sales", "key-account manager; wholesale deals, B2B leads"},
	{"liu.yang", "sales", "CRM and sales rep; email and repeat customers"},
}

// campaign is one campaign instance with its ids and delivery structure.
type campaign struct {
	index       int
	spec        *campaignSpec
	plat        *platform
	first, last day // active days, inclusive
	idNum       uint64
	id, name    []byte
	groups      []adGroup
}

// adGroup is an ad group (ad set) with its share of the campaign and, at
// large scale, its ad slots.
type adGroup struct {
	id     []byte
	weight float64 // share of the campaign, sums to 1
	slots  []adSlot
	// slotWeightSum normalises slot weights.
	slotWeightSum float64
}

// adSlot is a place in an ad group where creatives rotate: each creative runs
// for life days, then a fresh ad (with a new id) replaces it.
type adSlot struct {
	weight float64
	life   int32
	phase  int32
	key    uint64
	// The formatted id of the slot's current ad, reused while it runs.
	idGen int32
	idLen uint8
	id    [20]byte
}

// active reports whether the campaign runs on d.
func (c *campaign) active(d day) bool { return d >= c.first && d <= c.last }

// adID returns the id of the ad running in slot s of group g on day d, as
// decimal text. The slice is valid until the next call for the same slot.
func (c *campaign) adID(g, s int, d day) []byte {
	slot := &c.groups[g].slots[s]
	generation := (int32(d)+slot.phase)/slot.life + 1
	if slot.idGen != generation {
		id := c.plat.adIDs.make(mix64(slot.key ^ uint64(generation)*0x9e3779b97f4a7c15))
		slot.idLen = uint8(len(strconv.AppendUint(slot.id[:0], id, 10)))
		slot.idGen = generation
	}
	return slot.id[:slot.idLen]
}

// buildCampaigns lays out the campaign instances for a company that starts on
// start: evergreen campaigns once, seasonal ones for every year from the year
// before the start to several years after.
func buildCampaigns(seed int64, sc scaleSpec, start day) []*campaign {
	var out []*campaign
	add := func(spec *campaignSpec, first, last day, year int) {
		plat := &platforms[spec.platform]
		name := spec.name
		if year != 0 {
			name = strings.ReplaceAll(name, "{Y}", strconv.Itoa(year))
		}
		h := mix64(hashString(plat.name) ^ hashString(name))
		c := &campaign{
			index: len(out), spec: spec, plat: plat, first: first, last: last,
			idNum: plat.campaignIDs.make(h), name: []byte(name),
		}
		c.id = strconv.AppendUint(nil, c.idNum, 10)
		c.groups = buildAdGroups(seed, sc, c)
		out = append(out, c)
	}
	const forever = day(1 << 30)
	startYear := start.time().Year()
	for i := range mediaPlan {
		spec := &mediaPlan[i]
		if spec.anchor != noAnchor {
			continue
		}
		first, last := day(-(1 << 30)), forever
		if spec.from != 0 {
			first = start + day(spec.from)
		}
		if spec.to != 0 {
			last = start + day(spec.to)
		}
		add(spec, first, last, 0)
	}
	for y := startYear - 1; y <= startYear+8; y++ {
		for i := range mediaPlan {
			spec := &mediaPlan[i]
			if spec.anchor == noAnchor {
				continue
			}
			a := anchorDay(spec.anchor, y)
			add(spec, a+day(spec.from), a+day(spec.to), y)
		}
	}
	return out
}

// buildAdGroups splits a campaign into ad groups (and ad slots at ad grain)
// with random but fixed weights.
func buildAdGroups(seed int64, sc scaleSpec, c *campaign) []adGroup {
	r := newRNG(seed, tagCampaignSetup, 0, c.idNum)
	n := sc.adGroups[0] + r.intn(sc.adGroups[1]-sc.adGroups[0]+1)
	groups := make([]adGroup, n)
	total := 0.0
	for g := range groups {
		w := 0.3 + r.float()
		w *= w
		groups[g].weight = w
		total += w
		groups[g].id = strconv.AppendUint(nil, c.plat.adGroupIDs.make(mix64(c.idNum^uint64(g+1)*0xa0761d6478bd642f)), 10)
		if sc.adGrain {
			groups[g].slots, groups[g].slotWeightSum = buildAdSlots(&r, sc, c.idNum, g)
		}
	}
	for g := range groups {
		groups[g].weight /= total
	}
	return groups
}

// buildAdSlots gives an ad group its creatives: a few winners take most of
// the delivery, a long tail gets a trickle.
func buildAdSlots(r *rng, sc scaleSpec, campaignID uint64, g int) ([]adSlot, float64) {
	n := sc.adsPerGroup[0] + r.intn(sc.adsPerGroup[1]-sc.adsPerGroup[0]+1)
	slots := make([]adSlot, n)
	sum := 0.0
	for s := range slots {
		u := 0.05 + r.float()
		w := u * u * u
		life := int32(21 + r.intn(70))
		slots[s] = adSlot{weight: w, life: life, phase: int32(r.intn(int(life))),
			key: mix64(campaignID ^ uint64(g)<<32 ^ uint64(s+1)*0xe7037ed1a0b428db)}
		sum += w
	}
	return slots, sum
}

// hashString is FNV-1a, for ids that must not depend on the seed.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}
