"""Compiled code kept between runs (scanner.compiled_code): dataclass methods are the code
`dataclasses` compiles itself and patterns equal those `re` compiles, a run after the first
compiles none, and a damaged, refused or turned-off cache only means compiling as before."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner import compiled_code, lazy

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


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what was read and compiled, as a new process would."""
    monkeypatch.setattr(compiled_code, "_methods",
                        compiled_code._Kept("dataclass-methods", compiled_code._is_method_code))
    monkeypatch.setattr(compiled_code, "_programs",
                        compiled_code._Kept("re-programs", compiled_code._is_program))


@pytest.fixture()
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The methods' file, in an empty cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SECRET_HYGIENE_PATTERN_CACHE", raising=False)
    _new_process(monkeypatch)
    yield compiled_code._methods.path()
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
    assert compiled_code._methods.added
    for name in ("Span", "Node"):
        assert _methods(getattr(ours, name)) == _methods(getattr(plain, name)) != {}
        assert _methods(getattr(passed_on, name)) == _methods(getattr(plain, name))
    compiled_code.keep()
    assert cache_file.is_file() and cache_file.stat().st_mode & 0o077 == 0

    _new_process(monkeypatch)  # a new process
    again = _define("scanner._probe_again")
    assert not compiled_code._methods.added  # every method came from the file
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


def test_a_damaged_cache_file_is_ignored_and_written_anew(cache_file: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _define("scanner._probe_first")
    compiled_code.keep()
    whole = cache_file.read_bytes()
    for damage in (whole[:100], b"\0" * 32 + whole[32:], b""):
        cache_file.write_bytes(damage)
        _new_process(monkeypatch)
        module = _define("scanner._probe_damaged")
        assert compiled_code._methods.added and module.Span(1) == module.Span(1, 0)
        compiled_code.keep()
        _new_process(monkeypatch)
        _define("scanner._probe_repaired")
        assert not compiled_code._methods.added  # written whole again


def test_a_link_where_the_cache_file_goes_is_never_followed(cache_file: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    cache_file.parent.mkdir(parents=True)
    cache_file.symlink_to(victim)
    module = _define("scanner._probe_link")
    compiled_code.keep()
    assert module.Span(1).end == 0 and victim.read_text() == "keep me"


def test_the_cache_can_be_turned_off(cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_HYGIENE_PATTERN_CACHE", "0")
    module = _define("scanner._probe_off")
    compiled_code.keep()
    pattern = re.compile("probe-(?P<off>[0-9]+)")
    compiled_code.keep()
    assert module.Span(2) == module.Span(2) and pattern.match("probe-1")
    assert not cache_file.parent.exists()


PATTERNS = [("(?P<key>[a-z_]+)\\s*=\\s*(?P<q>[\"'])(?P<value>[^\"']{8,})(?P=q)", 0),
            (r"(?<![a-z0-9_$]sig)(?:[\s\\]|#[^\n]{0,200}(?:\n|\Z))+\(", re.IGNORECASE),
            (r"""
              (?P<scheme>https?)://   # verbose, with comments
              [^\s/]+ (?:/\S*)?
             """, re.VERBOSE),
            (r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]", 0),
            (r"\bé(?:t|s)+\b", re.UNICODE),
            (rb"^\x89PNG|%PDF-", re.MULTILINE)]


def _at_top_level() -> list[re.Pattern[Any]]:
    """PATTERNS compiled by a module's top-level code, as a module's constants are."""
    namespace: dict[str, Any] = {"PATTERNS": PATTERNS, "compile": compiled_code._compile_pattern}
    exec("compiled = []\nfor pattern, flags in PATTERNS:\n    compiled.append(compile(pattern, flags))",
         namespace)
    return namespace["compiled"]  # type: ignore[no-any-return]


def test_a_kept_program_builds_the_pattern_re_compiles_and_a_later_run_parses_none(
        cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _at_top_level()
    assert compiled_code._programs.added
    compiled_code.keep()
    _new_process(monkeypatch)
    with monkeypatch.context() as parsing:
        parsing.setattr(compiled_code._re_compiler._parser, "parse", _no_parse)
        again = _at_top_level()
    assert not compiled_code._programs.added  # every program came from the file
    for (pattern, flags), ours, kept in zip(PATTERNS, compiled, again, strict=True):
        standard = compiled_code._re_compile(pattern, flags)
        assert kept == ours == standard and kept is not standard
        assert kept.groupindex == standard.groupindex and kept.flags == standard.flags
    assert again[0].match("api_key = 'abcdefgh123'").group("value") == "abcdefgh123"  # type: ignore[union-attr]


def _no_parse(*arguments: object) -> None:
    raise AssertionError("parsed a pattern whose program was kept")


def test_only_patterns_written_in_code_are_kept(cache_file: Path) -> None:
    name = "handle_" + "refresh"  # as a name read from a scanned file
    assert re.compile(rf"\b{re.escape(name)}\b").search("x = handle_refresh()")
    assert not compiled_code._programs.added  # built at run time: never written down
    declared = lazy.compiled_on_use(r"probe-declared-[0-9]+")
    assert declared().match("probe-declared-7") and compiled_code._programs.added


def test_a_program_that_builds_another_pattern_is_not_kept(
        cache_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    derive = compiled_code._program

    def wrong(pattern: str, flags: int) -> object:  # as another Python's internals might
        flags_out, code, groups, groupindex, indexgroup = derive(pattern, flags)
        return flags_out | re.IGNORECASE, code, groups, groupindex, indexgroup

    monkeypatch.setattr(compiled_code, "_program", wrong)
    compiled = lazy.compiled_on_use("probe-wrong-[0-9]+")()
    assert compiled == compiled_code._re_compile("probe-wrong-[0-9]+", 0)
    assert not compiled_code._programs.added
    with pytest.raises(re.error):  # errors as ever, nothing kept
        lazy.compiled_on_use("probe-(unclosed")()
    assert not compiled_code._programs.added


def test_the_command_line_keeps_what_it_compiled_and_the_next_run_writes_nothing(
        tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("SECRET_HYGIENE_PATTERN_CACHE", None)
    folder = tmp_path / "xdg" / "secret-hygiene" / "code"
    outputs, files = [], []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "scanner.cli", "rules"], env=env,
                              capture_output=True, text=True, check=True)
        outputs.append(done.stdout)
        files.append({path.name: (path.stat().st_mtime_ns, path.read_bytes())
                      for path in folder.iterdir()})
    assert files[0] == files[1] and len(files[0]) == 2  # nothing new compiled the second time
    assert outputs[0] == outputs[1] and "SH101" in outputs[0]
