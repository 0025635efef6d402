"""Run the stand-in portal with uvicorn: in the foreground for a person, or in a thread for tests.

``serve()`` backs the ``chiso766 standin`` command; ``running_standin()`` gives tests and demos a
stand-in on a free port for the length of a ``with`` block. Both bind the socket themselves, so a
busy port fails at once with a plain message and the logged URL is the one actually bound. Neither
touches the logging configuration; uvicorn's access log is off unless asked for.
"""

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from chiso766.errors import Chiso766Error
from chiso766.standin.app import create_app

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8766
STARTUP_TIMEOUT = 10.0  # seconds to wait for the background server to accept connections
SHUTDOWN_TIMEOUT = 10.0


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    app: ASGIApp | None = None,
    access_log: bool = False,
) -> None:
    """Serve the stand-in in the foreground until interrupted (Ctrl-C)."""
    sock = _bind(host, port)
    server = _server(app, access_log=access_log)
    logger.info("stand-in portal listening on %s (Ctrl-C to stop)", _url(sock))
    server.run(sockets=[sock])


@contextmanager
def running_standin(
    host: str = DEFAULT_HOST, port: int = 0, *, app: ASGIApp | None = None
) -> Iterator[str]:
    """Run the stand-in in a background thread; yield its base URL, ``http://127.0.0.1:54321``."""
    sock = _bind(host, port)
    url = _url(sock)
    server = _server(app, access_log=False)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"standin {url}", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread, url)
        logger.debug("stand-in portal started on %s", url)
        yield url
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()  # uvicorn closes it on a clean shutdown; this covers a failed start
        if thread.is_alive():
            logger.warning("stand-in portal on %s did not stop within %ss", url, SHUTDOWN_TIMEOUT)
        else:
            logger.debug("stand-in portal on %s stopped", url)


def _server(app: ASGIApp | None, *, access_log: bool) -> uvicorn.Server:
    config = uvicorn.Config(
        app if app is not None else create_app(),
        log_config=None,  # leave logging to the application that runs the stand-in
        log_level="warning",
        access_log=access_log,
        lifespan="off",
    )
    return uvicorn.Server(config)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it every answer waits ~40 ms for a delayed ACK
    # between uvicorn's separate writes of the headers and the body.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise Chiso766Error(
            f"The stand-in portal cannot listen on {host} port {port} ({error.strerror}); "
            "choose another port or stop what is using it."
        ) from error
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread, url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise Chiso766Error(f"The stand-in portal on {url} stopped while starting.")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise Chiso766Error(
                f"The stand-in portal on {url} did not start within {STARTUP_TIMEOUT:.0f} seconds."
            )
        time.sleep(0.01)
