"""ParsedFile: one decoded file as the rules see it, with structured parses made lazily.

libcst, tree-sitter and YAML parsers are imported only when a rule asks for a parse."""

from __future__ import annotations

import bisect
import enum
import json
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scanner.redact import SecretValues

if TYPE_CHECKING:
    import libcst
    import tree_sitter

    from scanner.keywords import KeywordIndex

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")


class FileKind(enum.Enum):
    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    HTML = "html"
    VUE = "vue"
    YAML = "yaml"
    JSON = "json"
    TOML = "toml"
    INI = "ini"
    ENV = "env"
    NOTEBOOK = "notebook"
    SHELL = "shell"
    DOCKERFILE = "dockerfile"
    MARKDOWN = "markdown"
    TEXT = "text"


JS_KINDS = frozenset({FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX})
CONFIG_KINDS = frozenset({FileKind.YAML, FileKind.JSON, FileKind.TOML, FileKind.INI, FileKind.ENV})

_BY_SUFFIX = {
    ".py": FileKind.PYTHON, ".pyi": FileKind.PYTHON, ".pyw": FileKind.PYTHON,
    ".js": FileKind.JAVASCRIPT, ".mjs": FileKind.JAVASCRIPT, ".cjs": FileKind.JAVASCRIPT,
    ".jsx": FileKind.TSX, ".ts": FileKind.TYPESCRIPT, ".mts": FileKind.TYPESCRIPT,
    ".cts": FileKind.TYPESCRIPT, ".tsx": FileKind.TSX,
    ".html": FileKind.HTML, ".htm": FileKind.HTML, ".vue": FileKind.VUE, ".svelte": FileKind.VUE,
    ".yaml": FileKind.YAML, ".yml": FileKind.YAML, ".json": FileKind.JSON,
    ".jsonc": FileKind.JSON, ".toml": FileKind.TOML, ".ini": FileKind.INI, ".cfg": FileKind.INI,
    ".conf": FileKind.INI, ".properties": FileKind.INI, ".env": FileKind.ENV,
    ".ipynb": FileKind.NOTEBOOK, ".sh": FileKind.SHELL, ".bash": FileKind.SHELL,
    ".zsh": FileKind.SHELL, ".md": FileKind.MARKDOWN, ".rst": FileKind.MARKDOWN,
}

_FRONTEND_DIRS = frozenset(
    {"frontend", "client", "web", "webapp", "public", "static", "www", "spa", "ui", "app", "src"}
)
_BACKEND_HINTS = frozenset({"server", "api", "backend", "functions", "lambda", "routes", "pages/api"})


def kind_of(path: str) -> FileKind:
    """File kind from the name alone (no I/O): suffixes first, then `identify` for the rest."""
    name = path.rsplit("/", 1)[-1].lower()  # string work: this runs for every file
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return FileKind.ENV
    if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile"):
        return FileKind.DOCKERFILE
    dot = name.rfind(".")
    kind = _BY_SUFFIX.get(name[dot:]) if 0 < dot < len(name) - 1 else None
    if kind is not None:
        return kind
    from identify import identify

    tags = identify.tags_from_filename(name)
    for tag, tag_kind in (("python", FileKind.PYTHON), ("javascript", FileKind.JAVASCRIPT),
                          ("shell", FileKind.SHELL), ("yaml", FileKind.YAML),
                          ("json", FileKind.JSON), ("toml", FileKind.TOML)):
        if tag in tags:
            return tag_kind
    return FileKind.TEXT


def split_lines(text: str) -> list[str]:
    """Lines as editors count them: CRLF, LF and a lone CR each end a line."""
    return _LINE_BREAK.split(text)


