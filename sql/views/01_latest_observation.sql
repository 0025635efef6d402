-- v_latest_observation: the observation that counts for each province × period.
--
-- A province's ranking of a period may be captured several times (the portal revises its
-- figures); the newest capture wins, and of two captured at the same instant the later stored.
-- The newest is found with NOT EXISTS rather than a window function: a filter on province or
-- period then reaches the observation table through every view built on this one (SQLite does
-- not push a filter through an aggregate into a window subquery).
-- previous_period is the period of the same kind just before: 2026-01 → 2025-12,
-- 2026-Q1 → 2025-Q4, 2026 → 2025. It is computed from the label with SUBSTR, CAST and || only,
-- so that this text runs unchanged on SQLite and PostgreSQL.
CREATE VIEW v_latest_observation AS
SELECT
    o.id AS observation_id,
    o.province_code,
    p.name AS province_name,
    o.period,
    o.period_kind,
    CASE o.period_kind
        WHEN 'month' THEN
            CASE
                WHEN SUBSTR(o.period, 6, 2) = '01'
                    THEN CAST(CAST(SUBSTR(o.period, 1, 4) AS INTEGER) - 1 AS TEXT) || '-12'
                ELSE SUBSTR(o.period, 1, 5)
                    || SUBSTR(CAST(99 + CAST(SUBSTR(o.period, 6, 2) AS INTEGER) AS TEXT), 2, 2)
            END
        WHEN 'quarter' THEN
            CASE
                WHEN SUBSTR(o.period, 7, 1) = '1'
                    THEN CAST(CAST(SUBSTR(o.period, 1, 4) AS INTEGER) - 1 AS TEXT) || '-Q4'
                ELSE SUBSTR(o.period, 1, 6)
                    || CAST(CAST(SUBSTR(o.period, 7, 1) AS INTEGER) - 1 AS TEXT)
            END
        ELSE CAST(CAST(SUBSTR(o.period, 1, 4) AS INTEGER) - 1 AS TEXT)
    END AS previous_period,
    o.captured_at,
    o.last_seen_at,
    o.departments,
    o.communes,
    o.synthetic,
    o.source_note
FROM observation AS o
JOIN province AS p ON p.code = o.province_code
WHERE NOT EXISTS (
    SELECT 1
    FROM observation AS newer
    WHERE newer.province_code = o.province_code
        AND newer.period = o.period
        AND (
            newer.captured_at > o.captured_at
            OR (newer.captured_at = o.captured_at AND newer.id > o.id)
        )
)
