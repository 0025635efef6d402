"""The stand-in portal answers the ranking call as the national portal does, over real HTTP."""

import os
import socket
import sys
import unicodedata
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

import chiso766
from chiso766.provinces import find_province
from chiso766.standin import (
    SERVICE_RESULTS_PATH,
    SYNTHETIC_HEADER,
    bundled_dataset,
    create_app,
    running_standin,
)
from chiso766.standin.dataset import GROUP_MAXIMA, synthetic_group_scores

HAI_PHONG = find_province("Hải Phòng")
JANUARY = {"timeType": "month", "year": 2026, "month": 1}
ROW_KEYS = [
    "departmentId",
    "departmentName",
    "departmentCode",
    "totalScore",
    "ratio",
    "scoreDelta",
    "childGroup",
]


@pytest.fixture(scope="module")
def portal() -> str:
    # The published data alone: generated rankings have their own tests (test_synthetic.py).
    with running_standin(app=create_app(synthetic=False)) as url:
        yield url


def ask(portal: str, body: dict) -> httpx.Response:
    return httpx.post(portal + SERVICE_RESULTS_PATH, json=body, timeout=10)


def nfc_names(rows: list[dict]) -> list[str]:
    return [unicodedata.normalize("NFC", row["departmentName"]) for row in rows]


@pytest.fixture(scope="module")
def hai_phong(portal: str) -> httpx.Response:
    return ask(portal, {**JANUARY, "rootDepartmentId": HAI_PHONG.portal_id})


def test_province_ranking_is_one_sorted_list_of_departments_and_communes(hai_phong):
    assert hai_phong.status_code == 201
    assert hai_phong.headers["content-type"] == "application/json; charset=utf-8"
    answer = hai_phong.json()
    assert (answer["code"], answer["message"]) == ("OK", "OK")

    rows = answer["data"]["evaluation"]
    assert len(rows) == 126
    assert [row["childGroup"] for row in rows].count("AGENCY") == 12
    assert [row["childGroup"] for row in rows].count("COMMUNE") == 114
    assert all(list(row) == ROW_KEYS for row in rows)
    scores = [row["totalScore"] for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_province_overview_names_the_province_without_an_id(hai_phong):
    overview = hai_phong.json()["data"]["overview"]
    assert overview["departmentName"] == "UBND thành phố Hải Phòng"
    assert overview["departmentCode"] == "H24"
    assert overview["totalMaxScore"] == 100
    assert "departmentId" not in overview


def test_published_totals_and_notice_order(hai_phong):
    rows = hai_phong.json()["data"]["evaluation"]
    communes = [row for row in rows if row["childGroup"] == "COMMUNE"]
    departments = [row for row in rows if row["childGroup"] == "AGENCY"]

    assert nfc_names(communes)[0].startswith("UBND xã Nam Thanh Miện")
    assert communes[0]["totalScore"] == 97.88
    assert nfc_names(communes)[-1].startswith("UBND Đặc khu Bạch Long Vĩ")
    assert communes[-1]["totalScore"] == 71.2
    assert nfc_names(departments)[0] == "Sở Ngoại vụ"
    assert departments[0]["totalScore"] == 95
    assert [d["totalScore"] for d in departments[8:10]] == [89.85, 89.2]
    # Equal scores keep the notice's order: Nguyên Giáp before Hồng Châu at 97.64.
    tied = nfc_names([commune for commune in communes if commune["totalScore"] == 97.64])
    assert [name.removesuffix(" - Thành phố Hải Phòng") for name in tied] == [
        "UBND xã Nguyên Giáp",
        "UBND xã Hồng Châu",
    ]


def test_names_come_as_the_portal_writes_them_misspellings_included(hai_phong):
    rows = hai_phong.json()["data"]["evaluation"]
    names = nfc_names(rows)
    text = "\n".join(names)

    for misspelt in ("Nguyễn Đại Nãng", "Kê Sặt", "Bắc An Phú", "Nguyễn Bình Khiêm"):
        assert misspelt in text
    assert "Sở Nông Nghiệp và Môi Trường - Thành phố Hải Phòng" in names
    assert "UBND Đặc khu Cát Hải" in text
    assert 30 <= sum(name.endswith(" - Thành phố Hải Phòng") for name in names) <= 50
    assert any(name.startswith("UBND Phường ") for name in names)
    assert any("Hoà" in name or "Thuỷ" in name for name in names)
    raw = [row["departmentName"] for row in rows]
    assert any(unicodedata.normalize("NFC", name) != name for name in raw)


def test_published_answer_is_marked_not_synthetic(hai_phong):
    data = hai_phong.json()["data"]
    assert data["synthetic"] is False
    assert "Hải Phòng" in data["source"]
    assert hai_phong.headers[SYNTHETIC_HEADER] == "false"


def test_paging_fields_change_nothing(portal, hai_phong):
    paged = ask(
        portal,
        {**JANUARY, "rootDepartmentId": HAI_PHONG.portal_id, "currentPage": 1, "pageSize": 300},
    )
    assert paged.status_code == 201
    assert paged.json() == hai_phong.json()


def test_national_ranking_has_generated_group_scores_marked_synthetic(portal):
    answer = ask(portal, {**JANUARY, "departmentType": "ADMINISTRATIVE_UNIT"})

    assert answer.status_code == 201
    assert answer.headers[SYNTHETIC_HEADER] == "true"
    data = answer.json()["data"]
    assert data["synthetic"] is True
    assert data["overview"]["departmentName"] == "Cả nước"
    [row] = data["evaluation"]
    assert (row["departmentId"], row["departmentCode"]) == (HAI_PHONG.portal_id, "H24")
    groups = row["groupScores"]
    assert list(groups) == list(GROUP_MAXIMA)
    assert all(0 <= groups[code] <= GROUP_MAXIMA[code] for code in groups)
    assert round(sum(groups.values()), 2) == row["totalScore"]


@pytest.mark.parametrize(
    "body",
    [
        {"timeType": "month", "year": 2026, "month": 2, "rootDepartmentId": HAI_PHONG.portal_id},
        {
            "timeType": "quarter",
            "year": 2026,
            "quarter": 1,
            "rootDepartmentId": HAI_PHONG.portal_id,
        },
        {"timeType": "year", "year": 2026, "rootDepartmentId": HAI_PHONG.portal_id},
        {**JANUARY, "rootDepartmentId": find_province("Hà Nội").portal_id},
    ],
    ids=["next-month", "quarter", "year", "other-province"],
)
def test_province_and_period_without_data_get_an_empty_answer(portal, body):
    answer = ask(portal, body)

    assert answer.status_code == 201
    data = answer.json()["data"]
    assert data["evaluation"] == []
    assert data["overview"]["totalScore"] is None
    province = find_province(body["rootDepartmentId"])
    assert data["overview"]["departmentCode"] == province.portal_code
    assert province.short_name in data["overview"]["departmentName"]


def test_national_list_without_data_is_empty(portal):
    answer = ask(
        portal,
        {"timeType": "month", "year": 2025, "month": 12, "departmentType": "ADMINISTRATIVE_UNIT"},
    )
    assert answer.status_code == 201
    assert answer.json()["data"]["evaluation"] == []
    assert answer.json()["data"]["overview"]["departmentName"] == "Cả nước"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b'{"timeType": "month", "year": 2026,', "not JSON"),
        (b'["month", 2026, 1]', "JSON object"),
        (b'{"year": 2026, "month": 1, "departmentType": "ADMINISTRATIVE_UNIT"}', "timeType"),
        (b'{"timeType": "month", "year": 2026, "departmentType": "ADMINISTRATIVE_UNIT"}', "month"),
        (b'{"timeType": "month", "year": 2026, "month": 1, "rootDepartmentId": "nope"}', "nope"),
        (b'{"timeType": "month", "year": 2026, "month": 1}', "rootDepartmentId"),
    ],
    ids=["truncated", "array", "no-time-type", "no-month", "unknown-province", "no-scope"],
)
def test_malformed_requests_get_400_with_a_json_reason(portal, body, complaint):
    answer = httpx.post(portal + SERVICE_RESULTS_PATH, content=body, timeout=10)

    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.json()["code"] == "BAD_REQUEST"
    assert complaint in answer.json()["message"]


