"""Reporters: each renders findings and a summary to a stream and decides nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from scanner.model.finding import Finding, Summary
from scanner.reporters import github, json, sarif, text

Renderer = Callable[[Sequence[Finding], Summary, TextIO, bool], None]

# format name -> render(findings, summary, stream, color)
REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}