class ParsedFile:
    """A decoded file plus lazily built views: lines, offsets, Python CST, JS tree, config data."""

    def __init__(
        self,
        path: str,
        text: str,
        *,
        changed_lines: frozenset[int] | None = None,
        commit: str | None = None,
        kind: FileKind | None = None,
    ) -> None:
        self.path = path
        self.text = text
        self.changed_lines = changed_lines
        self.commit = commit
        self.kind = kind if kind is not None else kind_of(path)
        # Notes for summary.errors (parse failures); secrets seen, so every snippet can be redacted.
        self.notes: list[str] = []
        self.secrets_seen = SecretValues()
        # line -> its credential literals (rules.Rule.finding), searched once per line.
        self.literals_by_line: dict[int, frozenset[str]] = {}
        self._keyword_lines: dict[tuple[str, ...], list[int]] = {}
        # keyword -> whether `lower` holds it; shared by every rule that asks about this file.
        self._keyword_seen: dict[str, bool] = {}
        # Set by the engine: the scan's words, all found in one pass when first asked about.
        self.keyword_index: KeywordIndex | None = None
        self._present: frozenset[str] | None = None

    # -- text views ---------------------------------------------------------------------------

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def utf8(self) -> bytes:
        """The text as UTF-8 (the original bytes of a UTF-8 file), for the Hyperscan passes."""
        return self.text.encode("utf-8", "surrogateescape")

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAK.finditer(self.text))
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into `text`."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def lines_with(self, keywords: tuple[str, ...]) -> list[int]:
        """1-based numbers of the lines holding any of the lower-case `keywords`."""
        cached = self._keyword_lines.get(keywords)
        if cached is not None:
            return cached
        found: set[int] = set()
        lower = self.lower
        for keyword in keywords:
            start = lower.find(keyword)
            while start != -1:
                line, _ = self.position(start)
                found.add(line)
                # Skip to the next line: one hit per line is enough.
                next_start = self._line_starts[line] if line < len(self._line_starts) else len(lower)
                start = lower.find(keyword, next_start)
        result = sorted(found)
        self._keyword_lines[keywords] = result
        return result

    def keywords_present(self) -> frozenset[str]:
        """The index's words this file holds (empty without an index)."""
        present = self._present
        if present is None:
            index = self.keyword_index
            if index is None:
                return frozenset()
            present = self._present = index.present_bytes(self.utf8)
        return present

    def has_token(self, keyword: str) -> bool:
        """Whether the lower-cased text holds `keyword` (lower-case)."""
        index = self.keyword_index
        if index is not None and keyword in index.tokens:
            return keyword in self.keywords_present()
        seen = self._keyword_seen.get(keyword)
        if seen is None:
            seen = self._keyword_seen[keyword] = keyword in self.lower
        return seen

    def has_any(self, keywords: Iterable[str]) -> bool:
        """Whether the lower-cased text holds any of `keywords`. Words of the engine's index are
        answered from its one pass; any other word is searched once a file and remembered."""
        index = self.keyword_index
        if index is not None:
            present = self.keywords_present()
            tokens = index.tokens
            for keyword in keywords:
                if keyword in present or (keyword not in tokens and self.has_token(keyword)):
                    return True
            return False
        return any(self.has_token(keyword) for keyword in keywords)

    # -- path facts ---------------------------------------------------------------------------

    @cached_property
    def parts(self) -> tuple[str, ...]:
        return tuple(p.lower() for p in self.path.split("/") if p and p != ".")

    @cached_property
    def is_test(self) -> bool:
        """Test code, fixtures and examples: where dummy credentials are expected."""
        name = self.parts[-1] if self.parts else ""
        dirs = set(self.parts[:-1])
        return bool(
            dirs & {"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures", "testdata"}
            or name.startswith("test_")
            or re.search(r"(_test\.py|\.(test|spec)\.[jt]sx?)$", name)
            or name == "conftest.py"
        )

    @cached_property
    def is_frontend(self) -> bool:
        """Browser-shipped code: JS/TS/HTML under a frontend-looking tree and not server code."""
        if self.kind not in JS_KINDS | {FileKind.HTML, FileKind.VUE}:
            return False
        joined = "/".join(self.parts)
        if any(hint in self.parts[:-1] or hint in joined for hint in _BACKEND_HINTS):
            return False
        if self.kind in {FileKind.HTML, FileKind.VUE} or self.parts[-1].endswith((".jsx", ".tsx")):
            return True
        return bool(set(self.parts[:-1]) & _FRONTEND_DIRS) or _looks_browser(self.text)

    # -- structured parses (lazy; a failure leaves a note and returns None) --------------------

    @cached_property
    def python(self) -> libcst.Module | None:
        if self.kind is not FileKind.PYTHON:
            return None
        import libcst

        problem = python_parse_problem(self.text)
        if problem is not None:
            self.notes.append(f"{self.path}: {problem}; only the text rules ran on this file")
            return None
        try:
            # Undecodable bytes (lone surrogates) become U+FFFD: one character each, so every
            # position stays the same.
            return libcst.parse_module(_SURROGATE.sub("\ufffd", self.text))
        except libcst.ParserSyntaxError as exc:
            self.notes.append(
                f"{self.path}: Python syntax error at line {exc.raw_line}; "
                "only the text rules ran on this file"
            )
        except (RecursionError, ValueError, MemoryError) as exc:
            self.notes.append(f"{self.path}: could not parse Python ({type(exc).__name__}); "
                              "only the text rules ran on this file")
        return None

    @cached_property
    def js_tree(self) -> tree_sitter.Tree | None:
        if self.kind not in JS_KINDS and self.kind not in {FileKind.HTML, FileKind.VUE}:
            return None
        from scanner.lang.javascript import parse_js

        tree = parse_js(self.text, self.kind)
        if tree is None:
            self.notes.append(f"{self.path}: could not parse JavaScript/TypeScript; "
                              "only the text rules ran on this file")
        return tree

    @cached_property
    def config(self) -> Any:
        """Parsed YAML/JSON/TOML/INI/.env data, or None when the file is not config or is broken."""
        from scanner.lang.config import parse_config

        data, note = parse_config(self.text, self.kind)
        if note:
            self.notes.append(f"{self.path}: {note}; only the text rules ran on this file")
        return data

    def iter_lines(self, numbers: Iterable[int]) -> Iterator[tuple[int, str]]:
        for number in numbers:
            yield number, self.line_text(number)


