package ga4bigquery

import (
	"regexp"
	"strings"
)

// Channel returns the pacer channel of a traffic source: GA4's own default
// channel group when the export gives one
// (session_traffic_source_last_click.cross_channel_campaign.default_channel_group),
// mapped as staging maps the ga4 connector's channel groups, else a small
// version of GA4's default channel rules on source and medium:
//
//	(direct) / (none)                         direct
//	cpc, ppc, paid*, retargeting on a search engine   paid_search
//	  … on a social site                      paid_social
//	  … on a video site                       short_video
//	  … elsewhere                             paid_other
//	display, banner, cpm, interstitial        display
//	email, e-mail, newsletter                 email
//	affiliate                                 affiliates
//	organic, or a search engine / social / video site   organic
//	referral, link, app                       referral
//	anything else                             unassigned
func Channel(group, source, medium string) string {
	if g := strings.ToLower(strings.TrimSpace(group)); g != "" && g != "(not set)" && g != "unassigned" {
		switch g {
		case "paid search", "paid shopping":
			return "paid_search"
		case "paid social":
			return "paid_social"
		case "paid video":
			return "short_video"
		case "display", "cross-network":
			return "display"
		case "email":
			return "email"
		case "organic search", "organic social", "organic video", "organic shopping":
			return "organic"
		case "direct":
			return "direct"
		case "referral":
			return "referral"
		case "affiliates":
			return "affiliates"
		}
		return strings.Trim(reNonWord.ReplaceAllString(g, "_"), "_")
	}
	src := strings.ToLower(strings.TrimSpace(source))
	med := strings.ToLower(strings.TrimSpace(medium))
	switch {
	case src == "(direct)" && (med == "(none)" || med == "(not set)" || med == ""):
		return "direct"
	case rePaid.MatchString(med):
		switch {
		case searchSite(src):
			return "paid_search"
		case socialSite(src):
			return "paid_social"
		case videoSite(src):
			return "short_video"
		}
		return "paid_other"
	case med == "display" || med == "banner" || med == "cpm" || med == "expandable" || med == "interstitial":
		return "display"
	case med == "email" || med == "e-mail" || med == "e_mail" || med == "newsletter" || src == "email" || src == "newsletter":
		return "email"
	case med == "affiliate" || med == "affiliates":
		return "affiliates"
	case med == "organic" || searchSite(src) || socialSite(src) || med == "social" || videoSite(src):
		return "organic"
	case med == "referral" || med == "link" || med == "app":
		return "referral"
	}
	return "unassigned"
}

var (
	reNonWord = regexp.MustCompile(`[^a-z0-9]+`)
	rePaid    = regexp.MustCompile(`^(.*cp.*|ppc|retargeting|paid.*)$`)
)

func hostIn(src string, names []string) bool {
	for _, n := range names {
		if src == n || strings.HasPrefix(src, n+".") || strings.Contains(src, "."+n+".") {
			return true
		}
	}
	return false
}

func searchSite(s string) bool {
	return hostIn(s, []string{"google", "bing", "baidu", "yahoo", "duckduckgo", "yandex", "sogou", "naver", "ecosia", "so", "360"})
}

func socialSite(s string) bool {
	return hostIn(s, []string{"facebook", "fb", "instagram", "ig", "linkedin", "lnkd", "twitter", "x", "t", "pinterest", "reddit", "snapchat", "weibo", "wechat", "weixin", "xiaohongshu", "meta"})
}

func videoSite(s string) bool {
	return hostIn(s, []string{"youtube", "tiktok", "douyin", "vimeo", "bilibili", "kuaishou"})
}
