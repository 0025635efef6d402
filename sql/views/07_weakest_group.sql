-- requires-table: group_score
-- v_weakest_group: each unit's weakest score group in each province × period, relative to the
-- group's maximum, from the six detail groups of the index (group_code CKMB, TDGQ, CLGQ, TTTT,
-- MDHL, MDSH).
--
-- For each unit, period and group the newest observation that holds the group's score counts
-- (the same rule as v_latest_observation). share is score / max_score; the weakest group is the
-- one with the lowest share (ties: the group code's alphabetical order), and shortfall is the
-- points it lacks (max_score − score). Groups without a positive max_score are left out.
-- This file is created only when the warehouse has the table group_score.
CREATE VIEW v_weakest_group AS
WITH newest AS (
    SELECT
        o.province_code,
        o.period,
        o.period_kind,
        gs.unit_id,
        gs.group_code,
        gs.score,
        gs.max_score,
        o.synthetic,
        ROW_NUMBER() OVER (
            PARTITION BY o.province_code, o.period, gs.unit_id, gs.group_code
            ORDER BY o.captured_at DESC, o.id DESC
        ) AS recency
    FROM group_score AS gs
    JOIN observation AS o ON o.id = gs.observation_id
    WHERE gs.unit_id IS NOT NULL AND gs.score IS NOT NULL AND gs.max_score > 0
),
ordered AS (
    SELECT
        n.*,
        n.score * 1.0 / n.max_score AS share,
        ROW_NUMBER() OVER (
            PARTITION BY n.province_code, n.period, n.unit_id
            -- ties go to the group first in the index's own order, as in the appendix
            ORDER BY n.score * 1.0 / n.max_score,
                CASE n.group_code
                    WHEN 'CKMB' THEN 1 WHEN 'TDGQ' THEN 2 WHEN 'CLGQ' THEN 3
                    WHEN 'TTTT' THEN 4 WHEN 'MDHL' THEN 5 ELSE 6
                END
        ) AS weakness
    FROM newest AS n
    WHERE n.recency = 1
)
SELECT
    w.province_code,
    p.name AS province_name,
    w.period,
    w.period_kind,
    w.unit_id,
    u.official_code,
    u.name,
    ul.display_name,
    u.kind,
    CASE WHEN u.kind = 'department' THEN 'department' ELSE 'commune' END AS kind_group,
    w.group_code,
    w.score,
    w.max_score,
    w.share,
    w.max_score - w.score AS shortfall,
    w.synthetic
FROM ordered AS w
JOIN province AS p ON p.code = w.province_code
JOIN unit AS u ON u.id = w.unit_id
JOIN v_unit_label AS ul ON ul.unit_id = w.unit_id
WHERE w.weakness = 1
