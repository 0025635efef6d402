-- v_unit_change: each unit's score and rank against the previous period of the same kind
-- (a month against the month before, a quarter against the quarter before, a year against the
-- year before).
--
-- The previous values are NULL when the warehouse holds no ranking of the previous period for
-- the unit: a gap is never bridged to an older period. score_change is this period's total minus
-- the previous one; rank_change is the previous rank minus this one, so a climb is positive.
-- Rows left for review have no unit and are not here. The previous period's row is looked up by
-- correlated subqueries through the indexes (observation by province and period, then score by
-- observation and unit), so that a filter on a unit or a province × period stays cheap.
CREATE VIEW v_unit_change AS
WITH compared AS (
    SELECT
        cur.province_code,
        cur.province_name,
        cur.period,
        cur.period_kind,
        cur.previous_period,
        cur.unit_id,
        cur.official_code,
        cur.name,
        cur.display_name,
        cur.kind,
        cur.kind_group,
        cur.total_score,
        cur.stt,
        cur.rank,
        cur.group_size,
        (
            SELECT prev.total_score
            FROM v_unit_rank AS prev
            WHERE prev.province_code = cur.province_code
                AND prev.period = cur.previous_period
                AND prev.unit_id = cur.unit_id
        ) AS previous_score,
        (
            SELECT prev.rank
            FROM v_unit_rank AS prev
            WHERE prev.province_code = cur.province_code
                AND prev.period = cur.previous_period
                AND prev.unit_id = cur.unit_id
        ) AS previous_rank,
        cur.synthetic
    FROM v_unit_rank AS cur
    WHERE cur.unit_id IS NOT NULL
)
SELECT
    province_code,
    province_name,
    period,
    period_kind,
    previous_period,
    unit_id,
    official_code,
    name,
    display_name,
    kind,
    kind_group,
    total_score,
    stt,
    rank,
    group_size,
    previous_score,
    previous_rank,
    total_score - previous_score AS score_change,
    previous_rank - rank AS rank_change,
    synthetic
FROM compared
