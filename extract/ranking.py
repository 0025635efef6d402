"""The ranking call, ``service-results``: national (34 provinces) or scoped to one province."""

from chiso766.periods import Period
from chiso766.provinces import Province
from extract.client import Answer, PortalClient

RANKING_ENDPOINT = "service-results"


def province_ranking_body(province: Province, period: Period) -> dict:
    """The body that asks for every department and commune of one province, one list."""
    return {**period.portal_fields(), "rootDepartmentId": province.portal_id}


def national_ranking_body(period: Period) -> dict:
    return {**period.portal_fields(), "departmentType": "ADMINISTRATIVE_UNIT"}


def fetch_province_ranking(client: PortalClient, province: Province, period: Period) -> Answer:
    """One province's ranking of departments and commune-level units for ``period``."""
    body = province_ranking_body(province, period)
    return client.post(RANKING_ENDPOINT, body, scope=province.code, period=period.label)


def fetch_national_ranking(client: PortalClient, period: Period) -> Answer:
    """The 34 provinces' scores with their six group scores, for ``period``."""
    body = national_ranking_body(period)
    return client.post(RANKING_ENDPOINT, body, scope="national", period=period.label)
