"""Jupyter notebooks: scanned as their JSON text for now (cell-aware scanning is issue 6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.engine import FileResult
    from scanner.parsed import ParsedFile
    from scanner.rules import Rule


def scan_notebook(file: ParsedFile, rules: Sequence[Rule]) -> FileResult:
    from scanner.engine import scan_text

    return scan_text(file, rules)
