-- materialized: view
-- comment: Conversions of staging.conversions with last-touch attribution (see staging.int_events__last_touch for the rule), value in the reporting currency.
SELECT * EXCLUDE (event, order_id, customer_id, status, amount_original, amount, is_first_order)
FROM staging.int_events__last_touch
WHERE event = 'conversion'