def _looks_browser(text: str) -> bool:
    head = text[:20000]
    return any(marker in head for marker in ("document.", "window.", "from 'react'", 'from "react"',
                                              "localStorage", "import.meta.env"))


# libcst's native parser recurses without a limit (it segfaults on ~10,000 nested operators or
# dotted names) and slows down quadratically with nesting, so CPython's own parser vets the text
# first. Real code stays far below these bounds (site-packages: depth 87 at most).
MAX_PYTHON_DEPTH = 100
MAX_PYTHON_CHARS = 1_000_000


def python_parse_problem(text: str) -> str | None:
    """Why libcst must not parse `text` (syntax error, too deep, too big), or None if it may."""
    import ast
    import warnings

    if len(text) > MAX_PYTHON_CHARS:
        return f"Python file over {MAX_PYTHON_CHARS} characters is not parsed"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for "\d" escapes is not our business
            tree = ast.parse(_SURROGATE.sub("\ufffd", text))
    except SyntaxError as exc:
        return f"Python syntax error at line {exc.lineno or '?'}"
    except (RecursionError, MemoryError):
        return "Python nested too deeply to parse"
    except ValueError as exc:  # NUL bytes in the source (Python < 3.12)
        return f"could not parse Python ({type(exc).__name__})"
    if _ast_depth(tree) > MAX_PYTHON_DEPTH:
        return "Python nested too deeply to parse"
    return None


def _ast_depth(tree: Any) -> int:
    """Deepest nesting as libcst will build it: `a and b and c` and dotted imports nest there."""
    import ast

    deepest = 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.BoolOp):
            depth += len(node.values) - 1
        elif isinstance(node, ast.alias):
            depth += node.name.count(".")
        elif isinstance(node, ast.ImportFrom):
            depth += (node.module or "").count(".")
        if depth > deepest:
            deepest = depth
            if deepest > MAX_PYTHON_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def json_loads_safe(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "JSON nested too deeply to parse"
    except ValueError as exc:
        return None, f"invalid JSON ({exc.__class__.__name__} at line {getattr(exc, 'lineno', '?')})"
