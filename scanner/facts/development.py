"""Code its own comments say is for development or tests: "Session configuration for local
development", "Send email using NodeMailer (Recommended for local development)". What a
deployment does not run; rules that judge deployed settings leave it out."""

from __future__ import annotations

from scanner.lazy import compiled_on_use
from scanner.model.document import Document

_DEV_COMMENT = compiled_on_use(r"(?i)\b(?:(?:local )?development|dev(?: mode| only| server)|"
                               r"(?:for |in )(?:local )?(?:testing|tests)|debug mode)\b")


def commented_for_development(document: Document, line: int) -> bool:
    """The comment lines right above `line` say what starts there is for development or tests."""
    line -= 1
    while line >= 1:
        text = document.line_text(line).strip()
        if not text.startswith(("#", "//")):
            return False
        if _DEV_COMMENT().search(text):
            return True
        line -= 1
    return False
