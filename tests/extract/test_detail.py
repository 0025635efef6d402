"""The six detail requests: bodies spelt as each endpoint wants, and every page fetched."""

import json

import httpx

from chiso766.periods import Period
from chiso766.provinces import find_province
from extract.client import PortalClient
from extract.detail import DETAIL_ENDPOINTS, detail_body, fetch_details

PHU_THO = find_province("Phú Thọ")
AUGUST = Period.parse("2026-08")
ROOT = "019d2be3-6a88-732b-8b17-b68020c8553a"
# The bodies the public crawler sent for the real captures (its manifest), tree endpoints at 100.
MONTH = {"timeType": "month", "year": 2026, "month": 8}
CRAWLER_BODIES = {
    "transparency": {"rootDepartmentId": ROOT, "currentPage": 1, "pageSize": 200, **MONTH},
    "dvc-progress-tree": {"rootDepartmentId": ROOT, "currentPage": 1, "pageSize": 100, **MONTH},
    "formality-online-payment-tree": {
        "rootDepartmentId": ROOT, "currentPage": 1, "pageSize": 100, **MONTH
    },
    "handling-satisfaction": {
        "rootDepartmentId": ROOT, "currentPage": 1, "pageSize": 200,
        "fromDate": "2026-08-01", "toDate": "2026-08-31",
    },
    "dossier-digitized": {"rootDepartmentId": ROOT, "currentPage": 1, "pageSize": 200, **MONTH},
}  # fmt: skip


def test_bodies_equal_what_the_crawler_sent_for_the_real_captures():
    for endpoint, body in CRAWLER_BODIES.items():
        assert detail_body(endpoint, PHU_THO, AUGUST) == body


def test_the_procedure_filter_is_spelt_formalityID_only_for_dossier_digitized():
    assert detail_body("dossier-digitized", PHU_THO, AUGUST, formality_id="F")["formalityID"] == "F"
    for endpoint in set(DETAIL_ENDPOINTS) - {"dossier-digitized"}:
        body = detail_body(endpoint, PHU_THO, AUGUST, formality_id="F")
        assert body["formalityId"] == "F" and "formalityID" not in body
    assert "formalityId" not in detail_body("transparency", PHU_THO, AUGUST)


def test_a_quarter_becomes_a_date_range_for_handling_satisfaction():
    body = detail_body("handling-satisfaction", PHU_THO, Period.parse("2026-Q3"))
    assert (body["fromDate"], body["toDate"]) == ("2026-07-01", "2026-09-30")
    assert "timeType" not in body


def test_every_page_of_the_metric_endpoints_and_one_of_the_trees_is_fetched(tmp_path):
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        endpoint = request.url.path.rsplit("/", 1)[-1]
        requests.append((endpoint, body["currentPage"]))
        if DETAIL_ENDPOINTS[endpoint].shape == "tree":
            data = {"parent": {}, "children": []}
        else:
            data = {"overview": {}, "evaluation": [], "pagination": {"totalPages": 3}}
        return httpx.Response(201, json={"code": "OK", "data": data, "message": "OK"})

    client = PortalClient(
        "http://portal.test", min_interval=0, transport=httpx.MockTransport(handler)
    )
    answers = fetch_details(client, PHU_THO, AUGUST)

    assert len(answers) == 3 * 3 + 3
    assert [page for endpoint, page in requests if endpoint == "transparency"] == [1, 2, 3]
    assert [page for endpoint, page in requests if endpoint == "dvc-progress-tree"] == [1]
