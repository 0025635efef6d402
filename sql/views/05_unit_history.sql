-- v_unit_history: one row per unit × period (the latest observation of each), with the change
-- against the previous period of the same kind beside each row.
--
-- Select a unit by its official code (communes) or unit_id (departments) and read it with
-- ORDER BY period_kind, period (months, then quarters, then years, each in time order). The view
-- itself has no ORDER BY: a tool that opens it with LIMIT 200 would otherwise wait for the whole
-- warehouse to be ranked and sorted before the first row.
CREATE VIEW v_unit_history AS
SELECT
    province_code,
    province_name,
    unit_id,
    official_code,
    name,
    display_name,
    kind,
    kind_group,
    period_kind,
    period,
    total_score,
    rank,
    group_size,
    stt,
    score_change,
    rank_change,
    synthetic
FROM v_unit_change
