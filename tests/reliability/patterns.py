"""Every regular expression the scanner uses, and adversarial inputs built from each one.

Patterns are collected from module and class attributes (also inside tuples, lists, dicts and
cached catalogs) and from literal `re.*(...)` calls in the source. An attack pumps one repeated
part of the pattern thousands of times after a prefix that leads to it, then adds a character
that makes the match fail: the input that makes a backtracking pattern go exponential."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scanner

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

FAIL_SUFFIXES = ("\x00", "!", "\n", " ")
_FLAG_NAMES = {"I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M, "S": re.S,
               "DOTALL": re.S, "X": re.X, "VERBOSE": re.X, "A": re.A, "ASCII": re.A}


def scanner_modules() -> list[Any]:
    modules = [scanner]
    for info in pkgutil.walk_packages(scanner.__path__, "scanner."):
        modules.append(importlib.import_module(info.name))
    return modules


def collect_patterns() -> dict[str, re.Pattern[Any]]:
    """{where: compiled pattern} for every pattern the scanner package holds or compiles."""
    found: dict[str, re.Pattern[Any]] = {}
    for module in scanner_modules():
        for attr, value in vars(module).items():
            _walk(f"{module.__name__}.{attr}", value, found, 0)
            if inspect.isclass(value) and value.__module__ == module.__name__:
                for class_attr, class_value in vars(value).items():
                    _walk(f"{module.__name__}.{attr}.{class_attr}", class_value, found, 0)
            elif callable(value) and hasattr(value, "cache_info") and _no_required_args(value):
                # Cached loaders (catalogs read from data files) hold compiled patterns too.
                _walk(f"{module.__name__}.{attr}()", value(), found, 0)
        for where, pattern in _literal_calls(module):
            found.setdefault(where, pattern)
    return found


def _no_required_args(func: Any) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in signature.parameters.values())


def _walk(where: str, value: Any, found: dict[str, re.Pattern[Any]], depth: int) -> None:
    if depth > 4:
        return
    if isinstance(value, re.Pattern):
        found.setdefault(where, value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            _walk(f"{where}[{index}]", item, found, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(f"{where}[{key!r}]", item, found, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            _walk(f"{where}.{item.name}", getattr(value, item.name), found, depth + 1)
        # A pattern compiled on first use stands behind a property (the catalogs' SDK calls).
        for name, member in vars(type(value)).items():
            if isinstance(member, property) and isinstance(getattr(value, name), re.Pattern):
                _walk(f"{where}.{name}", getattr(value, name), found, depth + 1)


def _literal_calls(module: Any) -> Iterator[tuple[str, re.Pattern[Any]]]:
    """`re.search(r"...", ...)` and friends with a constant pattern, anywhere in the source."""
    source_file = getattr(module, "__file__", None)
    if not source_file or not source_file.endswith(".py"):
        return
    tree = ast.parse(Path(source_file).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, (str, bytes))):
            continue
        flags = 0
        flag_nodes = [k.value for k in node.keywords if k.arg == "flags"]
        if node.func.attr in {"compile", "search", "match", "fullmatch", "findall", "finditer"}:
            flag_nodes += node.args[2:3] if node.func.attr != "compile" else node.args[1:2]
        elif node.func.attr in {"sub", "subn"}:
            flag_nodes += node.args[4:5]
        elif node.func.attr == "split":
            flag_nodes += node.args[3:4]
        for flag_node in flag_nodes:
            flags |= _flags(flag_node)
        where = f"{module.__name__}:{node.lineno}"
        yield where, re.compile(node.args[0].value, flags)


def _flags(node: ast.expr) -> int:
    if isinstance(node, ast.Attribute) and node.attr in _FLAG_NAMES:
        return _FLAG_NAMES[node.attr]
    if isinstance(node, ast.BinOp):
        return _flags(node.left) | _flags(node.right)
    return 0


# -- attacks ----------------------------------------------------------------------------------

_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "0", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a", "CATEGORY_WORD": "a", "CATEGORY_NOT_WORD": " ",
    "CATEGORY_LINEBREAK": "\n", "CATEGORY_NOT_LINEBREAK": "a",
}
_CANDIDATES = "a0 A_-./:=\"'\\@%+,;{}()[]$#&?!*<>|~`^\t\nZz9"


def _name(op: Any) -> str:
    return str(op).replace("CATEGORY_UNI_", "CATEGORY_").replace("CATEGORY_LOC_", "CATEGORY_")


def _in_category(name: str, char: str) -> bool:
    name = name.replace("CATEGORY_UNI_", "CATEGORY_").replace("CATEGORY_LOC_", "CATEGORY_")
    checks = {
        "CATEGORY_DIGIT": char.isdigit(), "CATEGORY_SPACE": char.isspace(),
        "CATEGORY_WORD": char.isalnum() or char == "_", "CATEGORY_LINEBREAK": char == "\n",
    }
    if name.startswith("CATEGORY_NOT_"):
        return not checks.get("CATEGORY_" + name[len("CATEGORY_NOT_"):], False)
    return checks.get(name, False)


def _class_contains(items: list[Any], char: str) -> bool:
    negate = False
    hit = False
    for op, arg in items:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or chr(arg) == char
        elif name == "RANGE":
            hit = hit or arg[0] <= ord(char) <= arg[1]
        elif name == "CATEGORY":
            hit = hit or _in_category(str(arg), char)
    return hit != negate


def _class_sample(items: list[Any]) -> str:
    for char in _CANDIDATES:
        if _class_contains(items, char):
            return char
    for op, arg in items:
        if _name(op) == "LITERAL":
            return chr(arg)
        if _name(op) == "RANGE":
            return chr(arg[0])
    return "a"


def _repeat_nodes(items: Any) -> Iterator[Any]:
    """Every repeat node (with an unbounded or large maximum) below `items`."""
    for op, arg in items:
        name = _name(op)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            _low, high, body = arg
            if high is sre_parse.MAXREPEAT or high > 8:
                yield arg
            yield from _repeat_nodes(body)
        elif name == "SUBPATTERN":
            yield from _repeat_nodes(arg[-1])
        elif name == "ATOMIC_GROUP":
            yield from _repeat_nodes(arg)
        elif name == "BRANCH":
            for alternative in arg[1]:
                yield from _repeat_nodes(alternative)
        elif name in {"ASSERT", "ASSERT_NOT"}:
            yield from _repeat_nodes(arg[1])
        elif name == "GROUPREF_EXISTS":
            yield from _repeat_nodes(arg[1])
            if arg[2] is not None:
                yield from _repeat_nodes(arg[2])


def _contains(items: Any, target: Any) -> bool:
    return any(node is target for node in _repeat_nodes(items))


def _text(items: Any, target: Any, pumps: int, groups: dict[int, str]) -> str:
    """The shortest text the sequence matches, with `target`'s body repeated `pumps` times."""
    out = []
    for op, arg in items:
        name = _name(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_sample(arg))
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, body = arg
            if arg is target:
                unit = _text(body, None, 1, groups) or "a"
                limit = pumps if high is sre_parse.MAXREPEAT else min(pumps, high)
                out.append(unit * max(limit, low))
            elif target is not None and _contains(body, target):
                out.append(_text(body, target, pumps, groups) + _text(body, None, 1, groups) * max(low - 1, 0))
            else:
                out.append(_text(body, None, 1, groups) * low)
        elif name == "SUBPATTERN":
            text = _text(arg[-1], target, pumps, groups)
            if arg[0] is not None:
                groups[arg[0]] = text
            out.append(text)
        elif name == "ATOMIC_GROUP":
            out.append(_text(arg, target, pumps, groups))
        elif name == "BRANCH":
            alternatives = arg[1]
            chosen = next((a for a in alternatives if target is not None and _contains(a, target)),
                          alternatives[0])
            out.append(_text(chosen, target, pumps, groups))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "GROUPREF_EXISTS":
            branch = arg[1] if target is None or _contains(arg[1], target) or arg[2] is None else arg[2]
            out.append(_text(branch, target, pumps, groups))
        # AT, ASSERT, ASSERT_NOT and anything else: zero width.
    return "".join(out)