def test_other_paths_get_404_json(portal):
    answer = httpx.post(portal + "/api/v1/reporting/evaluation/no-such-thing", json=JANUARY)
    assert answer.status_code == 404
    assert answer.json()["code"] == "NOT_FOUND"


def test_standin_runs_again_and_frees_its_port_on_exit():
    for _ in range(2):
        with running_standin() as url:
            assert ask(url, {**JANUARY, "departmentType": "ADMINISTRATIVE_UNIT"}).status_code == 201
        address = urlsplit(url)
        with pytest.raises(OSError), socket.create_connection((address.hostname, address.port), 1):
            pass


def test_period_that_has_not_begun_has_nothing_to_report():
    with running_standin(app=create_app(today=date(2025, 12, 31))) as url:
        answer = ask(url, {**JANUARY, "rootDepartmentId": HAI_PHONG.portal_id})

    assert answer.status_code == 201
    assert answer.json()["data"]["evaluation"] == []


def test_bundled_data_is_read_from_the_package_only():
    bundled_dataset()  # once, so that imports and caches do not count below
    package = Path(chiso766.__file__).resolve().parent
    touched: list[str] = []
    recording = [True]

    def record(event: str, args: tuple) -> None:
        path = args[0] if args else None
        watched = event in ("open", "os.listdir", "os.scandir")
        if recording[0] and watched and isinstance(path, (str, bytes, os.PathLike)):
            touched.append(os.fsdecode(path))

    sys.addaudithook(record)  # an audit hook cannot be removed; the flag turns it off
    try:
        dataset = bundled_dataset()
    finally:
        recording[0] = False

    assert len(dataset) == 1
    assert touched
    assert all(Path(path).resolve().is_relative_to(package) for path in touched), touched


@pytest.mark.parametrize("total", [0, 0.01, 41.5, 66.54, 95.53, 99.99, 100])
def test_synthetic_group_scores_add_up_within_their_maxima(total):
    groups = synthetic_group_scores(total, seed="31/2026-01")

    assert groups == synthetic_group_scores(total, seed="31/2026-01")
    assert round(sum(groups.values()), 2) == total
    assert all(0 <= groups[code] <= cap for code, cap in GROUP_MAXIMA.items())
