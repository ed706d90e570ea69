"""Reporters: each renders findings and a summary to a stream and decides nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TextIO

from scanner.model.finding import Finding, Summary
from scanner.reporters import github, json, sarif, text

if TYPE_CHECKING:
    from scanner.rules.base import Rule


class Renderer(Protocol):
    """render(findings, summary, stream, color, rules): `rules` is the rule set's metadata, given
    by the caller (the SARIF driver lists it); reporters never look rules up."""

    def __call__(self, findings: Sequence[Finding], summary: Summary, stream: TextIO,
                 color: bool = False, rules: Sequence[type[Rule]] = ()) -> None: ...


# format name -> render(findings, summary, stream, color, rules)
REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "github": github.render,
    "sarif": sarif.render,
}
