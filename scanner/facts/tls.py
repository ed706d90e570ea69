"""TLS certificate checks switched off: `verify=False`, `session.verify = False`,
`ssl._create_unverified_context`, `rejectUnauthorized: false`, and the process-wide
`NODE_TLS_REJECT_UNAUTHORIZED=0` / `PYTHONHTTPSVERIFY=0`, in code, env files and config."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.development import commented_for_development
from scanner.facts.patterns import FALSE_OR_ZERO, GAP, VALUE_PREFIX
from scanner.facts.urls import is_loopback_url
from scanner.lazy import compiled_on_use
from scanner.model.document import JS_KINDS, Document, FileKind

# Words that say credentials travel nearby (a call, the function around it, or the module).
CREDENTIAL_CONTEXT = compiled_on_use(
    r"token|oauth|auth|secret|bearer|passw|api[_./-]?key|\bapi\b|/api|api\.|userinfo|client_id"
    r"|credential", re.IGNORECASE)
_ENV_SWITCHES = ("NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY")
_ENV_WORDS = tuple(switch.lower() for switch in _ENV_SWITCHES)
_ENV_LINE = compiled_on_use(
    r"(NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)[\"'\]]?\s*[=:]\s*[\"']?0\b", re.IGNORECASE)
_CODE_KINDS = frozenset({FileKind.PYTHON, *JS_KINDS})
# Fast path: every switch the extractor reports, as written. `verify` given False or 0 (a
# keyword argument, or an attribute or `x["verify"]` assigned, annotated or chained),
# `rejectUnauthorized` (a key, quoted or computed) given false or 0, and the names of
# `_create_unverified_context` and of the two environment switches. The word `verify` alone
# (`verify_password`, `# verify the session`) holds none.
_TLS_SOURCE = "|".join((
    rf"verify(?<![a-z0-9_$]verify)(?:[\"'`][\s\\]*\])?{GAP}(?::[^=\n]{{0,200}})?="
    rf"{VALUE_PREFIX}{FALSE_OR_ZERO}",
    rf"rejectunauthorized(?<![a-z0-9_$]rejectunauthorized)(?:[\"'`]|\])*{GAP}:{VALUE_PREFIX}"
    rf"{FALSE_OR_ZERO}",
    "_create_unverified_context|node_tls_reject_unauthorized|pythonhttpsverify"))
TLS_PATTERN = compiled_on_use(_TLS_SOURCE)  # the gate compiles its own branches, on first use


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
    development: bool = False  # in a function its comment says is for local development


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
                pattern=_TLS_SOURCE, vendored=False)

    def extract(self, document: Document) -> Iterator[TlsCheckOff]:
        module = document.code
        if module is None:
            return
        whole = _Surroundings(document.text)
        for owner, body in ir.scopes(module):
            yield from _marked(document, owner, self._switches(document, owner, body, whole))

    def _switches(self, document: Document, owner: ir.Function | ir.Class | None,
                  body: tuple[ir.Stmt, ...], whole: _Surroundings) -> Iterator[TlsCheckOff]:
        surroundings = whole if owner is None else _Surroundings(_scope_text(document, owner))
        loopback_objects: set[int] | None = None
        for expr in ir.body_exprs(body):
            if isinstance(expr, ir.Call):
                yield from _call_switches(document, expr, surroundings)
            elif isinstance(expr, ir.Dict) and _rejects_unauthorized(expr):
                if loopback_objects is None:
                    loopback_objects = _loopback_objects(body)
                yield from _object_switches(document, expr, surroundings,
                                            id(expr) in loopback_objects)
            elif isinstance(expr, ir.Name) and expr.name.endswith("_create_unverified_context"):
                yield TlsCheckOff(document.node_span(expr), "ssl._create_unverified_context()",
                                  "context", expr.name, surroundings.credentials, False, True)
        for statement in ir.walk_statements(body):
            if isinstance(statement, ir.Assign):
                yield from _assigned_switches(document, statement, surroundings, whole)


def _marked(document: Document, owner: ir.Function | ir.Class | None,
            found: Iterator[TlsCheckOff]) -> Iterator[TlsCheckOff]:
    """The switches of a scope, marked `development` when the function's comment says it is for
    local development ("Recommended for local development")."""
    development: bool | None = None
    for switch in found:
        if development is None:
            development = isinstance(owner, ir.Function) and commented_for_development(
                document, document.node_span(owner)[0])
        yield dataclasses.replace(switch, development=True) if development else switch


class _Surroundings:
    """A scope's code, searched for credential words once (not once per switch in it)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._credentials: bool | None = None

    @property
    def credentials(self) -> bool:
        if self._credentials is None:
            self._credentials = _credentials(self.text)
        return self._credentials


