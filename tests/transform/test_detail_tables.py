"""The six detail answers parsed into tidy tables and matched to the ranking's units."""

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

from chiso766.provinces import find_province
from extract.detail import DETAIL_ENDPOINTS
from transform.detail import GROUP_COLUMNS, METRIC_COLUMNS, match_details, parse_detail
from transform.exceptions import TransformError
from transform.units import official_communes

FIXTURES = Path(__file__).parent.parent / "fixtures"
PHU_THO = find_province("Phú Thọ")
COMMUNES = official_communes(PHU_THO.code)


def full(endpoint: str) -> dict:
    return json.loads((FIXTURES / "phu-tho-2026-08" / f"{endpoint}.json").read_text("utf-8"))


def excerpt(endpoint: str) -> dict:
    path = FIXTURES / f"phu-tho-2026-08-{endpoint}-excerpt.json"
    return json.loads(path.read_text("utf-8"))


def children(payload: dict) -> list[dict]:
    data = payload["data"]
    return data["children"] if "children" in data else data["evaluation"]


@pytest.mark.parametrize("endpoint", list(DETAIL_ENDPOINTS))
def test_every_child_of_the_real_capture_is_parsed_matched_and_keeps_its_exact_score(endpoint):
    payload = full(endpoint)
    detail = parse_detail(endpoint, [payload], PHU_THO)
    matched = match_details([detail], PHU_THO, COMMUNES, []).groups

    records = children(payload)
    assert len(records) == 163 and len(matched) == 163
    score_key = "score" if endpoint == "dvc-progress-tree" else "totalScore"
    for record, row in zip(records, matched.to_dict("records"), strict=True):
        assert row["portal_id"] == record["departmentId"]
        assert row["score"] == record[score_key]  # exactly, null as None
        assert (row["score"] is None) == (record[score_key] is None)
    # 148 communes and wards on the official list, 15 departments to register; none for review.
    assert matched["match"].value_counts().to_dict() == {"exact": 148, "new_department": 15}
    assert matched["official_code"].notna().sum() == 148
    assert matched["group_code"].eq(DETAIL_ENDPOINTS[endpoint].group_code).all()


def test_the_province_row_is_kept_apart_with_its_group_score():
    scores = {
        e: parse_detail(e, [full(e)], PHU_THO).province_row["score"] for e in DETAIL_ENDPOINTS
    }
    assert scores == {
        "transparency": 7.96,
        "dvc-progress-tree": 15.68,
        "provide-online-tree": 8.83,
        "formality-online-payment-tree": 6.25,
        "handling-satisfaction": 12.96,
        "dossier-digitized": 8.24,
    }


def test_metrics_keep_null_apart_from_zero_and_the_data_quality_flags():
    detail = parse_detail("transparency", [excerpt("transparency")], PHU_THO)
    metrics = detail.metrics
    assert list(metrics.columns) == list(METRIC_COLUMNS)
    first = metrics[metrics["position"] == 1].set_index("metric_code")
    assert first.loc["PUBLISH_ON_TIME", "score"] is None
    assert first.loc["PUBLISH_ON_TIME", "denominator"] == 0
    assert first.loc["PUBLIC_CONTENT_FULL", "score"] == 1.96
    assert first.loc["DOSSIER_SYNC", "data_quality_status"] == "NO_NATIONAL_REPORT_DATA"


def test_only_dossier_digitized_records_carry_a_code_among_the_metric_groups():
    codes = {
        e: parse_detail(e, [excerpt(e)], PHU_THO).units["portal_code"].notna().all()
        for e in DETAIL_ENDPOINTS
    }
    assert codes == {
        "transparency": False,
        "dvc-progress-tree": True,
        "provide-online-tree": True,
        "formality-online-payment-tree": True,
        "handling-satisfaction": False,
        "dossier-digitized": True,
    }


