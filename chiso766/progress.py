"""A progress bar on standard error for long runs: what is being fetched, how far, and an ETA.

``rich`` comes with Prefect. With ``enabled=False`` (tests, scheduled runs) nothing is drawn.
"""

from collections.abc import Iterator
from contextlib import contextmanager


class _Silent:
    def fetching(self, province: str, period: str) -> None:
        pass

    def advance(self) -> None:
        pass


class _Bar:
    def __init__(self, progress, task_id):
        self._progress, self._task = progress, task_id

    def fetching(self, province: str, period: str) -> None:
        self._progress.update(self._task, description=f"{province} {period}")

    def advance(self) -> None:
        self._progress.advance(self._task)


@contextmanager
def progress_bar(total: int, *, enabled: bool = True) -> Iterator[_Bar | _Silent]:
    """A bar of ``total`` steps on standard error, or a silent stand-in when not ``enabled``."""
    if not enabled:
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        yield _Bar(progress, progress.add_task("starting", total=total))
