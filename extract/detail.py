"""The six detail endpoints: one per score group of the 766 index, for one province and period.

Each endpoint answers one group for every department and commune of a province. Three answer
with metric records that page (``data.pagination.totalPages``: every page is fetched); the three
``-tree`` endpoints answer with ``data.parent`` and all ``data.children`` at once, whatever the
paging fields say. Two spellings differ from the rest: ``handling-satisfaction`` takes a date
range instead of ``timeType``, and ``dossier-digitized`` spells its procedure filter
``formalityID``.
"""

import logging
from dataclasses import dataclass
from typing import Any, Literal

from chiso766.periods import Period
from chiso766.provinces import Province
from extract.client import Answer, PortalClient
from extract.exceptions import PortalAnswerError

logger = logging.getLogger(__name__)

Shape = Literal["metrics", "tree"]


@dataclass(frozen=True)
class DetailEndpoint:
    """What one detail endpoint answers: its score group, the group's maximum, its shape."""

    group_code: str
    max_score: int
    shape: Shape
    page_size: int


# Endpoint → the group it scores. CKMB: công khai, minh bạch (transparency); TDGQ: tiến độ giải
# quyết (progress); CLGQ: cung cấp dịch vụ trực tuyến (online provision); TTTT: thanh toán trực
# tuyến (online payment); MDHL: mức độ hài lòng (satisfaction); MDSH: mức độ số hóa (digitisation).
DETAIL_ENDPOINTS: dict[str, DetailEndpoint] = {
    "transparency": DetailEndpoint("CKMB", 18, "metrics", 200),
    "dvc-progress-tree": DetailEndpoint("TDGQ", 20, "tree", 100),
    "provide-online-tree": DetailEndpoint("CLGQ", 12, "tree", 100),
    "formality-online-payment-tree": DetailEndpoint("TTTT", 10, "tree", 100),
    "handling-satisfaction": DetailEndpoint("MDHL", 18, "metrics", 200),
    "dossier-digitized": DetailEndpoint("MDSH", 22, "metrics", 200),
}
DATE_RANGE_ENDPOINTS = frozenset({"handling-satisfaction"})
# The procedure filter's key; every endpoint but one spells it formalityId.
FORMALITY_KEYS = {"dossier-digitized": "formalityID"}
# A safety stop: a portal that keeps announcing more pages must not keep us fetching forever.
MAX_PAGES = 50


def detail_body(
    endpoint: str,
    province: Province,
    period: Period,
    page: int = 1,
    formality_id: str | None = None,
    *,
    page_size: int | None = None,
) -> dict[str, Any]:
    """The request body of one page of a detail endpoint, spelt as that endpoint wants it."""
    spec = DETAIL_ENDPOINTS[endpoint]
    body: dict[str, Any] = {
        "rootDepartmentId": province.portal_id,
        "currentPage": page,
        "pageSize": page_size or spec.page_size,
    }
    if endpoint in DATE_RANGE_ENDPOINTS:
        body["fromDate"] = period.first_day.isoformat()
        body["toDate"] = period.last_day.isoformat()
    else:
        body.update(period.portal_fields())
    if formality_id:
        body[FORMALITY_KEYS.get(endpoint, "formalityId")] = formality_id
    return body


def _total_pages(answer: Answer, endpoint: str, subject: str) -> int:
    pagination = answer.data.get("pagination")
    if not isinstance(pagination, dict):
        raise PortalAnswerError(
            f"The portal's answer to {endpoint} for {subject} has no pagination."
        )
    pages = pagination.get("totalPages")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise PortalAnswerError(
            f"The portal's answer to {endpoint} for {subject} has totalPages {pages!r}, "
            "not a whole number."
        )
    return max(pages, 1)


def fetch_detail(
    client: PortalClient,
    endpoint: str,
    province: Province,
    period: Period,
    formality_id: str | None = None,
    *,
    page_size: int | None = None,
) -> list[Answer]:
    """Every page of one detail endpoint for a province and period, in page order."""
    spec = DETAIL_ENDPOINTS[endpoint]
    subject = f"{province.short_name} {period.label}"

    def page(number: int) -> Answer:
        body = detail_body(endpoint, province, period, number, formality_id, page_size=page_size)
        return client.post(endpoint, body, scope=province.code, period=period.label)

    answers = [page(1)]
    if spec.shape == "tree":  # the tree endpoints return every child on the first page
        return answers
    pages = _total_pages(answers[0], endpoint, subject)
    if pages > MAX_PAGES:
        raise PortalAnswerError(
            f"The portal's answer to {endpoint} for {subject} announces {pages} pages, more than "
            f"the {MAX_PAGES} a province can fill; use a larger page size."
        )
    answers.extend(page(number) for number in range(2, pages + 1))
    return answers


def fetch_details(
    client: PortalClient,
    province: Province,
    period: Period,
    formality_id: str | None = None,
    *,
    page_size: int | None = None,
) -> list[Answer]:
    """Every page of the six detail endpoints, in the order of ``DETAIL_ENDPOINTS``."""
    answers: list[Answer] = []
    for endpoint in DETAIL_ENDPOINTS:
        pages = fetch_detail(client, endpoint, province, period, formality_id, page_size=page_size)
        logger.info(
            "fetched %s of %s %s: %d page(s)", endpoint, province.short_name, period, len(pages)
        )
        answers.extend(pages)
    return answers
