"""Configuration: `[tool.secret-hygiene]` in pyproject.toml or `.secret-hygiene.toml` -> Config.

Every key is checked; a bad one raises ConfigError naming the file and key."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model.finding import Severity
from scanner.safe_io import FileSafetyError, read_file

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
# The largest max-file-size accepted: a file is read whole into memory, so a repository's config
# must not be able to ask for gigabytes.
MAX_FILE_SIZE_LIMIT = 256 * 1024 * 1024
CONFIG_FILES = (".secret-hygiene.toml", "pyproject.toml")
BASELINE_FILE = ".secret-hygiene-baseline.json"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


class ConfigError(Exception):
    """A configuration problem; the message is one line naming the file and key."""


@dataclass(frozen=True)
class Config:
    """The settings read from the config file (defaults where it is silent)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.LOW
    baseline: str | None = None
    redact: int | None = None  # percent of each value hidden in reports (None: the usual form)
    # Family sections ("secrets", "scopes", "webhooks", "oauth") as validated dictionaries.
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str | None = None

    def exclude_spec(self) -> Any:
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(self.exclude)


def find_config(root: Path) -> Path | None:
    """The config for a scan of `root`: in a git work tree, the first config file holding our
    settings in `root` or a parent up to the work tree's top, however `root` is spelt (`.` from
    a subdirectory, `$PWD`, `sub/`); outside git, only one in `root` itself (never an ancestor's,
    which belongs to some other project)."""
    try:
        start = root.resolve()
    except (OSError, RuntimeError):
        start = root.absolute()
    chain = [start, *start.parents]
    top = next((index for index, directory in enumerate(chain) if (directory / ".git").exists()),
               None)
    for directory in chain[:top + 1] if top is not None else chain[:1]:
        for name in CONFIG_FILES:
            # Named as the user spelt the scanned directory when it is that one (messages).
            candidate = (root if directory == start else directory) / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_our_table(candidate)):
                return candidate
    return None


# `[tool.secret-hygiene]`, `[tool."secret-hygiene"]`, `[ tool . 'secret-hygiene' .secrets ]`.
_OUR_TABLE = re.compile(rb"""^\s*\[\s*tool\s*\.\s*(?:secret-hygiene|"secret-hygiene"|'secret-hygiene')\s*[\].]""",
                        re.MULTILINE)


def _has_our_table(path: Path) -> bool:
    try:
        data = read_file(path, what="config")
    except (OSError, FileSafetyError):
        return False  # a FIFO, device or huge file is not a config of ours
    # Also `tool.secret-hygiene = {...}` or a dotted key under [tool]: read it to be sure.
    return bool(_OUR_TABLE.search(data)) or (b"secret-hygiene" in data and _our_table(path) is not None)


