"""Time the analysts' views on a warehouse of generated scores.

    uv run python benchmarks/bench_views.py [--db URL] [--years 5] [--repeat 5]

Fills a fresh warehouse (a temporary SQLite file unless ``--db`` names an empty database) with
``--years`` × 12 months × 34 provinces of GENERATED rankings: every official commune of each
province and 13 departments per province, scores drawn at random. Every observation is marked
``synthetic`` with the source note 'synthetic benchmark data'. Then runs a typical analyst query
per view ``--repeat`` times and prints rows, median and max milliseconds.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, text

from chiso766.provinces import all_provinces
from load.engine import safe_url
from load.models import CaptureRow, ObservationRow, ScoreRow, UnitRow
from load.views import create_views
from load.warehouse import Warehouse

SOURCE_NOTE = "synthetic benchmark data"
DEPARTMENTS_PER_PROVINCE = 13
DEPARTMENT_NAMES = [
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương", "Sở Xây dựng",
    "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch", "Thanh tra tỉnh",
    "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ",
]  # fmt: skip


def fill(engine: Engine, years: int, seed: int = 766) -> int:
    """Write the generated rankings; return how many score rows were written."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    _register_departments(engine, now)
    with engine.connect() as connection:
        units = connection.execute(select(UnitRow.id, UnitRow.province_code, UnitRow.kind)).all()
    by_province: dict[str, list[tuple[int, str]]] = {}
    for unit_id, province_code, kind in units:
        by_province.setdefault(province_code, []).append((unit_id, kind))

    first_year = now.year - years
    captures, observations, scores = [], [], []
    observation_id = 0
    base = {unit_id: rng.uniform(70, 98) for unit_id, _, _ in units}
    for year in range(first_year, first_year + years):
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            captured_at = datetime(year, month, 28, 3, 0, tzinfo=UTC)
            for province in all_provinces():
                observation_id += 1
                members = by_province[province.code]
                captures.append(_capture(observation_id, province.code, period, captured_at))
                observations.append(
                    _observation(observation_id, province.code, period, captured_at, members)
                )
                # Ranks repeat scores to two decimals, as the portal does, so ties occur.
                rows = [
                    (unit_id, kind, round(min(100.0, base[unit_id] + rng.gauss(0, 2)), 2))
                    for unit_id, kind in members
                ]
                for position, (unit_id, kind, score) in enumerate(
                    sorted(rows, key=lambda row: -row[2]), start=1
                ):
                    scores.append(_score(observation_id, position, unit_id, kind, score))

    with engine.begin() as connection:
        connection.execute(insert(CaptureRow), captures)
        connection.execute(insert(ObservationRow), observations)
        for start in range(0, len(scores), 50_000):
            connection.execute(insert(ScoreRow), scores[start : start + 50_000])
    return len(scores)