def test_pages_are_merged_in_order_and_checked_against_the_announced_total():
    payload = excerpt("transparency")
    first, second = copy.deepcopy(payload), copy.deepcopy(payload)
    rows = children(payload)
    first["data"]["evaluation"], second["data"]["evaluation"] = rows[:5], rows[5:]
    detail = parse_detail("transparency", [first, second], PHU_THO)
    assert list(detail.units["page"]) == [1] * 5 + [2] * 3
    assert list(detail.units["position"]) == list(range(1, 9))

    with pytest.raises(TransformError, match="announces 8 units .* hold 5"):
        parse_detail("transparency", [first], PHU_THO)


def test_a_malformed_score_names_the_field_and_the_unit():
    payload = excerpt("dvc-progress-tree")
    payload["data"]["children"][0]["score"] = "8"
    with pytest.raises(TransformError, match=r"row 1 \(Văn phòng UBND Tỉnh .*\) has a score"):
        parse_detail("dvc-progress-tree", [payload], PHU_THO)


def test_an_answer_about_another_province_is_refused():
    with pytest.raises(TransformError, match="but Tỉnh Gia Lai is"):
        parse_detail("transparency", [excerpt("transparency")], find_province("Gia Lai"))


def test_units_a_group_lacks_or_the_ranking_lacks_and_wrong_sums_are_reported():
    details = [parse_detail(e, [excerpt(e)], PHU_THO) for e in DETAIL_ENDPOINTS]
    matched = match_details(details, PHU_THO, COMMUNES, [])
    ranking = matched.groups[matched.groups["group_code"] == "TDGQ"].copy()
    sums = matched.groups.groupby("unit_key")["score"].sum()
    ranking["total_score"] = [round(sums[k], 2) for k in ranking["unit_key"]]
    ranking.iloc[0, ranking.columns.get_loc("total_score")] += 0.5  # the portal disagreeing

    # A commune the transparency answer lacks; a unit only the groups know.
    details[0].units = details[0].units[details[0].units["raw_name"] != ranking["raw_name"].iloc[7]]
    ranking = ranking.iloc[:-1]
    out = match_details(details, PHU_THO, COMMUNES, [], ranking)

    assert out.missing == []  # the last unit is absent from the ranking, not from a group
    assert {group for group, _ in out.not_in_ranking} == set(out.groups["group_code"]) - {"CKMB"}
    assert [name for name, _, _ in out.sum_mismatches] == [ranking["raw_name"].iloc[0]]

    lacking = ranking.copy()
    lacking.loc[len(lacking) + 100] = {**ranking.iloc[1].to_dict(), "portal_id": "x",
                                       "official_code": None, "raw_name": "Sở Không Có",
                                       "canonical_name": "Sở Không Có", "position": 99}  # fmt: skip
    lacking["unit_key"] = None
    out = match_details(details, PHU_THO, COMMUNES, [], lacking)
    assert ("CKMB", 99, "Sở Không Có") in out.missing


def test_real_and_stand_in_answers_give_the_same_columns_and_types(standin_url):
    from chiso766.periods import Period
    from extract.client import PortalClient
    from extract.detail import fetch_details

    hai_phong = find_province("31")
    with PortalClient(standin_url, min_interval=0) as client:
        answers = fetch_details(client, hai_phong, Period.parse("2026-01"))
    for endpoint in DETAIL_ENDPOINTS:
        standin = parse_detail(
            endpoint, [a.payload for a in answers if a.raw.endpoint == endpoint], hai_phong
        )
        real = parse_detail(endpoint, [excerpt(endpoint)], PHU_THO)
        assert list(standin.units.columns) == list(real.units.columns) == list(GROUP_COLUMNS)
        assert dict(standin.units.dtypes) == dict(real.units.dtypes)
        assert dict(standin.metrics.dtypes) == dict(real.metrics.dtypes)
        assert set(standin.province_row) == set(real.province_row)
        assert standin.synthetic and not real.synthetic
        kinds = set(standin.units["kind"])
        assert "department" in kinds and kinds & {"xa", "phuong"}
        assert pd.api.types.is_object_dtype(standin.units["score"])
