"""The compiled dataclass methods kept between runs (scanner.dataclass_code): the methods are the
code `dataclasses` compiles itself, a run after the first compiles none, and a damaged, refused
or turned-off cache only means compiling as before."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import dataclass_code

PROBE = '''
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Span:
    start: int
    end: int = 0
    words: tuple[str, ...] = field(default_factory=tuple)

@dataclass(slots=True, eq=False)
class Node:
    name: str
    children: list["Node"] = field(default_factory=list)
'''
METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


@pytest.fixture()
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SECRET_HYGIENE_PATTERN_CACHE", raising=False)
    monkeypatch.setattr(dataclass_code, "_store", dataclass_code._Store())
    yield dataclass_code.path()
    for name in [name for name in sys.modules if name.startswith(("scanner._probe", "probe_"))]:
        del sys.modules[name]


def _define(module_name: str) -> types.ModuleType:
    """The probe classes, defined in a fresh module called `module_name`."""
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    exec(compile(PROBE, f"<{module_name}>", "exec", dont_inherit=True), module.__dict__)
    return module


def _methods(cls: type) -> dict[str, types.CodeType]:
    return {name: cls.__dict__[name].__code__ for name in METHODS
            if isinstance(cls.__dict__.get(name), types.FunctionType)}


def test_our_classes_get_the_code_dataclasses_compiles_and_a_later_run_compiles_none(
        cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as standard:
        standard.delattr(dataclasses, "exec")  # `dataclasses` as the standard library has it
        plain = _define("probe_plain")
    passed_on = _define("probe_passed_on")  # not a module of ours: compiled as ever
    assert not cache_file.exists()
    ours = _define("scanner._probe_first")
    assert dataclass_code._store.compiled_now
    for name in ("Span", "Node"):
        assert _methods(getattr(ours, name)) == _methods(getattr(plain, name)) != {}
        assert _methods(getattr(passed_on, name)) == _methods(getattr(plain, name))
    dataclass_code.keep()
    assert cache_file.is_file() and cache_file.stat().st_mode & 0o077 == 0

    dataclass_code._store = dataclass_code._Store()  # a new process
    again = _define("scanner._probe_again")
    assert not dataclass_code._store.compiled_now  # every method came from the file
    for name in ("Span", "Node"):
        assert _methods(getattr(again, name)) == _methods(getattr(plain, name))
    span = again.Span(3, words=("a",))
    assert span == again.Span(3, 0, ("a",)) and hash(span) == hash(again.Span(3, 0, ("a",)))
    assert repr(span) == "Span(start=3, end=0, words=('a',))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 4  # type: ignore[misc]
    # Annotations as `exec` in `dataclasses` makes them: no __future__ flag of ours leaks in.
    assert again.Span.__init__.__annotations__ == plain.Span.__init__.__annotations__
    assert again.Span.__init__.__annotations__["start"] == "int"
    assert again.Node("n").children == [] and not hasattr(again.Node("n"), "__dict__")


def test_a_damaged_cache_file_is_ignored_and_written_anew(cache_file: Path) -> None:
    _define("scanner._probe_first")
    dataclass_code.keep()
    whole = cache_file.read_bytes()
    for damage in (whole[:100], b"\0" * 32 + whole[32:], b""):
        cache_file.write_bytes(damage)
        dataclass_code._store = dataclass_code._Store()
        module = _define("scanner._probe_damaged")
        assert dataclass_code._store.compiled_now and module.Span(1) == module.Span(1, 0)
        dataclass_code.keep()
        dataclass_code._store = dataclass_code._Store()
        _define("scanner._probe_repaired")
        assert not dataclass_code._store.compiled_now  # written whole again


def test_a_link_where_the_cache_file_goes_is_never_followed(cache_file: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    cache_file.parent.mkdir(parents=True)
    cache_file.symlink_to(victim)
    module = _define("scanner._probe_link")
    dataclass_code.keep()
    assert module.Span(1).end == 0 and victim.read_text() == "keep me"


def test_the_cache_can_be_turned_off(cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_HYGIENE_PATTERN_CACHE", "0")
    module = _define("scanner._probe_off")
    dataclass_code.keep()
    assert module.Span(2) == module.Span(2) and not cache_file.parent.exists()


def test_the_command_line_keeps_what_it_compiled_and_the_next_run_writes_nothing(
        tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("SECRET_HYGIENE_PATTERN_CACHE", None)
    folder = tmp_path / "xdg" / "secret-hygiene" / "code"
    outputs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "scanner.cli", "rules"], env=env,
                              capture_output=True, text=True, check=True)
        outputs.append(done.stdout)
        (stored,) = folder.iterdir()
        if len(outputs) == 1:
            first = stored.stat().st_mtime_ns, stored.read_bytes()
    assert (stored.stat().st_mtime_ns, stored.read_bytes()) == first  # nothing new compiled
    assert outputs[0] == outputs[1] and "SH101" in outputs[0]