def _register_departments(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        present = {
            code
            for (code,) in connection.execute(
                select(UnitRow.province_code).where(UnitRow.kind == "department").distinct()
            )
        }
        rows = [
            {
                "province_code": province.code,
                "kind": "department",
                "name": name,
                "origin": "seed",
                "created_at": now,
            }
            for province in all_provinces()
            if province.code not in present
            for name in DEPARTMENT_NAMES[:DEPARTMENTS_PER_PROVINCE]
        ]
        if rows:
            connection.execute(insert(UnitRow), rows)


def _capture(capture_id: int, province_code: str, period: str, captured_at: datetime) -> dict:
    return {
        "id": capture_id,
        "endpoint": "synthetic-benchmark",
        "scope": province_code,
        "period": period,
        "url": "synthetic:",
        "request_body": "{}",
        "status": 200,
        "content_type": "application/json",
        "sha256": f"{capture_id:064d}",
        "bytes": 0,
        "captured_at": captured_at,
        "archive_path": None,
    }


def _observation(observation_id, province_code, period, captured_at, members) -> dict:
    departments = sum(1 for _, kind in members if kind == "department")
    return {
        "id": observation_id,
        "province_code": province_code,
        "period": period,
        "period_kind": "month",
        "capture_id": observation_id,
        "content_sha256": f"{observation_id:064d}",
        "captured_at": captured_at,
        "last_seen_at": captured_at,
        "departments": departments,
        "communes": len(members) - departments,
        "synthetic": True,
        "source_note": SOURCE_NOTE,
    }


def _score(observation_id: int, position: int, unit_id: int, kind: str, score: float) -> dict:
    return {
        "observation_id": observation_id,
        "position": position,
        "unit_id": unit_id,
        "kind": kind,
        "raw_name": f"unit {unit_id}",
        "portal_id": str(unit_id),
        "portal_code": None,
        "total_score": score,
        "ratio": None,
        "score_delta": None,
        "match": "exact",
        "corrected": False,
        "review_reason": None,
    }


def queries(engine: Engine) -> list[tuple[str, str, dict]]:
    """A typical analyst question per view, and a full count of each."""
    with engine.connect() as connection:
        period = connection.scalar(text("SELECT MAX(period) FROM observation"))
        unit_id = connection.scalar(
            text("SELECT MIN(id) FROM unit WHERE province_code = '31' AND kind = 'xa'")
        )
    one = {"province": "31", "period": period}
    views = [
        "v_latest_observation", "v_latest_scores", "v_unit_rank", "v_unit_change",
        "v_unit_history", "v_province_summary",
    ]  # fmt: skip
    where = "WHERE province_code = :province AND period = :period"
    return [
        ("v_latest_observation", f"SELECT * FROM v_latest_observation {where}", one),
        ("v_latest_scores", f"SELECT * FROM v_latest_scores {where}", one),
        ("v_unit_rank", f"SELECT * FROM v_unit_rank {where} ORDER BY kind_group, stt", one),
        ("v_unit_change", f"SELECT * FROM v_unit_change {where} ORDER BY rank_change", one),
        ("v_unit_change", "SELECT * FROM v_unit_change WHERE period = :period",
         {"period": period}),
        ("v_unit_history",
         "SELECT * FROM v_unit_history WHERE unit_id = :unit ORDER BY period_kind, period",
         {"unit": unit_id}),
        ("v_province_summary", "SELECT * FROM v_province_summary WHERE period = :period",
         {"period": period}),
        ("v_province_summary", f"SELECT * FROM v_province_summary {where}", one),
        *((view, f"SELECT COUNT(*) FROM {view}", {}) for view in views),
        ("v_unit_rank", "SELECT * FROM v_unit_rank", {}),
    ]  # fmt: skip


def time_queries(engine: Engine, repeat: int) -> list[tuple[str, str, int, float, float]]:
    """Run each query ``repeat`` times; return (view, query, rows, median ms, max ms)."""
    results = []
    with engine.connect() as connection:
        for view, sql, params in queries(engine):
            timings, rows = [], 0
            for _ in range(repeat):
                start = time.perf_counter()
                rows = len(connection.execute(text(sql), params).all())
                timings.append((time.perf_counter() - start) * 1000)
            results.append((view, _shorten(sql), rows, statistics.median(timings), max(timings)))
    return results


def _shorten(sql: str) -> str:
    return sql.replace("SELECT * FROM ", "").replace("SELECT COUNT(*) FROM ", "COUNT(*) ")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty warehouse URL (default: a temporary SQLite file)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    folder = tempfile.TemporaryDirectory(prefix="chiso766-bench-")
    url = args.db or f"sqlite:///{Path(folder.name) / 'warehouse.sqlite'}"
    warehouse = Warehouse(url)
    warehouse.initialise()
    start = time.perf_counter()
    written = fill(warehouse.engine, args.years)
    create_views(warehouse.engine)
    print(
        f"Filled {safe_url(url)} with {written:,} synthetic score rows "
        f"({args.years} years × 12 months × 34 provinces) in {time.perf_counter() - start:.1f} s."
    )
    with warehouse.engine.begin() as connection:
        connection.execute(text("ANALYZE"))

    results = time_queries(warehouse.engine, args.repeat)
    print("\n| view | query | rows | median ms | max ms |\n|---|---|---:|---:|---:|")
    for view, sql, rows, median, worst in results:
        print(f"| {view} | `{sql}` | {rows:,} | {median:.1f} | {worst:.1f} |")
    warehouse.close()
    folder.cleanup()


if __name__ == "__main__":
    main()
