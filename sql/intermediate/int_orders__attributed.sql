-- materialized: view
-- comment: Orders and refunds of staging.orders with last-touch attribution and the new/returning flag (see staging.int_events__last_touch for the rules), amounts in the reporting currency.
SELECT * EXCLUDE (event, conversion_id, type, value_original, value)
FROM staging.int_events__last_touch
WHERE event = 'order'
