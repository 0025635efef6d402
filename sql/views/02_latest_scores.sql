-- v_latest_scores: every row of the ranking that counts for each province × period.
--
-- Names are canonical (the unit register's), with the official five-digit code beside a
-- commune's. display_name is the notice's form: 'UBND xã X', 'UBND phường X', 'UBND Đặc khu X',
-- a department's name as registered. A row the matcher left for review has no unit: its unit_id
-- and official_code are NULL and it shows the portal's spelling (raw_name) as its name.
-- kind_group splits the two appendices: 'department' (Phụ lục I) and 'commune' (Phụ lục II).
-- The CROSS JOIN (with its condition in WHERE) makes SQLite read the few latest observations
-- first and their scores by index, rather than every score with a look-up of its observation;
-- PostgreSQL plans it as any inner join.
CREATE VIEW v_latest_scores AS
SELECT
    lo.province_code,
    lo.province_name,
    lo.period,
    lo.period_kind,
    lo.previous_period,
    lo.observation_id,
    s.position,
    s.unit_id,
    u.official_code,
    COALESCE(u.name, s.raw_name) AS name,
    COALESCE(ul.display_name, s.raw_name) AS display_name,
    COALESCE(u.kind, s.kind) AS kind,
    CASE WHEN s.kind = 'department' THEN 'department' ELSE 'commune' END AS kind_group,
    s.total_score,
    s.raw_name,
    s."match",
    lo.departments,
    lo.communes,
    lo.synthetic
FROM v_latest_observation AS lo
CROSS JOIN score AS s
LEFT JOIN unit AS u ON u.id = s.unit_id
LEFT JOIN v_unit_label AS ul ON ul.unit_id = s.unit_id
WHERE s.observation_id = lo.observation_id
