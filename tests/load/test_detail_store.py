"""The six score groups in the warehouse: beside their ranking, exact, null kept apart from 0."""

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from extract.archive import RawAnswer, sha256_of
from extract.detail import DETAIL_ENDPOINTS, detail_body
from load.detail_models import GroupGapRow, GroupScoreRow, MetricRow
from load.detail_store import store_details
from load.models import CaptureRow, ObservationRow, ScoreRow
from load.warehouse import Warehouse
from transform.detail import match_details, parse_detail
from transform.units import official_communes

FIXTURES = Path(__file__).parent.parent / "fixtures" / "phu-tho-2026-08"
PHU_THO = find_province("Phú Thọ")
AUGUST = Period.parse("2026-08")
NOW = datetime(2026, 9, 28, tzinfo=UTC)


def raw_answer(endpoint: str, body: bytes) -> RawAnswer:
    return RawAnswer(
        endpoint=endpoint,
        url=f"https://dichvucong.gov.vn/api/v1/reporting/evaluation/{endpoint}",
        request_body=detail_body(endpoint, PHU_THO, AUGUST),
        status=201,
        content_type="application/json; charset=utf-8",
        body=body,
        sha256=sha256_of(body),
        captured_at=NOW,
        scope=PHU_THO.code,
        period=AUGUST.label,
    )


def an_observation(warehouse: Warehouse) -> int:
    """A bare ranking observation of Phú Thọ, August 2026, to attach the real groups to."""
    with Session(warehouse.engine) as session, session.begin():
        capture = CaptureRow(
            endpoint="service-results", scope=PHU_THO.code, period=AUGUST.label, url="-",
            request_body="{}", status=201, content_type="application/json", sha256="0" * 64,
            bytes=0, captured_at=NOW, archive_path=None,
        )  # fmt: skip
        session.add(capture)
        session.flush()
        observation = ObservationRow(
            province_code=PHU_THO.code, period=AUGUST.label, period_kind="month",
            capture_id=capture.id, content_sha256="0" * 64, captured_at=NOW, last_seen_at=NOW,
            departments=15, communes=148, synthetic=False,
        )  # fmt: skip
        session.add(observation)
        session.flush()
        return observation.id


def test_every_real_child_is_stored_with_the_capture_score_exactly(database_url):
    warehouse = Warehouse(database_url)
    warehouse.initialise()
    observation_id = an_observation(warehouse)
    bodies = {e: (FIXTURES / f"{e}.json").read_bytes() for e in DETAIL_ENDPOINTS}
    details = [parse_detail(e, [json.loads(b)], PHU_THO) for e, b in bodies.items()]
    matched = match_details(details, PHU_THO, official_communes(PHU_THO.code), [])

    raws = [raw_answer(e, b) for e, b in bodies.items()]
    stored = store_details(warehouse, observation_id, matched, raws)

    assert stored.groups == ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
    assert stored.group_scores == 6 * 164 and stored.unplaced == 6 * 15  # departments unregistered
    with Session(warehouse.engine) as session:
        for endpoint, body in bodies.items():
            code = DETAIL_ENDPOINTS[endpoint].group_code
            data = json.loads(body)["data"]
            records = data.get("children") or data["evaluation"]
            key = "score" if endpoint == "dvc-progress-tree" else "totalScore"
            rows = session.scalars(
                select(GroupScoreRow)
                .where(GroupScoreRow.group_code == code, GroupScoreRow.position > 0)
                .order_by(GroupScoreRow.position)
            ).all()
            assert [(r.portal_id, r.score) for r in rows] == [
                (record["departmentId"], record[key]) for record in records
            ]
            assert sum(r.unit_id is not None for r in rows) == 148
            own = session.get(GroupScoreRow, (observation_id, code, 0))
            assert own.kind == "province" and own.raw_name == "UBND tỉnh Phú Thọ"

        null_metric = session.get(MetricRow, (observation_id, "CKMB", 1, "PUBLISH_ON_TIME"))
        assert null_metric.score is None and null_metric.denominator == 0
        flagged = session.scalar(
            select(func.count()).where(MetricRow.data_quality_status == "NO_NATIONAL_REPORT_DATA")
        )
        assert flagged >= 1
        captures = session.scalar(select(func.count()).select_from(CaptureRow))
        assert captures == 1 + 6

    again = store_details(warehouse, observation_id, matched, raws)
    assert again.groups == () and len(again.skipped) == 6
    warehouse.close()


