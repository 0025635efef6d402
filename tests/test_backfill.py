"""The backfill: a range of months for several provinces, resumed after an interruption.

The stand-in is fixed at 20 October 2026 so that it answers every request the same way however
often it is asked; otherwise a month still in its grace days would change between two runs.
"""

from datetime import date

import pytest
from sqlalchemy import create_engine, text

import load.warehouse
from chiso766.standin import create_app, running_standin

pytestmark = pytest.mark.flow

PROVINCES = ["Hải Phòng", "Gia Lai", "Phú Thọ"]
STANDIN_TODAY = date(2026, 10, 20)

# The warehouse's content with what legitimately differs between two runs left out: surrogate
# ids (replaced by the natural keys they point to), capture and registration times, and archive
# paths (both name the time of capture). Everything else must be equal row for row.
CONTENT = {
    "province": "SELECT code, name, portal_code, portal_id FROM province",
    "unit": "SELECT province_code, kind, official_code, name, portal_id, portal_code, origin "
    "FROM unit",
    "unit_alias": "SELECT u.province_code, u.kind, u.name, a.spelling, a.endpoint, a.period "
    "FROM unit_alias a JOIN unit u ON u.id = a.unit_id",
    "capture": "SELECT endpoint, scope, period, url, request_body, status, content_type, sha256, "
    "bytes FROM capture",
    "observation": "SELECT o.province_code, o.period, o.period_kind, o.content_sha256, "
    "o.departments, o.communes, o.synthetic, o.source_note, c.sha256 "
    "FROM observation o JOIN capture c ON c.id = o.capture_id",
    "score": "SELECT o.province_code, o.period, s.position, u.kind, u.name, s.kind, s.raw_name, "
    "s.portal_id, s.portal_code, s.total_score, s.ratio, s.score_delta, s.match, s.corrected, "
    "s.review_reason FROM score s JOIN observation o ON o.id = s.observation_id "
    "LEFT JOIN unit u ON u.id = s.unit_id",
}


def content(database_url: str) -> dict[str, list[tuple]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        tables = {
            name: sorted(connection.execute(text(query)).all(), key=repr)
            for name, query in CONTENT.items()
        }
    engine.dispose()
    return tables


@pytest.fixture(scope="module")
def fixed_standin():
    with running_standin(app=create_app(today=STANDIN_TODAY)) as url:
        yield url


def run_backfill(settings, url, first="2026-01", last="2026-04", **options):
    from flows.backfill import backfill

    return backfill(settings.with_overrides(portal_url=url), PROVINCES, first, last, **options)


def test_a_backfill_fills_every_month_of_three_provinces(prefect_harness, settings, fixed_standin):
    report = run_backfill(settings, fixed_standin)

    assert report.counts()["captured"] == 12 and not report.blocked
    observed = content(settings.database_url)["observation"]
    assert sorted({(row[0], row[1]) for row in observed}) == sorted(
        (code, month)
        for code in ("31", "52", "25")
        for month in ("2026-01", "2026-02", "2026-03", "2026-04")
    )
    assert len(observed) == 12


def test_a_second_backfill_skips_final_months_and_refresh_fetches_them_again(
    prefect_harness, settings, fixed_standin
):
    run_backfill(settings, fixed_standin, last="2026-02")
    before = content(settings.database_url)

    again = run_backfill(settings, fixed_standin, last="2026-02")
    refreshed = run_backfill(settings, fixed_standin, last="2026-02", refresh=True)

    assert again.counts()["final"] == 6 and again.counts()["captured"] == 0
    assert refreshed.counts()["identical"] == 6
    assert content(settings.database_url) == before


class Interrupted(Exception):
    """Stands for Ctrl-C or a kill in the middle of storing a month."""


def test_a_backfill_interrupted_halfway_and_run_again_ends_as_one_run_straight_through(
    prefect_harness, settings, fixed_standin, tmp_path, monkeypatch
):
    straight = settings.with_overrides(database_url=f"sqlite:///{tmp_path / 'straight.sqlite'}")
    run_backfill(straight, fixed_standin)

    # Fail inside the seventh month's transaction, after its capture, observation and scores
    # were written to the session and before it commits.
    real_record_aliases, calls = load.warehouse._record_aliases, []

    def record_aliases_then_stop(*args, **kwargs):
        calls.append(1)
        if len(calls) == 7:
            raise Interrupted("stopped while storing the seventh month")
        return real_record_aliases(*args, **kwargs)

    monkeypatch.setattr(load.warehouse, "_record_aliases", record_aliases_then_stop)
    with pytest.raises(Interrupted):
        run_backfill(settings, fixed_standin)
    stopped = content(settings.database_url)
    monkeypatch.setattr(load.warehouse, "_record_aliases", real_record_aliases)

    resumed = run_backfill(settings, fixed_standin)

    assert len(stopped["observation"]) == 6  # the six months stored before, nothing partial
    assert len(stopped["capture"]) == 6
    assert resumed.counts()["final"] == 6 and resumed.counts()["captured"] == 6
    assert content(settings.database_url) == content(straight.database_url)
