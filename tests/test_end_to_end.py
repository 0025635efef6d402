"""The foundation end to end: the stand-in over HTTP, the warehouse, the appendix files, the CLI.

The demo's tables must equal the published notice's row for row, except for the four names whose
official spelling differs from the notice's; those must be reported as corrections.
"""

import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from notice_fixture import load_notice_tables

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from load.warehouse import Warehouse

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")

# The notice's spelling → the official one (resolution 1669/NQ-UBTVQH15's list).
EXPECTED_CORRECTIONS = {
    "UBND phường Nguyễn Đại Nãng": "UBND phường Nguyễn Đại Năng",
    "UBND xã Kê Sặt": "UBND xã Kẻ Sặt",
    "UBND phường Bắc An Phú": "UBND phường Bắc An Phụ",
    "UBND xã Nguyễn Bình Khiêm": "UBND xã Nguyễn Bỉnh Khiêm",
}


def notice_with_official_names() -> dict[str, list[tuple[int, str, str]]]:
    return {
        numeral: [(stt, EXPECTED_CORRECTIONS.get(name, name), score) for stt, name, score in rows]
        for numeral, rows in load_notice_tables().items()
    }


def rows_of(appendix) -> dict[str, list[tuple[int, str, str]]]:
    return {
        table.numeral: [(row.stt, row.name, row.score_text) for row in table.rows]
        for table in appendix.tables
    }


def test_a_capture_reproduces_the_published_tables_and_reports_the_corrections(settings):
    report = jobs.capture(settings, HAI_PHONG, JANUARY)

    assert (report.departments, report.communes) == (12, 114)
    assert report.review == [] and report.new_departments == ()
    corrected = {official for _raw, official in report.corrections}
    assert corrected == set(EXPECTED_CORRECTIONS.values())
    warehouse = Warehouse(settings.database_url)
    appendix, _ = jobs.appendix_of(warehouse, HAI_PHONG, JANUARY)
    assert rows_of(appendix) == notice_with_official_names()
    assert appendix.synthetic is False


def test_the_same_capture_stored_twice_adds_nothing(settings):
    answer = jobs.fetch(settings, HAI_PHONG, JANUARY)
    warehouse = jobs.open_warehouse(settings)
    first = jobs.store(
        warehouse, answer, HAI_PHONG, JANUARY, jobs.match(answer, HAI_PHONG, warehouse)
    )
    counts = warehouse.count_rows()

    again = jobs.store(
        warehouse, answer, HAI_PHONG, JANUARY, jobs.match(answer, HAI_PHONG, warehouse)
    )

    assert first.stored.created and not again.stored.created
    assert again.stored.observation_id == first.stored.observation_id
    assert warehouse.count_rows() == counts
    assert counts["score"] == 126 and counts["observation"] == 1


def test_the_warehouse_keeps_every_portal_spelling_as_an_alias(settings):
    jobs.capture(settings, HAI_PHONG, JANUARY)
    warehouse = Warehouse(settings.database_url)

    register = {d.display_name: d for d in warehouse.department_register(HAI_PHONG.code)}

    assert len(register) == 12
    assert "Sở Nông Nghiệp và Môi Trường - Thành phố Hải Phòng" in (
        register["Sở Nông nghiệp và Môi trường"].aliases
    )
    assert warehouse.count_rows()["unit_alias"] == 126


@pytest.mark.postgres
def test_the_warehouse_works_the_same_on_postgresql(settings, postgres_url):
    on_postgres = settings.with_overrides(database_url=postgres_url)

    report = jobs.capture(on_postgres, HAI_PHONG, JANUARY)
    warehouse = Warehouse(postgres_url)
    appendix, _ = jobs.appendix_of(warehouse, HAI_PHONG, JANUARY)

    assert report.stored.created
    assert rows_of(appendix) == notice_with_official_names()
    scores = warehouse.observation_scores(report.stored.observation_id)
    assert scores.loc[scores["position"] == 1, "total_score"].item() == 97.88
    warehouse.close()


