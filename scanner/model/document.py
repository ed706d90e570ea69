"""Document: one decoded file as extractors and rules see it, with its views made lazily.

tree-sitter and the config parsers are imported only when an extractor asks for a parse."""

from __future__ import annotations

import bisect
import enum
import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from scanner.lazy import compiled_on_use
from scanner.redact import SecretValues

if TYPE_CHECKING:
    import tree_sitter

    from scanner.code import ir
    from scanner.keywords import KeywordIndex

T = TypeVar("T")
Span = tuple[int, int, int, int]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
# Bigger code files are only scanned as text (generated code; the parse would cost seconds).
MAX_CODE_CHARS = 1_000_000
# A module of at least this size that is one literal is data (`Document.is_data_module`).
DATA_MODULE_CHARS = 32_768
# A line of a literal: tokens of literals only (strings without interpolation, numbers,
# constants, a key's name and its colon, brackets, commas), each token unambiguous so that a
# long line is matched in linear time.
_DATA_TOKEN = (r"""(?:[rbuRBU]{0,2}"(?:[^"\\\n]|\\.)*"|[rbuRBU]{0,2}'(?:[^'\\\n]|\\.)*'"""
               r"""|[-+]?\d[\w.]*(?![\w.])|(?:true|false|null|None|True|False)(?![\w$]|[ \t]*:)"""
               r"""|[A-Za-z_$][\w$]*[ \t]*:|[\[\]{}(),:;])""")
_DATA_LINE = compiled_on_use(rf"\A[ \t]*(?:{_DATA_TOKEN}[ \t]*)*\Z")
# Prose in code (see `Document.prose_spans`): Python's triple-quoted strings and comments that
# fill their line; JavaScript's comments that fill their line or open a block at a line's start
# (a `/*` after other text may be in a string: `app.post("/api/*", ...)`).
_PYTHON_PROSE = compiled_on_use(r'"""[\s\S]*?(?:"""|\Z)' r"|'''[\s\S]*?(?:'''|\Z)|^[ \t]*#[^\n]*",
                                re.MULTILINE)
_SCRIPT_PROSE = compiled_on_use(r"^[ \t]*(?://[^\n]*|/\*[\s\S]*?(?:\*/|\Z))", re.MULTILINE)
# A longer line is generated data or an attack: tree-sitter's error recovery on one line that
# long grows with the square of its length, so such a file is only scanned as text.
MAX_CODE_LINE = 16_384


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
# HTML and single-file components parse as JavaScript: tree-sitter recovers around the markup,
# so their inline scripts are still analysed.
_GRAMMARS = {FileKind.PYTHON: "python", FileKind.JAVASCRIPT: "javascript",
             FileKind.TYPESCRIPT: "typescript", FileKind.TSX: "tsx", FileKind.HTML: "javascript",
             FileKind.VUE: "javascript"}
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
    ".mdx": FileKind.MARKDOWN,
}

_FRONTEND_DIRS = frozenset(
    {"frontend", "client", "web", "webapp", "public", "static", "www", "spa", "ui", "app", "src"}
)
# `.devcontainer/`: the set-up of a developer's container (local databases, dev keys).
_EXAMPLE_DIRS = frozenset({"example", "examples", "sample", "samples", "demo", "demos",
                           ".devcontainer"})
_TEMPLATE_MARKERS = (".example", ".sample", ".template", ".dist")
_EXAMPLE_MARKERS = (*_TEMPLATE_MARKERS, "example.", "sample.")
_DOC_DIRS = frozenset({"doc", "docs", "documentation"})
_CATALOGUE_DIRS = frozenset({"locale", "locales", "translations", "i18n", "l10n"})
# A value given as a documented example: a schema's `examples=[...]`/`"example": ...`, JSDoc.
_EXAMPLE_VALUE = compiled_on_use(r"""@example\b|\bexamples?["']?[ \t]*[:=]""", re.IGNORECASE)
_EXAMPLE_BLOCK = compiled_on_use(r"""\bexamples?["']?[ \t]*[:=][ \t]*[\[({][ \t]*$""", re.IGNORECASE)
_DOCTEST_LINE = compiled_on_use(r"[ \t]*(?:>>>|\.\.\.) ")
_INDENT = re.compile(r"[ \t]*")
# How far above a value its enclosing example block may open.
_EXAMPLE_BLOCK_LINES = 12
_GENERATED_NAMES = frozenset({"pkg-info", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
                              "poetry.lock", "cargo.lock", "composer.lock", "gemfile.lock"})
