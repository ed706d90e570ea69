"""OAuth callbacks: functions that read `code` and `state` from the request (query, form, body,
injected parameters), whether they ever check `state` against the value stored before, and
strategies that switch state off by default (a null state store)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate, Span
from scanner.facts.oauth.code import code_index, receiver_text
from scanner.lazy import compiled_on_use
from scanner.model.document import JS_KINDS, Document, FileKind

_GET_METHODS = frozenset({"get", "get_argument", "get_query_argument", "getlist", "getone"})
# Where a request's parameters live (`req.query.state`, `{ code, state } = req.body`) ...
_SOURCE_WORDS = ("query", "params", "search", "body", "url", "args", "form", "values")
# ... and, for `.get("state")` and `["state"]`, the request objects themselves (`request.GET`).
_LOOKUP_WORDS = (*_SOURCE_WORDS, "request", "get")
# Where the value stored before the redirect lives: reading it there is the check, not the input.
_STORED_WORDS = ("session", "cache", "storage", "cookie", "store", "db", "redis")
_CHECKING_CALLS = compiled_on_use(
    r"compare_digest|timingsafeequal|valid|verify|check|compare|consume|callback"
    # a signed state (a JWT, django.signing, itsdangerous) is checked by decoding it
    r"|decode|loads|unsign|unseal", re.IGNORECASE)
# `_load_install_state(request, state)`, `get_state_data(session, state)`: a helper that reads
# the state back; one that makes a new state is not a check.
_STATE_HELPER = re.compile(r"state", re.IGNORECASE)
_MAKES_STATE = ("set", "save", "store", "generate", "create", "make", "new", "build", "_build",
                "_set", "_save", "_generate", "_create", "_make")
_READ_KEYS = ("state", "code")
# `state` and `code` say OAuth only where the file talks OAuth (an alarm panel's `code` and
# `state`, a model's `state` field do not) ...
_FILE_WORDS = ("oauth", "openid", "oidc", "redirect_uri", "client_secret", "grant_type", "authoriz")
# ... or the function itself does (`async function onCallback(code, state)`, `exchange(code)`).
_FUNCTION_WORDS = re.compile(r"callback|login|exchange|token", re.IGNORECASE)
# A strategy's default state store that stores and checks nothing: state is off unless the
# application turns it on.
_NULL_STORE = compiled_on_use(r"(?:\A|_|(?<=[a-z]))(?:Null|Noop|NoOp|No|Dummy|Fake)State_?Store\Z"
                              r"|(?:\A|_)(?:null|noop|no|dummy|fake)_state_store\Z")


def _read_form(word: str) -> str:
    """`word` as code that reads it (lower case): quoted (`.get("state")`, `["state"]`), an
    attribute (`.state`), or a parameter or destructured name (followed by `,`, `)`, `}`, `:`,
    `=`, `?`, at most two short line comments between). It starts with the word itself, so that
    most positions of a file fail on their first character; comments are bounded, so that no
    input makes it slow."""
    comment = r"(?:#|//)[^\n]{0,200}\n\s{0,200}"
    return (rf"{word}\b(?:(?<=[\"'`]{word})(?=[\"'`])|(?<=\.{word})|(?<=\.\s{word})"
            rf"|(?<![\w$]{word})(?=\s{{0,200}}(?:{comment}){{0,2}}[,}}):=?]))")


@dataclass(frozen=True)
class CallbackStateRead(Fact):
    """A function that reads `code` and `state` from the request; the span is its first read
    of `state`. `checked` when it compares `state` with another value or hands it to a
    checking call (compare_digest, validate_state, authorize_access_token, fetch_token with
    the authorization response)."""

    function: str  # "" for an anonymous function
    checked: bool


@dataclass(frozen=True)
class NullStateStore(Fact):
    """A null state store created (`new NullStateStore()`): state neither stored nor checked."""

    store: str  # the class as written


class CallbackExtractor(Extractor):
    name = "oauth-callbacks"
    produces = (CallbackStateRead, NullStateStore)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}), words=("state",),
                requires=(("code", "statestore", "state_store"),
                          (*_FILE_WORDS, "callback", "login", "exchange", "token", "statestore",
                           "state_store")),
                pattern=rf"\A(?:(?=[\s\S]*?{_read_form('state')})[\s\S]*?{_read_form('code')}"
                        r"|[\s\S]*?(?:null|noop|no|dummy|fake)_?state_?store)",
                vendored=False)

    def extract(self, document: Document) -> Iterator[CallbackStateRead | NullStateStore]:
        index = code_index(document)
        if index is None:
            return
        for call, _, statement in index.calls:
            if _NULL_STORE().search(call.method) and (call.new or _kept_as_store(document, statement)):
                yield NullStateStore(document.node_span(call), call.method)
        talks_oauth = document.has_any(_FILE_WORDS)
        for function in index.functions[1:]:
            assert function is not None
            source = document.utf8[function.start:function.end]
            if b"state" not in source or b"code" not in source or not (
                    talks_oauth or _FUNCTION_WORDS.search(source.decode("utf-8", "surrogateescape"))):
                continue
            read = _first_state_read(document, function)
            if read is None or (b"grant_type" in source and _reads_grant_type(function)):
                continue  # a token endpoint (the server's side of the exchange), no callback
            span, names = read
            yield CallbackStateRead(span, function.name, _checks_state(document, function, names))


_CALLBACK_NAME = compiled_on_use(r"(?i)callback|authori[sz]ed|complete|return|redirect|oauth|login")


def _reads_grant_type(function: ir.Function) -> bool:
    """The function reads `grant_type` from the request it serves (`request.json_body.get(
    "grant_type")`, `request.POST["grant_type"]`, `req.body.grant_type`): an authorization
    server's token endpoint, where `state` is at most echoed back; a client's callback sends
    `grant_type`, it does not read it."""
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Call) and expr.method == "get" and expr.args \
                and ir.string_value(expr.args[0]) == "grant_type" and expr.receiver is not None:
            holder = ir.dotted(expr.receiver) or ""
        elif isinstance(expr, ir.Index) and ir.string_value(expr.key) == "grant_type":
            holder = ir.dotted(expr.obj) or ""
        elif isinstance(expr, ir.Name) and expr.name.endswith(".grant_type"):
            holder = expr.name.rsplit(".", 1)[0]
        else:
            continue
        head = holder.split(".")[0]
        if head in ("request", "req") or (head == "self" and ".request" in holder):
            return True
    return False


def _kept_as_store(document: Document, statement: ir.Stmt) -> bool:
    """`self._state_store = NullStateStore()`: the object becomes the strategy's store."""
    return isinstance(statement, ir.Assign) and any(
        "store" in document.source(target).lower() for target in statement.targets)


