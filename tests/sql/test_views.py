"""The analysts' views on SQLite and PostgreSQL, over a warehouse filled the way users fill it.

Hải Phòng January 2026 comes from the stand-in through the real capture; February 2026 is stored
by hand twice (the second capture revises the first), the first quarter of 2026 once, so that the
views must pick the newest observation, rank ties, compare with the previous period and leave a
gap open.
"""

import logging
import statistics
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.exc import ProgrammingError
from test_end_to_end import notice_with_official_names

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from load.engine import open_engine
from load.models import Base, CaptureRow, ObservationRow, ScoreRow, UnitRow
from load.views import create_views, drop_views, view_files
from load.warehouse import Warehouse

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")

# February 2026 as first captured, then as revised a day later (rows in the portal's order).
# Communes by official code, departments by name; None is a row left for review.
FEBRUARY_FIRST = [("11284", 50.0), ("11848", 50.0), ("Sở Ngoại vụ", 50.0)]
FEBRUARY_REVISED = [
    ("11848", 98.5),  # Vĩnh Hòa: 97.86 in January
    ("11284", 96.0),  # Nam Thanh Miện: 97.88 in January
    ("10507", 96.0),  # Thành Đông: a tie with Nam Thanh Miện
    (None, 90.0),  # a commune the matcher could not place
    ("11533", None),  # Hòa Bình: no score given
    ("Sở Ngoại vụ", 91.0),
    ("Sở Xây dựng", 94.0),
]
QUARTER = [("11284", 95.5), ("11848", 94.25)]
REVIEW_NAME = "UBND xã Không Có - Thành phố Hải Phòng"


@pytest.fixture
def warehouse(database_url: str, settings) -> Engine:
    """The warehouse on one backend with January captured, February and 2026-Q1 stored by hand."""
    store = _filled(database_url, settings)
    yield store.engine
    store.close()


def _filled(database_url: str, settings) -> Warehouse:
    jobs.capture(settings.with_overrides(database_url=database_url), HAI_PHONG, JANUARY)
    store = Warehouse(database_url)
    engine = store.engine
    units = _unit_ids(engine)
    _store(engine, units, "2026-02", "month", datetime(2026, 3, 2, 8, tzinfo=UTC), FEBRUARY_FIRST)
    _store(engine, units, "2026-02", "month", datetime(2026, 3, 3, 8, tzinfo=UTC), FEBRUARY_REVISED)
    _store(engine, units, "2026-Q1", "quarter", datetime(2026, 4, 5, 8, tzinfo=UTC), QUARTER)
    create_views(engine)
    return store


def _unit_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(UnitRow.id, UnitRow.official_code, UnitRow.name).where(
                UnitRow.province_code == HAI_PHONG.code
            )
        ).all()
    return {code or name: unit_id for unit_id, code, name in rows}


def _store(engine, units, period, period_kind, captured_at, rows) -> None:
    """One observation with its capture and scores, written as the warehouse would."""
    stamp = f"{period}-{captured_at:%Y%m%d}"
    with engine.begin() as connection:
        capture_id = connection.execute(
            insert(CaptureRow).returning(CaptureRow.id),
            {
                "endpoint": "hand", "scope": HAI_PHONG.code, "period": period, "url": "test:",
                "request_body": "{}", "status": 200, "content_type": "application/json",
                "sha256": stamp, "bytes": 0, "captured_at": captured_at,
            },
        ).scalar_one()  # fmt: skip
        departments = sum(1 for key, _ in rows if key and key.startswith("Sở"))
        observation_id = connection.execute(
            insert(ObservationRow).returning(ObservationRow.id),
            {
                "province_code": HAI_PHONG.code, "period": period, "period_kind": period_kind,
                "capture_id": capture_id, "content_sha256": stamp, "captured_at": captured_at,
                "last_seen_at": captured_at, "departments": departments,
                "communes": len(rows) - departments, "synthetic": False, "source_note": "test",
            },
        ).scalar_one()  # fmt: skip
        connection.execute(
            insert(ScoreRow),
            [
                {
                    "observation_id": observation_id, "position": position,
                    "unit_id": units[key] if key else None,
                    "kind": "department" if key and key.startswith("Sở") else "xa",
                    "raw_name": key or REVIEW_NAME, "portal_id": str(position),
                    "total_score": score, "match": "exact" if key else "review",
                    "corrected": False,
                }
                for position, (key, score) in enumerate(rows, start=1)
            ],
        )  # fmt: skip


