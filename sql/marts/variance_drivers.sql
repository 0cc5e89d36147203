-- materialized: table
-- comment: What drove each month's change in revenue and spend (marts.variance), split into additive parts that sum exactly to the change: revenue = spend × ROAS; revenue = sessions × order rate (paid orders ÷ sessions) × revenue per order; spend = impressions × CPM ÷ 1000; won CRM deals = leads × deal rate (deals ÷ leads) × win rate (won ÷ deals), by lead source. Method: the Shapley split of a product (each factor's change weighted by the average of the other factors over every order of applying the changes), which is exact, symmetric and needs no logarithms, so a factor that is 0 on one side is fine. With two factors the part of A is ΔA × (B0 + B1) ÷ 2; with three, ΔA × (B0C0 ÷ 3 + (B1C0 + B0C1) ÷ 6 + B1C1 ÷ 3). A decomposition needs its ratios defined on both sides (spend, sessions, orders or impressions above 0 in both months); where they are not, it has no rows. Labels: a part is strategy when it comes from what the plan sets — spend, through the budgets of targets.yaml — and execution when it comes from how the plan was delivered: every rate and price (roas, cpm, order_rate, revenue_per_order, deal_rate, win_rate) and every volume bought or brought in (impressions, sessions, leads). Where budgets cover the scope over both compared spans, the spend part ΔS × (ROAS0 + ROAS1) ÷ 2 is split into spend_budget_change (ΔB × the same average ROAS: strategy, the plan chose to spend more or less) and spend_vs_budget (the change in spend − budget × the same average ROAS: execution); a span without a budget takes its own spend as its plan, and without any budget the spend part stays one row labelled strategy ('no budget set; spend change taken as planned'). The parts still sum exactly to the change.
WITH comparisons AS (
    SELECT * FROM (VALUES ('previous_month'), ('last_year')) AS t(comparison)
),

-- Both sides of every comparison, one column per KPI.
sides AS (
    SELECT
        v.scope,
        v.scope_value,
        v.month,
        c.comparison,
        max(v.actual) FILTER (WHERE v.metric = 'revenue') AS revenue1,
        max(v.actual) FILTER (WHERE v.metric = 'spend') AS spend1,
        max(v.actual) FILTER (WHERE v.metric = 'sessions') AS sessions1,
        max(v.actual) FILTER (WHERE v.metric = 'orders') AS orders1,
        max(v.actual) FILTER (WHERE v.metric = 'impressions') AS impressions1,
        max(v.actual) FILTER (WHERE v.metric = 'leads') AS leads1,
        max(v.actual) FILTER (WHERE v.metric = 'deals') AS deals1,
        max(v.actual) FILTER (WHERE v.metric = 'won_deals') AS won1,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'revenue') AS revenue0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'spend') AS spend0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'sessions') AS sessions0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'orders') AS orders0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'impressions') AS impressions0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'leads') AS leads0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'deals') AS deals0,
        max(CASE c.comparison WHEN 'previous_month' THEN v.previous_month ELSE v.last_year END) FILTER (WHERE v.metric = 'won_deals') AS won0
    FROM marts.variance AS v
    CROSS JOIN comparisons AS c
    GROUP BY ALL
),

-- revenue = spend × ROAS
spend_roas AS (
    SELECT
        *,
        revenue0 / spend0 AS roas0,
        revenue1 / spend1 AS roas1
    FROM sides
    WHERE spend0 > 0 AND spend1 > 0
),

-- revenue = sessions × order rate × revenue per order
funnel AS (
    SELECT
        *,
        orders0 / sessions0 AS rate0,
        orders1 / sessions1 AS rate1,
        revenue0 / orders0 AS rpo0,
        revenue1 / orders1 AS rpo1
    FROM sides
    WHERE sessions0 > 0 AND sessions1 > 0 AND orders0 > 0 AND orders1 > 0
),

-- spend = impressions × CPM ÷ 1000
delivery AS (
    SELECT
        *,
        spend0 * 1000 / impressions0 AS cpm0,
        spend1 * 1000 / impressions1 AS cpm1
    FROM sides
    WHERE impressions0 > 0 AND impressions1 > 0
),

-- won deals = leads × deal rate (deals ÷ leads) × win rate (won ÷ deals)
pipeline AS (
    SELECT
        *,
        deals0 / leads0 AS dr0,
        deals1 / leads1 AS dr1,
        won0 / deals0 AS wr0,
        won1 / deals1 AS wr1
    FROM sides
    WHERE leads0 > 0 AND leads1 > 0 AND deals0 > 0 AND deals1 > 0 AND won0 IS NOT NULL AND won1 IS NOT NULL
),