def test_capture_with_details_from_the_stand_in_adds_up_to_the_ranking(settings):
    hai_phong, january = find_province("31"), Period.parse("2026-01")
    answer = jobs.fetch(settings, hai_phong, january)
    warehouse = jobs.open_warehouse(settings)
    report = jobs.store(
        warehouse, answer, hai_phong, january, jobs.match(answer, hai_phong, warehouse)
    )
    pages = jobs.fetch_details(settings, hai_phong, january)
    details = jobs.store_details(warehouse, pages, answer, hai_phong, report)

    assert details.missing == [] and details.not_in_ranking == []
    assert details.sum_mismatches == []
    assert details.stored.unplaced == 0
    observation_id = report.stored.observation_id
    with Session(warehouse.engine) as session:
        sums = dict(
            session.execute(
                select(GroupScoreRow.unit_id, func.sum(GroupScoreRow.score))
                .where(GroupScoreRow.observation_id == observation_id, GroupScoreRow.position > 0)
                .group_by(GroupScoreRow.unit_id)
            ).all()
        )
        totals = dict(
            session.execute(
                select(ScoreRow.unit_id, ScoreRow.total_score).where(
                    ScoreRow.observation_id == observation_id
                )
            ).all()
        )
        assert len(totals) == 126 and set(sums) == set(totals)
        assert all(round(sums[unit], 2) == total for unit, total in totals.items())
        assert session.scalar(select(func.count()).select_from(GroupGapRow)) == 0
    warehouse.close()


def test_a_unit_a_group_lacks_is_stored_as_a_gap_not_a_zero(settings):
    hai_phong, january = find_province("31"), Period.parse("2026-01")
    answer = jobs.fetch(settings, hai_phong, january)
    warehouse = jobs.open_warehouse(settings)
    report = jobs.store(
        warehouse, answer, hai_phong, january, jobs.match(answer, hai_phong, warehouse)
    )
    pages = jobs.fetch_details(settings, hai_phong, january)
    tree = next(p for p in pages if p.raw.endpoint == "provide-online-tree")
    dropped = tree.payload["data"]["children"].pop(3)

    details = jobs.store_details(warehouse, pages, answer, hai_phong, report)

    assert [(g, n) for g, _, n in details.missing] == [("CLGQ", dropped["departmentName"])]
    with Session(warehouse.engine) as session:
        gap = session.scalars(select(GroupGapRow)).one()
        assert gap.group_code == "CLGQ" and gap.unit_id is not None
        assert (
            session.scalar(
                select(func.count()).where(
                    GroupScoreRow.group_code == "CLGQ",
                    GroupScoreRow.portal_id == dropped["departmentId"],
                )
            )
            == 0
        )
    warehouse.close()


def test_the_flow_with_detail_stores_the_groups_and_the_cli_prints_them(prefect_harness, settings):
    from chiso766.cli import _detail_summary
    from flows.capture import capture_period

    report, appendix, details = capture_period(settings, "31", "2026-01", detail=True)

    assert appendix is None and details.stored.observation_id == report.stored.observation_id
    assert details.stored.group_scores == 6 * 127 and details.sum_mismatches == []
    printed = _detail_summary(details)
    assert printed.startswith(
        f"Score groups stored with observation {report.stored.observation_id}"
    )
    assert "CKMB 126" in printed
