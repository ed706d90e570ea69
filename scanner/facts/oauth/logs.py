"""Credentials written out: a token, a secret or an Authorization header passed whole to a log
call, print/console output, or an exception message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import callee_text, code_index, leaked_name, receiver_text
from scanner.facts.oauth.names import (
    SPECIFIC_CREDENTIAL_WORDS,
    TALKS_AUTH_WORDS,
    is_generic_credential,
    short,
)
from scanner.model.document import JS_KINDS, Document, FileKind

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "fatal", "log", "trace", "success", "dir"})
_LOG_RECEIVER = re.compile(r"log|warnings|console", re.IGNORECASE)
_NOT_MESSAGE = frozenset({"exc_info", "stack_info", "stacklevel"})
# A name counts when the file talks auth (any credential name), or it is specific on its own.
_COUNTING_WORDS = (*TALKS_AUTH_WORDS, *SPECIFIC_CREDENTIAL_WORDS)


@dataclass(frozen=True)
class LoggedCredential(Fact):
    """A credential passed whole to a log call (`sink` "log") or into an exception message
    ("raise"). Generic names (`token`, `secret`) are facts only in files that talk OAuth or
    HTTP auth: lexers and the `secrets` module use them too."""

    sink: str
    call: str  # `logger.info`, `print`, `console.log`; for a raise, the exception class
    name: str  # the expression that leaks, as written


class LogExtractor(Extractor):
    name = "oauth-logs"
    produces = (LoggedCredential,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("token", "secret", "authorization"), requires=(_COUNTING_WORDS,),
                vendored=False)

    def extract(self, document: Document) -> Iterator[LoggedCredential]:
        index = code_index(document)
        if index is None:
            return
        generic_ok = document.has_any(TALKS_AUTH_WORDS)
        for call, _, _ in index.calls:
            logger = _log_call(document, call)
            if logger is not None:
                arguments = (*call.args, *(v for k, v in call.kwargs if k not in _NOT_MESSAGE))
                yield from _first_leak(document, arguments, "log", logger, generic_ok)
        for statement, _ in index.raises:
            if isinstance(statement.value, ir.Call):
                created = statement.value
                arguments = (*created.args, *(value for _, value in created.kwargs))
                yield from _first_leak(document, arguments, "raise", created.method, generic_ok)


def _first_leak(document: Document, arguments: tuple[ir.Expr, ...], sink: str, call: str,
                generic_ok: bool) -> Iterator[LoggedCredential]:
    for argument in arguments:
        name = leaked_name(document, argument)
        if name and (generic_ok or _specific(name)):
            yield LoggedCredential(document.node_span(argument), sink, call, name)
            return


def _specific(name: str) -> bool:
    """A credential name that counts even where the file does not talk auth."""
    lowered = name.lower()
    return not is_generic_credential(name) and any(word in lowered for word in _COUNTING_WORDS)


def _log_call(document: Document, call: ir.Call) -> str | None:
    """How a call that writes out its arguments is shown (`log.info`, `print`), or None."""
    if call.new:
        return None
    method = call.method
    receiver = receiver_text(document, call)
    if not receiver:
        return method if method in {"print", "pprint"} else None
    if (method in _LOG_METHODS or method == "print") and (
            _LOG_RECEIVER.search(receiver) or "getLogger" in receiver):
        return f"{short(receiver, 30)}.{method}"
    if (method == "echo" and receiver in {"click", "typer"}) or (
            method == "write" and receiver.endswith(("stdout", "stderr"))):
        return callee_text(document, call)
    return None
