"""A local stand-in for the national portal's 766 API, for tests and demos without the network.

``create_app()`` builds the ASGI app on a ``Dataset`` (by default the rankings bundled in
``chiso766/data/standin/``); ``serve()`` runs it in the foreground and ``running_standin()`` in a
background thread for the length of a ``with`` block. Answers whose scores the stand-in generated
carry ``"synthetic": true`` and the header ``X-Chiso766-Synthetic: true``.
"""

from chiso766.standin.app import SERVICE_RESULTS_PATH, SYNTHETIC_HEADER, create_app
from chiso766.standin.dataset import Dataset, Ranking, bundled_dataset
from chiso766.standin.server import running_standin, serve

__all__ = [
    "SERVICE_RESULTS_PATH",
    "SYNTHETIC_HEADER",
    "Dataset",
    "Ranking",
    "bundled_dataset",
    "create_app",
    "running_standin",
    "serve",
]