def test_the_appendix_files_read_back_equal_the_notice(settings, tmp_path):
    jobs.capture(settings, HAI_PHONG, JANUARY)
    warehouse = Warehouse(settings.database_url)

    report = jobs.emit(warehouse, HAI_PHONG, JANUARY, tmp_path / "out", ("xlsx", "docx"))

    expected = notice_with_official_names()
    [xlsx] = [p for p in report.files if p.suffix == ".xlsx"]
    book = openpyxl.load_workbook(xlsx)
    for numeral, sheet in (("I", "Phụ lục I"), ("II", "Phụ lục II")):
        [table] = book[sheet].tables.values()
        cells = book[sheet][table.ref]
        body = [[cell.value for cell in row] for row in cells[1:]]
        assert [(stt, name, _text(score)) for stt, name, score in body] == expected[numeral]
    [docx_path] = [p for p in report.files if p.suffix == ".docx"]
    document = docx.Document(docx_path)
    assert len(document.tables) == 2
    for numeral, table in zip(("I", "II"), document.tables, strict=True):
        body = [tuple(cell.text for cell in row.cells) for row in table.rows[1:]]
        assert body == [(str(stt), name, score) for stt, name, score in expected[numeral]]


def _text(score) -> str:
    return format(score, "g") if isinstance(score, float) else str(score)


@pytest.mark.flow
def test_the_flow_captures_and_emits(prefect_harness, settings, tmp_path):
    from flows.capture import capture_period

    report, appendix = capture_period(
        settings, "hai phong", "2026-01", out_dir=tmp_path / "files", formats=("csv", "md")
    )

    assert report.stored.created and len(report.corrections) == 4
    names = sorted(p.name for p in appendix.files)
    assert names == [
        "phu-luc-II_hai-phong_2026-01.csv",
        "phu-luc-I_hai-phong_2026-01.csv",
        "phu-luc_hai-phong_2026-01.md",
    ]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chiso766", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--province", "Hải Phong x", "--period", "2026-01"], "closest are: Hải Phòng"),
        (["--province", "Hải Phòng", "--period", "2026-1-5"], "2026-01 (a month), 2026-Q1"),
        (["--province", "Hải Phòng", "--period", "2099-01"], "is in the future"),
        (
            ["--province", "31", "--period", "2026-01", "--format", "pdf"],
            "format 'pdf' is not known",
        ),
        (["--province", "31", "--period", "2026-01", "--db", "nosuch://x"], "sqlite:// and"),
        (["--province", "31", "--period", "2026-01", "--db", "not a url"], "not understood"),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_code_2(args, words, tmp_path):
    result = run_cli("appendix", *args, "--out", str(tmp_path))

    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_appendix_of_an_empty_warehouse_says_what_to_run(tmp_path):
    db = f"sqlite:///{tmp_path / 'empty.sqlite'}"

    result = run_cli("appendix", "--province", "31", "--period", "2026-01", "--db", db)

    assert result.returncode == 6
    assert "holds no ranking of Hải Phòng for 2026-01" in result.stderr
    assert "chiso766 capture" in result.stderr


def test_the_appendix_command_reads_the_warehouse_without_prefect(settings, tmp_path):
    jobs.capture(settings, HAI_PHONG, JANUARY)
    code = (
        "import sys; from chiso766.cli import main; "
        f"rc = main(['appendix', '--province', '31', '--period', '2026-01', '--db', "
        f"{settings.database_url!r}, '--out', {str(tmp_path / 'files')!r}]); "
        "print('prefect loaded' if 'prefect' in sys.modules else 'no prefect'); sys.exit(rc)"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert "no prefect" in result.stdout
    assert len(list((tmp_path / "files").iterdir())) == 5


def test_a_capture_from_an_unreachable_portal_ends_in_one_sentence(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = tmp_path / "w.sqlite"
    env = {**_clean_env(), "CHISO766_DATA_DIR": str(tmp_path), "CHISO766_MAX_RETRIES": "1"}
    result = run_cli(
        "capture", "--province", "31", "--period", "2026-01",
        "--portal", f"http://127.0.0.1:{port}", "--db", f"sqlite:///{db}", "--min-interval", "0",
        env=env,
    )  # fmt: skip

    assert result.returncode == 3, result.stderr
    assert (
        "did not answer" in result.stderr
        and "after 2 attempts" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def _clean_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("CHISO766_")}


def test_credentials_in_the_database_url_are_never_shown(tmp_path):
    url = "postgresql://analyst:s3cret-pw@127.0.0.1:1/nowhere"

    result = run_cli("appendix", "--province", "31", "--period", "2026-01", "--db", url)

    assert result.returncode == 6
    assert "s3cret-pw" not in result.stderr and "analyst:***@" in result.stderr


def test_nothing_in_the_project_reads_the_shared_reference_folder():
    root = Path(__file__).resolve().parents[1]
    offenders = [
        path
        for folder in ("chiso766", "extract", "transform", "load", "emit", "flows", "tests")
        for path in (root / folder).rglob("*.py")
        if "../shared" in path.read_text(encoding="utf-8") and path.name != Path(__file__).name
    ]
    assert offenders == []
