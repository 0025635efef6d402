"""History of a province's ranking: whether an observation is final, and what moved between two.

The portal's figures for a period change while it runs and for some days after it closes, when
late evaluations are counted. The rule this project keeps:

    An observation is **final** when it was captured at least ``FINAL_AFTER_DAYS`` full days
    after the period's last day (from 00:00 Vietnam time on day ``last_day + FINAL_AFTER_DAYS +
    1``); every earlier observation is **provisional** (TẠM TÍNH).

The rule depends on nothing but the period and the capture time, so it is computed, never stored,
and the analysts' SQL uses the same rule through ``FINAL_FROM_SQL``.
"""

from datetime import UTC, datetime, time, timedelta

import pandas as pd

from chiso766.periods import VIETNAM, Period

FINAL_AFTER_DAYS = 5
PROVISIONAL = "provisional"
FINAL = "final"
PROVISIONAL_LABEL = "TẠM TÍNH (provisional)"

# The instant (naive UTC on SQLite, timestamptz on PostgreSQL) from which an observation of
# ``observation.period`` is final: the start of day last_day + FINAL_AFTER_DAYS + 1 in Vietnam
# (UTC+7, no daylight saving), i.e. the first day after the period plus FINAL_AFTER_DAYS days,
# minus 7 hours. ``status = CASE WHEN captured_at >= <FINAL_FROM_SQL> THEN 'final' ELSE
# 'provisional' END``.
FINAL_FROM_SQL = {
    "sqlite": (
        "datetime(CASE observation.period_kind"
        " WHEN 'month' THEN date(observation.period || '-01', '+1 month')"
        " WHEN 'quarter' THEN date(substr(observation.period, 1, 4) || '-' ||"
        " printf('%02d', 3 * CAST(substr(observation.period, 7, 1) AS INTEGER) - 2) || '-01',"
        " '+3 months')"
        " ELSE date(observation.period || '-01-01', '+1 year') END,"
        f" '+{FINAL_AFTER_DAYS} days', '-7 hours')"
    ),
    "postgresql": (
        "(CASE observation.period_kind"
        " WHEN 'month' THEN to_date(observation.period || '-01', 'YYYY-MM-DD')"
        " + interval '1 month'"
        " WHEN 'quarter' THEN make_date(CAST(substr(observation.period, 1, 4) AS integer),"
        " 3 * CAST(substr(observation.period, 7, 1) AS integer) - 2, 1) + interval '3 months'"
        " ELSE make_date(CAST(observation.period AS integer), 1, 1) + interval '1 year' END"
        f" + interval '{FINAL_AFTER_DAYS} days') AT TIME ZONE 'Asia/Ho_Chi_Minh'"
    ),
}


def final_from(period: Period, final_after_days: int = FINAL_AFTER_DAYS) -> datetime:
    """The first instant (UTC) at which a capture of ``period`` counts as final."""
    day = period.last_day + timedelta(days=final_after_days + 1)
    return datetime.combine(day, time(0), tzinfo=VIETNAM).astimezone(UTC)


def observation_status(
    period: Period, captured_at: datetime, final_after_days: int = FINAL_AFTER_DAYS
) -> str:
    """``"final"`` or ``"provisional"``: the state of an observation of ``period``."""
    moment = captured_at if captured_at.tzinfo else captured_at.replace(tzinfo=UTC)
    return FINAL if moment >= final_from(period, final_after_days) else PROVISIONAL


def end_of_day(day) -> datetime:
    """The last instant of ``day`` in Vietnam, in UTC: what ``--as-of DAY`` means."""
    start_of_next = datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)
    return (start_of_next - timedelta(microseconds=1)).astimezone(UTC)


CHANGE_COLUMNS = [
    "unit_id", "kind", "name", "old_score", "new_score", "delta", "old_rank", "new_rank",
]  # fmt: skip


def compare_scores(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The units whose score or rank differs between two observations, largest move first.

    ``old`` and ``new`` have one row per unit (``unit_id``, ``kind``, ``canonical_name``,
    ``raw_name``, ``total_score``); a row without unit is keyed by its portal name. A unit present
    in one observation only appears with the other side empty. Ranks are within the unit's kind
    (departments apart from communes), 1 for the highest score, ties sharing the better rank.
    """
    merged = pd.merge(
        _keyed(old), _keyed(new), on="key", how="outer", suffixes=("_old", "_new"), sort=False
    )
    changes = pd.DataFrame(
        {
            "unit_id": merged["unit_id_new"].combine_first(merged["unit_id_old"]),
            "kind": merged["kind_new"].combine_first(merged["kind_old"]),
            "name": merged["name_new"].combine_first(merged["name_old"]),
            "old_score": merged["score_old"],
            "new_score": merged["score_new"],
            "old_rank": merged["rank_old"],
            "new_rank": merged["rank_new"],
        }
    )
    changes["delta"] = (changes["new_score"] - changes["old_score"]).round(6)
    moved = (changes["delta"].fillna(1) != 0) | (
        changes["old_rank"].fillna(-1) != changes["new_rank"].fillna(-1)
    )
    changes = changes[moved].copy()
    changes["_size"] = changes["delta"].abs().fillna(float("inf"))
    changes = changes.sort_values(["_size", "name"], ascending=[False, True], kind="stable")
    for column in ("unit_id", "old_rank", "new_rank"):
        changes[column] = changes[column].astype("Int64")
    return changes[CHANGE_COLUMNS].reset_index(drop=True)


def _keyed(scores: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "key": [
                f"u{int(u)}" if pd.notna(u) else f"r{raw}"
                for u, raw in zip(scores["unit_id"], scores["raw_name"], strict=True)
            ],
            "unit_id": scores["unit_id"],
            "kind": scores["kind"],
            "name": scores["canonical_name"].fillna(scores["raw_name"]),
            "score": pd.to_numeric(scores["total_score"], errors="coerce"),
        }
    )
    frame["rank"] = frame.groupby("kind")["score"].rank(method="min", ascending=False)
    return frame
