-- requires-table: group_score
-- requires-table: metric
-- v_unit_metrics: every metric of every unit in each province × period, with its share of the
-- metric's maximum.
--
-- The drill-down that counts is that of the newest observation of the province × period that
-- holds one (a later capture of the ranking alone does not hide it); of two captured at the same
-- instant, the later stored. It is found with NOT EXISTS, as in v_latest_observation.
-- Names are canonical, as in v_latest_scores; a unit the matcher could not place keeps the
-- portal's spelling and a NULL unit_id. The province's own row (position 0) is not a unit and is
-- left out (see v_province_metrics_vs_units). share is score / max_score, NULL when the metric
-- is not scored (max_score 0) or the portal gave no score (a zero denominator); numerator,
-- denominator and ratio are as the portal sent them. Only the metric groups (CKMB, MDHL, MDSH)
-- have metrics; the tree groups (TDGQ, CLGQ, TTTT) give a score per unit only.
-- This file is created only when the warehouse has the tables group_score and metric.
CREATE VIEW v_unit_metrics AS
WITH drilled AS (
    SELECT o.id, o.province_code, o.period, o.period_kind, o.captured_at, o.synthetic
    FROM observation AS o
    WHERE EXISTS (SELECT 1 FROM group_score AS g WHERE g.observation_id = o.id)
),
latest AS (
    SELECT d.*
    FROM drilled AS d
    WHERE NOT EXISTS (
        SELECT 1
        FROM drilled AS newer
        WHERE newer.province_code = d.province_code
            AND newer.period = d.period
            AND (
                newer.captured_at > d.captured_at
                OR (newer.captured_at = d.captured_at AND newer.id > d.id)
            )
    )
)
SELECT
    l.province_code,
    p.name AS province_name,
    l.period,
    l.period_kind,
    l.id AS observation_id,
    gs.group_code,
    gs.position AS group_position,
    gs.unit_id,
    u.official_code,
    COALESCE(u.name, gs.raw_name) AS name,
    COALESCE(ul.display_name, gs.raw_name) AS display_name,
    COALESCE(u.kind, gs.kind) AS kind,
    CASE WHEN gs.kind = 'department' THEN 'department' ELSE 'commune' END AS kind_group,
    m.metric_code,
    m.name AS metric_name,
    m.numerator,
    m.denominator,
    m.ratio,
    m.score,
    m.max_score,
    CASE WHEN m.max_score > 0 THEN m.score * 1.0 / m.max_score END AS share,
    m.data_quality_status,
    l.synthetic
FROM latest AS l
JOIN province AS p ON p.code = l.province_code
JOIN group_score AS gs ON gs.observation_id = l.id AND gs.position > 0
JOIN metric AS m
    ON m.observation_id = gs.observation_id
    AND m.group_code = gs.group_code
    AND m.position = gs.position
LEFT JOIN unit AS u ON u.id = gs.unit_id
LEFT JOIN v_unit_label AS ul ON ul.unit_id = gs.unit_id
