"""Jupyter notebooks: code cells scanned as one Python file (a kernel shares their names), markdown and
stored text outputs as text, images skipped; findings point at physical lines of the .ipynb.

Each JSON string keeps its offset in the file, so every cell character maps back to its place."""

from __future__ import annotations

import bisect
import functools
import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.model.document import Document, FileKind
from scanner.model.finding import Finding
from scanner.redact import SecretValues

if TYPE_CHECKING:
    from scanner.engine.plan import Plan
    from scanner.engine.runner import FileResult

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# IPython line magics and shell escapes are not Python; `#` keeps their text (and columns) for
# the text rules while the Python parser skips them.
_MAGIC_LINE = re.compile(r"^[ \t]*[%!]", re.MULTILINE)


class Located(str):
    """A JSON string value that remembers where its content starts in the document."""

    offset: int


def _located_loads(text: str) -> Any:
    decoder = json.JSONDecoder(strict=False)  # raw control characters in strings are tolerated
    plain: Any = json.decoder.scanstring  # type: ignore[attr-defined]

    def parse_string(document: str, start: int, strict: bool) -> tuple[Located, int]:
        value, end = plain(document, start, strict)
        located = Located(value)
        located.offset = start
        return located, end

    decoder.parse_string = parse_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _raw_offset(text: str, start: int, index: int) -> int:
    """Offset in the JSON text of decoded character `index` of the string starting at `start`."""
    return _EscapeTable(text, start).raw(index)


_ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})|\\.|"')


class _EscapeTable:
    """Where the escapes of one JSON string are: decoded offsets map to raw ones by bisection,
    after one pass over the string (a string with many findings is not walked once for each)."""

    def __init__(self, text: str, start: int) -> None:
        self.start = start
        self.decoded: list[int] = []  # decoded index of each escaped character
        self.extra: list[int] = []  # raw characters beyond one, up to and including it
        position, extra = start, 0
        while True:
            match = _ESCAPE.search(text, position)
            if match is None or match.group() == '"':
                break
            length = len(match.group())
            if match.group(1) is not None and 0xD800 <= int(match.group(1), 16) < 0xDC00:
                low = _ESCAPE.match(text, match.end())
                # json joins an escaped surrogate pair into one character.
                if low is not None and low.group(1) is not None and \
                        0xDC00 <= int(low.group(1), 16) < 0xE000:
                    length = 12
            self.decoded.append(match.start() - start - extra)
            extra += length - 1
            self.extra.append(extra)
            position = match.start() + length

    def raw(self, index: int) -> int:
        before = bisect.bisect_left(self.decoded, index)
        return self.start + index + (self.extra[before - 1] if before else 0)


