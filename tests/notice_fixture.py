"""The appendix tables of the published notice of Hải Phòng for January 2026, as test data."""

import csv
from pathlib import Path

NOTICE_APPENDIX_CSV = Path(__file__).parent / "fixtures" / "notice-2026-01-hai-phong-appendix.csv"


def load_notice_tables() -> dict[str, list[tuple[int, str, str]]]:
    """{"I": [(stt, name, score_text), …], "II": […]} in the order the notice prints them."""
    tables: dict[str, list[tuple[int, str, str]]] = {"I": [], "II": []}
    with NOTICE_APPENDIX_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            tables[row["appendix"]].append((int(row["stt"]), row["name"], row["score"]))
    return tables
