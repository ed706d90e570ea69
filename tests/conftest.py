"""Suite-wide guard: no test may open a network connection (the scanner never needs one).

Unix-domain sockets stay allowed: multiprocessing and pre-commit use them locally."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


class NetworkAccessError(RuntimeError):
    """Raised when code under test tries to reach the network."""


def _is_local_unix(sock: Any) -> bool:
    family = getattr(socket, "AF_UNIX", None)
    return family is not None and getattr(sock, "family", None) == family


def _guard(original: Any) -> Any:
    def connect(self: socket.socket, address: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_local_unix(self):
            return original(self, address, *args, **kwargs)
        raise NetworkAccessError(f"network access attempted in a test: connect to {address!r}")

    return connect


def _refuse_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    raise NetworkAccessError(f"network access attempted in a test: create_connection {address!r}")


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """Every socket connect outside AF_UNIX raises, for the whole session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _guard(socket.socket.connect))
        patch.setattr(socket.socket, "connect_ex", _guard(socket.socket.connect_ex))
        patch.setattr(socket, "create_connection", _refuse_create_connection)
        yield


@pytest.fixture(autouse=True, scope="session")
def private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The results cache signs with a per-user key under $XDG_CACHE_HOME: keep the suite's key
    (and anything else written there) out of the real home directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
