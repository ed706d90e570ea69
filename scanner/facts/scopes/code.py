"""Scope requests and constants of Python and JS/TS code, read from the code model: `scope=`
arguments, scope keys, positional clients, `append("scope", x)`, pairs, `payload["scope"] = x`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import MappingProxyType

from scanner.code import ir
from scanner.facts.base import Span
from scanner.facts.scopes.model import (
    Concat,
    Join,
    Lit,
    Ref,
    ScopeConstant,
    ScopeList,
    ScopeRequest,
    ScopeValue,
    Unknown,
    span_lines,
)
from scanner.facts.symbols import module_symbols
from scanner.model.document import Document

# Keys, keywords and properties that carry scopes (Python spellings and JS ones).
SCOPE_KEYS = frozenset({"scope", "scopes", "oauth_scopes", "oauth_scope", "default_scopes",
                        "oauthScopes", "defaultScopes"})
# `access_type="offline"` (Google): a refresh token request, reported as this pseudo-scope.
OFFLINE_KEYS = frozenset({"access_type", "accessType"})
OFFLINE_REQUEST = "access_type=offline"
# Calls that take the scopes positionally: method name -> index of the scopes argument.
POSITIONAL_SCOPES = MappingProxyType({
    "from_client_secrets_file": 1, "from_client_config": 1, "from_authorized_user_file": 1,
    "from_authorized_user_info": 1, "acquire_token_for_client": 0, "acquire_token_silent": 0,
    "acquire_token_interactive": 0, "get_authorization_request_url": 0,
    "acquire_token_by_authorization_code": 1, "initiate_auth_code_flow": 0, "initiate_device_flow": 0,
    "acquire_token_by_username_password": 2, "acquire_token_on_behalf_of": 1,
})
# `list(x)`, `sorted(x)` ...: the same scopes as `x`.
COLLECTIONS = frozenset({"list", "tuple", "sorted", "set", "frozenset"})
# Keyword arguments naming the token or authorize URL, in the order they are trusted.
_URL_KEYWORDS = ("token_url", "token_endpoint", "access_token_url", "authorization_url",
                 "authorize_url", "authorization_endpoint", "auto_refresh_url", "authority",
                 "server_metadata_url", "url")
# Qualified-name prefixes of OAuth client libraries whose provider is fixed.
_LIBRARY_PROVIDERS = (
    ("msal.", "https://login.microsoftonline.com"),
    ("google_auth_oauthlib.", "https://oauth2.googleapis.com/token"),
    ("google.oauth2.", "https://oauth2.googleapis.com/token"),
    ("google.auth.", "https://oauth2.googleapis.com/token"),
)
_SELF = ("self", "cls", "this")
# Keys that make a dict an OAuth request payload (authorize parameters, a token request body).
_OAUTH_KEYS = frozenset({"client_id", "client_secret", "grant_type", "redirect_uri", "response_type",
                         "code_challenge", "access_type", "clientId", "redirectUri", "responseType",
                         "grantType", "audience", "prompt"})
# Callees whose dict argument is a message, not a request: exceptions, warnings, translations.
_MESSAGE_CALLEE_ENDS = ("Error", "Exception", "Warning", "Invalid", "Denied")
_MESSAGE_CALLEES = frozenset({"_", "gettext", "gettext_lazy", "ngettext", "t", "i18n.t", "$t"})
_MAX_DEPTH = 20


@dataclass(frozen=True)
class _Context:
    """Where code sits: the enclosing function (None at module or class level), the enclosing
    context, and the class whose `self`/`this` names refer to."""

    function: ir.Function | None = None
    parent: _Context | None = None
    cls: str | None = None

    def enter(self, function: ir.Function) -> _Context:
        return _Context(function, self, self.cls)


def _bindings(function: ir.Function) -> dict[str, tuple[ir.Expr | None, ...]]:
    """Every name a function binds, with the value of each simple `name = value` (None for
    parameters, unpacking, loops, augmented assignments, nested definitions)."""
    found: dict[str, list[ir.Expr | None]] = {param.name: [None] for param in function.params}
    for statement in ir.walk_statements(function.body):
        if isinstance(statement, ir.Assign):
            for target in statement.targets:
                if isinstance(target, ir.Name) and "." not in target.name:
                    value = statement.value if statement.op == "=" else None
                    found.setdefault(target.name, []).append(value)
                elif isinstance(target, (ir.Seq, ir.ObjectPattern)):
                    for inner in ir.walk_expr(target):
                        if isinstance(inner, ir.Name) and "." not in inner.name:
                            found.setdefault(inner.name, []).append(None)
        elif isinstance(statement, ir.Loop) and len(statement.head) == 2 \
                and isinstance(statement.head[0], (ir.Name, ir.Seq, ir.ObjectPattern)):
            # `for target in ...` / `for (const target of ...)` (a while loop's head is its test)
            for inner in ir.walk_expr(statement.head[0]):
                if isinstance(inner, ir.Name) and "." not in inner.name:
                    found.setdefault(inner.name, []).append(None)
        elif isinstance(statement, ir.FunctionDef):
            found.setdefault(statement.function.name, []).append(None)
        elif isinstance(statement, ir.ClassDef):
            found.setdefault(statement.cls.name, []).append(None)
        elif isinstance(statement, ir.Try):
            for handler in statement.handlers:
                if handler.name:
                    found.setdefault(handler.name, []).append(None)
    return {name: tuple(values) for name, values in found.items()}


class CodeScopes:
    """Reads one lowered module: its constants first (for provider URLs), then its requests."""

    def __init__(self, document: Document, module: ir.Module) -> None:
        self.document = document
        self.module = module
        self.partial = document.changed_lines is not None
        self.constants: dict[str, ScopeValue] = {}
        self._handled: set[int] = set()  # dicts already read as an argument or an assignment
        self._bindings: dict[int, dict[str, tuple[ir.Expr | None, ...]]] = {}

    # -- positions and values ----------------------------------------------------------------

    def lines(self, span: Span) -> tuple[str, ...]:
        return span_lines(self.document, span)

    def value(self, expr: ir.Expr, context: _Context, depth: int = 0) -> ScopeValue:
        span = self.document.node_span(expr)
        if depth > _MAX_DEPTH:
            return Unknown(span)
        if isinstance(expr, ir.Str):
            if expr.is_bytes:
                return Unknown(span)
            if expr.constant:
                return Lit(expr.value, span, self.lines(span))
            return self._interpolated(expr, span, context, depth)
        if isinstance(expr, ir.Seq):
            items = tuple(self.value(item.value if isinstance(item, ir.Spread) else item, context,
                                     depth + 1) for item in expr.items)
            return ScopeList(items, span, self.lines(span))
        if isinstance(expr, ir.Name):
            return self._name(expr, span, context, depth)
        if isinstance(expr, ir.BinOp) and expr.op == "+":
            return Concat((self.value(expr.left, context, depth + 1),
                           self.value(expr.right, context, depth + 1)), span, self.lines(span))
        if isinstance(expr, ir.Call) and not expr.kwargs and len(expr.args) == 1 \
                and not isinstance(expr.args[0], ir.Spread):
            argument = expr.args[0]
            if expr.method == "join":
                receiver = expr.receiver
                separator = ir.string_value(receiver)
                if separator is not None:  # " ".join(SCOPES)
                    return Join(separator, self.value(argument, context, depth + 1), span)
                separator = ir.string_value(argument)
                if separator is not None and receiver is not None:  # SCOPES.join(" ")
                    return Join(separator, self.value(receiver, context, depth + 1), span)
            if expr.callee in COLLECTIONS:
                return self.value(argument, context, depth + 1)
        return Unknown(span)

    def _interpolated(self, expr: ir.Str, span: Span, context: _Context, depth: int) -> ScopeValue:
        """An f-string or template string: its text pieces (each with its own position) and
        the values of its interpolations."""
        parts: list[ScopeValue] = []
        cursor, piece_start = 0, expr.start
        for inner in expr.parts:
            marker = "{" + self.document.source(inner) + "}"
            at = expr.value.find(marker, cursor)
            if at == -1:
                return Unknown(span)
            if at > cursor:
                piece = self.document.span(piece_start, inner.start)
                parts.append(Lit(expr.value[cursor:at], piece, self.lines(piece)))
            parts.append(self.value(inner, context, depth + 1))
            cursor, piece_start = at + len(marker), inner.end
        if cursor < len(expr.value):
            piece = self.document.span(piece_start, expr.end)
            parts.append(Lit(expr.value[cursor:], piece, self.lines(piece)))
        return Concat(tuple(parts), span, self.lines(span))

    def _name(self, expr: ir.Name, span: Span, context: _Context, depth: int) -> ScopeValue:
        head, _, rest = expr.name.partition(".")
        if rest:
            if head in _SELF and context.cls:
                return Ref(f"{context.cls}.{rest}", span)
            return Ref(expr.name, span)
        where: _Context | None = context
        while where is not None:
            if where.function is not None:
                values = self._local_bindings(where.function).get(expr.name)
                if values is not None:
                    if len(values) != 1 or values[0] is None:
                        return Unknown(span)  # a parameter, or a local bound in several ways
                    return self.value(values[0], where, depth + 1)
            where = where.parent
        return Ref(expr.name, span)  # a module constant or an imported name

    def _local_bindings(self, function: ir.Function) -> dict[str, tuple[ir.Expr | None, ...]]:
        found = self._bindings.get(id(function))
        if found is None:
            found = self._bindings[id(function)] = _bindings(function)
        return found

    # -- constants ---------------------------------------------------------------------------

    def read_constants(self) -> Iterator[ScopeConstant]:
        """Module-level and class-level names bound to a value that may hold scopes."""
        root = _Context()
        yield from self._constants(self.module.body, root, "")

    def _constants(self, body: tuple[ir.Stmt, ...], context: _Context,
                   prefix: str) -> Iterator[ScopeConstant]:
        for statement in ir.walk_statements(body):
            if isinstance(statement, ir.ClassDef):
                cls = statement.cls
                yield from self._constants(cls.body, _Context(cls=cls.name), f"{cls.name}.")
                continue
            if not isinstance(statement, ir.Assign) or statement.value is None \
                    or statement.op not in ("=", "+="):
                continue
            for target in statement.targets:
                if not isinstance(target, ir.Name) or "." in target.name:
                    continue
                name = prefix + target.name
                value = self.value(statement.value, context)
                previous = self.constants.get(name)
                if statement.op == "+=" and previous is not None:
                    value = Concat((previous, value), value.span)
                self.constants[name] = value
                if not isinstance(value, Unknown):
                    yield ScopeConstant(value.span, name, value,
                                        self.document.line_text(value.span[0]), self.partial)

    # -- requests ----------------------------------------------------------------------------

    def read_requests(self) -> Iterator[ScopeRequest]:
        # (statements, context, whether to pass over those holding no request word): the body
        # of a function written as an expression (a lambda's) may be made up by the code model,
        # without its own place in the text; it is read whole.
        pending: list[tuple[tuple[ir.Stmt, ...], _Context, bool]] = [
            (self.module.body, _Context(), True)]
        words = _RequestWords(self.document)
        while pending:
            body, context, prune = pending.pop(0)
            for statement in words.statements(body) if prune else ir.walk_statements(body):
                exprs = list(ir.statement_exprs(statement))
                if isinstance(statement, ir.FunctionDef):
                    function = statement.function
                    pending.append((function.body, context.enter(function), prune))
                    exprs.extend(function.decorators)
                    exprs.extend(p.default for p in function.params if p.default is not None)
                elif isinstance(statement, ir.ClassDef):
                    cls = statement.cls
                    pending.append((cls.body, _Context(None, context, cls.name), prune))
                    exprs.extend(cls.decorators)
                elif isinstance(statement, ir.Assign) and statement.value is not None:
                    yield from self._assignment(statement, context)
                for expr in exprs:
                    for inner in ir.walk_expr(expr):
                        if isinstance(inner, ir.Func):
                            pending.append((inner.function.body, context.enter(inner.function), False))
                        elif isinstance(inner, ir.Call):
                            yield from self._call(inner, context)
                        elif isinstance(inner, ir.Dict) and id(inner) not in self._handled:
                            yield from self._object(inner, context, None, "")
                        elif isinstance(inner, ir.Seq):
                            yield from self._pairs(inner, context)

    def _request(self, expr: ir.Expr, context: _Context, origin: str,
                 provider: str | None) -> ScopeRequest:
        value = self.value(expr, context)
        source = "constant" if _holds_ref(value) else "literal"
        return ScopeRequest(value.span, value, origin, provider, source,
                            self.document.line_text(value.span[0]), self.partial)

    def _offline(self, expr: ir.Expr, origin: str) -> ScopeRequest:
        """Google's `access_type="offline"`: a refresh token asked for, judged like the
        `offline_access` scope (SH204 says so when the code never uses one)."""
        span = self.document.node_span(expr)
        value = Lit(OFFLINE_REQUEST, span, self.lines(span), encoded=True)
        return ScopeRequest(span, value, origin, "https://accounts.google.com/o/oauth2/auth",
                            "literal", self.document.line_text(span[0]), self.partial)

    def _assignment(self, statement: ir.Assign, context: _Context) -> Iterator[ScopeRequest]:
        assert statement.value is not None
        for target in statement.targets:
            if isinstance(target, ir.Index) and ir.string_value(target.key) in SCOPE_KEYS:
                key = ir.string_value(target.key)
                yield self._request(statement.value, context, f'["{key}"] payload', None)
        if isinstance(statement.value, ir.Dict):
            owner = next((ir.dotted(t) for t in statement.targets if ir.dotted(t)), None)
            if owner:
                yield from self._object(statement.value, context, None, owner)

    def _call(self, call: ir.Call, context: _Context) -> Iterator[ScopeRequest]:
        callee = _callee_text(call.func) or "call"
        if _is_message_call(callee):
            # `ValidationError({"scope": "Scoped notifications require ..."})`: a message
            for argument in (*call.args, *(value for _, value in call.kwargs)):
                if isinstance(argument, ir.Dict):
                    self._handled.add(id(argument))
            return
        for argument in (*call.args, *(value for _, value in call.kwargs)):
            if isinstance(argument, ir.Dict):
                yield from self._object(argument, context, call, callee)
        method = call.method
        if method in ("append", "set") and len(call.args) == 2 \
                and ir.string_value(call.args[0]) in SCOPE_KEYS:
            key = ir.string_value(call.args[0])
            yield self._request(call.args[1], context, f'{callee}("{key}")', None)
        if callee.endswith("fixture"):
            return  # pytest's fixture scopes
        index = POSITIONAL_SCOPES.get(method)
        positional = call.arg(index) if index is not None else None
        if positional is not None:
            yield self._request(positional, context, f"{callee}(scopes)",
                                self._provider(call, context))
        for key, value in call.kwargs:
            if key in OFFLINE_KEYS and ir.string_value(value) == "offline":
                yield self._offline(value, f"{callee}({key}=)")
            if key in SCOPE_KEYS:
                yield self._request(value, context, f"{callee}({key}=)",
                                    self._provider(call, context))

    def _object(self, obj: ir.Dict, context: _Context, call: ir.Call | None,
                owner: str) -> Iterator[ScopeRequest]:
        """Scope keys of a dict or object literal; `owner` is the call it is passed to or the
        name it is assigned to (it tells whether the scopes are about OAuth)."""
        self._handled.add(id(obj))
        python = self.module.language == "python"
        keys = [ir.string_value(k) if python else ir.key_text(k) for k, _ in obj.items]
        if not any(key in SCOPE_KEYS or key in OFFLINE_KEYS for key in keys):
            return  # most dicts: nothing to read
        # Authorize or token parameters around the scope say it is OAuth.
        hint = " with oauth parameters" if not _OAUTH_KEYS.isdisjoint(keys) else ""
        if not owner and call is None and context.function is not None:
            # `def extra_authorize_data(self): return {"scope": "*"}`: the function says what it is.
            hint += f" of {context.function.name}()"
        for (_, value), key in zip(obj.items, keys, strict=True):
            if key in OFFLINE_KEYS and ir.string_value(value) == "offline":
                yield self._offline(value, f'{owner}({{"{key}": "offline"}}){hint}')
            if key not in SCOPE_KEYS:
                continue
            if call is not None:
                origin = f'{owner}({{"{key}": ...}} payload)'
            else:
                origin = f'{owner} = {{"{key}": ...}}' if owner else f'{{"{key}": ...}} payload'
            provider = _sibling_url(obj)
            if provider is None and call is not None:
                provider = self._provider(call, context)
            yield self._request(value, context, origin + hint, provider)

    def _pairs(self, seq: ir.Seq, context: _Context) -> Iterator[ScopeRequest]:
        """`new URLSearchParams([["scope", "openid email"], ...])`, `urlencode([("scope", s)])`."""
        for item in seq.items:
            if isinstance(item, ir.Seq) and len(item.items) == 2 \
                    and ir.string_value(item.items[0]) in SCOPE_KEYS:
                yield self._request(item.items[1], context, '["scope", ...] pair', None)

    # -- providers ---------------------------------------------------------------------------

    def _provider(self, call: ir.Call, context: _Context) -> str | None:
        """The token or authorize URL a call names, or the provider of its OAuth library."""
        for keyword in _URL_KEYWORDS:
            value = call.kwarg(keyword)
            url = self._url(value, context) if value is not None else None
            if url:
                return url
        first = call.arg(0)
        url = self._url(first, context) if first is not None else None
        if url:
            return url
        qualified = self._qualified(_callee_text(call.func) or "")
        for prefix, provider in _LIBRARY_PROVIDERS:
            if qualified.startswith(prefix):
                return provider
        return None

    def _url(self, expr: ir.Expr, context: _Context) -> str | None:
        value = self.value(expr, context)
        if isinstance(value, Ref):
            value = self.constants.get(value.name, value)
        if isinstance(value, Concat) and value.parts:
            value = value.parts[0]
            if isinstance(value, Ref):
                value = self.constants.get(value.name, value)
        if isinstance(value, Lit) and value.text.startswith(("https://", "http://")):
            return value.text
        return None

    def _qualified(self, callee: str) -> str:
        """The callee through the module's imports (`Flow.x` -> `google_auth_oauthlib.flow.Flow.x`)."""
        symbols = module_symbols(self.document)
        head, dot, rest = callee.partition(".")
        target = symbols.imported(head) if symbols is not None else None
        return f"{target}{dot}{rest}" if target is not None else callee


