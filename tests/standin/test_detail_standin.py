"""The stand-in's six detail endpoints: the portal's shapes and quirks, figures that add up."""

from datetime import date

import httpx
import pytest

from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.standin import create_app, running_standin
from chiso766.standin.detail import ENDPOINTS, METRICS
from extract.client import PortalClient
from extract.detail import DETAIL_ENDPOINTS, detail_body, fetch_details

HAI_PHONG = find_province("31")
JANUARY = Period.parse("2026-01")


@pytest.fixture(scope="module")
def answers(standin_url) -> dict[str, list[dict]]:
    with PortalClient(standin_url, min_interval=0) as client:
        pages = fetch_details(client, HAI_PHONG, JANUARY, page_size=40)
    by_endpoint: dict[str, list[dict]] = {}
    for answer in pages:
        by_endpoint.setdefault(answer.raw.endpoint, []).append(answer.payload)
    return by_endpoint


@pytest.fixture(scope="module")
def ranking(standin_url) -> list[dict]:
    body = {**JANUARY.portal_fields(), "rootDepartmentId": HAI_PHONG.portal_id}
    url = f"{standin_url}/api/v1/reporting/evaluation/service-results"
    return httpx.post(url, json=body).json()["data"]["evaluation"]


def rows_of(pages: list[dict]) -> list[dict]:
    return [r for p in pages for r in p["data"].get("evaluation", p["data"].get("children", []))]


def test_metric_endpoints_page_and_the_trees_answer_everything_at_once(answers, ranking):
    for endpoint, spec in DETAIL_ENDPOINTS.items():
        pages = answers[endpoint]
        assert len(rows_of(pages)) == len(ranking) == 126
        if spec.shape == "tree":
            assert len(pages) == 1 and set(pages[0]["data"]) >= {"parent", "children"}
        else:
            assert len(pages) == 4  # 126 units, 40 a page
            assert pages[0]["data"]["pagination"] == {
                "total": 126, "currentPage": 1, "pageSize": 40, "totalPages": 4
            }  # fmt: skip
            assert [r["stt"] for r in rows_of(pages)] == list(range(1, 127))


def test_six_group_scores_add_up_to_the_ranking_total_within_their_maxima(answers, ranking):
    groups: dict[str, dict[str, float]] = {}
    for endpoint, (code, cap, _) in ENDPOINTS.items():
        key = "score" if endpoint == "dvc-progress-tree" else "totalScore"
        for row in rows_of(answers[endpoint]):
            assert 0 <= row[key] <= cap
            groups.setdefault(row["departmentId"], {})[code] = row[key]
    for unit in ranking:
        assert round(sum(groups[unit["departmentId"]].values()), 2) == unit["totalScore"]


def test_metrics_add_up_to_their_group_score_and_unscored_ones_stay_null(answers):
    for endpoint, (code, _, shape) in ENDPOINTS.items():
        if shape != "metrics":
            continue
        for row in rows_of(answers[endpoint]):
            assert [m["code"] for m in row["metrics"]] == [c for c, _, _ in METRICS[code]]
            scored = [m["score"] for m in row["metrics"] if m["maxScore"]]
            assert round(sum(scored), 2) == row["totalScore"]
            assert all(m["score"] is None for m in row["metrics"] if m["maxScore"] == 0)


def test_keys_mimic_the_real_answers(answers):
    dossier = rows_of(answers["dossier-digitized"])[0]
    assert "departmentCode" in dossier and "scoreDelta" not in dossier
    assert "departmentCode" not in rows_of(answers["transparency"])[0]
    assert {"score", "maxScore"} <= set(rows_of(answers["dvc-progress-tree"])[0])
    assert {"totalScore", "totalMaxScore"} <= set(rows_of(answers["provide-online-tree"])[0])
    assert answers["transparency"][0]["data"]["overview"]["agencyLevel"] == "level_1"


def test_answers_are_marked_synthetic_and_the_same_request_gets_the_same_answer(standin_url):
    url = f"{standin_url}/api/v1/reporting/evaluation/transparency"
    body = detail_body("transparency", HAI_PHONG, JANUARY)
    first, second = httpx.post(url, json=body), httpx.post(url, json=body)
    assert first.status_code == 201 and first.content == second.content
    assert first.headers["X-Chiso766-Synthetic"] == "true"
    assert first.json()["data"]["synthetic"] is True


@pytest.mark.parametrize(
    "endpoint, change, complaint",
    [
        ("dossier-digitized", {"formalityId": "F"}, '"formalityID", not "formalityId"'),
        ("transparency", {"formalityID": "F"}, '"formalityId", not "formalityID"'),
        ("handling-satisfaction", {"fromDate": "2026-01-02"}, "not a month"),
    ],
)
def test_the_quirky_spellings_are_enforced(standin_url, endpoint, change, complaint):
    body = {**detail_body(endpoint, HAI_PHONG, JANUARY), **change}
    answer = httpx.post(f"{standin_url}/api/v1/reporting/evaluation/{endpoint}", json=body)
    assert answer.status_code == 400 and complaint in answer.json()["message"]


def test_a_period_without_a_ranking_gets_an_empty_answer():
    app = create_app(today=date(2026, 1, 20), synthetic=False)
    with running_standin(app=app) as url, PortalClient(url, min_interval=0) as client:
        pages = fetch_details(client, HAI_PHONG, Period.parse("2025-12"))
    assert len(pages) == 6
    assert all(rows_of([p.payload]) == [] and p.data["synthetic"] is False for p in pages)
