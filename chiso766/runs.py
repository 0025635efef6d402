"""The plain functions under the nightly and backfill flows: capture unless final, the run log.

``capture_unless_final`` is one step of either flow: it looks in the warehouse first and fetches
only what may still change. ``record_run`` appends one JSON line per run to
``<data dir>/runs.jsonl``, so that why a night stopped (a block by the firewall) stays on record
after the process has gone; nothing in it is read back, and the next run starts afresh.
"""

import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from chiso766 import jobs
from chiso766.periods import Period
from chiso766.provinces import Province
from chiso766.settings import Settings
from load.warehouse import Warehouse
from transform.history import FINAL, observation_status

logger = logging.getLogger(__name__)

Outcome = Literal["captured", "final", "identical", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("captured", "final", "identical", "failed")
RUN_LOG = "runs.jsonl"


@dataclass(frozen=True)
class PeriodResult:
    """What one step did to one province and period; ``reason`` says why it failed."""

    province: str  # the province's short name
    period: str
    outcome: Outcome
    observation_id: int | None = None
    reason: str = ""


@dataclass
class RunReport:
    """What a nightly or backfill run did, step by step, and why it stopped if it did."""

    flow: str
    results: list[PeriodResult] = field(default_factory=list)
    blocked: str = ""  # the firewall's refusal that stopped the run, if any
    files: list[Path] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(result.outcome for result in self.results)

    @property
    def nothing_new(self) -> bool:
        return not self.blocked and self.counts()["captured"] == 0


def is_final(warehouse: Warehouse, province: Province, period: Period) -> bool:
    """Whether the warehouse's latest observation of the province and period is final."""
    latest = warehouse.latest_observation(province.code, period.label)
    return latest is not None and observation_status(period, latest.captured_at) == FINAL


def capture_unless_final(
    settings: Settings,
    warehouse: Warehouse,
    province: Province,
    period: Period,
    *,
    refresh: bool = False,
    detail: bool = False,
) -> PeriodResult:
    """Fetch and store the province and period unless the warehouse already holds it final.

    A fetched answer the warehouse already holds adds no row (``identical``). Portal errors
    propagate: the flow decides whether they stop the run.
    """
    if not refresh and is_final(warehouse, province, period):
        logger.info("%s %s is final in the warehouse; not fetched", province.short_name, period)
        return PeriodResult(province.short_name, period.label, "final")

    answer = jobs.fetch(settings, province, period)
    report = jobs.store(
        warehouse, answer, province, period, jobs.match(answer, province, warehouse)
    )
    if detail and report.stored.created:
        details = jobs.fetch_details(settings, province, period)
        jobs.store_details(warehouse, details, answer, province, report)
    outcome: Outcome = "captured" if report.stored.created else "identical"
    return PeriodResult(province.short_name, period.label, outcome, report.stored.observation_id)


def record_run(settings: Settings, report: RunReport, **facts: object) -> Path:
    """Append the run's outcome to ``<data dir>/runs.jsonl`` and return that file."""
    path = Path(settings.data_dir) / RUN_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "flow": report.flow,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **{key: str(value) for key, value in facts.items()},
        "outcome": "blocked" if report.blocked else "nothing new" if report.nothing_new else "done",
        "reason": report.blocked,
        "counts": {name: report.counts()[name] for name in OUTCOMES},
        "failed": [asdict(r) for r in report.results if r.outcome == "failed"],
    }
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def summary_table(report: RunReport) -> str:
    """One line per province: how many periods were captured, already final, identical, failed."""
    per_province: dict[str, Counter] = {}
    for result in report.results:
        per_province.setdefault(result.province, Counter())[result.outcome] += 1
    width = max([len("province"), *map(len, per_province)])
    lines = [f"{'province':<{width}}  " + "  ".join(f"{name:>9}" for name in OUTCOMES)]
    lines += [
        f"{province:<{width}}  " + "  ".join(f"{counts[name]:>9}" for name in OUTCOMES)
        for province, counts in per_province.items()
    ]
    total = report.counts()
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[name]:>9}" for name in OUTCOMES))
    return "\n".join(lines)
