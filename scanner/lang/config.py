"""Config files (YAML, JSON, TOML, INI, .env) as data and as positioned key/value entries.

YAML aliases are capped, so a billion-laughs file cannot blow up memory or time."""

from __future__ import annotations

import configparser
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scanner.model.document import FileKind, json_loads_safe

if TYPE_CHECKING:
    import yaml

    from scanner.model.document import Document

_MAX_ALIASES = 200
# Values that aliases may add once expanded (the alias count alone does not bound that).
_MAX_EXPANSION = 100_000
_MAX_DEPTH = 200
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*?)\s*$")
_INI_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*?)\s*$")
_TOML_KEY = re.compile(r"^\s*\"?([A-Za-z0-9_.\-]+)\"?\s*=")
_TOML_KEY_PART = r"(?:[A-Za-z0-9_\-]+|\"[^\"\n]*\"|'[^'\n]*')"
_TOML_DOTTED_KEY = re.compile(rf"^\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*=")
_TOML_TABLE = re.compile(rf"^\s*(\[\[?)\s*({_TOML_KEY_PART}(?:\s*\.\s*{_TOML_KEY_PART})*)\s*\]")
_TOML_PARTS = re.compile(_TOML_KEY_PART)


@dataclass(frozen=True)
class ConfigEntry:
    """One key with a scalar value or a list of scalars, and where the value starts."""

    key_path: tuple[str, ...]
    value: Any
    line: int
    column: int
    end_line: int
    end_column: int
    # For lists: (value, line, column, end_line, end_column) of each element.
    items: tuple[tuple[Any, int, int, int, int], ...] = ()

    @property
    def key(self) -> str:
        return self.key_path[-1] if self.key_path else ""


class _TooManyAliases(Exception):
    pass


def _loader(text: str) -> yaml.SafeLoader:
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > _MAX_ALIASES:
                    raise _TooManyAliases
            return super().compose_node(parent, index)

    return BoundedLoader(text)


def _compose_yaml(text: str) -> tuple[list[Any], str | None]:
    import yaml

    try:
        # The reader rejects control characters as soon as the loader is built.
        loader = _loader(text)
    except yaml.YAMLError as exc:
        return [], f"invalid YAML ({str(exc).splitlines()[0][:60]})"
    try:
        nodes = []
        while loader.check_node():
            nodes.append(loader.get_node())
        if getattr(loader, "aliases", 0) and _expanded_size(nodes) > _MAX_EXPANSION:
            raise _TooManyAliases
        return nodes, None
    except _TooManyAliases:
        return [], (f"YAML aliases expand beyond {_MAX_ALIASES} aliases or {_MAX_EXPANSION} "
                    "values (possible alias bomb)")
    except RecursionError:
        return [], "YAML nested too deeply to parse"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return [], f"invalid YAML{where}"
    finally:
        loader.dispose()


def _expanded_size(roots: list[Any]) -> int:
    """How many nodes the documents hold once every alias is expanded, beyond the distinct
    ones: 9 levels of 9 aliases each are only 72 aliases but 387 million values."""
    import yaml

    size: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[Any, bool]] = [(root, False) for root in roots]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        if children_done or not children:
            distinct += 1
            size[id(node)] = 1 + sum(size.get(id(child), 1) for child in children)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
    return sum(size.get(id(root), 1) for root in roots) - distinct


def parse_config(text: str, kind: FileKind) -> tuple[Any, str | None]:
    """(data, note): data is None and note says why when the file cannot be parsed."""
    if kind is FileKind.JSON:
        return json_loads_safe(text)
    if kind is FileKind.YAML:
        nodes, note = _compose_yaml(text)
        if note:
            return None, note
        try:
            return [_node_value(n, 0) for n in nodes], None
        except RecursionError:
            return None, "YAML nested too deeply to parse"
    if kind is FileKind.TOML:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # Python 3.10
            import tomli as tomllib
        try:
            return tomllib.loads(text), None
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            return None, f"invalid TOML ({str(exc).splitlines()[0][:80]})"
    if kind is FileKind.INI:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            return None, None  # .cfg/.conf files are often not INI at all: no note, text rules run
        return {s: dict(parser[s]) for s in parser.sections()}, None
    if kind is FileKind.ENV:
        data = {}
        for line in text.splitlines():
            match = _ENV_LINE.match(line)
            if match and not line.lstrip().startswith("#"):
                data[match.group(1)] = _unquote(match.group(2))
        return data, None
    return None, None


def _node_value(node: Any, depth: int) -> Any:
    import yaml

    if depth > _MAX_DEPTH:
        raise RecursionError
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(n, depth + 1) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_node_value(k, depth + 1)): _node_value(v, depth + 1) for k, v in node.value}
    return None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if " #" in value:
        value = value.split(" #", 1)[0].rstrip()
    return value


