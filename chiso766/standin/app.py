"""The stand-in portal as an ASGI app: the current API's ``service-results`` call, on a dataset.

It answers as the national portal does (HTTP 201, ``{"code":"OK","data":{...},"message":"OK"}``)
for the national list (``"departmentType":"ADMINISTRATIVE_UNIT"``) and for one province
(``"rootDepartmentId"``). Published rankings win; any other province and period from January 2026
to ``today`` gets a generated ranking (``synthetic.py``). A period before 2026 or after ``today``
gets the portal's empty answer: the province's overview with null scores and no rows. Every
answer says in ``data.synthetic`` and in
the ``X-Chiso766-Synthetic`` header whether its scores were generated; ``data.source`` says where
they come from.

The six detail endpoints are served by ``detail.py``; the portal's failures (timeouts, resets,
5xx, firewall blocks, spoilt answers) by the fault mode of ``faults.py``. The legacy gateway is
not imitated.
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chiso766.periods import Period, today_in_vietnam
from chiso766.provinces import Province, all_provinces
from chiso766.standin.dataset import (
    Dataset,
    Ranking,
    bundled_dataset,
    synthetic_group_scores,
    synthetic_total,
)
from chiso766.standin.synthetic import (  # generated rankings fill what is not published
    SYNTHETIC_SOURCE,
    ranking_or_synthetic,
    rankings_or_synthetic,
)

if TYPE_CHECKING:
    from chiso766.standin.faults import FaultPlan

API_PREFIX = "/api/v1/reporting/evaluation"
SERVICE_RESULTS_PATH = f"{API_PREFIX}/service-results"
SYNTHETIC_HEADER = "X-Chiso766-Synthetic"
NATIONAL_TYPE = "ADMINISTRATIVE_UNIT"
_PERIOD_NUMBER = {"month": ("month", 12), "quarter": ("quarter", 4)}  # field and its maximum


class PortalJSON(JSONResponse):
    """Compact UTF-8 JSON, labelled with its charset as the portal labels it."""

    media_type = "application/json; charset=utf-8"


class BadRequest(Exception):
    """A request body the portal would refuse; the message says what is wrong with it."""


@dataclass(frozen=True)
class RankingQuery:
    """What a ``service-results`` body asks for: a period, and a province or the whole country."""

    period: Period
    province: Province | None  # None: the national list of provinces


def create_app(
    dataset: Dataset | None = None,
    today: date | None = None,
    *,
    synthetic: bool = True,
    faults: "FaultPlan | None" = None,
) -> Starlette:
    """The stand-in on ``dataset`` (default: the bundled one), believing it is ``today`` in Vietnam.

    A period that begins after ``today`` has nothing to report, whatever the dataset holds;
    ``today=None`` follows the clock. With ``synthetic`` (the default), a province and period
    since January 2026 that the dataset lacks get a generated ranking (``synthetic.py``). With
    ``faults``, the app is wrapped in the fault mode of ``faults.py`` (a ``FaultyApp``).
    """
    app = Starlette(
        routes=[Route(SERVICE_RESULTS_PATH, service_results, methods=["POST"]), *_detail_routes()],
        exception_handlers={HTTPException: _http_error, BadRequest: _bad_request},
    )
    app.state.dataset = bundled_dataset() if dataset is None else dataset
    app.state.today = today
    app.state.synthetic = synthetic
    if faults is not None:
        from chiso766.standin.faults import FaultyApp

        return FaultyApp(app, faults)  # type: ignore[return-value]
    return app


async def service_results(request: Request) -> Response:
    """The ranking: one province's departments and communes, or the country's provinces."""
    query = parse_query(await request.body())
    dataset: Dataset = request.app.state.dataset
    today = request.app.state.today or today_in_vietnam()
    started = query.period.first_day <= today

    # --- generated rankings: the published ones win, generated ones fill the gaps ---
    if query.province is None:
        if not started:
            rankings = []
        elif request.app.state.synthetic:
            rankings = rankings_or_synthetic(dataset, query.period, today)
        else:
            rankings = dataset.rankings_in(query.period)
        return _answer(national_data(rankings, query.period))
    if not started:
        ranking = None
    elif request.app.state.synthetic:
        ranking = ranking_or_synthetic(dataset, query.province, query.period, today)
    else:
        ranking = dataset.ranking(query.province, query.period)
    # --- end of generated rankings ---
    return _answer(province_data(query.province, query.period, ranking))


def parse_query(body: bytes) -> RankingQuery:
    """The query in a request body, or ``BadRequest`` saying what is wrong with it."""
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"The request body is not JSON: {error}.") from error
    if not isinstance(fields, dict):
        raise BadRequest("The request body must be a JSON object.")

    # currentPage and pageSize are accepted and ignored: the portal returns every unit at once.
    period = _period(fields)
    root = fields.get("rootDepartmentId")
    if root is not None:
        province = _provinces_by_id().get(str(root))
        if province is None:
            raise BadRequest(f"No province has the rootDepartmentId {root!r}.")
        return RankingQuery(period, province)
    if fields.get("departmentType") == NATIONAL_TYPE:
        return RankingQuery(period, None)
    raise BadRequest(
        f'Give "rootDepartmentId" (a province) or "departmentType": "{NATIONAL_TYPE}" (the nation).'
    )


def _period(fields: dict[str, Any]) -> Period:
    # Numbers must be JSON integers; whether the real portal also takes "2026" as a string is not
    # known, and a client sending strings is more likely wrong than right.
    kind = fields.get("timeType")
    if kind not in ("month", "quarter", "year"):
        raise BadRequest('"timeType" must be "month", "quarter" or "year".')
    year = fields.get("year")
    if not _is_int(year) or not 1900 <= year <= 9999:
        raise BadRequest('"year" must be a year such as 2026.')
    if kind == "year":
        return Period(year, "year", 0)

    name, largest = _PERIOD_NUMBER[kind]
    number = fields.get(name)
    if not _is_int(number) or not 1 <= number <= largest:
        raise BadRequest(f'A {kind} needs "{name}" from 1 to {largest}.')
    return Period(year, kind, number)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def province_data(province: Province, period: Period, ranking: Ranking | None) -> dict[str, Any]:
    """The ``data`` of a province-scoped answer; without a ranking, the portal's empty answer."""
    if ranking is None:
        return {
            "overview": _empty_overview(_province_unit_name(province), province.portal_code),
            "evaluation": [],
            "synthetic": False,
            "source": f"no data in the stand-in for {province.short_name} {period.label}",
        }
    return {
        "overview": dict(ranking.overview),
        "evaluation": [dict(row) for row in ranking.evaluation],
        "synthetic": ranking.synthetic,
        "source": ranking.source,
    }