def _first_state_read(document: Document, function: ir.Function) -> tuple[Span, set[str]] | None:
    """Where the function first reads `state` from the request, and the names it keeps the
    value under; None unless it reads both `state` and `code`."""
    reads: list[tuple[str, int, int, str | None]] = []  # key, start, end, the name it goes to
    # `code` and `state` as parameters: a route's query values (`async def callback(code: str,
    # state: str)`), or a helper's, given by its caller (a provider class's `__init__(self,
    # request, code=None, state=None)` builds the authorization URL with them), where the
    # caller, the callback, checks the state.
    if function.param("state") is not None and function.param("code") is not None and (
            function.decorators or _CALLBACK_NAME().search(function.name)):
        for param in function.params:
            if param.name in _READ_KEYS:
                reads.append((param.name, param.start, param.end, param.name))
    targets = {id(s.value): s.targets[0] for s in ir.walk_statements(function.body)
               if isinstance(s, ir.Assign) and len(s.targets) == 1 and s.value is not None}
    callees: set[int] = set()
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Call):
            callees.add(id(expr.func))
            key = ir.string_value(expr.args[0]) if expr.args else None
            if key in _READ_KEYS and expr.method in _GET_METHODS and _from_request(
                    receiver_text(document, expr), _LOOKUP_WORDS, expr.method.startswith("get_")):
                reads.append((key, expr.start, expr.end, ir.dotted(targets.get(id(expr)))))
        elif isinstance(expr, ir.Index):
            key = ir.string_value(expr.key)
            if key in _READ_KEYS and _from_request(document.source(expr.obj), _LOOKUP_WORDS):
                reads.append((key, expr.start, expr.end, ir.dotted(targets.get(id(expr)))))
        elif isinstance(expr, (ir.Name, ir.Attr)):
            reads.extend(_member_reads(document, expr, id(expr) in callees, targets))
    for statement in ir.walk_statements(function.body):
        if isinstance(statement, ir.Assign) and statement.value is not None and any(
                isinstance(t, ir.ObjectPattern) for t in statement.targets) and _from_request(
                document.source(statement.value), _SOURCE_WORDS):
            for target in statement.targets:
                if isinstance(target, ir.ObjectPattern):
                    reads.extend((key, value.start, value.end, ir.dotted(value) or key)
                                 for key, value in target.items if key in _READ_KEYS)
    if {key for key, *_ in reads} != set(_READ_KEYS):
        return None
    state_reads = sorted(read for read in reads if read[0] == "state")
    names = {"state"} | {name for *_, name in state_reads if name}
    _, start, end, _ = state_reads[0]
    return document.span(start, end), names


def _member_reads(document: Document, expr: ir.Name | ir.Attr, called: bool,
                  targets: dict[int, ir.Expr]) -> Iterator[tuple[str, int, int, str | None]]:
    """`req.query.state`, `req.body.code`: reads of a request attribute (not a method call)."""
    if isinstance(expr, ir.Attr):
        chain = [(expr.attr, document.source(expr.obj))]
    else:
        parts = expr.name.split(".")
        chain = [(parts[i], ".".join(parts[:i])) for i in range(1, len(parts))]
    for position, (key, receiver) in enumerate(chain):
        last = position == len(chain) - 1
        if key in _READ_KEYS and not (last and called) and _from_request(receiver, _SOURCE_WORDS):
            target = ir.dotted(targets.get(id(expr))) if last else None
            yield key, expr.start, expr.end, target


