-- severity: error
-- comment: raw.fx_rates has at most one rate per currency and day, and every rate is positive.
SELECT currency, date, count(*) AS rates, min(rate) AS min_rate
FROM raw.fx_rates
GROUP BY currency, date
HAVING count(*) > 1 OR min(rate) <= 0
ORDER BY currency, date