def _rows(engine: Engine, sql: str, **params) -> list[dict]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text(sql), params).mappings()]


def test_the_latest_observation_is_the_newest_capture_of_each_period(warehouse):
    rows = _rows(
        warehouse,
        "SELECT period, period_kind, previous_period, province_name, departments, communes "
        "FROM v_latest_observation ORDER BY period",
    )

    assert rows == [
        {"period": "2026-01", "period_kind": "month", "previous_period": "2025-12",
         "province_name": "Thành phố Hải Phòng", "departments": 12, "communes": 114},
        {"period": "2026-02", "period_kind": "month", "previous_period": "2026-01",
         "province_name": "Thành phố Hải Phòng", "departments": 2, "communes": 5},
        {"period": "2026-Q1", "period_kind": "quarter", "previous_period": "2025-Q4",
         "province_name": "Thành phố Hải Phòng", "departments": 0, "communes": 2},
    ]  # fmt: skip


def test_latest_scores_carry_canonical_names_and_keep_review_rows(warehouse):
    rows = _rows(
        warehouse,
        "SELECT position, unit_id, official_code, name, display_name, kind_group, total_score "
        "FROM v_latest_scores WHERE period = '2026-02' ORDER BY position",
    )

    assert [row["total_score"] for row in rows] == [score for _, score in FEBRUARY_REVISED]
    assert rows[0]["display_name"] == "UBND xã Vĩnh Hòa" and rows[0]["name"] == "Vĩnh Hòa"
    assert rows[0]["official_code"] == "11848" and rows[0]["kind_group"] == "commune"
    assert rows[3]["unit_id"] is None and rows[3]["official_code"] is None
    assert rows[3]["name"] == rows[3]["display_name"] == REVIEW_NAME
    assert rows[6]["display_name"] == "Sở Xây dựng" and rows[6]["kind_group"] == "department"


def test_the_rank_of_january_reproduces_the_notice(warehouse):
    rows = _rows(
        warehouse,
        "SELECT kind_group, stt, rank, group_size, display_name, total_score FROM v_unit_rank "
        "WHERE province_code = '31' AND period = '2026-01' ORDER BY kind_group, stt",
    )

    notice = notice_with_official_names()
    communes = [(r["stt"], r["display_name"]) for r in rows if r["kind_group"] == "commune"]
    departments = [(r["stt"], r["display_name"]) for r in rows if r["kind_group"] == "department"]
    assert communes == [(stt, name) for stt, name, _ in notice["II"]]
    assert departments == [(stt, name) for stt, name, _ in notice["I"]]
    scores = [float(score) for _, _, score in notice["II"]]
    expected_ranks = [1 + sum(other > score for other in scores) for score in scores]
    assert [r["rank"] for r in rows if r["kind_group"] == "commune"] == expected_ranks
    assert {r["group_size"] for r in rows if r["kind_group"] == "commune"} == {114}


def test_ties_share_a_rank_and_keep_the_portal_order_in_stt(warehouse):
    rows = _rows(
        warehouse,
        "SELECT name, stt, rank FROM v_unit_rank "
        "WHERE period = '2026-02' AND kind_group = 'commune' ORDER BY stt",
    )

    assert [(r["name"], r["stt"], r["rank"]) for r in rows] == [
        ("Vĩnh Hòa", 1, 1),
        ("Nam Thanh Miện", 2, 2),
        ("Thành Đông", 3, 2),
        (REVIEW_NAME, 4, 4),
        ("Hòa Bình", 5, 5),  # no score: last
    ]


