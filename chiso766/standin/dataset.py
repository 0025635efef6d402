"""The figures the stand-in portal serves: published rankings bundled as JSON, and generated ones.

A ``Ranking`` is what the province-scoped ``service-results`` call returns for one province and
one period: the province's overview and one list of its departments and communes, highest score
first, each row already keyed as the portal keys it. A ``Dataset`` holds rankings by province and
period; ``bundled_dataset()`` reads the files in ``chiso766/data/standin/`` (and nothing outside
the package).

Figures the portal publishes but no notice does, such as a province's six group scores, are
generated here deterministically and flagged as synthetic, so that no answer of the stand-in can
be mistaken for a published figure.
"""

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from chiso766.errors import Chiso766Error
from chiso766.periods import Period
from chiso766.provinces import Province, all_provinces

# The six score groups and their maxima, which add up to 100.
GROUP_MAXIMA: dict[str, int] = {
    "CKMB": 18,
    "TDGQ": 20,
    "CLGQ": 12,
    "TTTT": 10,
    "MDHL": 18,
    "MDSH": 22,
}
# The keys of a province-scoped row, in the portal's order.
ROW_KEYS = (
    "departmentId",
    "departmentName",
    "departmentCode",
    "totalScore",
    "ratio",
    "scoreDelta",
    "childGroup",
)
CHILD_GROUPS = ("AGENCY", "COMMUNE")  # AGENCY: a department; COMMUNE: a xã, phường or đặc khu
_DATA_FOLDER = "data/standin"


class StandinDataError(Chiso766Error):
    """A bundled ranking file cannot be used as it is."""


@dataclass(frozen=True)
class Ranking:
    """One province's ranking for one period, as the province-scoped call serves it."""

    province: Province
    period: Period
    overview: Mapping[str, Any]  # departmentName, departmentCode, totalScore, totalMaxScore, ratio
    evaluation: tuple[Mapping[str, Any], ...]  # departments and communes, highest score first
    source: str  # where the figures come from, in one line
    synthetic: bool = False  # whether the scores were generated rather than published

    @property
    def departments(self) -> int:
        return sum(row["childGroup"] == "AGENCY" for row in self.evaluation)

    @property
    def communes(self) -> int:
        return sum(row["childGroup"] == "COMMUNE" for row in self.evaluation)


@dataclass
class Dataset:
    """Rankings by province and period; a period without a ranking is one with nothing to report."""

    _rankings: dict[tuple[str, Period], Ranking] = field(default_factory=dict)

    @classmethod
    def of(cls, rankings: Iterable[Ranking]) -> "Dataset":
        dataset = cls()
        for ranking in rankings:
            dataset.add(ranking)
        return dataset

    def add(self, ranking: Ranking) -> None:
        """Add a ranking, replacing any earlier one for the same province and period."""
        self._rankings[(ranking.province.code, ranking.period)] = ranking

    def ranking(self, province: Province, period: Period) -> Ranking | None:
        return self._rankings.get((province.code, period))

    def rankings_in(self, period: Period) -> list[Ranking]:
        """Every province's ranking for ``period``, in the order of the provinces' codes."""
        found = [r for (_, p), r in self._rankings.items() if p == period]
        return sorted(found, key=lambda r: r.province.code)

    def __len__(self) -> int:
        return len(self._rankings)


def bundled_dataset() -> Dataset:
    """The rankings shipped in ``chiso766/data/standin/``, read from the package itself."""
    folder = resources.files("chiso766").joinpath(_DATA_FOLDER)
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".json")),
        key=lambda entry: entry.name,
    )
    return Dataset.of(parse_ranking(entry.read_text("utf-8"), name=entry.name) for entry in files)


def parse_ranking(text: str, *, name: str) -> Ranking:
    """Read one ranking file (its layout is described in ``data/standin/README.md``)."""
    try:
        document = json.loads(text)
        province = _province_with_id(document["province"]["portalId"])
        period = Period.parse(document["period"])
        overview = dict(document["overview"])
        evaluation = tuple(dict(row) for row in document["evaluation"])
        source = str(document["source"])
    except (ValueError, KeyError, TypeError, Chiso766Error) as error:
        raise StandinDataError(f"The stand-in data file {name} is unusable: {error}") from error

    for row in evaluation:
        if tuple(row) != ROW_KEYS or row["childGroup"] not in CHILD_GROUPS:
            raise StandinDataError(f"The stand-in data file {name} has a malformed row: {row}")
    scores = [row["totalScore"] for row in evaluation]
    if scores != sorted(scores, reverse=True):
        raise StandinDataError(f"The stand-in data file {name} is not sorted by score.")
    return Ranking(province, period, overview, evaluation, source)


def _province_with_id(portal_id: str) -> Province:
    for province in all_provinces():
        if province.portal_id == portal_id:
            return province
    raise StandinDataError(f"no province has the portal id {portal_id!r}")


def synthetic_total(ranking: Ranking) -> float:
    """The province's own total if published, else the mean of its units' totals (synthetic)."""
    if ranking.overview.get("totalScore") is not None:
        return ranking.overview["totalScore"]
    scores = [row["totalScore"] for row in ranking.evaluation]
    return round(sum(scores) / len(scores), 2) if scores else 0.0


def synthetic_group_scores(total: float, seed: str) -> dict[str, float]:
    """Six group scores within their maxima that add up to ``total``, the same for the same seed.

    Each group gets a share of the total close to its share of the maxima, shaken by a random
    factor drawn from ``seed``; the cents left over by rounding and capping go to the groups with
    the most room, so the sum is exact to the cent.
    """
    target = round(min(max(total, 0), 100) * 100)
    rng = random.Random(seed)
    weights = {code: cap * rng.uniform(0.8, 1.2) for code, cap in GROUP_MAXIMA.items()}
    weight_sum = sum(weights.values())
    cents = {
        code: min(GROUP_MAXIMA[code] * 100, int(target * weight / weight_sum))
        for code, weight in weights.items()
    }

    left = target - sum(cents.values())
    while left > 0:
        roomiest = max(cents, key=lambda code: GROUP_MAXIMA[code] * 100 - cents[code])
        step = min(left, GROUP_MAXIMA[roomiest] * 100 - cents[roomiest])
        cents[roomiest] += step
        left -= step
    # Whole scores are written as the portal writes them, 18 rather than 18.0.
    return {
        code: value // 100 if value % 100 == 0 else value / 100 for code, value in cents.items()
    }
