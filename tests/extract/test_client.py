"""The portal client against the stand-in over real HTTP: retries, blocks, archive."""

import json
from collections.abc import Callable

import pytest
from starlette.responses import HTMLResponse, JSONResponse, Response

from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.standin import create_app, running_standin
from extract.archive import Archive
from extract.client import PortalClient
from extract.exceptions import PortalAnswerError, PortalBlocked, PortalUnreachable
from extract.politeness import Politeness
from extract.ranking import fetch_province_ranking

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")

WAF_PAGE = (
    "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. "
    "Please consult with your administrator.<br><br>Your support ID is: 1234567890123456789"
    "<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>"
)


class Faulty:
    """An ASGI wrapper that answers the first ``count`` requests with ``fault()``."""

    def __init__(self, fault: Callable[[], Response], count: int):
        self.app = create_app()
        self.fault = fault
        self.remaining = count
        self.requests = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests += 1
            if self.remaining > 0:
                self.remaining -= 1
                await self.fault()(scope, receive, send)
                return
        await self.app(scope, receive, send)


def client(url: str, tmp_path, **kwargs) -> PortalClient:
    sleeps: list[float] = []
    portal = PortalClient(
        url,
        archive=Archive(tmp_path / "archive"),
        politeness=Politeness(0.0, 1),
        sleep=sleeps.append,
        **kwargs,
    )
    portal.sleeps = sleeps
    return portal


def archived(tmp_path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((tmp_path / "archive").rglob("*.json"))]


def test_a_ranking_is_fetched_and_archived_with_its_hash(tmp_path):
    with running_standin() as url, client(url, tmp_path) as portal:
        answer = fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert len(answer.data["evaluation"]) == 126
    assert answer.raw.status == 201
    assert answer.raw.path.read_bytes() == answer.raw.body
    [meta] = archived(tmp_path)
    assert meta["sha256"] == answer.raw.sha256
    assert meta["request_body"] == {
        "timeType": "month",
        "year": 2026,
        "month": 1,
        "rootDepartmentId": HAI_PHONG.portal_id,
    }
    assert meta["status"] == 201 and meta["scope"] == "31" and meta["period"] == "2026-01"


def test_a_503_is_retried_with_backoff_and_the_run_succeeds(tmp_path):
    app = Faulty(lambda: JSONResponse({"message": "busy"}, status_code=503), count=2)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        answer = fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert len(answer.data["evaluation"]) == 126
    assert app.requests == 3
    assert len(portal.sleeps) == 2 and portal.sleeps[1] > portal.sleeps[0] * 0.5
    assert [m["status"] for m in archived(tmp_path)] == [503, 503, 201]


def test_retry_after_is_honoured(tmp_path):
    app = Faulty(lambda: JSONResponse({}, status_code=503, headers={"Retry-After": "7"}), count=1)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert portal.sleeps[0] >= 7


def test_retries_end_with_a_sentence_saying_the_portal_did_not_answer(tmp_path):
    app = Faulty(lambda: JSONResponse({}, status_code=502), count=100)
    with running_standin(app=app) as url, client(url, tmp_path, max_retries=4) as portal:
        with pytest.raises(PortalUnreachable, match="after 5 attempts") as error:
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert app.requests == 5
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("status", [401, 403, 429])
def test_a_block_status_stops_at_once_without_retry(tmp_path, status):
    app = Faulty(lambda: JSONResponse({"message": "no"}, status_code=status), count=100)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        with pytest.raises(PortalBlocked, match=f"HTTP {status}"):
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert app.requests == 1
    assert portal.sleeps == []
    assert [m["status"] for m in archived(tmp_path)] == [status]


def test_an_html_rejection_page_with_status_200_is_a_block_naming_its_support_id(tmp_path):
    app = Faulty(lambda: HTMLResponse(WAF_PAGE, status_code=200), count=100)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        with pytest.raises(PortalBlocked) as error:
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert app.requests == 1
    assert error.value.title == "Request Rejected"
    assert error.value.support_id == "1234567890123456789"
    assert "Request Rejected" in str(error.value) and "1234567890123456789" in str(error.value)
    [body] = (tmp_path / "archive").rglob("*.body")
    assert body.read_text() == WAF_PAGE


def test_an_unreachable_portal_is_retried_then_named(tmp_path):
    # A port that was free a moment ago: nothing listens there.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with client(f"http://127.0.0.1:{port}", tmp_path, max_retries=2) as portal:
        with pytest.raises(PortalUnreachable, match="ConnectError") as error:
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert f"127.0.0.1:{port}" in str(error.value)
    assert len(portal.sleeps) == 2


def test_an_envelope_whose_code_is_not_ok_is_refused_and_kept(tmp_path):
    app = Faulty(lambda: JSONResponse({"code": "ERROR", "data": None}, status_code=201), 1)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        with pytest.raises(PortalAnswerError, match="code 'ERROR'"):
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)

    assert len(list((tmp_path / "archive").rglob("*.body"))) == 1


def test_a_truncated_body_is_refused_and_kept(tmp_path):
    body = json.dumps({"code": "OK", "data": {"evaluation": []}})[:-7]
    app = Faulty(lambda: Response(body, 201, media_type="application/json"), 1)
    with running_standin(app=app) as url, client(url, tmp_path) as portal:
        with pytest.raises(PortalAnswerError, match="not valid JSON"):
            fetch_province_ranking(portal, HAI_PHONG, JANUARY)
