-- requires-table: group_score
-- requires-table: metric
-- v_province_metrics_vs_units: the province's own metrics beside the spread of its units'.
--
-- One row per province × period × metric × kind_group ('department' for the departments,
-- 'commune' for the communes, wards and special zones), from the drill-down of v_unit_metrics.
-- province_* are the figures of the province's own row (position 0 of the group's answer);
-- units counts the units with a score, and min/avg/max are over those scores and ratios
-- (a NULL, from a zero denominator, counts in none of them). units_below counts the units that
-- score less than the province. A metric the province's row lacks still shows its units, with
-- NULL province figures.
-- This file is created only when the warehouse has the tables group_score and metric.
CREATE VIEW v_province_metrics_vs_units AS
WITH spread AS (
    SELECT
        m.province_code,
        m.province_name,
        m.period,
        m.period_kind,
        m.observation_id,
        m.kind_group,
        m.group_code,
        m.metric_code,
        MAX(m.metric_name) AS metric_name,
        MAX(m.max_score) AS max_score,
        COUNT(m.score) AS units,
        MIN(m.score) AS min_score,
        AVG(m.score) AS avg_score,
        MAX(m.score) AS max_unit_score,
        MIN(m.ratio) AS min_ratio,
        AVG(m.ratio) AS avg_ratio,
        MAX(m.ratio) AS max_ratio,
        m.synthetic
    FROM v_unit_metrics AS m
    GROUP BY
        m.province_code, m.province_name, m.period, m.period_kind, m.observation_id,
        m.kind_group, m.group_code, m.metric_code, m.synthetic
)
SELECT
    s.province_code,
    s.province_name,
    s.period,
    s.period_kind,
    s.observation_id,
    s.kind_group,
    s.group_code,
    s.metric_code,
    s.metric_name,
    s.max_score,
    own.numerator AS province_numerator,
    own.denominator AS province_denominator,
    own.ratio AS province_ratio,
    own.score AS province_score,
    s.units,
    s.min_score,
    s.avg_score,
    s.max_unit_score,
    s.min_ratio,
    s.avg_ratio,
    s.max_ratio,
    (
        SELECT COUNT(*)
        FROM v_unit_metrics AS below
        WHERE below.observation_id = s.observation_id
            AND below.kind_group = s.kind_group
            AND below.group_code = s.group_code
            AND below.metric_code = s.metric_code
            AND below.score < own.score
    ) AS units_below,
    s.synthetic
FROM spread AS s
LEFT JOIN metric AS own
    ON own.observation_id = s.observation_id
    AND own.group_code = s.group_code
    AND own.metric_code = s.metric_code
    AND own.position = 0
