"""Secret values: credentials written into any text file, each with what it is and where it
sits (`kind`), found by one text pass per file (scanner.facts.secrets.analysis) on the lines a
compiled keyword pass selects; detect-secrets' detectors and filters confirm candidates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.secrets import formats, user_rules
from scanner.facts.secrets.analysis import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    GENERIC,
    IN_ENV_FILE,
    IN_FRONTEND,
    JWT,
    LINE_KEYWORDS,
    PRIVATE_KEY,
    PROVIDER_KEY,
    REFRESH_TOKEN,
    URL_PASSWORD,
    candidates,
)
from scanner.facts.secrets.values import DEFAULT_DECODE_DEPTH, DEFAULT_MIN_LENGTH
from scanner.model.document import Document

__all__ = [
    "ACCESS_TOKEN", "CLIENT_SECRET", "GENERIC", "IN_ENV_FILE", "IN_FRONTEND", "JWT", "PRIVATE_KEY",
    "PROVIDER_KEY", "REFRESH_TOKEN", "URL_PASSWORD", "SecretValue", "SecretsExtractor",
    "validate_options",
]


@dataclass(frozen=True)
class SecretValue(Fact):
    """A credential value at `span` (never leaves the worker whole: findings redact it).
    See `analysis.Candidate` for the fields."""

    value: str
    kind: str
    via: str
    key: str
    credential: str
    provider: str
    detail: str
    revoke: str = ""


class SecretsExtractor(Extractor):
    """Secret values in every text file that holds a word a secret check looks for."""

    name = "secrets"
    produces = (SecretValue,)
    # Every text kind (a notebook's cells come as documents of their own kinds; a broken notebook
    # is read as plain text).
    gate = Gate(words=tuple(dict.fromkeys((*LINE_KEYWORDS, "credential",
                                           *formats.shipped().gate_words))))
    options_section = "secrets"
    line_local = True

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        rules = user_rules.from_options(self.options)
        deep = int(self.options.get("decode-depth", DEFAULT_DECODE_DEPTH)) >= 2
        if rules or deep:  # files holding only a user rule's keyword reach the extractor too
            words = () if deep or any(not r.keywords for r in rules) else \
                (*type(self).gate.words, *(k for r in rules for k in r.keywords))
            # `gate` is a class attribute of extractors; this instance's rules widen its own.
            self.__dict__["gate"] = Gate(words=tuple(dict.fromkeys(words)))

    def extract(self, document: Document) -> Iterator[SecretValue]:
        for found in candidates(document, self.options):
            yield SecretValue((found.line, found.column, found.line, found.end_column),
                              found.value, found.kind, found.via, found.key, found.credential,
                              found.provider, found.detail, found.revoke)


def validate_options(raw: Mapping[str, Any]) -> None:
    """Raise ValueError("key: problem") for a bad value in [tool.secret-hygiene.secrets]."""
    min_length = raw.get("min-length", DEFAULT_MIN_LENGTH)
    if isinstance(min_length, bool) or not isinstance(min_length, int) or not 1 <= min_length <= 256:
        raise ValueError("min-length: expected an integer between 1 and 256")
    placeholders = raw.get("placeholders", [])
    if not isinstance(placeholders, list) or not all(isinstance(p, str) and p for p in placeholders):
        raise ValueError("placeholders: expected a list of non-empty strings")
    depth = raw.get("decode-depth", DEFAULT_DECODE_DEPTH)
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= 3:
        raise ValueError("decode-depth: expected an integer between 0 and 3")
    user_rules.parse(raw)  # a bad rule is a config error here, not a crash in a worker
