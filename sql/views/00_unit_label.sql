-- v_unit_label: every unit with the name the notice prints for it: "UBND xã Kẻ Sặt",
-- "UBND phường Hòa Bình", "UBND Đặc khu Cát Hải"; a department under its register's display name.
-- The other views take display names from here, so the notice's wording is written once.
CREATE VIEW v_unit_label AS
SELECT
    u.id AS unit_id,
    CASE
        WHEN u.kind = 'xa' THEN 'UBND xã ' || u.name
        WHEN u.kind = 'phuong' THEN 'UBND phường ' || u.name
        WHEN u.kind = 'dac_khu' THEN 'UBND Đặc khu ' || u.name
        ELSE u.name
    END AS display_name
FROM unit AS u;