def _our_table(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        tool = tomllib.loads(read_file(path, what="config").decode("utf-8-sig")).get("tool")
    except (OSError, FileSafetyError, ValueError, RecursionError):
        return None  # load_config says why, if this file is the one used
    return tool.get("secret-hygiene") if isinstance(tool, dict) else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _settings_table(path)
    source = str(path)
    if "extend" in data:
        source += f" (extending {data['extend']})"
        data = _extended(data, path, (_identity(path),))
    return parse_config(data, source)


# How many configs an `extend` chain may hold (a loop is an error before that).
MAX_EXTEND_DEPTH = 8


def _settings_table(path: Path) -> dict[str, Any]:
    """Our settings in a config file: pyproject's [tool.secret-hygiene], or the whole file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(read_file(path, what="config").decode("utf-8-sig"))
    except FileSafetyError as exc:
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    tool = data.get("tool")
    if path.name == "pyproject.toml" or (set(data) == {"tool"} and isinstance(tool, dict)
                                         and set(tool) == {"secret-hygiene"}):
        # The README's pyproject block pasted into .secret-hygiene.toml works as it is.
        table = tool.get("secret-hygiene", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: tool.secret-hygiene: expected a table")
        return table
    return data


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path.absolute())


def _extended(data: dict[str, Any], path: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    """`extend = "FILE"` (relative to this config) or `"pkg:PACKAGE/FILE"` (a file shipped in
    an installed package): that config's settings, overridden key by key by this one's (tables
    merge, lists and values replace)."""
    reference = data.get("extend")
    local = {key: value for key, value in data.items() if key != "extend"}
    if reference is None:
        return local
    if not isinstance(reference, str) or not reference.strip():
        raise ConfigError(f"{path}: extend: expected a file path or \"pkg:PACKAGE/FILE\"")
    base_path = _extend_target(reference, path)
    identity = _identity(base_path)
    if identity in chain:
        raise ConfigError(f"{path}: extend: {reference} extends itself (a loop)")
    if len(chain) >= MAX_EXTEND_DEPTH:
        raise ConfigError(f"{path}: extend: more than {MAX_EXTEND_DEPTH} configs in the chain")
    base = _extended(_settings_table(base_path), base_path, (*chain, identity))
    return _merged(base, local)


def _extend_target(reference: str, path: Path) -> Path:
    if not reference.startswith("pkg:"):
        target = Path(reference).expanduser()
        return target if target.is_absolute() else path.parent / target
    package, _, resource = reference[len("pkg:"):].partition("/")
    import importlib.resources
    import importlib.util

    try:
        found = importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        found = False
    if not found or not resource:
        raise ConfigError(f"{path}: extend: {reference}: no installed package {package!r} "
                          "(expected \"pkg:PACKAGE/FILE\")")
    return Path(str(importlib.resources.files(package).joinpath(resource)))


def _merged(base: Mapping[str, Any], local: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in local.items():
        previous = merged.get(key)
        merged[key] = (_merged(previous, value) if isinstance(value, dict) and isinstance(previous, dict)
                       else value)
    return merged


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    from scanner.rules import registry

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{source}: {key}: {problem}")

    def string_list(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a list of strings")
        return tuple(value)

    known = {"select", "ignore", "exclude", "per-file-ignores", "max-file-size", "severity",
             "fail-on", "baseline", "redact", *registry.FAMILY_SECTIONS}
    for key in data:
        if key not in known:
            raise fail(key, f"unknown key (known: {', '.join(sorted(known))})")

    select, ignore = string_list("select"), string_list("ignore")
    for key, selectors in (("select", select), ("ignore", ignore)):
        try:
            registry.check_selectors(selectors)
        except registry.SelectorError as exc:
            raise fail(key, str(exc)) from None

    exclude = string_list("exclude")
    _check_patterns("exclude", exclude, fail)

    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = data.get("per-file-ignores", {})
    if not isinstance(raw_per_file, dict):
        raise fail("per-file-ignores", "expected a table of pattern = [rules]")
    for pattern, raw_selectors in raw_per_file.items():
        entry = [raw_selectors] if isinstance(raw_selectors, str) else raw_selectors
        if not isinstance(entry, list) or not all(isinstance(s, str) for s in entry):
            raise fail(f"per-file-ignores.{pattern}", "expected a list of rule ids or families")
        try:
            registry.check_selectors(entry)
        except registry.SelectorError as exc:
            raise fail(f"per-file-ignores.{pattern}", str(exc)) from None
        _check_patterns(f"per-file-ignores.{pattern}", [pattern], fail)
        per_file.append((pattern, tuple(entry)))

    max_size = data.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    try:
        max_file_size = parse_size(max_size)
    except ValueError as exc:
        raise fail("max-file-size", str(exc)) from None

    severity: dict[str, Severity] = {}
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise fail("severity", "expected a table of rule id = severity")
    for rule_id, level in raw_severity.items():
        if rule_id not in registry.RULES_BY_ID:
            raise fail(f"severity.{rule_id}", "unknown rule id")
        if not isinstance(level, str):
            raise fail(f"severity.{rule_id}", "expected low, medium or high")
        try:
            severity[rule_id] = Severity.parse(level)
        except ValueError as exc:
            raise fail(f"severity.{rule_id}", str(exc)) from None

    fail_on = Severity.LOW
    if "fail-on" in data:
        if not isinstance(data["fail-on"], str):
            raise fail("fail-on", "expected low, medium or high")
        try:
            fail_on = Severity.parse(data["fail-on"])
        except ValueError as exc:
            raise fail("fail-on", str(exc)) from None

    baseline = data.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise fail("baseline", "expected a path")

    redact = data.get("redact")
    if redact is not None and (not isinstance(redact, int) or isinstance(redact, bool)
                               or not 0 <= redact <= 100):
        raise fail("redact", "expected an integer from 0 to 100 (percent of a value hidden)")

    options: dict[str, Mapping[str, Any]] = {}
    for section, family in registry.FAMILY_SECTIONS.items():
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            raise fail(section, "expected a table")
        allowed: Mapping[str, Any] = family.options
        for key, value in raw.items():
            if key not in allowed:
                known_keys = ", ".join(sorted(allowed)) or "none"
                raise fail(f"{section}.{key}", f"unknown key (known: {known_keys})")
            if not isinstance(value, allowed[key]) or (isinstance(value, bool) and bool not in _as_tuple(allowed[key])):
                raise fail(f"{section}.{key}", f"expected {_type_names(allowed[key])}")
        validate = family.validate
        if validate is not None:
            try:
                validate(raw)
            except ValueError as exc:
                raise fail(section, str(exc)) from None
        options[section] = dict(raw)

    return Config(select=select, ignore=ignore, exclude=exclude, per_file_ignores=tuple(per_file),
                  max_file_size=max_file_size, severity=severity, fail_on=fail_on,
                  baseline=baseline, redact=redact, options=options, source=source)


def _as_tuple(types: Any) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _type_names(types: Any) -> str:
    names = {"str": "a string", "int": "an integer", "list": "a list", "dict": "a table",
             "bool": "true or false", "float": "a number"}
    return " or ".join(names.get(t.__name__, t.__name__) for t in _as_tuple(types))


def _check_patterns(key: str, patterns: Any, fail: Any) -> None:
    if not patterns:
        return  # nothing to compile (and pathspec need not be imported)
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines(patterns)
    except (ValueError, TypeError, re.error) as exc:  # "[z-a]" fails in re.compile
        raise fail(key, f"bad pattern: {exc}") from None


def parse_size(value: Any) -> int:
    """A size in bytes, from 1 up to MAX_FILE_SIZE_LIMIT (256 MiB)."""
    size = 0
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("must be positive")
        size = value
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        size = int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])
    if size <= 0:
        raise ValueError("expected a size such as 5242880 or \"5MiB\"")
    if size > MAX_FILE_SIZE_LIMIT:
        raise ValueError(f"{size} bytes is over the maximum of "
                         f"{MAX_FILE_SIZE_LIMIT // 1024 ** 2}MiB (files are read whole into memory)")
    return size
