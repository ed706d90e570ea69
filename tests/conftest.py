"""Suite-wide guard: no test may reach the network (the scanner never needs to).

Python's sockets refuse every connect and datagram send outside AF_UNIX (multiprocessing and
pre-commit use those locally), including raw `_socket` objects, and every name lookup. Git,
run as a subprocess, may use only local repositories and never fetches lazily."""

from __future__ import annotations

import _socket
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest


class NetworkAccessError(RuntimeError):
    """Raised when code under test tries to reach the network."""


# The socket methods that send to an address; send/sendall need a connect first.
_SOCKET_METHODS = ("connect", "connect_ex", "sendto", "sendmsg")
_LOOKUPS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")
# For git subprocesses: local repositories only (file), and no fetch of a partial clone's objects.
GIT_NETWORK_ENV = {"GIT_ALLOW_PROTOCOL": "file", "GIT_NO_LAZY_FETCH": "1"}


def _is_local_unix(sock: Any) -> bool:
    family = getattr(socket, "AF_UNIX", None)
    return family is not None and getattr(sock, "family", None) == family


def _guard(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_local_unix(self):
            return original(self, *args, **kwargs)
        raise NetworkAccessError(f"network access attempted in a test: {name} {args[-1:]!r}")

    return guarded


def _refuse(name: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise NetworkAccessError(f"network access attempted in a test: {name} {args[:1]!r}")

    return refused


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    """For the whole session: connects and sends outside AF_UNIX raise, name lookups raise,
    and git subprocesses may neither use a network transport nor fetch lazily."""
    guarded_raw = type("socket", (_socket.socket,), {
        name: _guard(name, getattr(_socket.socket, name)) for name in _SOCKET_METHODS})
    with pytest.MonkeyPatch.context() as patch:
        for name in _SOCKET_METHODS:
            patch.setattr(socket.socket, name, _guard(name, getattr(socket.socket, name)))
        # `_socket.socket` itself cannot be patched (an immutable type): its name is rebound.
        for module, attribute in ((_socket, "socket"), (_socket, "SocketType"), (socket, "SocketType")):
            patch.setattr(module, attribute, guarded_raw)
        for module in (socket, _socket):
            for name in _LOOKUPS:
                if hasattr(module, name):
                    patch.setattr(module, name, _refuse(name))
        patch.setattr(socket, "create_connection", _refuse("create_connection"))
        for key, value in GIT_NETWORK_ENV.items():
            patch.setenv(key, value)
        yield


@pytest.fixture(autouse=True, scope="session")
def private_cache_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The results cache signs with a per-user key under $XDG_CACHE_HOME: keep the suite's key
    (and anything else written there) out of the real home directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield
