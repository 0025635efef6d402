"""A request budget shared across processes and machines, through a Prefect global limit.

The client's own budget (``politeness``) holds within one process. When the setting
``CHISO766_GLOBAL_LIMIT`` names a global concurrency limit of the Prefect server (created with
``prefect gcl create NAME --limit 1 --slot-decay-per-second 1``), every request also takes one
slot of it, so workers on several machines share one rate. Prefect is imported only then: a
command that does not fetch, or fetches without the setting, never loads it.
"""

from collections.abc import Callable


def global_slot_taker(name: str | None) -> Callable[[], None] | None:
    """A function that takes one slot of the global limit ``name``; None without a name."""
    if not name:
        return None

    def take_slot() -> None:
        from prefect.concurrency.sync import rate_limit

        # strict: a limit that does not exist on the server is an error, not a silent no-limit.
        rate_limit(name, strict=True)

    return take_slot
