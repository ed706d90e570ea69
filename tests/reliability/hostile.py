"""A hostile directory tree, built in tmp_path: every kind of file a scan must survive, with
secrets planted in the readable ones at known lines."""

from __future__ import annotations

import codecs
import os
import random
import socket
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Rules that may report a planted `CLIENT_SECRET = "..."`: SH101 everywhere, SH104 for .env files.
SECRET_RULES = {"SH101", "SH104"}
BOMB_DEPTH = 9


def secret_value(rng: random.Random, length: int = 32) -> str:
    """A random alphanumeric credential with letters of both cases and digits."""
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value) \
                and any(c.islower() for c in value):
            return value


@dataclass
class HostileTree:
    root: Path
    # (path, line) of every planted secret the scan must report, with the value.
    planted: dict[tuple[str, int], str] = field(default_factory=dict)
    # Secrets that must never be reported (unreadable, outside the root, too big, ...).
    hidden: dict[str, str] = field(default_factory=dict)
    # path -> words the note about it must contain.
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unreadable: str = ""
    vanishing: str = ""

    def plant(self, rel: str, lines: list[str], secret_line: int, value: str, *,
              newline: str = "\n", encoding: str = "utf-8", raw_prefix: bytes = b"") -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw_prefix + newline.join(lines).encode(encoding) + newline.encode(encoding))
        self.planted[(rel, secret_line)] = value