parts AS (
    SELECT scope, scope_value, month, comparison, 'revenue' AS metric, 'spend × roas' AS decomposition,
        'spend' AS driver, spend0 AS baseline, spend1 AS actual, revenue0 AS metric_baseline, revenue1 AS metric_actual,
        (spend1 - spend0) * (roas0 + roas1) / 2 AS contribution
    FROM spend_roas
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'revenue', 'spend × roas',
        'roas', roas0, roas1, revenue0, revenue1,
        (roas1 - roas0) * (spend0 + spend1) / 2
    FROM spend_roas

    UNION ALL
    SELECT scope, scope_value, month, comparison, 'revenue', 'sessions × order_rate × revenue_per_order',
        'sessions', sessions0, sessions1, revenue0, revenue1,
        (sessions1 - sessions0) * (rate0 * rpo0 / 3 + (rate1 * rpo0 + rate0 * rpo1) / 6 + rate1 * rpo1 / 3)
    FROM funnel
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'revenue', 'sessions × order_rate × revenue_per_order',
        'order_rate', rate0, rate1, revenue0, revenue1,
        (rate1 - rate0) * (sessions0 * rpo0 / 3 + (sessions1 * rpo0 + sessions0 * rpo1) / 6 + sessions1 * rpo1 / 3)
    FROM funnel
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'revenue', 'sessions × order_rate × revenue_per_order',
        'revenue_per_order', rpo0, rpo1, revenue0, revenue1,
        (rpo1 - rpo0) * (sessions0 * rate0 / 3 + (sessions1 * rate0 + sessions0 * rate1) / 6 + sessions1 * rate1 / 3)
    FROM funnel

    UNION ALL
    SELECT scope, scope_value, month, comparison, 'spend', 'impressions × cpm',
        'impressions', impressions0, impressions1, spend0, spend1,
        (impressions1 - impressions0) * (cpm0 + cpm1) / 2 / 1000
    FROM delivery
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'spend', 'impressions × cpm',
        'cpm', cpm0, cpm1, spend0, spend1,
        (cpm1 - cpm0) * (impressions0 + impressions1) / 2 / 1000
    FROM delivery

    UNION ALL
    SELECT scope, scope_value, month, comparison, 'won_deals', 'leads × deal_rate × win_rate',
        'leads', leads0, leads1, won0, won1,
        (leads1 - leads0) * (dr0 * wr0 / 3 + (dr1 * wr0 + dr0 * wr1) / 6 + dr1 * wr1 / 3)
    FROM pipeline
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'won_deals', 'leads × deal_rate × win_rate',
        'deal_rate', dr0, dr1, won0, won1,
        (dr1 - dr0) * (leads0 * wr0 / 3 + (leads1 * wr0 + leads0 * wr1) / 6 + leads1 * wr1 / 3)
    FROM pipeline
    UNION ALL
    SELECT scope, scope_value, month, comparison, 'won_deals', 'leads × deal_rate × win_rate',
        'win_rate', wr0, wr1, won0, won1,
        (wr1 - wr0) * (leads0 * dr0 / 3 + (leads1 * dr0 + leads0 * dr1) / 6 + leads1 * dr1 / 3)
    FROM pipeline
)

SELECT
    scope,
    scope_value,
    month,
    comparison,
    metric,
    decomposition,
    driver,
    baseline,
    actual,
    metric_baseline,
    metric_actual,
    metric_actual - metric_baseline AS metric_change,
    contribution,
    contribution / nullif(metric_actual - metric_baseline, 0) AS share_of_change,
    -- The labels rule (see the comment): a plan (targets.yaml) sets spend
    -- through budgets; everything delivered from that spend is execution.
    -- The goals model splits spend rows by the budget where one is set.
    CASE WHEN driver = 'spend' THEN 'strategy' ELSE 'execution' END AS label,
    CASE driver
        WHEN 'spend' THEN 'no budget set; spend change taken as planned'
        WHEN 'roas' THEN 'efficiency: revenue per unit of spend is delivered, not planned'
        WHEN 'cpm' THEN 'price: the cost of a thousand impressions is delivered, not planned'
        WHEN 'order_rate' THEN 'efficiency: orders per session are delivered, not planned'
        WHEN 'revenue_per_order' THEN 'price: revenue per order is delivered, not planned'
        WHEN 'deal_rate' THEN 'efficiency: deals per lead are delivered, not planned'
        WHEN 'win_rate' THEN 'efficiency: won deals per deal are delivered, not planned'
        WHEN 'impressions' THEN 'volume: the impressions bought are delivered, not planned (a plan sets spend, not volume)'
        WHEN 'sessions' THEN 'volume: the sessions brought in are delivered, not planned (a plan sets spend, not volume)'
        WHEN 'leads' THEN 'volume: the leads brought in are delivered, not planned (a plan sets spend, not volume)'
    END AS label_reason,
    CAST(NULL AS DOUBLE) AS budget_baseline,
    CAST(NULL AS DOUBLE) AS budget_actual
FROM parts
ORDER BY scope DESC, scope_value, month, comparison, metric, decomposition, driver
