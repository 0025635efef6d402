-- requires-table: group_score
-- requires-table: metric
-- v_metric_losses: the metrics where each unit loses the most points, ranked within the unit.
--
-- Built on v_unit_metrics (the same drill-down per province × period). lost_points is
-- max_score − score; loss_rank numbers a unit's metrics from the largest loss (1) down, equal
-- losses in the order of group code then metric code, so "loss_rank <= 3" gives each unit's
-- three costliest metrics. Metrics that are not scored (max_score 0) or that the portal gave no
-- score (a zero denominator) lose nothing and are left out. A unit the matcher could not place
-- is told apart by the portal's spelling.
-- This file is created only when the warehouse has the tables group_score and metric.
CREATE VIEW v_metric_losses AS
SELECT
    m.province_code,
    m.province_name,
    m.period,
    m.period_kind,
    m.observation_id,
    m.unit_id,
    m.official_code,
    m.name,
    m.display_name,
    m.kind,
    m.kind_group,
    m.group_code,
    m.metric_code,
    m.metric_name,
    m.score,
    m.max_score,
    m.share,
    m.max_score - m.score AS lost_points,
    ROW_NUMBER() OVER (
        PARTITION BY m.observation_id, m.unit_id, CASE WHEN m.unit_id IS NULL THEN m.name END
        ORDER BY m.max_score - m.score DESC, m.group_code, m.metric_code
    ) AS loss_rank,
    m.synthetic
FROM v_unit_metrics AS m
WHERE m.max_score > 0 AND m.score IS NOT NULL