def attacks(pattern: re.Pattern[Any], length: int) -> list[str | bytes]:
    """Adversarial subjects of about `length` characters for one pattern."""
    source = pattern.pattern
    items = _parsed(pattern)
    if items is None:
        return []
    subjects: list[str] = []
    for target in _repeat_nodes(items):
        unit = _text(target[2], None, 1, {}) or "a"
        pumps = max(1, length // max(len(unit), 1))
        body = _text(items, target, pumps, {})
        subjects.extend(body + suffix for suffix in FAIL_SUFFIXES)
        # The pump alone, without the prefix that leads to it.
        subjects.append(unit * pumps + "\x00")
    # Long runs of every character the pattern mentions.
    for char in sorted(set(_text(items, None, 1, {})) | {" ", "a", "0"}):
        subjects.append(char * length)
    if isinstance(source, bytes):
        return [s.encode("utf-8", "surrogateescape") for s in subjects]
    return list(dict.fromkeys(subjects))


def shortest_match(pattern: re.Pattern[Any]) -> str:
    """The shortest text `pattern` matches, one sample character per class: the literal parts
    that make a line interesting to it, in the case it wants (bytes patterns as latin-1 text)."""
    items = _parsed(pattern)
    return "" if items is None else _text(items, None, 1, {})


def _parsed(pattern: re.Pattern[Any]) -> list[Any] | None:
    """The parsed items of a pattern (bytes patterns read as latin-1), None if it cannot be."""
    source = pattern.pattern
    text_pattern = source.decode("latin-1") if isinstance(source, bytes) else source
    flags = pattern.flags & ~re.UNICODE if isinstance(source, bytes) else pattern.flags
    try:
        return list(sre_parse.parse(text_pattern, flags & ~re.LOCALE))
    except re.error:
        return None


def leading_literal(pattern: re.Pattern[Any]) -> str:
    """The literal text every match of `pattern` starts with (the first alternative's, for a
    leading alternation): `sk-` for OpenAI keys, `//` for npm's `_authToken` lines."""
    items = _parsed(pattern)
    return "" if items is None else _leading(items)[0]


def _leading(items: Any) -> tuple[str, bool]:
    """(literal prefix of the sequence, whether the whole sequence was literal)."""
    out = []
    for op, arg in items:
        name = _name(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue
        elif name == "SUBPATTERN":
            text, whole = _leading(arg[-1])
            out.append(text)
            if not whole:
                return "".join(out), False
        elif name == "BRANCH":
            out.append(_leading(arg[1][0])[0])
            return "".join(out), False
        else:
            return "".join(out), False
    return "".join(out), True