def _from_request(source: str, words: tuple[str, ...], getter: bool = False) -> bool:
    lowered = source.lower()
    if any(word in lowered for word in _STORED_WORDS):
        return False
    return getter or any(word in lowered for word in words)


def _mentions(text: str, names: set[str]) -> bool:
    """Whether code mentions the state value: one of its names, `x.state` or `"state"`."""
    return any(re.search(rf"(?<![\w$]){re.escape(name)}\b", text) for name in names) or any(
        spelling in text for spelling in (".state", "'state'", '"state"', "`state`"))


def _literal(expr: ir.Expr) -> bool:
    return isinstance(expr, (ir.Str, ir.Num, ir.Const))


def _derived(document: Document, function: ir.Function, names: set[str]) -> set[str]:
    """The state's names and the names assigned from them (`nonce, next = split(state)`)."""
    names = set(names)
    assigns = [statement for statement in ir.walk_statements(function.body)
               if isinstance(statement, ir.Assign) and statement.value is not None]
    for _ in range(2):  # two steps of derivation are plenty
        for statement in assigns:
            assert statement.value is not None
            if _mentions(document.source(statement.value), names):
                for target in statement.targets:
                    items = target.items if isinstance(target, ir.Seq) else (target,)
                    names.update(name for item in items if (name := ir.dotted(item)))
    return names


def _stored_lookup(document: Document, expr: ir.Expr, names: set[str]) -> bool:
    """`session[state]`, `cache.get(state)`, `request.session["states"].pop(state)`: the state
    looked up as a key of the stored values (a missing key is the rejection)."""
    if isinstance(expr, ir.Index) and expr.key is not None and not _literal(expr.key):
        return _mentions(document.source(expr.key), names) and any(
            word in document.source(expr.obj).lower() for word in _STORED_WORDS)
    if isinstance(expr, ir.Call) and expr.method in {"get", "pop", "delete", "getdel"} and expr.args:
        return _mentions(document.source(expr.args[0]), names) and any(
            word in receiver_text(document, expr).lower() for word in _STORED_WORDS)
    return False


def _reads_state_back(method: str) -> bool:
    lowered = method.lower()
    return _STATE_HELPER.search(lowered) is not None and not lowered.startswith(_MAKES_STATE)


# Values stored with the state before the redirect: a function its caller hands them to
# (`authenticate(request, nonce=..., code_verifier=...)`) runs after the caller found them by
# the state, the check.
_STORED_WITH_STATE = frozenset({"nonce", "code_verifier", "codeVerifier"})


def _given_stored_values(function: ir.Function) -> bool:
    """`nonce = kwargs.pop("nonce")`: the caller passed what it stored under the state."""
    kwargs = next((param.name for param in function.params if param.kind == "starstar"), None)
    if kwargs is None:
        return False
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Call) and expr.method in {"get", "pop"} and expr.args and \
                isinstance(expr.receiver, ir.Name) and expr.receiver.name == kwargs and \
                ir.string_value(expr.args[0]) in _STORED_WITH_STATE:
            return True
    return False


# Browser OAuth client libraries' redirect completions, which compare the returned state with
# the request they stored: AppAuth-JS, oidc-client(-ts), auth0-spa-js, MSAL.js,
# angular-oauth2-oidc.
_LIBRARY_COMPLETIONS = frozenset({
    "completeAuthorizationRequestIfPossible", "completeAuthorizationRequest",
    "signinRedirectCallback", "signinCallback", "signinPopupCallback", "processSigninResponse",
    "handleRedirectCallback", "handleRedirectPromise", "tryLoginCodeFlow",
    "loadDiscoveryDocumentAndTryLogin"})


def _checks_state(document: Document, function: ir.Function, names: set[str]) -> bool:
    if _given_stored_values(function):
        return True
    names = _derived(document, function, names)
    for expr in ir.body_exprs(function.body):
        if isinstance(expr, ir.Compare):
            if not (_literal(expr.left) or _literal(expr.right)) and _mentions(
                    document.source(expr), names):
                return True
        elif _stored_lookup(document, expr, names):
            return True
        elif isinstance(expr, ir.Call):
            method = expr.method
            if method == "authorize_access_token" or method in _LIBRARY_COMPLETIONS:
                return True
            if (_CHECKING_CALLS().search(method) or expr.kwarg("authorization_response") is not None) \
                    and (method == "fetch_token" or _mentions(document.source(expr), names)):
                return True
            if _reads_state_back(method) and _mentions(_arguments(document, expr), names):
                return True
    return False


def _arguments(document: Document, call: ir.Call) -> str:
    """The arguments of a call as code (not the callee: `self.state_store.verify()` is not a
    check of the request's state)."""
    return "\n".join(document.source(arg) for arg in (*call.args, *(v for _, v in call.kwargs)))
