"""TLS certificate checks switched off: `verify=False`, `session.verify = False`,
`ssl._create_unverified_context`, `rejectUnauthorized: false`, and the process-wide
`NODE_TLS_REJECT_UNAUTHORIZED=0` / `PYTHONHTTPSVERIFY=0`, in code, env files and config."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.patterns import FALSE_OR_ZERO, GAP, VALUE_PREFIX
from scanner.facts.urls import is_loopback_url
from scanner.model.document import JS_KINDS, Document, FileKind

# Words that say credentials travel nearby (a call, the function around it, or the module).
CREDENTIAL_CONTEXT = re.compile(
    r"token|oauth|auth|secret|bearer|passw|api[_./-]?key|\bapi\b|/api|api\.|userinfo|client_id"
    r"|credential", re.IGNORECASE)
_ENV_SWITCHES = ("NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY")
_ENV_WORDS = tuple(switch.lower() for switch in _ENV_SWITCHES)
_ENV_LINE = re.compile(
    r"(NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)[\"'\]]?\s*[=:]\s*[\"']?0\b", re.IGNORECASE)
_CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
# Fast path: every switch the extractor reports, as written. `verify` given False or 0 (a
# keyword argument, or an attribute or `x["verify"]` assigned, annotated or chained),
# `rejectUnauthorized` (a key, quoted or computed) given false or 0, and the names of
# `_create_unverified_context` and of the two environment switches. The word `verify` alone
# (`verify_password`, `# verify the session`) holds none.
TLS_PATTERN = re.compile("|".join((
    rf"verify(?<![a-z0-9_$]verify)(?:[\"'`][\s\\]*\])?{GAP}(?::[^=\n]{{0,200}})?="
    rf"{VALUE_PREFIX}{FALSE_OR_ZERO}",
    rf"rejectunauthorized(?<![a-z0-9_$]rejectunauthorized)(?:[\"'`]|\])*{GAP}:{VALUE_PREFIX}"
    rf"{FALSE_OR_ZERO}",
    "_create_unverified_context|node_tls_reject_unauthorized|pythonhttpsverify")))


@dataclass(frozen=True)
class TlsCheckOff(Fact):
    """Certificate verification turned off. `scope` is what it affects: one `call`, a
    `session`, a `context` (ssl), or the whole `process` (an environment switch)."""

    how: str  # as shown in messages: "verify=False", "rejectUnauthorized: false" ...
    scope: str
    target: str  # the call or object it configures ("requests.post"), or the variable name
    credentials_nearby: bool  # credential words in the call, the function around it or the file
    loopback: bool  # the call goes to a loopback URL (a local test server)
    in_code: bool  # code (not an env file, shell script or config)


@dataclass(frozen=True)
class TlsSwitchInEnvironment(TlsCheckOff):
    """A process-wide switch (`NODE_TLS_REJECT_UNAUTHORIZED=0`) written in an env file, a shell
    script, a Dockerfile, config or text: found line by line, no code parsed."""


class TlsExtractor(Extractor):
    name = "tls"
    produces = (TlsCheckOff,)
    gate = Gate(kinds=_CODE_KINDS,
                words=("verify", "_create_unverified_context", "rejectunauthorized",
                       *_ENV_WORDS),
                pattern=TLS_PATTERN.pattern, vendored=False)

    def extract(self, document: Document) -> Iterator[TlsCheckOff]:
        module = document.code
        if module is None:
            return
        for owner, body in ir.scopes(module):
            surroundings = _scope_text(document, owner)
            for expr in ir.body_exprs(body):
                if isinstance(expr, ir.Call):
                    yield from _call_switches(document, expr, surroundings)
                elif isinstance(expr, ir.Dict):
                    yield from _object_switches(document, expr, surroundings, body)
                elif isinstance(expr, ir.Name) and expr.name.endswith("_create_unverified_context"):
                    yield TlsCheckOff(document.node_span(expr), "ssl._create_unverified_context()",
                                      "context", expr.name, _credentials(surroundings), False, True)
            for statement in ir.walk_statements(body):
                if isinstance(statement, ir.Assign):
                    yield from _assigned_switches(document, statement, surroundings)


def _scope_text(document: Document, owner: ir.Function | ir.Class | None) -> str:
    if owner is None:
        return document.text
    return document.utf8[owner.start:owner.end].decode("utf-8", "surrogateescape")


def _credentials(text: str) -> bool:
    return CREDENTIAL_CONTEXT.search(text) is not None


def _is_false(expr: ir.Expr | None) -> bool:
    if isinstance(expr, ir.Const):
        return expr.value is False
    return isinstance(expr, ir.Num) and expr.text == "0"


def _call_switches(document: Document, call: ir.Call, surroundings: str) -> Iterator[TlsCheckOff]:
    verify = call.kwarg("verify")
    if verify is None or not _is_false(verify):
        return
    url = ir.string_value(call.arg(0, "url"))
    loopback = url is not None and is_loopback_url(url)
    nearby = _credentials(document.source(call)) or _credentials(surroundings)
    target = call.callee or call.method
    yield TlsCheckOff(document.node_span(verify), "verify=False", "call", target, nearby,
                      loopback, True)


def _object_switches(document: Document, obj: ir.Dict, surroundings: str,
                     body: tuple[ir.Stmt, ...]) -> Iterator[TlsCheckOff]:
    for key, value in obj.items:
        name = ir.key_text(key)
        if name is None or name.lower() != "rejectunauthorized" or not _is_false(value):
            continue
        yield TlsCheckOff(document.node_span(value), "rejectUnauthorized: false", "call", "",
                          _credentials(surroundings), _loopback_call(obj, body), True)


def _loopback_call(obj: ir.Dict, body: tuple[ir.Stmt, ...]) -> bool:
    """Whether the call that receives `obj` (directly) also gets a loopback URL."""
    for expr in ir.body_exprs(body):
        if isinstance(expr, ir.Call) and any(arg is obj for arg in expr.args):
            return any(is_loopback_url(text) for arg in expr.args
                       if (text := ir.string_value(arg)) is not None)
    return False


def _assigned_switches(document: Document, statement: ir.Assign,
                       surroundings: str) -> Iterator[TlsCheckOff]:
    value = statement.value
    for target in statement.targets:
        name = ir.dotted(target) or ""
        last = name.rsplit(".", 1)[-1]
        if last == "verify" and "." in name and isinstance(value, ir.Const) and value.value is False:
            yield TlsCheckOff(document.node_span(target), f"{name} = False", "session", name,
                              _credentials(surroundings), False, True)
        elif last.upper() in _ENV_SWITCHES and ir.string_value(value) == "0":
            yield TlsCheckOff(document.node_span(target), f"{last.upper()}=0", "process", last,
                              _credentials(document.text), False, True)
        elif isinstance(target, ir.Index) and (ir.string_value(target.key) or "").upper() in \
                _ENV_SWITCHES and ir.string_value(value) == "0":
            key = (ir.string_value(target.key) or "").upper()
            yield TlsCheckOff(document.node_span(target), f"{key}=0", "process", key,
                              _credentials(document.text), False, True)


class TlsEnvironmentExtractor(Extractor):
    """The environment switches outside code (their own extractor: those files need the
    switches' names, not the word `verify` that translation catalogs are full of)."""

    name = "tls-environment"
    produces = (TlsSwitchInEnvironment,)
    gate = Gate(kinds=frozenset({FileKind.ENV, FileKind.YAML, FileKind.SHELL, FileKind.DOCKERFILE,
                                 FileKind.INI, FileKind.TEXT}),
                words=_ENV_WORDS)

    def extract(self, document: Document) -> Iterator[TlsSwitchInEnvironment]:
        for number in document.lines_with(_ENV_WORDS):
            text = document.line_text(number)
            if text.lstrip().startswith(("#", "//", ";")):
                continue
            match = _ENV_LINE.search(text)
            if match:
                switch = match.group(1).upper()
                yield TlsSwitchInEnvironment((number, match.start() + 1, number, match.end() + 1),
                                             f"{switch}=0", "process", switch, True, False, False)