_BACKEND_HINTS = frozenset({"server", "api", "backend", "functions", "lambda", "routes", "pages/api"})
# Where trees keep other projects' JavaScript and their own build output, and the builds that
# say so by their name: minified, a library's, or named by a content hash (`main.3f2a9c1b.js`).
_VENDOR_DIRS = frozenset({"vendor", "vendors", "node_modules", "bower_components", "third_party",
                          "third-party", "thirdparty", "dist"})
_VENDOR_BUILD = compiled_on_use(
    r"[.-]min\.[cm]?js$|^(?:jquery|lodash|underscore|select2|xregexp|backbone)\b.*\.[cm]?js$"
    r"|[.-](?=[0-9a-f]{0,63}[0-9])[0-9a-f]{8,64}(?:\.chunk)?\.[cm]?js$")
# Where pip installs other projects' packages (a virtualenv committed with the project): never
# the project's own code, in any language.
_INSTALLED_DIRS = frozenset({"site-packages", "dist-packages"})


# The last line of a build that has a source map: `//# sourceMappingURL=app.js.map` (`//@` is
# the older spelling).
_SOURCE_MAP_COMMENTS = ("//# sourceMappingURL=", "//@ sourceMappingURL=")


def _names_its_source_map(text: str) -> bool:
    end = len(text.rstrip())
    return text.startswith(_SOURCE_MAP_COMMENTS, text.rfind("\n", 0, end) + 1)


_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs", "fixtures",
                        "testdata", "pytest"})
_TEST_DIR_WORDS = frozenset({"test", "tests", "testing"})
# Python modules named for tests: pytest's `conftest.py`, Django's per-app `tests.py`, and test
# settings (`settings/test.py`, `settings/testing.py`).
_TEST_MODULE_NAMES = frozenset({"conftest.py", "test.py", "tests.py", "testing.py"})
# `testutils`, `testlib`, `testhelpers`: a test word glued to what test support code is called.
_TEST_SUPPORT_DIR = re.compile(
    r"tests?(?:utils?|libs?|helpers?|support|kit|tools?|data|fixtures?|cases?|suites?|common|"
    r"harness|runners?|apps?|project)")


@lru_cache(maxsize=8192)  # the same directory names come back for every file
def is_test_directory(name: str) -> bool:
    """Whether a directory's (lower-case) name says it holds tests or their support code: a test
    directory's name (`tests`, `__tests__`, `fixtures`, a package's `pytest/` plugin), a test word
    in it (`integration_tests`, `test-utils`), or one glued to a support word (`testutils`); not
    `latest`, `contest`, `api_spec`."""
    if name in _TEST_DIRS:
        return True
    words = re.split(r"[_\-.]+", name)
    return any(word in _TEST_DIR_WORDS or _TEST_SUPPORT_DIR.fullmatch(word) for word in words)


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


