"""Unit names are data, never code; credentials never leak; the parsers only raise our errors."""

import contextlib
import csv
import json
import logging
from dataclasses import replace

import openpyxl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chiso766 import jobs
from chiso766.errors import Chiso766Error
from chiso766.periods import Period
from chiso766.provinces import find_province
from chiso766.standin import Dataset, bundled_dataset, create_app, running_standin
from extract.archive import RawAnswer, utc_now
from extract.client import _validated
from extract.waf import describe_block_page
from load.warehouse import Warehouse
from transform.detail import parse_detail
from transform.ranking import parse_ranking

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")
HOSTILE = [
    '=HYPERLINK("http://evil.example/x","click")',
    "+1",
    "-1",
    "@x",
    'UBND xã "Quote\'d"; DROP TABLE score; --',
    "UBND xã ../../etc/passwd",
    "UBND xã Line\nBreak",
]


def hostile_dataset() -> Dataset:
    ranking = bundled_dataset().ranking(HAI_PHONG, JANUARY)
    rows = [dict(row) for row in ranking.evaluation]
    # Departments: a new one is registered under its portal name and printed as it is.
    departments = [row for row in rows if row["childGroup"] == "AGENCY"]
    for row, name in zip(departments[-len(HOSTILE) :], HOSTILE, strict=True):
        row["departmentName"] = name
    return Dataset.of([replace(ranking, evaluation=tuple(rows))])


def test_hostile_unit_names_are_stored_and_written_as_plain_text(settings, tmp_path):
    with running_standin(app=create_app(hostile_dataset(), synthetic=False)) as url:
        report = jobs.capture(settings.with_overrides(portal_url=url), HAI_PHONG, JANUARY)
    warehouse = Warehouse(settings.database_url)
    try:
        assert warehouse.count_rows()["score"] == 126
        written = jobs.emit(warehouse, HAI_PHONG, JANUARY, tmp_path / "out", ("csv", "xlsx"))
    finally:
        warehouse.close()
    assert len(report.new_departments) == len(HOSTILE)

    files = {path.suffix: path for path in written.files}
    assert all(path.parent == tmp_path / "out" for path in written.files)
    texts = [
        cell
        for path in written.files
        if path.suffix == ".csv"
        for row in csv.reader(path.open(encoding="utf-8-sig"))
        for cell in row
    ]
    for dangerous in ("=HYPERLINK", "+1", "-1", "@x"):
        assert not any(cell.startswith(dangerous) for cell in texts)
    assert any(cell.startswith("'=HYPERLINK") for cell in texts)
    book = openpyxl.load_workbook(files[".xlsx"])
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = {c.value for c in cells if isinstance(c.value, str)}
    assert any("HYPERLINK" in v for v in values)
    assert any("DROP TABLE score" in v for v in values)


def test_a_password_in_a_database_url_never_reaches_logs_or_errors(settings, caplog, tmp_path):
    url = "postgresql://analyst:s3cret-pw@127.0.0.1:1/nowhere"
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(Chiso766Error) as error:
            jobs.open_warehouse(settings.with_overrides(database_url=url))
    assert "s3cret-pw" not in str(error.value)
    assert "s3cret-pw" not in caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes()


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
_row = st.fixed_dictionaries(
    {},
    optional={
        "departmentId": _json,
        "departmentName": st.text(max_size=20) | _json,
        "departmentCode": _json,
        "totalScore": st.floats(allow_nan=True) | _json,
        "childGroup": st.sampled_from(["AGENCY", "COMMUNE", "X"]) | _json,
        "score": _json,
        "metrics": _json,
    },
)
_payload = st.fixed_dictionaries(
    {"code": st.sampled_from(["OK", "ERR"]) | _json},
    optional={
        "data": st.fixed_dictionaries(
            {},
            optional={
                "overview": _row | _json,
                "parent": _row | _json,
                "evaluation": st.lists(_row, max_size=4) | _json,
                "children": st.lists(_row, max_size=4) | _json,
                "pagination": _json,
            },
        )
        | _json
    },
)
FUZZ = hypothesis_settings(max_examples=200, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


@FUZZ
@given(_payload | _json)
def test_parse_ranking_raises_only_its_own_errors(payload):
    with contextlib.suppress(Chiso766Error):
        parse_ranking(payload, HAI_PHONG)


@FUZZ
@given(
    st.sampled_from(["transparency", "dvc-progress-tree", "no-such"]),
    st.lists(_payload | _json, max_size=3),
)
def test_parse_detail_raises_only_its_own_errors(endpoint, payloads):
    with contextlib.suppress(Chiso766Error):
        parse_detail(endpoint, payloads, HAI_PHONG)


@FUZZ
@given(st.binary(max_size=200) | _json.map(lambda v: json.dumps(v).encode()), st.integers(100, 599))
def test_the_envelope_check_raises_only_its_own_errors(body, status):
    raw = RawAnswer("service-results", "http://x", {}, status, "application/json", body,
                    "0" * 64, utc_now())  # fmt: skip
    with contextlib.suppress(Chiso766Error):
        _validated(raw, "service-results for 31 2026-01")


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_reading_a_block_page_never_fails(body):
    title, support_id = describe_block_page(body)
    assert isinstance(title, str) and isinstance(support_id, str)