def national_data(rankings: list[Ranking], period: Period) -> dict[str, Any]:
    """The ``data`` of the national answer: one row per province the dataset has, best first.

    No notice publishes a province's total or group scores, so every figure here is generated
    from the province's ranking and the answer is synthetic whenever it has a row.
    """
    rows = sorted((_national_row(r) for r in rankings), key=lambda row: -row["totalScore"])
    if not rows:
        return {
            "overview": _empty_overview("Cả nước", None),
            "evaluation": [],
            "synthetic": False,
            "source": f"no data in the stand-in for any province in {period.label}",
        }

    mean = round(sum(row["totalScore"] for row in rows) / len(rows), 2)
    return {
        "overview": {
            "departmentName": "Cả nước",
            "departmentCode": None,
            "totalScore": mean,
            "totalMaxScore": 100,
            "ratio": mean,
        },
        "evaluation": rows,
        "synthetic": True,
        "source": f"{SYNTHETIC_SOURCE}: provinces' totals are the mean of their units' "
        "totals, group scores are a deterministic split of those totals",
    }


def _national_row(ranking: Ranking) -> dict[str, Any]:
    province = ranking.province
    total = synthetic_total(ranking)
    return {
        "departmentId": province.portal_id,
        "departmentName": f"UBND {province.name}",
        "departmentCode": province.portal_code,
        "totalScore": total,
        "ratio": total,
        "scoreDelta": None,
        "groupScores": synthetic_group_scores(total, seed=f"{province.code}/{ranking.period}"),
    }


def _empty_overview(name: str, code: str | None) -> dict[str, Any]:
    return {
        "departmentName": name,
        "departmentCode": code,
        "totalScore": None,
        "totalMaxScore": 100,
        "ratio": None,
    }


def _province_unit_name(province: Province) -> str:
    """The province's people's committee as the province-scoped overview names it."""
    return f"UBND {province.name[:1].lower()}{province.name[1:]}"


@cache
def _provinces_by_id() -> dict[str, Province]:
    return {province.portal_id: province for province in all_provinces()}


def _answer(data: dict[str, Any]) -> Response:
    headers = {SYNTHETIC_HEADER: "true" if data["synthetic"] else "false"}
    return PortalJSON({"code": "OK", "data": data, "message": "OK"}, 201, headers=headers)


async def _bad_request(request: Request, error: Exception) -> Response:
    return PortalJSON({"code": "BAD_REQUEST", "message": str(error)}, 400)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "ERROR")
    message = f"No such endpoint: {request.method} {request.url.path}."
    if error.status_code != 404:
        message = f"{error.detail}: {request.method} {request.url.path}."
    return PortalJSON(
        {"code": code, "message": message}, error.status_code, headers=error.headers or None
    )


# --- the six detail endpoints (chiso766/standin/detail.py) ---
def _detail_routes() -> list[Route]:
    from chiso766.standin.detail import detail_routes  # imported late: it imports this module

    return detail_routes()
