-- v_unit_rank: each unit's place among its kind_group (departments, or communes) of a province
-- × period, by total score, highest first.
--
-- stt is the notice's row number (as ROW_NUMBER: equal scores keep the portal's order);
-- rank is the competition rank (as RANK: equal scores share a rank, the next one is skipped);
-- group_size is how many units were ranked, so that "rank 3 of 114" can be read off one row.
-- A unit without a score ranks last.
--
-- The ranks are counted with correlated subqueries (1 + the rows of the same observation and
-- group that score higher), not with ROW_NUMBER() and RANK() windows: they give the same numbers,
-- but a filter on one unit or one province then reaches the tables' indexes instead of making
-- SQLite rank the whole warehouse first. Each count is a range of the index on
-- score (observation_id, total_score): a NULL score and a number are counted in separate branches
-- so that no OR stops the index from being used.
CREATE VIEW v_unit_rank AS
WITH counted AS (
    SELECT
        ls.*,
        1 + CASE
            WHEN ls.total_score IS NULL THEN (
                SELECT COUNT(*)
                FROM score AS other
                WHERE other.observation_id = ls.observation_id
                    AND other.total_score IS NOT NULL
                    AND CASE WHEN other.kind = 'department' THEN 'department' ELSE 'commune' END
                        = ls.kind_group
            )
            ELSE (
                SELECT COUNT(*)
                FROM score AS other
                WHERE other.observation_id = ls.observation_id
                    AND other.total_score > ls.total_score
                    AND CASE WHEN other.kind = 'department' THEN 'department' ELSE 'commune' END
                        = ls.kind_group
            )
        END AS score_rank,
        CASE
            WHEN ls.total_score IS NULL THEN (
                SELECT COUNT(*)
                FROM score AS other
                WHERE other.observation_id = ls.observation_id
                    AND other.total_score IS NULL
                    AND other.position < ls.position
                    AND CASE WHEN other.kind = 'department' THEN 'department' ELSE 'commune' END
                        = ls.kind_group
            )
            ELSE (
                SELECT COUNT(*)
                FROM score AS other
                WHERE other.observation_id = ls.observation_id
                    AND other.total_score = ls.total_score
                    AND other.position < ls.position
                    AND CASE WHEN other.kind = 'department' THEN 'department' ELSE 'commune' END
                        = ls.kind_group
            )
        END AS tied_before
    FROM v_latest_scores AS ls
)
SELECT
    province_code,
    province_name,
    period,
    period_kind,
    previous_period,
    observation_id,
    position,
    unit_id,
    official_code,
    name,
    display_name,
    kind,
    kind_group,
    total_score,
    score_rank + tied_before AS stt,
    score_rank AS rank,
    CASE WHEN kind_group = 'department' THEN departments ELSE communes END AS group_size,
    synthetic
FROM counted