# What the code of every request holds, lower-cased: a scope key (`scope=`, `"oauth_scopes":`,
# `append("scope", x)`), an offline key (`access_type`, `accessType`) or a positional client.
_REQUEST_WORDS = (b"scope", b"access_type", b"accesstype",
                  *(name.lower().encode() for name in POSITIONAL_SCOPES))


class _RequestWords:
    """The statements of a body that may hold a request: those whose code (decorators included)
    holds a request word. Most of a module holding `scope` somewhere holds none (a view using a
    monitoring SDK's scope in one function): its other statements are not walked."""

    def __init__(self, document: Document) -> None:
        self.code = document.utf8.lower()
        self.words = tuple(word for word in _REQUEST_WORDS if word in self.code)

    def holds_one(self, statement: ir.Stmt) -> bool:
        start = statement.start
        if isinstance(statement, ir.FunctionDef):
            start = min((start, *(d.start for d in statement.function.decorators)))
        elif isinstance(statement, ir.ClassDef):
            start = min((start, *(d.start for d in statement.cls.decorators)))
        return statement.end <= start or any(
            self.code.find(word, start, statement.end) != -1 for word in self.words)

    def statements(self, body: tuple[ir.Stmt, ...]) -> Iterator[ir.Stmt]:
        """`ir.walk_statements(body)` but the statements of `body` holding no request word. Only
        a body's own statements are told by their place: an `elif` inside one is an `If` whose
        place ends before the branches after it."""
        for statement in body:
            if self.holds_one(statement):
                yield from ir.walk_statements((statement,))


def _callee_text(func: ir.Expr) -> str | None:
    """A callee as written: `oauth.register`, `OAuth().register`; None for other expressions."""
    if isinstance(func, ir.Name):
        return func.name
    if isinstance(func, ir.Attr):
        base = _callee_text(func.obj)
        return None if base is None else f"{base}.{func.attr}"
    if isinstance(func, ir.Call):
        inner = _callee_text(func.func)
        return None if inner is None else f"{inner}()"
    return None


def _is_message_call(callee: str) -> bool:
    last = callee.rsplit(".", 1)[-1]
    return callee in _MESSAGE_CALLEES or last.endswith(_MESSAGE_CALLEE_ENDS)


def _sibling_url(obj: ir.Dict) -> str | None:
    """A URL-valued property next to the scopes (tokenUrl, authority, authorizationEndpoint)."""
    for _, value in obj.items:
        text = ir.string_value(value)
        if text and text.startswith(("https://", "http://")):
            return text
    return None


def _holds_ref(value: ScopeValue) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, ScopeList):
        return any(_holds_ref(item) for item in value.items)
    if isinstance(value, Concat):
        return any(_holds_ref(part) for part in value.parts)
    if isinstance(value, Join):
        return _holds_ref(value.seq)
    return False
