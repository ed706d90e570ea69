"""No network, ever: start-up imports no network client and no heavy parser, the suite-wide
guard in tests/conftest.py refuses connections, datagrams, name lookups and git transports, and
a full scan attempts none."""

from __future__ import annotations

import _socket
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scanner.rules.registry import RULES
from tests.conftest import NetworkAccessError
from tests.reliability.test_git_safety import missing_objects, partial_clone

NETWORK_CLIENTS = ("requests", "urllib3", "http.client", "httpx", "aiohttp", "urllib.request",
                   "ftplib", "smtplib", "xmlrpc.client")
HEAVY_AT_STARTUP = ("libcst", "tree_sitter", "detect_secrets", "yaml")


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_cli_import_loads_no_network_client_and_no_parser() -> None:
    loaded = _modules_after("import scanner.cli")
    assert not [m for m in NETWORK_CLIENTS if m in loaded]
    assert not [m for m in loaded for heavy in HEAVY_AT_STARTUP
                if m == heavy or m.startswith(heavy + ".")]


def test_rule_listing_loads_no_parser() -> None:
    """`rules` and the registry import every plugin module: still nothing heavy."""
    loaded = _modules_after("import scanner.rules.registry, scanner.cli")
    assert not [m for m in loaded for heavy in HEAVY_AT_STARTUP
                if m == heavy or m.startswith(heavy + ".")]


def test_guard_refuses_tcp_and_allows_unix_sockets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NetworkAccessError):
            tcp.connect(("127.0.0.1", 9))
        with pytest.raises(NetworkAccessError):
            tcp.connect_ex(("127.0.0.1", 9))
    finally:
        tcp.close()
    monkeypatch.chdir(tmp_path)  # AF_UNIX paths are short
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("s")
        server.listen(1)
        client.connect("s")
    finally:
        client.close()
        server.close()


def test_guard_refuses_lookups_datagrams_and_raw_sockets() -> None:
    for lookup in (lambda: socket.getaddrinfo("example.com", 443),
                   lambda: socket.gethostbyname("example.com"),
                   lambda: socket.gethostbyname_ex("example.com"),
                   lambda: socket.gethostbyaddr("127.0.0.1"),
                   lambda: _socket.getaddrinfo("example.com", 443),
                   lambda: _socket.gethostbyname("example.com")):
        with pytest.raises(NetworkAccessError):
            lookup()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)  # below the `socket` module
    raw_udp = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        for call in (lambda: udp.sendto(b"x", ("127.0.0.1", 9)),
                     lambda: udp.sendmsg([b"x"], [], 0, ("127.0.0.1", 9)),
                     lambda: raw.connect(("127.0.0.1", 9)), lambda: raw.connect_ex(("127.0.0.1", 9)),
                     lambda: raw_udp.sendto(b"x", ("127.0.0.1", 9))):
            with pytest.raises(NetworkAccessError):
                call()
    finally:
        udp.close()
        raw.close()
        raw_udp.close()
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)  # local: allowed
    try:
        left.sendmsg([b"ok"])
        assert right.recv(2) == b"ok"
    finally:
        left.close()
        right.close()


def test_git_in_the_suite_neither_fetches_lazily_nor_uses_a_network_transport(tmp_path: Path) -> None:
    """Subprocesses get past a Python-level guard: git runs with local transports only and never
    fetches a partial clone's missing objects."""
    clone, _, _ = partial_clone(tmp_path)
    missing = missing_objects(clone)
    assert missing
    done = subprocess.run(["git", "log", "-p"], cwd=clone, capture_output=True, text=True,
                          env=os.environ.copy(), check=False)
    assert done.returncode != 0 and "lazy fetching disabled" in done.stderr, done.stderr
    assert missing_objects(clone) == missing
    done = subprocess.run(["git", "ls-remote", "https://example.invalid/repository.git"],
                          cwd=clone, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "transport 'https' not allowed" in done.stderr, done.stderr


def test_full_scan_attempts_no_connection(tmp_path: Path) -> None:
    """Every rule's examples in one tree, scanned by the CLI in a fresh process whose socket
    layer records (rather than refuses) any connection attempt, with the process pool on."""
    tree = tmp_path / "tree"
    for rule in RULES:
        for index, example in enumerate(rule.examples):
            for path, text in {**example.files, example.path: example.code}.items():
                target = tree / rule.id / str(index) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    attempts = tmp_path / "attempts.txt"
    program = textwrap.dedent(f"""
        import socket, sys
        from scanner.engine import pool
        def record(*args, **kwargs):
            with open({str(attempts)!r}, "a") as handle:
                handle.write(repr(args[1:2] or args[:1]) + "\\n")
            raise OSError("network disabled")
        real_connect = socket.socket.connect
        def connect(self, address, *a, **k):
            if self.family == socket.AF_UNIX:
                return real_connect(self, address, *a, **k)
            return record(self, address)
        socket.socket.connect = connect
        socket.socket.connect_ex = connect
        socket.create_connection = record
        pool.PARALLEL_MIN_FILES = 1
        from scanner.cli import main
        sys.exit(main(["scan", {str(tree)!r}, "--jobs", "2", "--format", "json",
                       "-o", {str(tmp_path / "report.json")!r}]))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 1, done.stderr
    assert not attempts.exists(), attempts.read_text()
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["findings"]
    assert not [e for e in report["summary"]["errors"] if "failed" in e]