def _scope_text(document: Document, owner: ir.Function | ir.Class | None) -> str:
    if owner is None:
        return document.text
    return document.utf8[owner.start:owner.end].decode("utf-8", "surrogateescape")


def _credentials(text: str) -> bool:
    return CREDENTIAL_CONTEXT().search(text) is not None


def _is_false(expr: ir.Expr | None) -> bool:
    if isinstance(expr, ir.Const):
        return expr.value is False
    return isinstance(expr, ir.Num) and expr.text == "0"


def _call_switches(document: Document, call: ir.Call,
                   surroundings: _Surroundings) -> Iterator[TlsCheckOff]:
    verify = call.kwarg("verify")
    if verify is None or not _is_false(verify):
        return
    url = ir.string_value(call.arg(0, "url"))
    loopback = url is not None and is_loopback_url(url)
    nearby = _credentials(document.source(call)) or surroundings.credentials
    target = call.callee or call.method
    yield TlsCheckOff(document.node_span(verify), "verify=False", "call", target, nearby,
                      loopback, True)


def _rejects_unauthorized(obj: ir.Dict) -> bool:
    return any((ir.key_text(key) or "").lower() == "rejectunauthorized" and _is_false(value)
               for key, value in obj.items)


def _object_switches(document: Document, obj: ir.Dict, surroundings: _Surroundings,
                     loopback: bool) -> Iterator[TlsCheckOff]:
    for key, value in obj.items:
        name = ir.key_text(key)
        if name is None or name.lower() != "rejectunauthorized" or not _is_false(value):
            continue
        yield TlsCheckOff(document.node_span(value), "rejectUnauthorized: false", "call", "",
                          surroundings.credentials, loopback, True)


def _loopback_objects(body: tuple[ir.Stmt, ...]) -> set[int]:
    """The ids of the object literals passed straight to a call that also gets a loopback URL
    (one walk of the scope)."""
    found: set[int] = set()
    for expr in ir.body_exprs(body):
        if isinstance(expr, ir.Call) and any(
                is_loopback_url(text) for arg in expr.args
                if (text := ir.string_value(arg)) is not None):
            found.update(id(arg) for arg in expr.args if isinstance(arg, ir.Dict))
    return found


def _assigned_switches(document: Document, statement: ir.Assign, surroundings: _Surroundings,
                       whole: _Surroundings) -> Iterator[TlsCheckOff]:
    value = statement.value
    for target in statement.targets:
        name = ir.dotted(target) or ""
        last = name.rsplit(".", 1)[-1]
        if last == "verify" and "." in name and isinstance(value, ir.Const) and value.value is False:
            yield TlsCheckOff(document.node_span(target), f"{name} = False", "session", name,
                              surroundings.credentials, False, True)
        elif last.upper() in _ENV_SWITCHES and ir.string_value(value) == "0":
            yield TlsCheckOff(document.node_span(target), f"{last.upper()}=0", "process", last,
                              whole.credentials, False, True)
        elif isinstance(target, ir.Index) and (ir.string_value(target.key) or "").upper() in \
                _ENV_SWITCHES and ir.string_value(value) == "0":
            key = (ir.string_value(target.key) or "").upper()
            yield TlsCheckOff(document.node_span(target), f"{key}=0", "process", key,
                              whole.credentials, False, True)


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
            match = _ENV_LINE().search(text)
            if match:
                switch = match.group(1).upper()
                yield TlsSwitchInEnvironment((number, match.start() + 1, number, match.end() + 1),
                                             f"{switch}=0", "process", switch, True, False, False)
