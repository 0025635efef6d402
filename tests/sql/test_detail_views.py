"""The drill-down views on SQLite and PostgreSQL, over Hải Phòng 2026-01 captured with detail."""

import pytest
from sqlalchemy import text

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from load.views import create_views

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")


@pytest.fixture
def engine(database_url, settings):
    """Hải Phòng 2026-01 from the stand-in, ranking and drill-down, through the real capture."""
    settings = settings.with_overrides(database_url=database_url)
    answer = jobs.fetch(settings, HAI_PHONG, JANUARY)
    warehouse = jobs.open_warehouse(settings)
    report = jobs.store(
        warehouse, answer, HAI_PHONG, JANUARY, jobs.match(answer, HAI_PHONG, warehouse)
    )
    pages = jobs.fetch_details(settings, HAI_PHONG, JANUARY)
    jobs.store_details(warehouse, pages, answer, HAI_PHONG, report)
    assert {"v_unit_metrics", "v_metric_losses", "v_province_metrics_vs_units"} <= set(
        create_views(warehouse.engine)
    )
    yield warehouse.engine
    warehouse.close()


def rows(engine, sql: str) -> list[dict]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text(sql)).mappings()]


def stored_metrics(engine) -> list[dict]:
    return rows(
        engine,
        "SELECT m.group_code, m.position, m.metric_code, m.score, m.max_score, m.ratio, "
        "g.unit_id, g.kind FROM metric AS m JOIN group_score AS g ON g.observation_id = "
        "m.observation_id AND g.group_code = m.group_code AND g.position = m.position",
    )


def test_unit_metrics_hold_every_unit_metric_with_its_share(engine):
    found = rows(engine, "SELECT * FROM v_unit_metrics WHERE period = '2026-01'")
    stored = [m for m in stored_metrics(engine) if m["position"] > 0]

    assert len(found) == len(stored) > 0
    assert {r["group_code"] for r in found} == {"CKMB", "MDHL", "MDSH"}
    assert len({r["unit_id"] for r in found}) == 126 and None not in {r["unit_id"] for r in found}
    for row in found:
        if row["max_score"]:
            assert row["share"] == pytest.approx(row["score"] / row["max_score"])
        else:
            assert row["share"] is None
    commune = next(r for r in found if r["official_code"] == "11284")
    assert commune["display_name"] == "UBND xã Nam Thanh Miện"
    assert commune["kind_group"] == "commune" and commune["province_name"] == "Thành phố Hải Phòng"


def test_metric_losses_rank_each_unit_costliest_metric_first(engine):
    found = rows(engine, "SELECT * FROM v_metric_losses WHERE official_code = '11284'")
    expected = sorted(
        (
            (m["max_score"] - m["score"], m["group_code"], m["metric_code"])
            for m in rows(engine, "SELECT * FROM v_unit_metrics WHERE official_code = '11284'")
            if m["max_score"] and m["score"] is not None
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )

    by_rank = sorted(found, key=lambda r: r["loss_rank"])
    assert [r["loss_rank"] for r in by_rank] == list(range(1, len(expected) + 1))
    assert [(r["group_code"], r["metric_code"]) for r in by_rank] == [e[1:] for e in expected]
    assert [r["lost_points"] for r in by_rank] == pytest.approx([e[0] for e in expected])
    everyone = rows(engine, "SELECT COUNT(*) AS n FROM v_metric_losses WHERE loss_rank = 1")
    assert everyone == [{"n": 126}]


def test_the_province_metrics_stand_beside_the_spread_of_its_units(engine):
    found = rows(engine, "SELECT * FROM v_province_metrics_vs_units WHERE period = '2026-01'")
    stored = stored_metrics(engine)
    province = {(m["group_code"], m["metric_code"]): m for m in stored if m["position"] == 0}

    assert {(r["group_code"], r["metric_code"]) for r in found} == set(province)
    assert {r["kind_group"] for r in found} == {"department", "commune"}
    for row in found:
        own = province[row["group_code"], row["metric_code"]]
        units = [
            m["score"]
            for m in stored
            if m["position"] > 0
            and (m["group_code"], m["metric_code"]) == (row["group_code"], row["metric_code"])
            and (m["kind"] == "department") == (row["kind_group"] == "department")
            and m["score"] is not None
        ]
        assert row["province_score"] == own["score"]
        assert row["units"] == len(units)
        if units:
            assert (row["min_score"], row["max_unit_score"]) == (min(units), max(units))
            assert row["avg_score"] == pytest.approx(sum(units) / len(units))
        if own["score"] is not None:
            assert row["units_below"] == sum(score < own["score"] for score in units)