def test_change_is_against_the_previous_period_of_the_same_kind(warehouse):
    january = {
        r["official_code"]: r
        for r in _rows(warehouse, "SELECT * FROM v_unit_rank WHERE period = '2026-01'")
    }
    rows = {
        r["name"]: r
        for r in _rows(warehouse, "SELECT * FROM v_unit_change WHERE period = '2026-02'")
    }

    vinh_hoa = rows["Vĩnh Hòa"]
    assert vinh_hoa["previous_score"] == 97.86
    assert vinh_hoa["score_change"] == pytest.approx(98.5 - 97.86)
    assert vinh_hoa["previous_rank"] == january["11848"]["rank"] == 2
    assert vinh_hoa["rank_change"] == 1  # second in January, first in February
    assert rows["Sở Ngoại vụ"]["rank_change"] == 1 - 2  # first of 12, then second of 2
    assert REVIEW_NAME not in rows
    quarter = _rows(warehouse, "SELECT * FROM v_unit_change WHERE period = '2026-Q1'")
    assert {r["previous_period"] for r in quarter} == {"2025-Q4"}
    assert all(r["previous_score"] is None and r["score_change"] is None for r in quarter)
    first = _rows(warehouse, "SELECT * FROM v_unit_change WHERE period = '2026-01'")
    assert all(r["rank_change"] is None for r in first) and len(first) == 126


def test_a_unit_history_reads_month_by_month_then_by_quarter(warehouse):
    rows = _rows(
        warehouse,
        "SELECT period, total_score, rank, score_change FROM v_unit_history "
        "WHERE official_code = '11284'",
    )

    assert [(r["period"], r["total_score"], r["rank"]) for r in rows] == [
        ("2026-01", 97.88, 1),
        ("2026-02", 96.0, 2),
        ("2026-Q1", 95.5, 1),
    ]
    assert rows[1]["score_change"] == pytest.approx(96.0 - 97.88)


def test_the_province_summary_gives_the_figures_of_each_group(warehouse):
    rows = _rows(
        warehouse,
        "SELECT * FROM v_province_summary WHERE period = '2026-01' ORDER BY kind_group",
    )

    notice = notice_with_official_names()
    for row, numeral in zip(rows, ("II", "I"), strict=True):
        scores = [float(score) for _, _, score in notice[numeral]]
        assert row["units"] == len(scores)
        assert row["average_score"] == pytest.approx(statistics.fmean(scores), abs=1e-9)
        assert (row["min_score"], row["max_score"]) == (min(scores), max(scores))
        assert row["spread"] == pytest.approx(max(scores) - min(scores), abs=1e-9)
        assert row["variance"] == pytest.approx(statistics.pvariance(scores), rel=1e-9)
        assert row["stddev"] == pytest.approx(statistics.pstdev(scores), rel=1e-12)


def test_the_summary_of_equal_scores_has_no_deviation_and_skips_missing_scores(warehouse):
    [departments] = _rows(
        warehouse,
        "SELECT units, spread, variance, stddev FROM v_province_summary WHERE period = '2026-Q1'",
    )

    assert departments == {
        "units": 2, "spread": pytest.approx(1.25), "variance": pytest.approx(0.390625),
        "stddev": pytest.approx(0.625),
    }  # fmt: skip
    february = _rows(
        warehouse,
        "SELECT units FROM v_province_summary WHERE period = '2026-02' ORDER BY kind_group",
    )
    assert [r["units"] for r in february] == [4, 2]  # Hòa Bình has no score


def test_create_views_is_idempotent_and_drop_views_removes_them(warehouse):
    created = create_views(warehouse)

    assert created == [v.name for v in view_files() if set(v.requires) <= _tables(warehouse)]
    drop_views(warehouse)
    with pytest.raises(Exception, match="v_unit_rank"):
        _rows(warehouse, "SELECT COUNT(*) FROM v_unit_rank")


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_the_weakest_group_view_waits_for_its_table(database_url, caplog):
    engine = open_engine(database_url)
    core = ["province", "unit", "unit_alias", "capture", "observation", "score"]
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[name] for name in core])

    with caplog.at_level(logging.INFO, logger="load.views"):
        created = create_views(engine)

    engine.dispose()
    assert "v_weakest_group" not in created and "v_province_summary" in created
    assert "view v_weakest_group not created: the warehouse has no table group_score" in caplog.text