def iter_entries(file: Document) -> Iterator[ConfigEntry]:
    """Positioned key/value entries of a config file; nothing when it does not parse."""
    if file.kind in {FileKind.YAML, FileKind.JSON}:
        if file.config is None:
            return
        nodes, note = _compose_yaml(file.text.replace("\t", " ") if file.kind is FileKind.JSON else file.text)
        if note and file.kind is FileKind.JSON:
            yield from _entries_from_data(file, file.config, ())
            return
        for node in nodes:
            yield from _yaml_entries(node, (), 0)
    elif file.kind is FileKind.TOML:
        if isinstance(file.config, dict):
            yield from _entries_from_data(file, file.config, (), _toml_key_lines(file.lines))
    elif file.kind in {FileKind.ENV, FileKind.INI}:
        pattern = _ENV_LINE if file.kind is FileKind.ENV else _INI_LINE
        section: tuple[str, ...] = ()
        for number, line in enumerate(file.lines, start=1):
            stripped = line.strip()
            if stripped.startswith(("#", ";")):
                continue
            if stripped.startswith("[") and stripped.endswith("]"):
                section = (stripped[1:-1].strip(),)
                continue
            match = pattern.match(line)
            if match:
                column = match.start(2) + 1
                yield ConfigEntry((*section, match.group(1)), _unquote(match.group(2)),
                                  number, column, number, match.end(2) + 1)


def _yaml_entries(node: Any, path: tuple[str, ...], depth: int) -> Iterator[ConfigEntry]:
    import yaml

    if depth > _MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            yield from _yaml_entries(value_node, (*path, key), depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        scalars = [n for n in node.value if isinstance(n, yaml.ScalarNode)]
        if scalars and len(scalars) == len(node.value):
            items = tuple((n.value, *_span(n)) for n in scalars)
            yield ConfigEntry(path, [n.value for n in scalars], *_span(node), items=items)
        else:
            for index, child in enumerate(node.value):
                yield from _yaml_entries(child, (*path, str(index)), depth + 1)
    elif isinstance(node, yaml.ScalarNode):
        yield ConfigEntry(path, node.value, *_span(node))


def _span(node: Any) -> tuple[int, int, int, int]:
    start, end = node.start_mark, node.end_mark
    return start.line + 1, start.column + 1, end.line + 1, end.column + 1


def _entries_from_data(file: Document, data: Any, path: tuple[str, ...],
                       key_lines: dict[tuple[str, ...], int] | None = None) -> Iterator[ConfigEntry]:
    """Entries for formats without positions: the line of the key in its own table (TOML,
    `key_lines`), else the first line naming the key."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)) and not _scalar_list(value):
                yield from _entries_from_data(file, value, (*path, str(key)), key_lines)
            else:
                line = _line_of_path(key_lines, (*path, str(key))) or _line_of_key(file, str(key))
                yield ConfigEntry((*path, str(key)), value, line, 1, line, len(file.line_text(line)) + 1)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _entries_from_data(file, value, (*path, str(index)), key_lines)


def _toml_key_lines(lines: list[str]) -> dict[tuple[str, ...], int]:
    """The line of every key path a TOML file writes: `[prod]` then `redirect_uri = ...` is
    ("prod", "redirect_uri"); the n-th `[[servers]]` table is ("servers", "n")."""
    found: dict[tuple[str, ...], int] = {}
    tables: dict[tuple[str, ...], int] = {}  # how many [[array]] tables of each path so far
    table: tuple[str, ...] = ()
    in_string = False  # inside a multi-line string: nothing there is a key
    for number, line in enumerate(lines, start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        header = _TOML_TABLE.match(line)
        if header:
            parts = _toml_parts(header.group(2))
            if header.group(1) == "[[":
                tables[parts] = tables.get(parts, -1) + 1
                parts = (*parts, str(tables[parts]))
            table = parts
            found.setdefault(table, number)
            continue
        key = _TOML_DOTTED_KEY.match(line)
        if key:
            found.setdefault((*table, *_toml_parts(key.group(1))), number)
        in_string = quotes % 2 == 1
    return found


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _TOML_PARTS.findall(dotted))


def _line_of_path(key_lines: dict[tuple[str, ...], int] | None, path: tuple[str, ...]) -> int | None:
    """The line of a key path, or of its nearest parent written on a line (an inline table)."""
    if not key_lines:
        return None
    for end in range(len(path), 0, -1):
        line = key_lines.get(path[:end])
        if line is not None:
            return line
    return None


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _line_of_key(file: Document, key: str) -> int:
    for number, line in enumerate(file.lines, start=1):
        match = _TOML_KEY.match(line)
        if (match and match.group(1).split(".")[-1] == key) or f'"{key}"' in line:
            return number
    return 1
