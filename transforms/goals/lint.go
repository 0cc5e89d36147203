package goals

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Severities of a Finding, most serious first. Errors make pacer validate
// exit 2; warnings and info do not.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Finding is one result of the SMART lint: what is wrong (or worth knowing)
// about a target or budget, explained in plain words in English and
// Chinese, with the figures it rests on.
type Finding struct {
	// Severity is error, warning or info.
	Severity string
	// Check is the SMART letter the finding belongs to: specific,
	// measurable, attainable, relevant, time_bound, or budget.
	Check string
	// Code names the finding for scripts and tests: unknown_metric,
	// unknown_scope, no_data, no_history, unattainable, sandbagged,
	// children_exceed_parent, children_short_of_parent, overlapping_period,
	// ended, before_data, planned_roas.
	Code string
	// TargetID or BudgetID is the item the finding is about (0 for the
	// other kind); Line its line in targets.yaml.
	TargetID, BudgetID, Line int
	// EN and ZH are the message in English and Simplified Chinese.
	EN, ZH string
}

// Message returns the finding in lang ("zh-CN" or "zh" for Chinese,
// English otherwise).
func (f Finding) Message(lang string) string {
	if strings.HasPrefix(lang, "zh") {
		return f.ZH
	}
	return f.EN
}

// Lint checks plan against the history in the warehouse the SMART way, as
// of day asOf (the last day with data):
//
//   - specific/measurable: every scope value occurs in the metric's source
//     (a typo gets a "did you mean"), and the source has data at all;
//   - attainable: a target more than plan.Lint.MaxStretch times the best
//     comparable period (the same kind of period, fully in the data before
//     asOf) is unattainable; an outcome target below the same period last
//     year is sandbagged. Input metrics (spend, impressions) are skipped;
//   - relevant: channel (or CRM team) targets that add up to more than the
//     company target of the same metric and period, or, covering every
//     channel active in the last 90 days, to clearly less;
//   - time-bound: periods that ended, start before the data, or overlap
//     another period of the same kind for the same metric and scope;
//   - budget: the ROAS a channel's revenue target implies on its budget,
//     against the channel's best comparable ROAS.
//
// plan must have passed Check with Defaults applied. Findings are sorted
// by severity, then line. l reads the warehouse; missing tables are
// findings, not errors; an error is returned only when a query fails.
func Lint(ctx context.Context, l *Loader, plan *Plan, asOf time.Time) ([]Finding, error) {
	ln := &linter{ctx: ctx, l: l, plan: plan, asOf: day(asOf),
		tables: map[Source][2]string{}, series: map[string]Series{}, values: map[string][]string{}}
	for i := range plan.Targets {
		if err := ln.target(&plan.Targets[i]); err != nil {
			return nil, fmt.Errorf("lint target %d: %w", plan.Targets[i].ID, err)
		}
	}
	if err := ln.relevant(); err != nil {
		return nil, fmt.Errorf("lint parent and child targets: %w", err)
	}
	ln.overlaps()
	for i := range plan.Budgets {
		if err := ln.budget(&plan.Budgets[i]); err != nil {
			return nil, fmt.Errorf("lint budget %d: %w", plan.Budgets[i].ID, err)
		}
	}
	rank := map[string]int{SeverityError: 0, SeverityWarning: 1, SeverityInfo: 2}
	sort.SliceStable(ln.out, func(i, j int) bool {
		a, b := ln.out[i], ln.out[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.TargetID != b.TargetID || a.BudgetID != b.BudgetID {
			return a.TargetID < b.TargetID || a.TargetID == b.TargetID && a.BudgetID < b.BudgetID
		}
		return a.Code < b.Code
	})
	return ln.out, nil
}

type linter struct {
	ctx  context.Context
	l    *Loader
	plan *Plan
	asOf time.Time
	out  []Finding
	// tables caches why a source cannot be read, in English and Chinese
	// ("" = it can).
	tables map[Source][2]string
	series map[string]Series
	values map[string][]string
}

// earlyDataMetrics count a customer's first order in the data as new: in
// the first months of a source every returning customer looks new (see
// the demo's marts.kpi_daily, which starts on 2025-10-01). Their values in
// those months are distorted (new customers and CAC flattered, returning
// customers and the repeat rate depressed), so the sandbagging comparison
// with last year is skipped when last year's period starts within
// earlyDataDays of the source's first day.
var earlyDataMetrics = map[string]bool{"new_customers": true, "returning_customers": true, "repeat_rate": true, "cac": true}

const earlyDataDays = 90

// activeDays is how far back the relevant check looks for the channels
// that have a metric.
const activeDays = 90

func (ln *linter) add(sev, check, code string, t *Target, b *Budget, en, zh string) {
	f := Finding{Severity: sev, Check: check, Code: code}
	switch {
	case t != nil:
		f.TargetID, f.Line = t.ID, t.Line
		f.EN = fmt.Sprintf("target %d (%s, line %d): %s", t.ID, t.Label(), t.Line, en)
		f.ZH = fmt.Sprintf("目标 %d（%s，第 %d 行）：%s", t.ID, t.Label(), t.Line, zh)
	case b != nil:
		f.BudgetID, f.Line = b.ID, b.Line
		f.EN = fmt.Sprintf("budget %d (%s · %s, line %d): %s", b.ID, b.Channel, b.Period, b.Line, en)
		f.ZH = fmt.Sprintf("预算 %d（%s · %s，第 %d 行）：%s", b.ID, b.Channel, b.Period, b.Line, zh)
	default:
		f.EN, f.ZH = en, zh
	}
	ln.out = append(ln.out, f)
}

// relations lists the tables each source needs.
var relations = map[Source][]string{
	KPIDaily:         {"marts.kpi_daily"},
	CRMDeals:         {"staging.crm_deals"},
	SurveyMetrics:    {"staging.survey_metrics"},
	MarketBenchmarks: {"staging.market_benchmarks", "marts.kpi_daily"},
}

// unavailable says why src cannot be measured ("" when it can): a table
// is missing or the source has no rows.
func (ln *linter) unavailable(src Source) (string, string, error) {
	if why, ok := ln.tables[src]; ok {
		return why[0], why[1], nil
	}
	en, zh := "", ""
	for _, rel := range relations[src] {
		schema, name, _ := strings.Cut(rel, ".")
		var n int
		err := queryRow(ln.ctx, ln.l.Q, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`,
			[]any{schema, name}, &n)
		if err != nil {
			return "", "", err
		}
		if n == 0 {
			en = rel + " is not in the warehouse yet (no source feeds it, or pacer transform has not run)"
			zh = rel + " 还不在数据仓库中（没有数据源提供它，或尚未运行 pacer transform）"
			break
		}
	}
	if en == "" {
		cov, err := ln.l.Coverage(ln.ctx, src)
		if err != nil {
			return "", "", err
		}
		if cov.IsZero() {
			en = string(src) + " has no rows yet"
			zh = string(src) + " 还没有数据"
		}
	}
	ln.tables[src] = [2]string{en, zh}
	return en, zh, nil
}

// load reads (and caches) the series of m in scope.
func (ln *linter) load(m Metric, scope map[string]string) (Series, error) {
	key := m.Name + "|" + Target{Scope: scope}.ScopeString()
	if s, ok := ln.series[key]; ok {
		return s, nil
	}
	s, err := ln.l.Load(ln.ctx, m, scope)
	if err != nil {
		return Series{}, err
	}
	ln.series[key] = s
	return s, nil
}

// scopeTable is the relation whose columns a metric's scope filters.
func scopeTable(m Metric) string {
	if m.Source == CRMDeals {
		return "staging.crm_deals"
	}
	return "marts.kpi_daily"
}

// distinct returns the distinct non-null values of column col of table.
func (ln *linter) distinct(table, col string) ([]string, error) {
	key := table + "." + col
	if v, ok := ln.values[key]; ok {
		return v, nil
	}
	rows, err := ln.l.Q.QueryContext(ln.ctx, fmt.Sprintf(`SELECT DISTINCT CAST(%s AS VARCHAR) FROM %s WHERE %s IS NOT NULL ORDER BY 1`, col, table, col))
	if err != nil {
		return nil, fmt.Errorf("values of %s: %w", key, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ln.values[key] = out
	return out, nil
}

// checkScopeValue reports whether v occurs in column col of table, and
// otherwise the severity and messages of an unknown_scope finding: an error
// when a known value is close enough to be what was meant (a typo), a
// warning when nothing is (a new campaign or person may simply have no
// data yet).
func (ln *linter) checkScopeValue(table, key, col, v string) (bool, string, string, string, error) {
	known, err := ln.distinct(table, col)
	if err != nil {
		return false, "", "", "", err
	}
	for _, k := range known {
		if k == v {
			return true, "", "", "", nil
		}
	}
	en := fmt.Sprintf("%s %q does not occur in the data (%s.%s)", key, v, table, col)
	zh := fmt.Sprintf("%s %q 不在数据中（%s.%s）", key, v, table, col)
	hint := ""
	for _, k := range known {
		if strings.EqualFold(k, v) {
			hint = k
		}
	}
	if hint == "" {
		hint = Suggest(v, known)
	}
	switch {
	case hint != "":
		en += fmt.Sprintf("; did you mean %q? ", hint)
		zh += fmt.Sprintf("；是不是 %q？", hint)
	case len(known) > 0 && len(known) <= 12:
		en += " (seen: " + strings.Join(known, ", ") + "). "
		zh += "（数据中有：" + strings.Join(known, "、") + "）。"
	default:
		en += ". "
		zh += "。"
	}
	if hint != "" {
		en += "pacer can only measure values that appear in the data."
		zh += "pacer 只能衡量数据中出现的值。"
		return false, SeverityError, en, zh, nil
	}
	en += "Until it appears in the data this shows no progress; if it is new, that is expected."
	zh += "在数据中出现之前，这里不会有进展；如果它是新的，这是正常的。"
	return false, SeverityWarning, en, zh, nil
}

func (ln *linter) target(t *Target) error {
	m, ok := LookupMetric(t.Metric)
	if !ok { // Check rejects these; kept for plans that skipped it
		ln.add(SeverityError, "specific", "unknown_metric", t, nil,
			fmt.Sprintf("metric %q is not a metric pacer measures", t.Metric),
			fmt.Sprintf("指标 %q 不是 pacer 能衡量的指标", t.Metric))
		return nil
	}
	en, zh, err := ln.unavailable(m.Source)
	if err != nil {
		return err
	}
	if en != "" {
		ln.add(SeverityWarning, "measurable", "no_data", t, nil,
			fmt.Sprintf("%s comes from %s, and %s: the target cannot be measured yet.", m.Name, m.Source, en),
			fmt.Sprintf("%s 来自 %s，而 %s：目前无法衡量这个目标。", m.Name, m.Source, zh))
		return nil
	}
	scopeOK := true
	for _, k := range slices.Sorted(maps.Keys(t.Scope)) {
		col := m.ScopeColumn(k)
		if col == "" {
			continue // Check reports it
		}
		ok, sev, en, zh, err := ln.checkScopeValue(scopeTable(m), k, col, t.Scope[k])
		if err != nil {
			return err
		}
		if !ok {
			scopeOK = false
			ln.add(sev, "specific", "unknown_scope", t, nil, en, zh)
		}
	}
	cov, err := ln.l.Coverage(ln.ctx, m.Source)
	if err != nil {
		return err
	}
	p := t.Range
	if p.From.Before(cov) {
		last := minTime(p.To, cov.AddDate(0, 0, -1))
		days := int(last.Sub(p.From).Hours()/24) + 1
		if days == p.Days() {
			ln.add(SeverityWarning, "time_bound", "before_data", t, nil,
				fmt.Sprintf("the whole period (%s) is before %s has data (from %s): all %d days would count as zero, so the target cannot be measured.",
					p, m.Source, ymd(cov), days),
				fmt.Sprintf("整个时段（%s）都早于 %s 的数据起始日（%s）：全部 %d 天都会按零计算，无法衡量这个目标。",
					p, m.Source, ymd(cov), days))
		} else {
			ln.add(SeverityWarning, "time_bound", "before_data", t, nil,
				fmt.Sprintf("the period starts on %s, %d %s before %s has data (from %s): those days count as zero, so the actual will look low.",
					ymd(p.From), days, plural(days, "day", "days"), m.Source, ymd(cov)),
				fmt.Sprintf("时段从 %s 开始，比 %s 的数据起始日（%s）早 %d 天：这些天按零计算，实际值会显得偏低。",
					ymd(p.From), m.Source, ymd(cov), days))
		}
	}
	var s Series
	if scopeOK {
		if s, err = ln.load(m, t.Scope); err != nil {
			return err
		}
	}
	if p.To.Before(ln.asOf) {
		en := fmt.Sprintf("the period ended on %s, before the as-of day %s: its result is final", ymd(p.To), ymd(ln.asOf))
		zh := fmt.Sprintf("时段已于 %s 结束（早于截至日 %s）：结果已定", ymd(p.To), ymd(ln.asOf))
		if v := s.Value(m, p); scopeOK && s.Covers(p, ln.asOf) && !math.IsNaN(v) {
			en += fmt.Sprintf(" (actual %s against the target %s)", num(m, v), num(m, t.Value))
			zh += fmt.Sprintf("（实际 %s，目标 %s）", num(m, v), num(m, t.Value))
		}
		ln.add(SeverityInfo, "time_bound", "ended", t, nil,
			en+"; it no longer counts in scorecards.", zh+"；它不再计入记分卡。")
		return nil
	}
	if !scopeOK || m.Role == Input {
		return nil
	}
	ln.attainable(t, m, s, cov)
	return nil
}

// comparable is a period like the target's with its value.
type comparable struct {
	p Period
	v float64
}

// comparables returns the periods of p's kind before p that the data fully
// covers as of asOf, most recent first, with their values: Shift(-1),
// Shift(-2)... skipping those not complete by asOf and stopping at the
// first that starts before the data.
func (ln *linter) comparables(m Metric, s Series, p Period) []comparable {
	var out []comparable
	for k := 1; k <= 1000; k++ {
		q := p.Shift(-k)
		if q.To.After(ln.asOf) {
			continue
		}
		if !s.Covers(q, ln.asOf) {
			break
		}
		if v := s.Value(m, q); !math.IsNaN(v) {
			out = append(out, comparable{q, v})
		}
	}
	return out
}

// better reports whether a is better than b for m.
func better(m Metric, a, b float64) bool {
	if m.LowerIsBetter {
		return a < b
	}
	return a > b
}

// history is what a period's comparable periods say.
type history struct {
	ly             comparable
	hasLY          bool
	recent         []comparable // up to 3, most recent first
	best           comparable
	hasBest, found bool
}

func (ln *linter) history(m Metric, s Series, p Period) history {
	var h history
	walk := ln.comparables(m, s, p)
	ly := p.LastYear()
	if s.Covers(ly, ln.asOf) {
		if v := s.Value(m, ly); !math.IsNaN(v) {
			h.ly, h.hasLY = comparable{ly, v}, true
		}
	}
	h.recent = walk[:min(3, len(walk))]
	cands := walk
	if h.hasLY {
		cands = append(append([]comparable{}, walk...), h.ly)
	}
	h.found = len(cands) > 0
	for _, c := range cands {
		if !h.hasBest || better(m, c.v, h.best.v) {
			h.best, h.hasBest = c, true
		}
	}
	return h
}

func (ln *linter) attainable(t *Target, m Metric, s Series, cov time.Time) {
	p := t.Range
	h := ln.history(m, s, p)
	w := words(p)
	if !h.found {
		ln.add(SeverityInfo, "attainable", "no_history", t, nil,
			fmt.Sprintf("no earlier %s is complete in the data yet (%s starts %s; as of %s), so the target cannot be compared with history.",
				w.one, m.Source, ymd(cov), ymd(ln.asOf)),
			fmt.Sprintf("数据中还没有完整的更早%s（%s 从 %s 开始，截至 %s），无法与历史比较。",
				w.zhOne, m.Source, ymd(cov), ymd(ln.asOf)))
		return
	}
	figures := func() (string, string) {
		var en, zh []string
		if h.hasLY {
			en = append(en, fmt.Sprintf("%s: %s", w.lastYear, num(m, h.ly.v)))
			zh = append(zh, fmt.Sprintf("%s：%s", w.zhLastYear, num(m, h.ly.v)))
		}
		if len(h.recent) > 0 {
			var vs []string
			for _, c := range h.recent {
				vs = append(vs, num(m, c.v))
			}
			en = append(en, fmt.Sprintf("%s: %s", w.recent(len(h.recent)), strings.Join(vs, ", ")))
			zh = append(zh, fmt.Sprintf("%s：%s", w.zhRecent(len(h.recent)), strings.Join(vs, "、")))
		}
		return capitalize(strings.Join(en, "; ")) + ".", strings.Join(zh, "；") + "。"
	}
	stretch := ln.plan.Lint.MaxStretch
	best := h.best
	switch {
	case best.v <= 0 && !m.LowerIsBetter:
		ln.add(SeverityInfo, "attainable", "no_history", t, nil,
			fmt.Sprintf("no comparable %s had any %s in this scope, so the target cannot be judged against history.", w.one, m.Name),
			fmt.Sprintf("此范围内没有任何可比%s有 %s，无法用历史判断这个目标。", w.zhOne, m.Name))
		return
	case !m.LowerIsBetter && t.Value > stretch*best.v:
		en, zh := figures()
		ln.add(SeverityWarning, "attainable", "unattainable", t, nil,
			fmt.Sprintf("%s is %.1f× the best comparable %s (%s in %s); more than %s× is rarely attainable. %s",
				num(m, t.Value), t.Value/best.v, w.one, num(m, best.v), periodName(best.p), trimFloat(stretch), en),
			fmt.Sprintf("%s 是最佳可比%s（%s 的 %s）的 %.1f 倍；超过 %s 倍的目标很少能达成。%s",
				num(m, t.Value), w.zhOne, periodName(best.p), num(m, best.v), t.Value/best.v, trimFloat(stretch), zh))
		return
	case m.LowerIsBetter && best.v > 0 && t.Value < best.v/stretch:
		en, zh := figures()
		ln.add(SeverityWarning, "attainable", "unattainable", t, nil,
			fmt.Sprintf("%s is 1/%.1f of the best (lowest) comparable %s (%s in %s); for %s lower is better, but cutting it to less than 1/%s is rarely attainable. %s",
				num(m, t.Value), best.v/t.Value, w.one, num(m, best.v), periodName(best.p), m.Name, trimFloat(stretch), en),
			fmt.Sprintf("%s 仅为最佳（最低）可比%s（%s 的 %s）的 1/%.1f；%s 越低越好，但降到 1/%s 以下很少能做到。%s",
				num(m, t.Value), w.zhOne, periodName(best.p), num(m, best.v), best.v/t.Value, m.Name, trimFloat(stretch), zh))
		return
	}
	if !h.hasLY {
		return
	}
	// The first months of a source flatter or depress the customer
	// metrics (see earlyDataMetrics): last year's figure is no benchmark.
	if earlyDataMetrics[m.Name] && h.ly.p.From.Before(cov.AddDate(0, 0, earlyDataDays)) {
		return
	}
	ly := h.ly
	change := (t.Value - ly.v) / ly.v
	switch {
	case !m.LowerIsBetter && t.Value < ly.v:
		ln.add(SeverityWarning, "attainable", "sandbagged", t, nil,
			fmt.Sprintf("%s is below %s (%s in %s, %s): a target under last year's actual looks sandbagged; aim at least as high unless something has changed, and say what in its note.",
				num(m, t.Value), w.vsLastYear, num(m, ly.v), periodName(ly.p), signedPct(change)),
			fmt.Sprintf("%s 低于%s（%s 的 %s，%s）：低于去年实际的目标有故意压低之嫌；除非情况有变（请在 note 中说明），目标至少应与去年持平。",
				num(m, t.Value), w.zhLastYear, periodName(ly.p), num(m, ly.v), signedPct(change)))
	case m.LowerIsBetter && t.Value > ly.v:
		ln.add(SeverityWarning, "attainable", "sandbagged", t, nil,
			fmt.Sprintf("%s is above %s (%s in %s, %s): for %s lower is better, so a ceiling looser than last year's actual looks sandbagged; aim at least as low unless something has changed, and say what in its note.",
				num(m, t.Value), w.vsLastYear, num(m, ly.v), periodName(ly.p), signedPct(change), m.Name),
			fmt.Sprintf("%s 高于%s（%s 的 %s，%s）：%s 越低越好，比去年实际更宽松的上限有故意压低之嫌；除非情况有变（请在 note 中说明），目标不应高于去年。",
				num(m, t.Value), w.zhLastYear, periodName(ly.p), num(m, ly.v), signedPct(change), m.Name))
	}
}

// childDims are the scope keys whose single-key targets are the parts of a
// company target of m.
func childDims(m Metric) []string {
	switch m.Source {
	case KPIDaily:
		return []string{"channel"}
	case CRMDeals:
		return []string{"channel", "team"}
	}
	return nil
}

func (ln *linter) relevant() error {
	type group struct {
		parent   *Target
		children map[string][]*Target // dim → targets
	}
	groups := map[string]*group{}
	var order []string
	for i := range ln.plan.Targets {
		t := &ln.plan.Targets[i]
		m, ok := LookupMetric(t.Metric)
		if !ok || !m.Additive() {
			continue
		}
		key := t.Metric + "|" + ymd(t.Range.From) + "|" + ymd(t.Range.To)
		g := groups[key]
		if g == nil {
			g = &group{children: map[string][]*Target{}}
			groups[key] = g
			order = append(order, key)
		}
		if len(t.Scope) == 0 {
			if g.parent == nil {
				g.parent = t
			}
			continue
		}
		if len(t.Scope) == 1 {
			for _, dim := range childDims(m) {
				if _, ok := t.Scope[dim]; ok {
					g.children[dim] = append(g.children[dim], t)
				}
			}
		}
	}
	for _, key := range order {
		g := groups[key]
		if g.parent == nil {
			continue
		}
		parent := g.parent
		m, _ := LookupMetric(parent.Metric)
		for _, dim := range childDims(m) {
			kids := g.children[dim]
			if len(kids) == 0 {
				continue
			}
			var sum float64
			var partsEN, partsZH []string
			has := map[string]bool{}
			for _, c := range kids {
				if has[c.Scope[dim]] {
					continue
				}
				has[c.Scope[dim]] = true
				sum += c.Value
				partsEN = append(partsEN, fmt.Sprintf("%s %s [target %d]", c.Scope[dim], num(m, c.Value), c.ID))
				partsZH = append(partsZH, fmt.Sprintf("%s %s［目标 %d］", c.Scope[dim], num(m, c.Value), c.ID))
			}
			tol := ln.plan.Lint.Tolerance
			dimEN, dimZH := dim, map[string]string{"channel": "渠道", "team": "团队"}[dim]
			if sum > parent.Value*(1+tol) {
				gap := sum - parent.Value
				ln.add(SeverityWarning, "relevant", "children_exceed_parent", parent, nil,
					fmt.Sprintf("the %s targets of the same period add up to %s (%s), %s (%s) more than this company target of %s: the parts cannot all be met within the whole; raise the company target or lower a %s target.",
						dimEN, num(m, sum), strings.Join(partsEN, ", "), num(m, gap), pct(gap/parent.Value), num(m, parent.Value), dimEN),
					fmt.Sprintf("同期各%s目标合计 %s（%s），比这个公司目标 %s 多 %s（%s）：分项不可能都在总数之内达成；请提高公司目标或降低某个%s目标。",
						dimZH, num(m, sum), strings.Join(partsZH, "、"), num(m, parent.Value), num(m, gap), pct(gap/parent.Value), dimZH))
				continue
			}
			if sum >= parent.Value*(1-tol) {
				continue
			}
			if why, _, err := ln.unavailable(m.Source); err != nil {
				return err
			} else if why != "" {
				continue
			}
			active, err := ln.activeValues(m, dim)
			if err != nil {
				return err
			}
			missing := false
			for _, v := range active {
				if !has[v] {
					missing = true
				}
			}
			if len(active) == 0 || missing {
				continue
			}
			gap := parent.Value - sum
			ln.add(SeverityWarning, "relevant", "children_short_of_parent", parent, nil,
				fmt.Sprintf("the %s targets of the same period cover every %s with %s in the last %d days and add up to %s (%s), %s (%s) short of this company target of %s: nobody owns the gap.",
					dimEN, dimEN, m.Name, activeDays, num(m, sum), strings.Join(partsEN, ", "), num(m, gap), pct(gap/parent.Value), num(m, parent.Value)),
				fmt.Sprintf("同期各%s目标覆盖了最近 %d 天内有 %s 的每个%s，合计 %s（%s），比这个公司目标 %s 少 %s（%s）：这部分差额无人负责。",
					dimZH, activeDays, m.Name, dimZH, num(m, sum), strings.Join(partsZH, "、"), num(m, parent.Value), num(m, gap), pct(gap/parent.Value)))
		}
	}
	return nil
}

// activeValues lists the values of dimension dim that had a non-zero
// numerator of m in the activeDays up to asOf.
func (ln *linter) activeValues(m Metric, dim string) ([]string, error) {
	col := m.ScopeColumn(dim)
	where := []string{m.Date + " BETWEEN ? AND ?", col + " IS NOT NULL"}
	if m.Filter != "" {
		where = append(where, m.Filter)
	}
	q := fmt.Sprintf(`SELECT CAST(%s AS VARCHAR) FROM %s WHERE %s GROUP BY 1 HAVING sum(%s) <> 0 ORDER BY 1`,
		col, scopeTable(m), strings.Join(where, " AND "), m.Numerator)
	rows, err := ln.l.Q.QueryContext(ln.ctx, q, ln.asOf.AddDate(0, 0, 1-activeDays), ln.asOf)
	if err != nil {
		return nil, fmt.Errorf("%s with %s: %w", dim, m.Name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// overlaps flags targets on the same metric and scope whose periods of the
// same kind overlap although written differently (two custom ranges).
func (ln *linter) overlaps() {
	ts := ln.plan.Targets
	for j := range ts {
		for i := range j {
			a, b := &ts[i], &ts[j]
			if a.Metric != b.Metric || a.ScopeString() != b.ScopeString() || a.Period == b.Period ||
				a.Range.Kind != b.Range.Kind || !a.Range.Overlaps(b.Range) {
				continue
			}
			from, to := maxTime(a.Range.From, b.Range.From), minTime(a.Range.To, b.Range.To)
			shared := Period{From: from, To: to}.Days()
			ln.add(SeverityWarning, "time_bound", "overlapping_period", b, nil,
				fmt.Sprintf("its period %s overlaps target %d's %s (line %d) for the same metric and scope by %d %s (%s..%s): those days are counted by two targets, and it is unclear which one counts; make the periods meet without overlapping.",
					b.Period, a.ID, a.Period, a.Line, shared, plural(shared, "day", "days"), ymd(from), ymd(to)),
				fmt.Sprintf("它的时段 %s 与目标 %d 的 %s（第 %d 行）在同一指标和范围上重叠 %d 天（%s..%s）：这些天被两个目标计算，不清楚以哪个为准；请让时段首尾相接而不重叠。",
					b.Period, a.ID, a.Period, a.Line, shared, ymd(from), ymd(to)))
		}
	}
}

func (ln *linter) budget(b *Budget) error {
	roas, _ := LookupMetric("roas")
	if why, _, err := ln.unavailable(roas.Source); err != nil || why != "" {
		return err
	}
	ok, sev, en, zh, err := ln.checkScopeValue(scopeTable(roas), "channel", "channel", b.Channel)
	if err != nil {
		return err
	}
	if !ok {
		ln.add(sev, "specific", "unknown_scope", nil, b, en, zh)
		return nil
	}
	if b.Range.To.Before(ln.asOf) {
		return nil
	}
	var rev *Target
	for i := range ln.plan.Targets {
		t := &ln.plan.Targets[i]
		if t.Metric == "revenue" && len(t.Scope) == 1 && t.Scope["channel"] == b.Channel &&
			t.Range.From.Equal(b.Range.From) && t.Range.To.Equal(b.Range.To) {
			rev = t
			break
		}
	}
	if rev == nil {
		return nil
	}
	s, err := ln.load(roas, map[string]string{"channel": b.Channel})
	if err != nil {
		return err
	}
	h := ln.history(roas, s, b.Range)
	if !h.hasBest || h.best.v <= 0 {
		return nil
	}
	planned := rev.Value / b.Amount
	limit := ln.plan.Lint.MaxROASStretch
	if planned <= limit*h.best.v {
		return nil
	}
	w := words(b.Range)
	ln.add(SeverityWarning, "budget", "planned_roas", nil, b,
		fmt.Sprintf("the revenue target of %s (target %d, line %d) on this budget of %s plans a ROAS of %s, %.1f× the channel's best comparable %s (%s in %s); more than %s× is rarely attainable: raise the budget or lower the revenue target.",
			num(Metric{Unit: "money"}, rev.Value), rev.ID, rev.Line, num(Metric{Unit: "money"}, b.Amount), num(roas, planned),
			planned/h.best.v, w.one, num(roas, h.best.v), periodName(h.best.p), trimFloat(limit)),
		fmt.Sprintf("收入目标 %s（目标 %d，第 %d 行）对应这笔 %s 的预算，计划 ROAS 为 %s，是该渠道最佳可比%s（%s 的 %s）的 %.1f 倍；超过 %s 倍很少能达成：请增加预算或降低收入目标。",
			num(Metric{Unit: "money"}, rev.Value), rev.ID, rev.Line, num(Metric{Unit: "money"}, b.Amount), num(roas, planned),
			w.zhOne, periodName(h.best.p), num(roas, h.best.v), planned/h.best.v, trimFloat(limit)))
	return nil
}

// periodWords name a kind of period in messages.
type periodWords struct {
	// one names the kind ("quarter"); lastYear starts the figures
	// ("same quarter last year"); vsLastYear follows "below".
	one, lastYear, vsLastYear, zhOne, zhLastYear string
	recent, zhRecent                             func(n int) string
}

func words(p Period) periodWords {
	en := map[string][3]string{ // one, many, last year
		"year":    {"year", "years", "last year"},
		"quarter": {"quarter", "quarters", "same quarter last year"},
		"month":   {"month", "months", "same month last year"},
		"week":    {"week", "weeks", "same week last year"},
	}
	zh := map[string][3]string{ // one, recent n, last year
		"year":    {"年度", "最近 %d 年", "去年"},
		"quarter": {"季度", "最近 %d 个季度", "去年同季度"},
		"month":   {"月份", "最近 %d 个月", "去年同月"},
		"week":    {"周", "最近 %d 周", "去年同周"},
	}
	e, ok := en[p.Kind]
	z := zh[p.Kind]
	if !ok { // range: periods of the same length
		n := p.Days()
		e = [3]string{fmt.Sprintf("%d-day period", n), fmt.Sprintf("%d-day periods", n), "same days last year"}
		z = [3]string{fmt.Sprintf("%d 天时段", n), "最近 %d 个同样长度（" + fmt.Sprint(n) + " 天）的时段", "去年同期"}
	}
	vs := "the " + e[2]
	if p.Kind == "year" {
		vs = e[2]
	}
	return periodWords{
		one: e[0], lastYear: e[2], vsLastYear: vs, zhOne: z[0], zhLastYear: z[2],
		recent: func(n int) string {
			if n == 1 {
				return "last " + e[0]
			}
			return fmt.Sprintf("last %d %s", n, e[1])
		},
		zhRecent: func(n int) string { return fmt.Sprintf(z[1], n) },
	}
}

// periodName prints p the way targets.yaml writes periods of its kind.
func periodName(p Period) string {
	switch p.Kind {
	case "year":
		return p.From.Format("2006")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", p.From.Year(), (int(p.From.Month())-1)/3+1)
	case "month":
		return p.From.Format("2006-01")
	case "week":
		y, w := p.From.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return p.String()
}

// num formats a value of metric m for people: thousands separators for
// money and counts (the currency is left out), percentages for shares.
func num(m Metric, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	switch m.Unit {
	case "share":
		return fmt.Sprintf("%.1f%%", 100*v)
	case "score":
		return fmt.Sprintf("%.1f", v)
	case "ratio":
		if math.Abs(v) >= 100 {
			return FormatMoney("", v)
		}
		if math.Abs(v) >= 1 {
			return fmt.Sprintf("%.2f", v)
		}
		return fmt.Sprintf("%.3g", v)
	case "count":
		switch {
		case math.Abs(v) >= 100:
			return FormatMoney("", math.Round(v))
		case v != math.Trunc(v):
			return fmt.Sprintf("%.1f", v)
		}
		return fmt.Sprintf("%.0f", v)
	}
	return FormatMoney("", v)
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func signedPct(x float64) string {
	if x < 0 {
		return fmt.Sprintf("−%.1f%%", -100*x)
	}
	return fmt.Sprintf("+%.1f%%", 100*x)
}

func trimFloat(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// queryRow scans the first row of a query into dest.
func queryRow(ctx context.Context, q Querier, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