class Document:
    """A decoded file plus lazily built views: lines, offsets, the code model, config data."""

    def __init__(
        self,
        path: str,
        text: str,
        *,
        changed_lines: frozenset[int] | None = None,
        commit: str | None = None,
        kind: FileKind | None = None,
        sparse: bool = False,
    ) -> None:
        self.path = path
        # Only the changed lines are here (the others blank): what history reads of a commit
        # until some analysis needs the whole file.
        self.sparse = sparse
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
        # line -> its context / whether it gives an example (asked once per finding).
        self._line_contexts: dict[int, str] = {}
        self._examples: dict[int, bool] = {}
        self._memo: dict[MemoKey[Any], Any] = {}
        # The syntax tree of a parse for module symbols alone (`symbols_code`), kept until the
        # whole code model is asked for (`code`): a module looked up by name, then followed
        # into, is parsed once.
        self._symbols_tree: tree_sitter.Tree | None = None

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

    def offset(self, line: int, column: int) -> int:
        """The character offset into `text` of a 1-based (line, column)."""
        return self._line_starts[line - 1] + column - 1

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
        return bool(
            any(is_test_directory(part) for part in self.parts[:-1])
            or name.startswith("test_")
            or re.search(r"(_test\.py|\.(test|spec)\.[jt]sx?)$", name)
            or name in _TEST_MODULE_NAMES
        )

    @cached_property
    def context(self) -> str:
        """Where the file sits, decided once for every family: `test`, `docs`, `example`,
        `generated` (packaging metadata, lock files, source maps) or `code`."""
        parts = self.parts
        name = parts[-1] if parts else ""
        dirs = set(parts[:-1])
        if self.is_test:
            return "test"
        if any(part.endswith(".egg-info") or part.endswith(".dist-info") for part in parts[:-1]) \
                or name in _GENERATED_NAMES or name.endswith((".map", ".lock")):
            return "generated"
        if dirs & _EXAMPLE_DIRS or any(marker in name for marker in _EXAMPLE_MARKERS):
            return "example"
        if self.kind is FileKind.MARKDOWN or dirs & _DOC_DIRS or self._is_catalogue(name, dirs):
            return "docs"
        return "code"

    def _is_catalogue(self, name: str, dirs: set[str]) -> bool:
        """A translation catalogue: gettext `.po`/`.pot`, or a JSON/YAML file of UI strings under
        `LC_MESSAGES/`, `locale(s)/`, `translations/`, `i18n/`: prose, its URLs examples."""
        return name.endswith((".po", ".pot")) or "lc_messages" in dirs or (
            bool(dirs & _CATALOGUE_DIRS) and self.kind in (FileKind.JSON, FileKind.YAML))

    # Contexts where realistic-looking dummy values are expected (tests, docs, examples).
    DUMMY_CONTEXTS = frozenset({"test", "docs", "example"})

    @cached_property
    def holds_dummies(self) -> bool:
        """Whether the whole file is where fake values are the norm: tests, docs, example
        directories and template copies (`.env.example`, `config.yaml.dist`); a module named
        `example.py` is code that may hold real values."""
        context = self.context
        if context != "example":
            return context in self.DUMMY_CONTEXTS
        name = self.parts[-1] if self.parts else ""
        return bool(set(self.parts[:-1]) & _EXAMPLE_DIRS) or any(m in name for m in _TEMPLATE_MARKERS)

    def line_context(self, line: int) -> str:
        """The context of one line: `docs` for a Python docstring or a doctest line in code,
        else the file's `context` (decided here once, for every family)."""
        context = self.context
        if context != "code":
            return context
        known = self._line_contexts.get(line)
        if known is None:
            if _DOCTEST_LINE().match(self.line_text(line)) or line in self.docstring_lines:
                known = "docs"
            else:
                known = "example" if self.gives_example(line) else context
            self._line_contexts[line] = known
        return known

    def gives_example(self, line: int) -> bool:
        """Whether line `line` gives a documented example value: `examples=["..."]`,
        `"example": "..."`, a JSDoc `@example`, or a line inside an `"examples": [` or
        `"example": {` block opened on a less indented line above (an OpenAPI example)."""
        known = self._examples.get(line)
        if known is None:
            known = self._examples[line] = self._gives_example(line)
        return known

    def _gives_example(self, line: int) -> bool:
        text = self.line_text(line)
        if _EXAMPLE_VALUE().search(text):
            return True
        indent = _INDENT.match(text).end()  # type: ignore[union-attr]
        for above in range(line - 1, max(0, line - _EXAMPLE_BLOCK_LINES), -1):
            text = self.line_text(above)
            depth = _INDENT.match(text).end()  # type: ignore[union-attr]
            if depth == len(text) or depth >= indent:
                continue  # blank, or inside the value's own block
            if _EXAMPLE_BLOCK().search(text):
                return True
            indent = depth  # an enclosing block that is no example: look further out
            if not indent:
                return False
        return False

    @cached_property
    def docstring_lines(self) -> frozenset[int]:
        """Lines of Python docstrings (every bare string statement: module, class, function and
        attribute docs), where sample values are written on purpose."""
        text = self.text
        # A sparse document holds only some lines: its docstrings cannot be told apart.
        if self.kind is not FileKind.PYTHON or self.sparse or ('"""' not in text and "'''" not in text):
            return frozenset()
        # Files the code model would refuse get no docstrings (and no second parse note).
        if len(text) > MAX_CODE_CHARS or any(len(line) > MAX_CODE_LINE for line in self.lines):
            return frozenset()
        module = self.code
        if module is None:
            return frozenset()
        from scanner.code import ir

        lines: set[int] = set()
        bodies = [module.body]
        while bodies:
            for statement in ir.walk_statements(bodies.pop()):
                if isinstance(statement, ir.ExprStmt) and isinstance(statement.expr, ir.Str):
                    first, _, last, _ = self.node_span(statement)
                    lines.update(range(first, last + 1))
                elif isinstance(statement, ir.FunctionDef):
                    bodies.append(statement.function.body)
                elif isinstance(statement, ir.ClassDef):
                    bodies.append(statement.cls.body)
        return frozenset(lines)

    @cached_property
    def is_vendored(self) -> bool:
        """Code the project did not write: any file pip installed (under `site-packages/` or
        `dist-packages/`, a committed virtualenv), and JavaScript that is other projects' (under
        `vendor/` or `node_modules/`, a library's build such as `jquery-3.7.1.js`) or a build
        (under `dist/`, minified `*.min.js`, named by a content hash such as `main.3f2a9c1b.js`,
        or ending with the comment that names its source map, which only a bundler or compiler
        writes). Python under `vendor/` is not: it is often a patched fork the team owns."""
        if not self.parts:
            return False
        if not _INSTALLED_DIRS.isdisjoint(self.parts[:-1]):
            return True
        if self.kind not in JS_KINDS:
            return False
        return bool(set(self.parts[:-1]) & _VENDOR_DIRS) \
            or _VENDOR_BUILD().search(self.parts[-1]) is not None or _names_its_source_map(self.text)

    def prose_spans(self) -> tuple[list[int], list[int]]:
        """The starts and ends, in order, of the prose in the lower-cased text of a Python or
        JavaScript file: docstrings (any triple-quoted string) and comments (see
        `_PYTHON_PROSE`, `_SCRIPT_PROSE`); none in other files. Worked out on first ask."""
        return self.memo(_PROSE_SPANS, _find_prose)

    @cached_property
    def is_data_module(self) -> bool:
        """A big Python or JavaScript module that is one literal (a table of device names, a
        mapping pasted from a CSV): no route, flow or check can be in it. Besides its lines of
        items, brackets and blanks, one line in a hundred at most (its assignment, a docstring)."""
        if (self.kind is not FileKind.PYTHON and self.kind not in JS_KINDS) \
                or len(self.text) < DATA_MODULE_CHARS:
            return False
        text = self.text
        # Lines counted, not split: code fails within its first lines (a split costs the whole file).
        others = (text.count("\n") + text.count("\r") - text.count("\r\n") + 1) // 100
        data_line = _DATA_LINE().match
        start = 0
        for line_break in _LINE_BREAK.finditer(text):
            if data_line(text[start:line_break.start()]) is None:
                others -= 1
                if others < 0:
                    return False
            start = line_break.end()
        return data_line(text[start:]) is not None or others > 0

    @cached_property
    def is_frontend(self) -> bool:
        """Browser-shipped code: JS/TS/HTML under a frontend-looking tree and not server code."""
        by_path = self.frontend_by_path
        return by_path if by_path is not None else _looks_browser(self.text)

    @cached_property
    def frontend_by_path(self) -> bool | None:
        """Whether the path alone says the file is browser-shipped (None: its text decides)."""
        if self.kind not in JS_KINDS | {FileKind.HTML, FileKind.VUE}:
            return False
        joined = "/".join(self.parts)
        if any(hint in self.parts[:-1] or hint in joined for hint in _BACKEND_HINTS):
            return False
        if self.kind in {FileKind.HTML, FileKind.VUE} or self.parts[-1].endswith((".jsx", ".tsx")) \
                or set(self.parts[:-1]) & _FRONTEND_DIRS:
            return True
        return None

    # -- structured views (lazy; a failure leaves a note and returns None) -----------------------

    @cached_property
    def grammar(self) -> str | None:
        """The tree-sitter grammar for this file's code, or None for files that are not code."""
        return _GRAMMARS.get(self.kind)

    @cached_property
    def code(self) -> ir.Module | None:
        """The file lowered to the language-neutral code model: one tree-sitter parse, shared by
        every fact extractor. None for non-code files, bundles and files too big to analyse."""
        grammar = self.grammar
        if grammar is None:
            return None
        if len(self.text) > MAX_CODE_CHARS:
            self.notes.append(f"{self.path}: file over {MAX_CODE_CHARS} characters is not parsed; "
                              "only the text rules ran on it")
            return None
        if self.is_bundle:
            return None
        if any(len(line) > MAX_CODE_LINE for line in self.lines):
            self.notes.append(f"{self.path}: a line over {MAX_CODE_LINE} characters; the code is "
                              "not parsed, only the text rules ran on it")
            return None
        from scanner.code import lower

        tree, self._symbols_tree = self._symbols_tree, None
        try:
            module = lower(grammar, self.utf8, tree=tree)
        except (RecursionError, MemoryError, ValueError) as exc:
            self.notes.append(f"{self.path}: could not parse ({type(exc).__name__}); "
                              "only the text rules ran on this file")
            return None
        if module is None:
            self.notes.append(f"{self.path}: could not parse; only the text rules ran on this file")
        elif module.truncated:
            self.notes.append(f"{self.path}: code nested too deeply; the innermost parts were "
                              "not analysed")
        return module

    @cached_property
    def symbols_code(self) -> ir.Module | None:
        """Enough of the code model for module symbols: `code` when parsed already (or not
        Python, or not parsable: `code` says why), else the module with function bodies left
        out unless they import (a module looked up by name is parsed for its names alone)."""
        if "code" in self.__dict__ or self.grammar != "python" or len(self.text) > MAX_CODE_CHARS \
                or any(len(line) > MAX_CODE_LINE for line in self.lines):
            return self.code
        from scanner.code import lower
        from scanner.parsing.trees import parse

        try:
            tree = parse("python", self.utf8)
            module = lower("python", self.utf8, shallow=True, tree=tree) if tree is not None \
                else None
        except (RecursionError, MemoryError, ValueError):
            tree = module = None
        if module is None or module.truncated:
            return self.code
        self._symbols_tree = tree
        return module

    @cached_property
    def is_bundle(self) -> bool:
        """Minified or generated code (very long lines): not application source, and costly."""
        if self.kind not in JS_KINDS or len(self.text) <= 2000:
            return False
        if "lines" in self.__dict__:
            return len(self.text) > 2000 * len(self.lines)
        # Lines counted as `split_lines` ends them (CRLF, LF, a lone CR), not split: a bundle's
        # lines are not needed unless something is found in it.
        text = self.text
        return len(text) > 2000 * (text.count("\n") + text.count("\r") - text.count("\r\n") + 1)

    @cached_property
    def config(self) -> Any:
        """Parsed YAML/JSON/TOML/INI/.env data, or None when the file is not config or is broken."""
        from scanner.lang.config import parse_config

        data, note = parse_config(self.text, self.kind)
        if note:
            self.notes.append(f"{self.path}: {note}; only the text rules ran on this file")
        return data

    # -- positions of the code model -----------------------------------------------------------

    @cached_property
    def _byte_line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in _BYTE_LINE_BREAK.finditer(self.utf8))
        return starts

    def byte_position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of a byte offset into `utf8`."""
        starts = self._byte_line_starts
        index = bisect.bisect_right(starts, offset) - 1
        start = starts[index]
        prefix = self.utf8[start:offset]
        column = len(prefix) if prefix.isascii() else len(prefix.decode("utf-8", "surrogateescape"))
        return index + 1, column + 1

    def char_offset(self, offset: int) -> int:
        """The character offset into `text` of a byte offset into `utf8`."""
        line, column = self.byte_position(offset)
        return self._line_starts[line - 1] + column - 1

    def span(self, start: int, end: int) -> Span:
        """1-based (line, column, end_line, end_column) in characters of a byte range."""
        line, column = self.byte_position(start)
        end_line, end_column = self.byte_position(end)
        return line, column, end_line, end_column

    def node_span(self, node: ir.Expr | ir.Stmt | ir.Function | ir.Class | ir.Param) -> Span:
        return self.span(node.start, node.end)

    def source(self, node: ir.Expr | ir.Stmt) -> str:
        """The code of a node as written."""
        return self.utf8[node.start:node.end].decode("utf-8", "surrogateescape")

    # -- per-document memory -------------------------------------------------------------------

    def memo(self, key: MemoKey[T], build: Callable[[Document], T]) -> T:
        """The value `build(self)` computed once per document under `key` (an object, so two
        modules can never collide by spelling a name alike)."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[no-any-return]
        value = self._memo[key] = build(self)
        return value

    def iter_lines(self, numbers: Iterable[int]) -> Iterator[tuple[int, str]]:
        for number in numbers:
            yield number, self.line_text(number)


class MemoKey(Generic[T]):
    """A typed key for `Document.memo`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"MemoKey({self.name!r})"


_PROSE_SPANS = MemoKey[tuple[list[int], list[int]]]("prose spans")


def _find_prose(document: Document) -> tuple[list[int], list[int]]:
    pattern = _PYTHON_PROSE() if document.kind is FileKind.PYTHON else \
        _SCRIPT_PROSE() if document.kind in JS_KINDS else None
    starts: list[int] = []
    ends: list[int] = []
    for match in pattern.finditer(document.lower) if pattern is not None else ():
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def _looks_browser(text: str) -> bool:
    head = text[:20000]
    return any(marker in head for marker in ("document.", "window.", "from 'react'", 'from "react"',
                                              "localStorage", "import.meta.env"))


def json_loads_safe(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "JSON nested too deeply to parse"
    except ValueError as exc:
        return None, f"invalid JSON ({exc.__class__.__name__} at line {getattr(exc, 'lineno', '?')})"
