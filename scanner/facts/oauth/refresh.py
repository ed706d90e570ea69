"""Refresh-token grants made by client code (HTTP calls and OAuth libraries), with where the
refresh token sent comes from and whether the new one in the answer is ever read or handed on."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import CodeIndex, callee_text, code_index, dict_key, query_params
from scanner.facts.oauth.names import normal, short
from scanner.lazy import compiled_on_use
from scanner.model.document import JS_KINDS, Document, FileKind

# Calls that only wrap a request body (the request is the call around them).
_BODY_WRAPPERS = frozenset({
    "URLSearchParams", "FormData", "urlencode", "stringify", "dumps", "dict", "encode", "str",
    "bytes", "Buffer.from", "from", "toString", "json", "jsonify", "quote", "format", "join"})
# Calls that turn a response into its data (`resp.json()`, `JSON.parse(text)`).
_DERIVE_METHODS = frozenset({"json", "text", "content", "body", "data", "result", "loads", "parse",
                             "cast", "model_validate", "parse_obj", "to_dict", "read",
                             # running a coroutine or awaiting an observable gives its answer
                             "run", "run_until_complete", "async_to_sync", "toPromise",
                             "lastValueFrom", "firstValueFrom"})
_DERIVE_ATTRS = frozenset({"data", "body", "content", "text", "result", "payload"})
# Uses of a response that keep nothing (status checks, logs, error messages).
_NEUTRAL_METHODS = frozenset({
    "raise_for_status", "close", "release", "debug", "info", "warning", "warn", "error",
    "exception", "critical", "fatal", "log", "trace", "print", "len", "isinstance", "bool",
    "hasattr", "ok", "status", "assert", "assertTrue", "keys", "catch", "finally", "__contains__",
    "has", "includes", "startswith", "endswith", "status_code", "headers", "getcode"})
_KEY_READS = frozenset({"get", "pop", "getitem", "__getitem__", "setdefault"})
_LIBRARY_MODULES = ("requests_oauthlib", "authlib", "httpx_oauth")
# MSAL puts the new refresh token in its own token cache.
_MSAL_REFRESH = frozenset({"acquire_token_by_refresh_token", "acquireTokenByRefreshToken"})
_CONFIG_ROOTS = compiled_on_use(
    r"^(?:os\.environ|os\.getenv|getenv|environ|process\.env|import\.meta\.env|Deno\.env|settings"
    r"|django\.conf\.settings|conf|config|cfg|app\.config|current_app\.config|self\.config"
    r"|this\.config|env|Config|CONFIG|secrets|st\.secrets)\b")
_CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")
_QUOTED = compiled_on_use(r"""(['"`])(.*?)\1|['"`].*""", re.DOTALL)
# A config key or variable name: letters and separators, not a value with many digits.
_KEY_LIKE = re.compile(r"[A-Za-z][A-Za-z_.-]{0,40}\d{0,3}")
_IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
# How far an answer or a body is followed: expressions looked at after the request. An answer is
# used next to its request; the bound keeps a file of many requests linear.
_FOLLOW_NODES = 1500


@dataclass(frozen=True)
class RefreshGrant(Fact):
    """A token request with grant_type=refresh_token. `how`: `body` (a dict/object or form
    parameters sent by an HTTP call), `form` (a `grant_type=refresh_token&...` string), `library`
    (an OAuth client's refresh call). `old` says where the refresh token sent comes from
    (`constant`, `config`, `stored`, `argument`, `client`: the library client's own token,
    `fresh`: a token answer received earlier in the same function, `unknown`). `kept` says how the answer's refresh token is kept: `read` (its refresh_token
    is read), `handed` (the whole answer is returned, stored or passed on), `library` (the
    library stores it itself), or "" (never read nor handed on)."""

    how: str
    api: str  # the request call as written (`requests.post`, `oauth.refresh_token`)
    old: str
    old_shown: str  # the refresh token sent, as written ("" when the client sends its own)
    kept: str
    kept_how: str = ""  # what keeps it, for explanations (`account.refresh_token = ...`)


class RefreshGrantExtractor(Extractor):
    name = "oauth-refresh-grants"
    produces = (RefreshGrant,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("refresh_token", "refreshtoken", "refresh-token"), vendored=False)

    def extract(self, document: Document) -> Iterator[RefreshGrant]:
        index = code_index(document)
        if index is None:
            return
        finder = _Finder(document, index)
        seen: set[int] = set()
        for request in finder.requests():
            if request.call.start in seen:
                continue
            seen.add(request.call.start)
            yield finder.grant(request)
        if finder.capped:
            document.notes.append(f"{document.path}: SH413 stopped following a refresh-token "
                                  f"answer after {_FOLLOW_NODES} expressions; not reported")


@dataclass
class _Request:
    """A refresh-token request: the call, its scope and the refresh token it sends."""

    call: ir.Call
    scope: int
    how: str
    old: ir.Expr | None  # the refresh token sent
    library: bool = False


@dataclass
class _Fate:
    """Where a refresh request's answer went: the names and clients holding it, if kept."""

    names: set[str] = field(default_factory=set)  # names holding the answer (or a view of it)
    clients: set[str] = field(default_factory=set)  # clients holding it: only whole uses count
    origin: tuple[int, int] | None = None  # the statement list the request is in (its span)
    kept: str = ""
    kept_how: str = ""

    def keep(self, how: str, shown: str) -> None:
        if not self.kept:
            self.kept, self.kept_how = how, shown


class _Finder:
    """The refresh grants of one document and the fate of each answer."""

    def __init__(self, document: Document, index: CodeIndex) -> None:
        self.document = document
        self.index = index
        self.language = index.language
        imported = {item.module for item in index.module.imports}
        self.library = any(module.startswith(_LIBRARY_MODULES) for module in imported)
        self.authlib_persists = any(module.startswith("authlib") for module in imported) and (
            "update_token" in document.text or "token_update" in document.text)
        self.httpx_oauth = any(module.startswith("httpx_oauth") for module in imported)
        self.google = any(module.startswith("google.oauth2") for module in imported)
        self.openid_client = "openid-client" in imported
        self._statements: dict[int, list[ir.Stmt]] = {}
        self._starts: dict[int, list[int]] = {}
        self._parents: dict[int, dict[int, ir.Expr | ir.Stmt]] = {}
        self._blocks: dict[int, tuple[int, int]] = {}  # statement -> span of its statement list
        self._assignments: dict[str, list[tuple[int, int, ir.Expr]]] | None = None
        self._appends: dict[tuple[int, str], ir.Expr] | None = None
        self.capped = False

    # -- where the grants are ---------------------------------------------------------------

    def requests(self) -> Iterator[_Request]:
        language = self.language
        for obj, scope in self.index.dicts:
            if ir.string_value(_object_get(obj, language)) == "refresh_token":
                call = self._request_around(obj, scope)
                if call is not None:
                    yield _Request(call, scope, "body", _entry(obj, language))
        for call, scope, _ in self.index.calls:
            yield from self._call_requests(call, scope)
        for string, scope in self.index.strings:
            if "refresh_token" not in string.value:
                continue
            if any(p.name.lower() == "grant_type" and p.value == "refresh_token"
                   for p in query_params(string.value)):
                call = self._request_around(string, scope)
                if call is not None:
                    yield _Request(call, scope, "form", _form_token(string, self._parent_map(scope)))

    def _call_requests(self, call: ir.Call, scope: int) -> Iterator[_Request]:
        method = call.method
        grant = ir.string_value(call.kwarg("grant_type"))
        if grant == "refresh_token" and call.callee != "dict":  # authlib fetch_token(grant_type=)
            yield _Request(call, scope, "library", call.kwarg("refresh_token"), library=True)
        elif grant == "refresh_token":
            request = self._request_around(call, scope)
            if request is not None:
                yield _Request(request, scope, "body", call.kwarg("refresh_token"))
        elif method in _MSAL_REFRESH:
            yield _Request(call, scope, "library", call.arg(0, "refresh_token"), library=True)
        elif method == "refresh_token" and self.library and call.receiver is not None and \
                not _own(call.receiver):  # on self: a client class's own machinery
            sent = call.kwarg("refresh_token")
            if sent is None and self.httpx_oauth and call.args:
                sent = call.arg(0)
            yield _Request(call, scope, "library", sent, library=True)
        elif method == "refresh_grant" and self.google:
            yield _Request(call, scope, "library", call.arg(2, "refresh_token"), library=True)
        elif self.openid_client and method == "refreshTokenGrant":  # v6: (config, refreshToken)
            yield _Request(call, scope, "library", call.arg(1), library=True)
        elif self.openid_client and method == "refresh" and call.receiver is not None and \
                not _own(call.receiver):  # v5: client.refresh(refreshToken)
            yield _Request(call, scope, "library", call.arg(0), library=True)
        elif method in {"append", "set"} and len(call.args) >= 2 and \
                ir.string_value(call.args[0]) == "grant_type" and \
                ir.string_value(call.args[1]) == "refresh_token":
            receiver = call.receiver
            if isinstance(receiver, ir.Name):
                request = self._call_with(receiver.name, scope, call.end)
                if request is not None:
                    yield _Request(request, scope, "body", self._appended(receiver.name, scope))

    def _request_around(self, node: ir.Expr, scope: int) -> ir.Call | None:
        """The call that sends `node` (a body): the first call around it that is not a body
        wrapper, or the first later call sending the name the body is assigned to."""
        parents = self._parent_map(scope)
        current: ir.Expr | ir.Stmt = node
        for _ in range(3):
            while True:
                parent = parents.get(id(current))
                if parent is None or isinstance(parent, ir.Stmt):
                    break
                if isinstance(parent, ir.Call) and current is not parent.func and \
                        not self._wrapper(parent):
                    return None if _is_log(self.document, parent) else parent
                current = parent
            if not (isinstance(parent, ir.Assign) and parent.value is current and
                    len(parent.targets) == 1 and isinstance(parent.targets[0], ir.Name)):
                return None
            found = self._call_with(parent.targets[0].name, scope, parent.end)
            if found is None or not self._wrapper(found):
                return found
            current = found
        return None

    def _wrapper(self, call: ir.Call) -> bool:
        return call.method in _BODY_WRAPPERS or callee_text(self.document, call) in _BODY_WRAPPERS

    def _call_with(self, name: str, scope: int, after: int) -> ir.Call | None:
        """The first call after `after` in the scope that is given `name` whole (not a log)."""
        parents = self._parent_map(scope)
        for node in self._nodes_after(scope, after):
            if node is None:
                return None
            if isinstance(node, ir.Name) and node.name == name:
                parent = parents.get(id(node))
                while isinstance(parent, (ir.Dict, ir.Other, ir.Spread)):
                    parent = parents.get(id(parent))
                if isinstance(parent, ir.Call) and node is not parent.func and \
                        parent.method not in _NEUTRAL_METHODS and not _is_log(self.document, parent):
                    return parent
        return None

    def _nodes_after(self, scope: int, after: int,
                     statements: list[ir.Stmt] | None = None) -> Iterator[ir.Expr | None]:
        """The expressions of a scope's statements that start at or after `after`, in source
        order, at most _FOLLOW_NODES of them (then None: the walk was cut)."""
        if statements is None:
            statements = self._scope_statements(scope)
            first = max(0, bisect_right(self._starts[scope], after) - 1)
        else:
            first = 0
        budget = _FOLLOW_NODES
        for statement in statements[first:]:
            if statement.end <= after:
                continue
            for expr in ir.statement_exprs(statement):
                for node in ir.walk_expr(expr):
                    if node.start < after:
                        continue
                    budget -= 1
                    if budget < 0:
                        yield None
                        return
                    yield node

    def _appended(self, name: str, scope: int) -> ir.Expr | None:
        """The value of `name.append("refresh_token", value)` in the scope."""
        if self._appends is None:  # every such call once, not once per body
            self._appends = {}
            for call, call_scope, _ in self.index.calls:
                if call.method in {"append", "set"} and len(call.args) >= 2 and \
                        isinstance(call.func, ir.Name) and \
                        normal(ir.string_value(call.args[0]) or "") == "refreshtoken":
                    receiver = call.func.name.rsplit(".", 1)[0]
                    self._appends.setdefault((call_scope, receiver), call.args[1])
        return self._appends.get((scope, name))

    # -- what becomes of the answer ---------------------------------------------------------

    def grant(self, request: _Request) -> RefreshGrant:
        document = self.document
        old, shown = self._origin(request)
        fate = _Fate()
        if request.call.method in _MSAL_REFRESH:
            fate.keep("library", "MSAL's token cache")
        elif request.library and self.authlib_persists and request.call.method != "refresh_grant":
            fate.keep("library", "authlib's update_token")
        else:
            self._follow(request, fate)
        return RefreshGrant(document.node_span(request.call), request.how,
                            short(callee_text(document, request.call), 40), old, shown,
                            fate.kept, short(fate.kept_how, 60))

    def _follow(self, request: _Request, fate: _Fate) -> None:
        parents = self._parent_map(request.scope)
        statement: ir.Expr | ir.Stmt | None = request.call
        while statement is not None and not isinstance(statement, ir.Stmt):
            statement = parents.get(id(statement))
        fate.origin = self._blocks.get(id(statement))
        self._climb(request.call, parents, fate, request)
        if fate.kept:
            return
        self._uses(self._nodes_after(request.scope, request.call.end), parents, fate)

    def _uses(self, nodes: Iterator[ir.Expr | None], parents: dict[int, ir.Expr | ir.Stmt],
              fate: _Fate) -> None:
        """Follow every use of the names holding the answer among `nodes`; a walk that was cut
        counts as keeping it (nothing is reported on a guess)."""
        for node in nodes:
            if fate.kept:
                return
            if node is None:
                self.capped = True
                fate.keep("handed", "beyond the expressions followed")
                return
            if not self._holds(node, fate):
                continue
            assert isinstance(node, ir.Name)
            parent = parents.get(id(node))
            if isinstance(parent, ir.Assign) and any(node is target for target in parent.targets):
                if not self._rebound(node, parent, fate):
                    continue
                if not fate.names and not fate.clients:
                    return  # every name holding the answer now holds something else
            if isinstance(parent, ir.With):  # `with session.post(...) as resp` uses of resp
                self._with_name(node, fate)
            self._use(node, parents, fate)

    def _code(self, node: ir.Expr | ir.Stmt) -> str:
        """A node's code for explanations, cut short before decoding (a node can be a file)."""
        return short(self.document.utf8[node.start:min(node.end, node.start + 240)].decode(
            "utf-8", "surrogateescape"), 60)

    def _rebound(self, target: ir.Name, statement: ir.Assign, fate: _Fate) -> bool:
        """`name = other` drops `name` from the names holding the answer, unless the value is
        made from the answer itself (`data = data["tokens"]`) or the assignment is on another
        path (a branch the request is not in, or one nested after it); False when it stays."""
        block = self._blocks.get(id(statement))
        if fate.origin is None or block is None or not (
                block[0] <= fate.origin[0] and fate.origin[1] <= block[1]):
            return False
        if statement.value is not None and any(
                isinstance(node, ir.Name) and self._holds(node, fate)
                for node in ir.walk_expr(statement.value)):
            return False
        fate.names.discard(target.name)
        fate.clients.discard(target.name)
        return True

    def _holds(self, node: ir.Expr, fate: _Fate) -> bool:
        return isinstance(node, ir.Name) and (node.name in fate.clients or any(
            node.name == name or node.name.startswith(name + ".") for name in fate.names))

    def _use(self, node: ir.Name, parents: dict[int, ir.Expr | ir.Stmt], fate: _Fate) -> None:
        """One use of a name holding the answer: its attributes first, then its context."""
        if node.name in fate.clients:  # the client itself handed on, stored or returned
            self._climb(node, parents, fate, None)
            return
        name = max((n for n in fate.names if node.name == n or node.name.startswith(n + ".")),
                   key=len)
        attrs = node.name[len(name) + 1:].split(".") if node.name != name else []
        parent = parents.get(id(node))
        called = isinstance(parent, ir.Call) and parent.func is node
        for position, attr in enumerate(attrs):
            last = position == len(attrs) - 1
            if normal(attr) == "refreshtoken":
                fate.keep("read", self._code(node))
                return
            if called and last:
                assert isinstance(parent, ir.Call)
                self._method(parent, attr, parents, fate)
                return
            if attr not in _DERIVE_ATTRS:
                return  # another field of the answer (access_token, expires_in, status)
        self._climb(node, parents, fate, None)

    def _method(self, call: ir.Call, method: str, parents: dict[int, ir.Expr | ir.Stmt],
                fate: _Fate) -> None:
        if method in _KEY_READS:
            key = ir.string_value(call.arg(0))
            if key is not None and normal(key) == "refreshtoken":
                fate.keep("read", self._code(call))
            elif key is None:
                fate.keep("handed", self._code(call))
            return
        if method in _DERIVE_METHODS:
            self._climb(call, parents, fate, None)
        elif method == "then":
            self._then(call, parents, fate)
        elif method not in _NEUTRAL_METHODS:
            fate.keep("handed", self._code(call))  # an unknown method may keep it

    def _then(self, call: ir.Call, parents: dict[int, ir.Expr | ir.Stmt], fate: _Fate) -> None:
        """`promise.then(cb)`: the callback's parameter holds the answer; a callback that
        returns a view of it (`r => r.json()`) hands it to the next `then`."""
        callback = call.arg(0)
        if not isinstance(callback, ir.Func) or not callback.function.params:
            self._climb(call, parents, fate, None)
            return
        function = callback.function
        param = function.params[0]
        if param.kind == "pattern":  # `({ access_token, refresh_token }) => ...`
            pattern = self.document.utf8[param.start:param.end].decode("utf-8", "surrogateescape")
            if "refreshtoken" in normal(pattern):
                fate.keep("read", pattern)
            elif "..." in pattern:
                fate.keep("handed", pattern)
            return
        if function.expression_body and isinstance(function.body[0], ir.Return):
            value = function.body[0].value
            if isinstance(value, ir.Call) and isinstance(value.func, ir.Name) and \
                    value.func.name == f"{param.name}.{value.method}" and value.method in _DERIVE_METHODS:
                self._climb(call, parents, fate, None)
                return
        inner = _Fate({param.name})
        if function.body:
            inner.origin = (function.body[0].start, function.body[-1].end)
        inner_parents: dict[int, ir.Expr | ir.Stmt] = {}
        statements = _ordered(function.body, inner_parents, self._blocks)
        self._uses(self._nodes_after(0, function.start, statements), inner_parents, inner)
        if inner.kept:
            fate.keep(inner.kept, inner.kept_how)

    def _climb(self, expr: ir.Expr, parents: dict[int, ir.Expr | ir.Stmt], fate: _Fate,
               request: _Request | None) -> None:
        """Where a value holding the answer goes, from `expr` up to its statement."""
        document = self.document
        current: ir.Expr = expr
        while True:
            parent = parents.get(id(current))
            if isinstance(parent, ir.Index) and parent.obj is current:
                key = ir.string_value(parent.key)
                if key is not None and normal(key) == "refreshtoken":
                    fate.keep("read", self._code(parent))
                elif key in _DERIVE_ATTRS:
                    current = parent
                    continue
                elif key is None and not isinstance(parent.key, ir.Num):
                    fate.keep("handed", self._code(parent))
                return
            if isinstance(parent, ir.Attr) and parent.obj is current:
                grand = parents.get(id(parent))
                if isinstance(grand, ir.Call) and grand.func is parent:
                    self._method(grand, parent.attr, parents, fate)
                    return
                if normal(parent.attr) == "refreshtoken":
                    fate.keep("read", self._code(parent))
                elif parent.attr in _DERIVE_ATTRS:
                    current = parent
                    continue
                return
            if isinstance(parent, ir.Call) and parent.func is not current:
                if parent.method in _DERIVE_METHODS:  # JSON.parse(text), json.loads(resp.text)
                    current = parent
                    continue
                if parent.method not in _NEUTRAL_METHODS and not _is_log(document, parent):
                    fate.keep("handed", f"{short(callee_text(document, parent), 40)}(...)")
                return
            if isinstance(parent, (ir.Compare, ir.Not, ir.BoolOp, ir.BinOp, ir.Str)):
                if isinstance(parent, ir.BoolOp) and parent.op in {"or", "??"}:
                    current = parent
                    continue
                return  # a test or a message
            if isinstance(parent, ir.Cond):
                if parent.test is current:
                    return
                current = parent
                continue
            if isinstance(parent, ir.Dict) and any(
                    key is current and value.start != key.start for key, value in parent.items):
                return  # a JavaScript property name, not the value
            if isinstance(parent, (ir.Dict, ir.Seq, ir.Spread, ir.Other, ir.Func, ir.ObjectPattern)):
                fate.keep("handed", self._code(parent))
                return
            if isinstance(parent, ir.Stmt) or parent is None:
                self._statement(current, parent, fate, request)
                return
            return

    def _statement(self, value: ir.Expr, statement: ir.Expr | ir.Stmt | None, fate: _Fate,
                   request: _Request | None) -> None:
        if isinstance(statement, ir.Return):
            fate.keep("handed", "returned to the caller")
        elif isinstance(statement, ir.Assign) and statement.value is value:
            for target in statement.targets:
                self._assigned(target, fate, request)
        elif isinstance(statement, ir.ExprStmt) and request is not None and request.library:
            receiver = request.call.receiver
            if isinstance(receiver, ir.Name):  # the client keeps the new token as `.token`
                fate.names.add(f"{receiver.name}.token")
                fate.clients.add(receiver.name)
        elif isinstance(statement, ir.With) and request is not None:
            self._with_name(value, fate)
        elif isinstance(statement, ir.Assign) and value in statement.targets:
            pass  # the name is assigned anew
        elif isinstance(statement, (ir.Raise, ir.If, ir.Assert, ir.Loop, ir.ExprStmt)):
            pass
        else:
            fate.keep("handed", self._code(statement) if statement else "")

    def _assigned(self, target: ir.Expr, fate: _Fate, request: _Request | None) -> None:
        if isinstance(target, ir.Name) and "." not in target.name:
            fate.names.add(target.name)
        elif isinstance(target, ir.ObjectPattern):
            for key, local in target.items:
                if normal(key) == "refreshtoken" or isinstance(local, ir.ObjectPattern):
                    fate.keep("read", self._code(target))
                elif key in _DERIVE_ATTRS and isinstance(local, ir.Name):
                    fate.names.add(local.name)
                elif not isinstance(local, ir.Name):
                    fate.keep("handed", self._code(target))  # a rest element
        elif isinstance(target, ir.Seq) and request is not None and \
                request.call.method == "refresh_grant" and len(target.items) > 1:
            second = target.items[1]  # google-auth: (access_token, refresh_token, expiry, extra)
            if not (isinstance(second, ir.Name) and second.name.lstrip("_") == ""):
                fate.keep("read", self._code(target))
        else:
            fate.keep("handed", self._code(target))

    def _with_name(self, item: ir.Expr, fate: _Fate) -> None:
        """The name of `with <item> as name` (the code model keeps no `as` target)."""
        after = self.document.utf8[item.end:item.end + 200].lstrip()
        after = after[1:].lstrip() if after.startswith(b")") else after
        if after.startswith(b"as") and after[2:3].isspace():
            found = _IDENTIFIER.match(after[2:].lstrip())
            if found:
                fate.names.add(found.group().decode())

    # -- where the old refresh token comes from ---------------------------------------------

    def _origin(self, request: _Request) -> tuple[str, str]:
        sent = request.old
        if sent is None:
            return ("client", "") if request.library else ("unknown", "")
        shown = _shown(self.document.utf8[sent.start:min(sent.end, sent.start + 240)].decode(
            "utf-8", "surrogateescape"))
        function = self.index.functions[request.scope]
        for _ in range(4):
            kind = _kind(sent)
            base = _local_base(sent)
            if kind == "stored" and base is not None and \
                    (function is None or function.param(base) is None):
                value = self._assigned_value(base, request.scope, request.call.start, local=True)
                if value is not None and not isinstance(value, (ir.Name, ir.Index, ir.Attr)):
                    return "fresh", shown  # a token dict received earlier in this function
            if kind != "local":
                return kind, "" if kind == "constant" else shown
            assert isinstance(sent, ir.Name)
            if function is not None and self._is_param(function, sent.name):
                return "argument", shown
            value = self._assigned_value(sent.name, request.scope, request.call.start)
            if value is None:
                return "unknown", shown
            sent = value
        return "unknown", shown

    def _is_param(self, function: ir.Function, name: str) -> bool:
        """A parameter of the function, destructured ones (`{ refreshToken }: Args`) too."""
        if function.param(name) is not None:
            return True
        word = re.compile(rf"\b{re.escape(name)}\b")
        return any(param.kind == "pattern" and word.search(
            self.document.utf8[param.start:param.end].decode("utf-8", "surrogateescape"))
            for param in function.params)

    def _assigned_value(self, name: str, scope: int, before: int, *,
                        local: bool = False) -> ir.Expr | None:
        """The value last assigned to `name` before `before`, in the scope or (unless `local`)
        at module level."""
        if self._assignments is None:  # every assignment once, not once per grant
            self._assignments = {}
            for statement, assign_scope, _ in self.index.assigns:
                value = statement.value
                if value is None:
                    continue
                for target in statement.targets:
                    if isinstance(target, ir.Name):
                        self._assignments.setdefault(target.name, []).append(
                            (statement.start, assign_scope, value))
                    elif isinstance(target, ir.ObjectPattern):  # `const { refreshToken } = a`
                        for key, bound in target.items:
                            if isinstance(bound, ir.Name):
                                self._assignments.setdefault(bound.name, []).append(
                                    (statement.start, assign_scope,
                                     ir.Attr(value.start, value.end, value, key)))
        scopes = (scope,) if local else (scope, 0)
        found: ir.Expr | None = None
        for start, assign_scope, value in self._assignments.get(name, ()):
            if assign_scope in scopes and start < before:
                found = value
        return found

    # -- the statements of a scope ----------------------------------------------------------

    def _scope_statements(self, scope: int) -> list[ir.Stmt]:
        self._parent_map(scope)
        return self._statements[scope]

    def _parent_map(self, scope: int) -> dict[int, ir.Expr | ir.Stmt]:
        parents = self._parents.get(scope)
        if parents is None:
            function = self.index.functions[scope]
            body = self.index.module.body if function is None else function.body
            parents = self._parents[scope] = {}
            statements = self._statements[scope] = _ordered(body, parents, self._blocks)
            self._starts[scope] = [statement.start for statement in statements]
        return parents


def _ordered(body: tuple[ir.Stmt, ...], parents: dict[int, ir.Expr | ir.Stmt],
             blocks: dict[int, tuple[int, int]]) -> list[ir.Stmt]:
    """The statements of a body in source order, those of functions written inside it too
    (callbacks, closures), filling `parents` with each expression's parent and `blocks` with the
    span of the statement list each statement is in."""
    found: list[ir.Stmt] = []
    pending = [body]
    while pending:
        block = pending.pop()
        if not block:
            continue
        span = (block[0].start, block[-1].end)
        for statement in block:
            found.append(statement)
            blocks[id(statement)] = span
            pending.extend(ir.nested_blocks(statement))
            if isinstance(statement, ir.FunctionDef):
                pending.append(statement.function.body)
            for expr in ir.statement_exprs(statement):
                parents[id(expr)] = statement
                for node in ir.walk_expr(expr):
                    for child in ir.children(node):
                        parents[id(child)] = node
                    if isinstance(node, ir.Func):
                        pending.append(node.function.body)
    found.sort(key=lambda statement: statement.start)
    return found


def _object_get(obj: ir.Dict, language: str) -> ir.Expr | None:
    for key, value in obj.items:
        if normal(dict_key(key, language) or "") == "granttype":
            return value
    return None


def _entry(obj: ir.Dict, language: str) -> ir.Expr | None:
    """The refresh token a request body sends."""
    for key, value in obj.items:
        if normal(dict_key(key, language) or "") == "refreshtoken":
            return value
    return None


def _form_token(string: ir.Str, parents: dict[int, ir.Expr | ir.Stmt]) -> ir.Expr | None:
    """The value after `refresh_token=` in a form string, interpolated or concatenated."""
    marker = "refresh_token={"
    at = string.value.find(marker)
    if at != -1 and string.parts:
        return string.parts[min(string.value.count("{", 0, at + len(marker) - 1),
                                len(string.parts) - 1)]
    parent = parents.get(id(string))
    if string.value.endswith("refresh_token=") and isinstance(parent, ir.BinOp) and \
            parent.left is string:
        return parent.right
    return None


def _shown(code: str) -> str:
    """Code for a message: a literal is kept only when it is a name (`os.environ["RT"]`), never
    a value (it could be the token itself)."""
    def literal(found: re.Match[str]) -> str:
        if found.group(1) is None:  # a literal cut off at the end of what was read
            return "..."
        return found.group(0) if _KEY_LIKE.fullmatch(found.group(2)) else "..."

    return short(_QUOTED().sub(literal, code), 50)


def _own(receiver: ir.Expr) -> bool:
    return (isinstance(receiver, ir.Name) and receiver.name in {"self", "this", "cls"}) or (
        isinstance(receiver, ir.Call) and receiver.callee == "super")


def _kind(sent: ir.Expr) -> str:
    """Where a refresh token sent comes from, by its expression."""
    if isinstance(sent, ir.Str):
        return "constant" if sent.constant else "unknown"
    if isinstance(sent, ir.Call):
        text = sent.callee
        if _CONFIG_ROOTS().match(text) or sent.method in {"getenv", "env"}:
            return "config"
        if sent.method in {"get", "pop"} and isinstance(sent.func, ir.Name):
            inner = _kind(ir.Name(sent.func.start, sent.func.end, sent.func.name.rsplit(".", 1)[0]))
            return "config" if inner == "config" else "stored"
        return "stored"
    if isinstance(sent, ir.Index):
        return "config" if _kind(sent.obj) == "config" else "stored"
    if isinstance(sent, ir.Attr):
        return "stored"
    if isinstance(sent, ir.BoolOp):  # `a.rt or os.environ["RT"]`, `jar.get("rt") ?? ""`
        kinds = {_kind(value) for value in sent.values if not isinstance(value, ir.Str)}
        return "config" if "config" in kinds else min(kinds, default="constant")
    if isinstance(sent, ir.Name):
        if _CONFIG_ROOTS().match(sent.name) or _CONSTANT_NAME.match(sent.name.rsplit(".", 1)[-1]):
            return "config"
        return "stored" if "." in sent.name else "local"
    return "unknown"


def _local_base(sent: ir.Expr) -> str | None:
    """`data` of `data["refresh_token"]` or `data.get("refresh_token")` (a plain local name)."""
    if isinstance(sent, ir.Index) and isinstance(sent.obj, ir.Name) and "." not in sent.obj.name:
        return sent.obj.name
    if isinstance(sent, ir.Call) and sent.method == "get" and isinstance(sent.func, ir.Name) and \
            sent.func.name.count(".") == 1:
        return sent.func.name.split(".")[0]
    return None


def _is_log(document: Document, call: ir.Call) -> bool:
    receiver = callee_text(document, call).rsplit(".", 1)[0].lower()
    return call.method == "print" or any(word in receiver for word in ("log", "console"))
