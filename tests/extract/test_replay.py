"""Replaying the raw archive answers without the network and rebuilds the warehouse exactly."""

import json

import httpx
import pytest
from sqlalchemy import select

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import find_province
from extract.exceptions import PortalError
from extract.replay import ReplayTransport
from load.models import CaptureRow, ObservationRow, ScoreRow, UnitAliasRow
from load.warehouse import Warehouse

HAI_PHONG = find_province("Hải Phòng")
JANUARY = Period.parse("2026-01")


def files_of(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def contents(url: str) -> dict:
    """Every row of the history tables, without surrogate ids and archive paths."""
    warehouse = Warehouse(url)
    tables = {
        "capture": select(CaptureRow).order_by(CaptureRow.captured_at),
        "observation": select(ObservationRow).order_by(ObservationRow.captured_at),
        "score": select(ScoreRow).order_by(ScoreRow.observation_id, ScoreRow.position),
        "unit_alias": select(UnitAliasRow).order_by(UnitAliasRow.unit_id, UnitAliasRow.spelling),
    }
    skip = {"id", "capture_id", "observation_id", "first_capture_id", "archive_path"}
    found = {}
    from sqlalchemy.orm import Session

    with Session(warehouse.engine) as session:
        for name, query in tables.items():
            found[name] = [
                {k: v for k, v in vars(row).items() if k not in skip and not k.startswith("_")}
                for row in session.scalars(query)
            ]
    warehouse.close()
    for rows in found.values():
        for row in rows:
            for key, value in row.items():
                if hasattr(value, "tzinfo") and value.tzinfo is not None:
                    row[key] = value.replace(tzinfo=None)  # SQLite vs PG: both are UTC
    return found


def test_a_replay_into_a_fresh_warehouse_reproduces_the_original(settings, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        database_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    original = jobs.capture(settings, HAI_PHONG, JANUARY)
    archived = files_of(settings.archive_dir)
    replaying = settings.with_overrides(
        portal_url=f"replay:{settings.archive_dir}", database_url=database_url
    )

    replayed = jobs.capture(replaying, HAI_PHONG, JANUARY)
    again = jobs.capture(replaying, HAI_PHONG, JANUARY)

    assert replayed.stored.created and not again.stored.created
    assert files_of(settings.archive_dir) == archived  # the archive did not grow
    assert contents(database_url) == contents(settings.database_url)
    assert original.departments == replayed.departments


def test_replaying_into_the_same_warehouse_adds_nothing(settings):
    jobs.capture(settings, HAI_PHONG, JANUARY)
    warehouse = Warehouse(settings.database_url)
    counts = warehouse.count_rows()

    report = jobs.capture(
        settings.with_overrides(portal_url=f"replay:{settings.archive_dir}"), HAI_PHONG, JANUARY
    )
    reports = jobs.replay_archive(warehouse, settings.archive_dir)

    assert not report.stored.created and [r.stored.created for r in reports] == [False]
    assert warehouse.count_rows() == counts
    warehouse.close()


def test_the_replay_command_rebuilds_a_warehouse(settings, tmp_path, capsys):
    from chiso766.cli import main

    jobs.capture(settings, HAI_PHONG, JANUARY)
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"

    code = main(["replay", "--archive", str(settings.archive_dir), "--db", fresh])

    assert code == 0
    assert "1 new observations" in capsys.readouterr().out
    assert contents(fresh) == contents(settings.database_url)


def test_a_request_the_archive_never_saw_is_a_plain_error(tmp_path):
    client = httpx.Client(transport=ReplayTransport(tmp_path))

    with pytest.raises(PortalError, match="holds no answer for service-results"):
        client.post("http://archive.replay/api/v1/reporting/evaluation/service-results", json={})


def test_replay_in_turn_serves_each_archived_answer_once(settings):
    jobs.capture(settings, HAI_PHONG, JANUARY)
    [meta] = settings.archive_dir.rglob("*.json")
    body = json.loads(meta.read_text("utf-8"))["request_body"]
    client = httpx.Client(transport=ReplayTransport(settings.archive_dir, in_turn=True))
    url = "http://archive.replay/api/v1/reporting/evaluation/service-results"

    first = client.post(url, json=body)

    assert first.status_code == json.loads(meta.read_text("utf-8"))["status"]
    assert first.content == meta.with_suffix(".body").read_bytes()
    with pytest.raises(PortalError):
        client.post(url, json=body)