def build(root: Path, *, big_files: bool = True) -> HostileTree:
    rng = random.Random(20261122)
    tree = HostileTree(root)
    root.mkdir(parents=True, exist_ok=True)

    def secret() -> str:
        return secret_value(rng)

    # -- readable files with planted secrets ---------------------------------------------------
    value = secret()
    tree.plant("app/settings.py", ["import os", "", f'CLIENT_SECRET = "{value}"'], 3, value)
    value = secret()
    tree.plant(".env", ["# local settings", "DEBUG=1", f"CLIENT_SECRET={value}"], 3, value)
    value = secret()
    tree.plant("config/oauth.yaml", ["oauth:", "  client_id: my-app", f'  client_secret: "{value}"'],
               3, value)
    value = secret()
    tree.plant("crlf.py", ["x = 1", "y = 2", "", f'CLIENT_SECRET = "{value}"', "z = 3"], 4, value,
               newline="\r\n")
    value = secret()
    tree.plant("lone_cr.py", ["x = 1", "y = 2", f'CLIENT_SECRET = "{value}"', "z = 3"], 3, value,
               newline="\r")
    value = secret()
    tree.plant("mixed_breaks.py", [f"a = 1\r\nb = 2\rc = 3\n\nCLIENT_SECRET = \"{value}\""], 5, value)
    value = secret()
    tree.plant("utf16.py", ["x = 1", "# ünïcödé", f'CLIENT_SECRET = "{value}"'], 3, value,
               encoding="utf-16-le", raw_prefix=codecs.BOM_UTF16_LE)
    value = secret()
    tree.plant("utf8_bom.yaml", ["a: 1", f"client_secret: {value}"], 2, value,
               raw_prefix=codecs.BOM_UTF8)
    # Undecodable bytes in the middle of an otherwise normal file.
    value = secret()
    (root / "latin1.py").write_bytes(b"# Auteur: Jos\xe9 \xff\xfe\n" + b"x = '\xe9t\xe9'\n"
                                     + f'CLIENT_SECRET = "{value}"\n'.encode())
    tree.planted[("latin1.py", 3)] = value
    # A NUL byte after the binary probe: text with a NUL in it, which no Python parser accepts.
    value = secret()
    (root / "late_nul.py").write_bytes(b"# padding\n" * 1000 + b"x = '\x00'\n"
                                       + f'CLIENT_SECRET = "{value}"\n'.encode())
    tree.planted[("late_nul.py", 1002)] = value
    # Structured parsers fail: the text rules must still see the secret.
    value = secret()
    tree.plant("broken.py", ["def broken(:", "    pass", f'CLIENT_SECRET = "{value}"'], 3, value)
    value = secret()
    tree.plant("deep_nesting.py", ["x = " + "-" * 20000 + "1", f'CLIENT_SECRET = "{value}"'], 2, value)
    value = secret()
    tree.plant("broken.ipynb", ['{"cells": [ {"cell_type": "code", "source": [',
                                f'"CLIENT_SECRET = \\"{value}\\""'], 2, value)
    tree.notes["broken.ipynb"] = ("invalid JSON",)
    value = secret()
    tree.plant("deep.json", ['{"client_secret": "' + value + '",',
                             '"nested": ' + "[" * 10000 + "]" * 10000 + "}"], 1, value)
    value = secret()
    laughs = ['lol: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, BOMB_DEPTH)]
    tree.plant("bomb.yaml", [*laughs, f'client_secret: "{value}"'], BOMB_DEPTH + 1, value)
    value = secret()
    tree.plant("x.py/inner.py", [f'CLIENT_SECRET = "{value}"'], 1, value)  # a directory named x.py
    (root / "empty.py").write_bytes(b"")
    if big_files:
        # A minified bundle: one line of ~5 MB (under the 5 MiB default max-file-size).
        value = secret()
        body = "var a=1;" * 620_000
        (root / "static" / "bundle.min.js").parent.mkdir(parents=True, exist_ok=True)
        (root / "static" / "bundle.min.js").write_text(body + f'const CLIENT_SECRET="{value}";')
        tree.planted[("static/bundle.min.js", 1)] = value
        # A 50 MB log: over max-file-size, read in windows for secrets (with a note).
        value = secret()
        line = b"2026-11-22T18:00:00Z INFO request served in 12 ms\n"
        with open(root / "big.log", "wb") as handle:
            handle.write(f"client_secret={value}\n".encode())
            chunk = line * (1024 * 1024 // len(line))
            for _ in range(50):
                handle.write(chunk)
        tree.planted[("big.log", 1)] = value
        tree.notes["big.log"] = ("max-file-size", "read in windows")

    # -- files that cannot be read -------------------------------------------------------------
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (root / "data.bin").write_bytes(b"CLIENT_SECRET\x00" + os.urandom(64))
    tree.notes["image.png"] = ("binary",)
    tree.notes["data.bin"] = ("binary",)
    os.mkfifo(root / "pipe.py")
    tree.notes["pipe.py"] = ("not a regular file",)
    with _bound_unix_socket(root / "sock.py"):
        pass
    tree.notes["sock.py"] = ("not a regular file",)
    os.symlink("loop_b.py", root / "loop_a.py")
    os.symlink("loop_a.py", root / "loop_b.py")
    tree.notes["loop_a.py"] = ("symlink loop",)
    tree.notes["loop_b.py"] = ("symlink loop",)
    os.symlink("missing-target.py", root / "dangling.py")
    tree.notes["dangling.py"] = ("dangling symlink",)
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir(exist_ok=True)
    value = secret()
    (outside / "secret.py").write_text(f'CLIENT_SECRET = "{value}"\n')
    tree.hidden["outside"] = value
    os.symlink(outside / "secret.py", root / "escape.py")
    os.symlink(outside, root / "escape_dir")  # a directory link: never followed
    tree.notes["escape.py"] = ("outside the scanned root",)
    value = secret()
    (root / "locked.py").write_text(f'CLIENT_SECRET = "{value}"\n')
    tree.hidden["locked.py"] = value
    tree.unreadable = "locked.py"
    tree.notes["locked.py"] = ("permission denied",)
    value = secret()
    (root / "zz_vanishing.py").write_text(f'CLIENT_SECRET = "{value}"\n')
    tree.hidden["zz_vanishing.py"] = value
    tree.vanishing = "zz_vanishing.py"
    tree.notes["zz_vanishing.py"] = ("disappeared",)
    return tree


@contextmanager
def _bound_unix_socket(path: Path) -> Iterator[None]:
    """Leave a socket file at `path` (bound from inside its directory: sun_path is short)."""
    previous = os.getcwd()
    os.chdir(path.parent)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path.name)
        yield
    finally:
        sock.close()
        os.chdir(previous)


def deny(path: str) -> object:
    """An `os.open` replacement that refuses `path` as a non-root user would be refused."""
    real_open = os.open

    def guarded(file: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(file).endswith(os.sep + path):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", os.fspath(file))  # type: ignore[call-overload]
        return real_open(file, flags, *args, **kwargs)  # type: ignore[arg-type]

    return guarded