@dataclass
class VirtualFile:
    """Text assembled from JSON strings of the notebook, and where each piece came from."""

    kind: FileKind
    output: bool = False
    # (virtual offset, JSON string it came from or None for a newline we added, cell number)
    pieces: list[tuple[int, Located | None, int]] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, value: str, cell: int) -> None:
        self.pieces.append((self.length, value if isinstance(value, Located) else None, cell))
        self.parts.append(value)
        self.length += len(value)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _strings(value: Any) -> list[str]:
    """A notebook text field: a list of lines or one string."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _cells(document: Any) -> list[dict[str, Any]] | None:
    if not isinstance(document, dict):
        return None
    cells = document.get("cells")
    if cells is None and isinstance(document.get("worksheets"), list):  # nbformat 3
        cells = [c for sheet in document["worksheets"] if isinstance(sheet, dict)
                 for c in sheet.get("cells", []) if isinstance(c, dict)]
    if not isinstance(cells, list):
        return None
    return [c for c in cells if isinstance(c, dict)]


def _is_python(document: dict[str, Any]) -> bool:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, name in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(name), str):
            return bool(section[name].lower() == "python")
    return True


def _output_texts(output: dict[str, Any]) -> Iterator[list[str]]:
    """Stored text of one output: stream text, text/* data, tracebacks. Images are skipped."""
    yield _strings(output.get("text"))
    data = output.get("data")
    if isinstance(data, dict):
        for mime, value in data.items():
            if isinstance(mime, str) and mime.startswith("text/"):
                yield _strings(value)
    yield _strings(output.get("traceback"))


def build_virtual_files(document: dict[str, Any]) -> list[VirtualFile]:
    """One Python file of every code cell (a kernel shares their names), one text file for each
    markdown/raw cell and each stored text output."""
    python = _is_python(document)
    code = VirtualFile(FileKind.PYTHON if python else FileKind.TEXT)
    others: list[VirtualFile] = []
    for number, cell in enumerate(_cells(document) or [], start=1):
        cell_type = cell.get("cell_type")
        source = _strings(cell.get("source", cell.get("input")))
        text = "".join(source)
        # A %%cell magic (%%bash, %%html ...) makes the cell something other than Python.
        if cell_type == "code" and python and not text.lstrip().startswith("%%"):
            for piece in source:
                code.add(piece, number)
            if text and not text.endswith(("\n", "\r")):
                code.add("\n", number)
        elif source:
            kind = FileKind.MARKDOWN if cell_type == "markdown" else FileKind.TEXT
            others.append(_virtual(kind, source, number))
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            if isinstance(output, dict):
                others.extend(_virtual(FileKind.TEXT, lines, number, output=True)
                              for lines in _output_texts(output) if lines)
    return ([code] if code.pieces else []) + others


def _virtual(kind: FileKind, pieces: list[str], cell: int, *, output: bool = False) -> VirtualFile:
    virtual = VirtualFile(kind, output=output)
    for piece in pieces:
        virtual.add(piece, cell)
    return virtual


class _Mapper:
    """Virtual (line, column) of a cell text -> physical (line, column) in the .ipynb file."""

    def __init__(self, file: Document, virtual: VirtualFile, text: str) -> None:
        self.file = file
        self.virtual = virtual
        self.text = text
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.piece_starts = [start for start, _, _ in virtual.pieces]
        self._tables: dict[int, _EscapeTable] = {}  # by the JSON string's offset
        # Line breaks in the pieces of the same cell before each piece (one pass, not per finding).
        self.breaks_before: list[int] = []
        counts: dict[int, int] = {}
        for (_, _, cell), part in zip(virtual.pieces, virtual.parts, strict=True):
            self.breaks_before.append(counts.get(cell, 0))
            counts[cell] = counts.get(cell, 0) + len(_LINE_BREAK.findall(part))

    def _offset(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self.starts))
        return min(self.starts[line - 1] + max(column, 1) - 1, max(len(self.text) - 1, 0))

    def _piece(self, offset: int) -> int:
        return max(bisect.bisect_right(self.piece_starts, offset) - 1, 0)

    def physical(self, line: int, column: int) -> tuple[int, int]:
        offset = self._offset(line, 1 if column < 1 else column)
        index = self._piece(offset)
        start, located, _ = self.virtual.pieces[index]
        if located is None:  # a newline we added: the end of the closest real piece before it
            while index > 0 and located is None:
                index -= 1
                start, located, _ = self.virtual.pieces[index]
            offset = start + len(located or "")
        if located is None:
            return 1, 1
        table = self._tables.get(located.offset)
        if table is None:
            table = self._tables[located.offset] = _EscapeTable(self.file.text, located.offset)
        return self.file.position(table.raw(offset - start))

    def where(self, line: int) -> str:
        """`cell 3, line 2` (or `cell 3 output, line 2`) for a virtual line."""
        offset = self._offset(line, 1)
        index = self._piece(offset)
        start, _, cell = self.virtual.pieces[index]
        breaks = self.breaks_before[index]
        breaks += len(_LINE_BREAK.findall(self.virtual.parts[index][:offset - start]))
        return f"cell {cell}{' output' if self.virtual.output else ''}, line {breaks + 1}"


def aligned(virtual: VirtualFile, file: Document) -> VirtualFile | None:
    """The code cells padded with blank lines so that each line of code sits on its physical
    line of the .ipynb (the usual one-string-per-line layout). Line numbers then agree with the
    file for everything, project rules and parse notes included. None when the layout does not
    allow it (a cell's source as one string)."""
    result = VirtualFile(virtual.kind)
    line = 1
    for (_, located, cell), part in zip(virtual.pieces, virtual.parts, strict=True):
        if located is not None:
            target = file.position(located.offset)[0]
            if target < line:
                return None
            if target > line:
                result.add("\n" * (target - line), 0)
                line = target
        result.add(part, cell)
        line += len(_LINE_BREAK.findall(part))
    return result


def _seen_elsewhere(own: SecretValues, _finding: Finding, value: str) -> bool:
    """A value another cell saw (a cell's findings are redacted against its own values)."""
    return own.number(value) < 0


def scan_notebook(file: Document, plan: Plan, *, want_fixes: bool = False,
                  hidden: int | None = None) -> FileResult:
    from scanner.engine.runner import FileResult, redact_late, scan_document

    file.secrets_seen.hidden = hidden  # --redact: the level every cell's findings are shown at

    try:
        document = _located_loads(file.text)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else "invalid JSON"
        file.notes.append(f"{file.path}: notebook is {reason}; scanned as plain text")
        return scan_document(file, plan, want_fixes=want_fixes, hidden=hidden)
    cells = _cells(document)
    if cells is None:
        file.notes.append(f"{file.path}: notebook has no cell list; scanned as plain text")
        return scan_document(file, plan, want_fixes=want_fixes, hidden=hidden)

    result = FileResult(path=file.path, scanned=True, changed_lines=file.changed_lines,
                        commit=file.commit)
    result.notes.extend(file.notes)
    # Per virtual file with findings: its findings, their lines, its own values, its mapper
    # (not the whole parsed cell: a notebook can have thousands of outputs).
    scanned: list[tuple[list[Finding], dict[int, str], SecretValues, _Mapper]] = []
    for virtual in build_virtual_files(document):
        if virtual.kind is FileKind.PYTHON:
            virtual = aligned(virtual, file) or virtual
        text = virtual.text
        if virtual.kind is FileKind.PYTHON:
            text = _MAGIC_LINE.sub(lambda m: m.group(0)[:-1] + "#", text)
        cell_file = Document(file.path, text, kind=virtual.kind, commit=file.commit)
        cell_result = scan_document(cell_file, plan, want_fixes=want_fixes, hidden=hidden)
        file.secrets_seen |= cell_file.secrets_seen
        result.suppressed += cell_result.suppressed
        result.notes.extend(note.replace(f"{file.path}: ", f"{file.path} (code cells): ", 1)
                            for note in cell_result.notes)
        if cell_result.facts is not None:
            # Project rules see the code cells, aligned to the file's lines when the layout allows.
            result.facts = cell_result.facts
            result.directives = cell_result.directives
        if cell_result.findings:
            lines = {f.line: cell_file.line_text(f.line) for f in cell_result.findings}
            scanned.append((cell_result.findings, lines, cell_file.secrets_seen,
                            _Mapper(file, virtual, text)))
    for cell_findings, lines, own, mapper in scanned:
        # A secret found in one cell may be echoed in another's output: each finding is redacted
        # again against the values the other cells saw.
        findings = redact_late(cell_findings, file.secrets_seen, lines.__getitem__,
                               functools.partial(_seen_elsewhere, own))
        for finding in findings:
            line, column = mapper.physical(finding.line, finding.column)
            end_line, end_column = mapper.physical(finding.end_line, max(finding.end_column - 1, 1))
            moved = finding.with_changes(
                line=line, column=column, end_line=max(end_line, line),
                end_column=end_column + 1 if (end_line, end_column) > (line, column) else column,
                message=f"{finding.message} ({mapper.where(finding.line)})")
            if file.changed_lines is not None and not any(
                    n in file.changed_lines for n in range(moved.line, moved.end_line + 1)):
                continue
            result.findings.append(moved)
    return result
