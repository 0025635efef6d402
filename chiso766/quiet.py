"""Keep Prefect's run logs off the console unless the user asked to see what happens.

A failed run would otherwise print Prefect's own traceback before the CLI's one sentence.
Setting ``PREFECT_LOGGING_LEVEL`` before Prefect is imported is not enough on its own: a program
that imported Prefect earlier (or Prefect re-reading its settings at the first run) restores
its levels, so the run loggers are switched off around each flow call instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_flow_runs(verbose: bool) -> Iterator[None]:
    """Silence the flow and task run loggers for the block, unless ``verbose``."""
    if verbose:
        yield
        return
    from prefect.logging import disable_run_logger

    with disable_run_logger():
        yield
