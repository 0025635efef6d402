-- v_province_summary: per province × period × kind_group, the figures of the scored units:
-- how many, the average, the lowest, the highest, the spread (highest − lowest), the variance and
-- the standard deviation.
--
-- variance and stddev are of the population (every ranked unit of the province, not a sample):
-- PostgreSQL's var_pop/stddev_pop. They are computed with arithmetic only, because SQLite has
-- SQRT only when built with its math functions, and an analyst's tool may open the warehouse
-- with one that is not. variance is the mean square of the scores' distance to 50 less the
-- square of their mean distance to 50 (one pass, so that a filter on province or period reaches
-- the tables; a window for the exact mean would stop it on SQLite). Shifting by the middle of
-- the 0–100 scale keeps the cancellation small: about 13 significant digits remain. stddev is
-- the square root of variance by six Newton steps x ← (x + variance / x) / 2 from a first guess
-- within a factor 2 of the root for variances from 0.0001 to 1,600 (a variance of scores between
-- 0 and 100 never exceeds 2,500): exact to double precision there. Below a variance of 0.0001 (a
-- deviation under 0.01 of a point) it is within 0.0001 of a point.
CREATE VIEW v_province_summary AS
WITH grouped AS (
    SELECT
        province_code,
        province_name,
        period,
        period_kind,
        kind_group,
        synthetic,
        COUNT(*) AS units,
        AVG(total_score) AS average_score,
        MIN(total_score) AS min_score,
        MAX(total_score) AS max_score,
        MAX(total_score) - MIN(total_score) AS spread,
        AVG((total_score - 50) * (total_score - 50))
            - AVG(total_score - 50) * AVG(total_score - 50) AS raw_variance
    FROM v_latest_scores
    WHERE total_score IS NOT NULL
    GROUP BY province_code, province_name, period, period_kind, kind_group, synthetic
),
clamped AS (
    -- Rounding may leave a tiny negative variance where all scores are equal.
    SELECT
        grouped.*,
        CASE WHEN raw_variance < 1e-12 THEN 0.0 ELSE raw_variance END AS variance
    FROM grouped
),
guessed AS (
    SELECT
        g.*,
        CASE
            WHEN variance <= 0 THEN NULL
            WHEN variance < 0.0004 THEN 0.01
            WHEN variance < 0.0064 THEN 0.04
            WHEN variance < 0.1 THEN 0.16
            WHEN variance < 1.6 THEN 0.64
            WHEN variance < 25 THEN 2.5
            WHEN variance < 400 THEN 10.0
            ELSE 40.0
        END AS x0
    FROM clamped AS g
),
newton AS (
    SELECT
        guessed.*,
        (x0 + variance / x0) / 2 AS x1
    FROM guessed
),
newton2 AS (
    SELECT newton.*, (x1 + variance / x1) / 2 AS x2 FROM newton
),
newton3 AS (
    SELECT newton2.*, (x2 + variance / x2) / 2 AS x3 FROM newton2
),
newton4 AS (
    SELECT newton3.*, (x3 + variance / x3) / 2 AS x4 FROM newton3
),
newton5 AS (
    SELECT newton4.*, (x4 + variance / x4) / 2 AS x5 FROM newton4
)
SELECT
    province_code,
    province_name,
    period,
    period_kind,
    kind_group,
    units,
    average_score,
    min_score,
    max_score,
    spread,
    variance,
    CASE WHEN variance <= 0 THEN 0.0 ELSE (x5 + variance / x5) / 2 END AS stddev,
    synthetic
FROM newton5