def test_the_weakest_group_is_the_lowest_share_of_its_maximum(warehouse):
    from load.detail_models import GroupScoreRow

    Base.metadata.create_all(warehouse, tables=[GroupScoreRow.__table__])
    [(observation, capture)] = _rows_tuples(
        warehouse, "SELECT id, capture_id FROM observation WHERE period = '2026-01'"
    )
    units = _unit_ids(warehouse)
    groups = {
        "11284": [("CKMB", 18.0, 18.0), ("TDGQ", 15.0, 20.0), ("MDHL", 12.0, 16.0),
                  ("MDSH", 4.0, 10.0)],
        "11848": [("CKMB", 9.0, 18.0), ("TDGQ", 10.0, 20.0), ("TTTT", None, 10.0)],
    }  # fmt: skip
    rows = [
        {"observation_id": observation, "group_code": group, "position": 0, "capture_id": capture,
         "unit_id": None, "kind": "province", "raw_name": "Thành phố Hải Phòng", "portal_id": "p",
         "score": 1.0, "max_score": 20.0, "match": "province"}
        for group in ("CKMB", "TDGQ", "MDHL", "MDSH", "TTTT")
    ]  # fmt: skip
    for position, (code, scores) in enumerate(groups.items(), start=1):
        rows += [
            {"observation_id": observation, "group_code": group, "position": position,
             "capture_id": capture, "unit_id": units[code], "kind": "xa", "raw_name": code,
             "portal_id": code, "score": score, "max_score": maximum, "match": "exact"}
            for group, score, maximum in scores
        ]  # fmt: skip
    with warehouse.begin() as connection:
        connection.execute(insert(GroupScoreRow), rows)

    assert "v_weakest_group" in create_views(warehouse)
    found = _rows(warehouse, "SELECT * FROM v_weakest_group ORDER BY official_code")
    assert [
        (r["official_code"], r["display_name"], r["group_code"], r["share"], r["shortfall"])
        for r in found
    ] == [
        ("11284", "UBND xã Nam Thanh Miện", "MDSH", 0.4, 6.0),
        ("11848", "UBND xã Vĩnh Hòa", "CKMB", 0.5, 9.0),  # a tie with TDGQ: the first code
    ]


def _rows_tuples(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


@pytest.mark.postgres
def test_every_view_gives_the_same_rows_on_sqlite_and_postgresql(settings, tmp_path, postgres_url):
    on_sqlite = _filled(f"sqlite:///{tmp_path / 'same.sqlite'}", settings)
    on_postgres = _filled(postgres_url, settings)

    for view in view_files():
        if view.requires:
            continue
        dumps = [_dump(store.engine, view.name) for store in (on_sqlite, on_postgres)]
        assert dumps[0] == dumps[1], view.name
        assert dumps[0], view.name
    on_sqlite.close()
    on_postgres.close()


def _dump(engine: Engine, view: str) -> list[tuple]:
    """The view's rows, sorted, without capture times (each backend captured at its own time)."""
    rows = []
    for row in _rows(engine, f"SELECT * FROM {view}"):
        rows.append(
            tuple(
                (key, _plain(value))
                for key, value in sorted(row.items())
                if key not in ("captured_at", "last_seen_at")
            )
        )
    return sorted(rows, key=repr)


def _plain(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


@pytest.mark.postgres
def test_an_analyst_role_reads_the_views_but_not_the_tables(postgres_url, settings):
    store = _filled(postgres_url, settings)
    role = f"analyst_{uuid.uuid4().hex[:8]}"
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
        connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    try:
        create_views(store.engine, grant_select_to=(role,))  # the grants survive re-creation

        with store.engine.connect() as connection:
            connection.exec_driver_sql(f"SET ROLE {role}")
            ranked = connection.exec_driver_sql("SELECT COUNT(*) FROM v_unit_rank").scalar_one()
            with pytest.raises(ProgrammingError, match="permission denied"):
                connection.exec_driver_sql("SELECT COUNT(*) FROM score")
            connection.rollback()
        assert ranked == 126 + 7 + 2
    finally:
        with store.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        store.close()
