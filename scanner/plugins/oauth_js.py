"""JavaScript/TypeScript side of the OAuth flow rules: one tree-sitter walk per candidate file
collects key/values, strings, calls and functions for every SH4xx rule; imported lazily."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.lang.javascript import node_text, position, string_value, walk_depths
from scanner.parsed import ParsedFile
from scanner.plugins import oauth_common as common
from scanner.plugins.oauth_common import (
    CREDENTIAL_CONTEXT,
    ENCRYPTION_MARKERS,
    CodeRequest,
    Hit,
    KeyValue,
    Sites,
    Span,
    StringSite,
    code_requests,
    is_loopback_url,
    missing_pkce_hits,
    missing_state_hits,
    query_parameter_hit,
    scope_matches,
)
from scanner.plugins.oauth_names import (
    is_credential_name,
    is_generic_credential,
    is_session_cookie_name,
    is_token_storage_key,
    normal,
    talks_auth,
)

if TYPE_CHECKING:
    from tree_sitter import Node

_INDEX_ATTR = "_oauth_js_index"
FUNCTION_TYPES = frozenset({"function_declaration", "function_expression", "function",
                            "arrow_function", "method_definition", "generator_function_declaration"})
OAUTH_LIBRARIES = ("oidc-client", "@auth0/", "@azure/msal", "react-oauth2-code-pkce",
                   "expo-auth-session", "angular-oauth2-oidc", "keycloak-js", "next-auth",
                   "@okta/", "openid-client", "react-native-app-auth", "passport", "simple-oauth2",
                   "@badgateway/oauth2-client", "oauth4webapi", "arctic")
_LOG_METHODS = frozenset({"log", "info", "debug", "warn", "error", "trace", "dir", "fatal"})
_COMPARE_OPERATORS = frozenset({"===", "!==", "==", "!="})
_LITERAL_TYPES = frozenset({"string", "number", "null", "undefined", "true", "false", "template_string"})
_VALIDATING_CALLS = re.compile(r"timingsafeequal|valid|verify|check|compare|consume|callback", re.IGNORECASE)
_REQUEST_WORDS = ("query", "params", "search", "body", "url")
_STORED_WORDS = ("session", "storage", "cookie", "store", "cache")
_FILE_WRITES = frozenset({"writeFileSync", "writeFile", "appendFile", "appendFileSync"})


@dataclass
class Function:
    node: Node
    scope: tuple[int, int]
    state_names: set[str] = field(default_factory=set)
    state_read: Node | None = None
    reads_code: bool = False
    comparisons: list[Node] = field(default_factory=list)
    calls: list[Node] = field(default_factory=list)


@dataclass
class JsIndex:
    sites: Sites = field(default_factory=Sites)
    calls: list[tuple[Node, tuple[int, int]]] = field(default_factory=list)
    throws: list[Node] = field(default_factory=list)
    assignments: list[tuple[Node, tuple[int, int]]] = field(default_factory=list)
    pairs: list[tuple[Node, tuple[int, int]]] = field(default_factory=list)
    functions: dict[tuple[int, int], Function] = field(default_factory=dict)


def _field(node: Node, name: str) -> Node | None:
    return node.child_by_field_name(name)


def _is_string(node: Node) -> bool:
    return node.type == "template_string" or (
        node.type == "string" and node.child_count > 0 and node.children[0].type in {"'", '"'})


def render(node: Node) -> str | None:
    """A string's text; template substitutions are kept as `{expr}`."""
    if node.type == "string":
        return string_value(node)
    if node.type == "template_string":
        parts = []
        for child in node.children:
            if child.type in {"string_fragment", "escape_sequence"}:
                parts.append(node_text(child))
            elif child.type == "template_substitution":
                inner = node_text(child)
                parts.append("{" + inner[2:-1].strip() + "}")
        return "".join(parts)
    return None


def _constant(node: Node | None) -> str | None:
    if node is None or not _is_string(node):
        return None
    return string_value(node)


def _dotted(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.type in {"identifier", "shorthand_property_identifier", "property_identifier", "this"}:
        return node_text(node)
    if node.type == "member_expression":
        obj, prop = _field(node, "object"), _field(node, "property")
        base = _dotted(obj)
        return None if base is None or prop is None else f"{base}.{node_text(prop)}"
    return None


def _span(node: Node) -> Span:
    return position(node)


def _args(call: Node) -> list[Node]:
    arguments = _field(call, "arguments")
    return [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []


# A callee or receiver longer than this (bytes) is a chain of calls (minified or error-recovered
# code), not a name: reading its text for every call of the chain would be quadratic.
_MAX_CALLEE = 512


def _short_text(node: Node | None) -> str:
    if node is None or node.end_byte - node.start_byte > _MAX_CALLEE:
        return ""
    return node_text(node)


def _callee(call: Node) -> tuple[str, str]:
    """(receiver text or "", method or function name) of a call or new expression."""
    func = _field(call, "function") or _field(call, "constructor")
    if func is None:
        return "", ""
    if func.type == "member_expression":
        return _short_text(_field(func, "object")), _short_text(_field(func, "property"))
    return "", _short_text(func)


class _Builder:
    def __init__(self, file: ParsedFile) -> None:
        self.file = file
        self.index = JsIndex()
        self.whole = (1, max(1, len(file.lines)))
        # Node id -> the range of the function the node is in (None: module level), from `build`.
        self.owners: dict[int, tuple[int, int] | None] = {}
        self.path: list[Node] = []  # the nodes from the root to the one `build` is visiting

    def owner(self, node: Node) -> Function | None:
        """The function `node` is in: noted for every node during `build` (error recovery on
        minified code nests calls thousands deep, and tree-sitter finds each parent by walking
        down from the root, so walking up from every node is quadratic or worse)."""
        if node.id in self.owners:
            key = self.owners[node.id]
            return self.index.functions.get(key) if key is not None else None
        parent = node.parent
        while parent is not None:
            if parent.type in FUNCTION_TYPES:
                return self.index.functions.get((parent.start_byte, parent.end_byte))
            parent = parent.parent
        return None

    def scope(self, node: Node) -> tuple[int, int]:
        function = self.owner(node)
        return function.scope if function is not None else self.whole

    def build(self, root: Node) -> JsIndex:
        enclosing: list[tuple[int, tuple[int, int]]] = []  # (depth, range) of open functions
        for node, depth in walk_depths(root):
            del self.path[depth:]
            self.path.append(node)
            while enclosing and enclosing[-1][0] >= depth:
                enclosing.pop()
            self.owners[node.id] = enclosing[-1][1] if enclosing else None
            kind = node.type
            if kind in FUNCTION_TYPES:
                line, _, end_line, _ = _span(node)
                key = (node.start_byte, node.end_byte)
                self.index.functions[key] = Function(node, (line, end_line))
                enclosing.append((depth, key))
            elif kind in {"call_expression", "new_expression"}:
                self._call(node)
            elif kind == "pair":
                self._pair(node)
            elif kind == "shorthand_property_identifier":
                name = node_text(node)
                self.index.sites.key_values.append(KeyValue(
                    key=name, span=_span(node), context="dict", scope=self.scope(node),
                    value_name=name, value_text=name))
            elif kind == "assignment_expression":
                self._assignment(node)
            elif kind == "variable_declarator":
                self._declarator(node)
            elif kind in {"string", "template_string"} and _is_string(node):
                parent = self._parent(node)
                if parent is not None and parent.type == "template_substitution":
                    continue
                text = render(node)
                if text:
                    self.index.sites.strings.append(StringSite(text, _span(node), self.scope(node)))
            elif kind == "binary_expression":
                operator = _field(node, "operator")
                if operator is not None and operator.type in _COMPARE_OPERATORS:
                    function = self.owner(node)
                    if function is not None:
                        function.comparisons.append(node)
            elif kind == "throw_statement":
                self.index.throws.append(node)
            elif kind == "member_expression":
                self._member_read(node)
        return self.index

    def _key_value(self, key: str, value: Node, context: str, at: Node) -> None:
        values: tuple[tuple[str, Span], ...] = ()
        if value.type == "array":
            values = tuple((text, _span(e)) for e in value.named_children
                           if (text := _constant(e)) is not None)
        self.index.sites.key_values.append(KeyValue(
            key=key, span=_span(value), context=context, scope=self.scope(at),
            value=_constant(value), values=values, value_name=_dotted(value),
            value_bool={"true": True, "false": False}.get(value.type), value_text=node_text(value)))

    def _pair(self, node: Node) -> None:
        key_node, value = _field(node, "key"), _field(node, "value")
        if key_node is None or value is None:
            return
        key = _constant(key_node) if key_node.type == "string" else (
            node_text(key_node) if key_node.type in {"property_identifier", "number"} else None)
        if key is not None:
            self._key_value(key, value, "dict", node)
            self.index.pairs.append((node, self.scope(node)))

    def _assignment(self, node: Node) -> None:
        left, right = _field(node, "left"), _field(node, "right")
        if left is None or right is None:
            return
        self.index.assignments.append((node, self.scope(node)))
        key: str | None = None
        context = "assign"
        if left.type == "identifier":
            key = node_text(left)
        elif left.type == "member_expression":
            prop = _field(left, "property")
            key, context = (node_text(prop) if prop is not None else None), "attr-assign"
        elif left.type == "subscript_expression":
            key = _constant(_field(left, "index"))
        if key is not None:
            self._key_value(key, right, context, node)

    def _declarator(self, node: Node) -> None:
        name, value = _field(node, "name"), _field(node, "value")
        if name is None or value is None:
            return
        if name.type == "identifier":
            self._key_value(node_text(name), value, "assign", node)
        elif name.type == "object_pattern":
            source = node_text(value).lower()
            if not any(w in source for w in _REQUEST_WORDS) or any(w in source for w in _STORED_WORDS):
                return
            for child in name.named_children:
                if child.type == "shorthand_property_identifier_pattern":
                    self._read(node_text(child), child, node_text(child))
                elif child.type == "pair_pattern":
                    key, target = _field(child, "key"), _field(child, "value")
                    if key is not None:
                        self._read(node_text(key).strip("'\""), child,
                                   node_text(target) if target is not None else None)

    def _read(self, key: str, node: Node, target: str | None) -> None:
        function = self.owner(node)
        if function is None:
            return
        if key == "code":
            function.reads_code = True
        elif key == "state":
            if function.state_read is None:
                function.state_read = node
            function.state_names.add(target or "state")

    def _parent(self, node: Node) -> Node | None:
        """`node.parent`, from the walk's path when `node` is the node being visited."""
        if len(self.path) >= 2 and self.path[-1].id == node.id:
            return self.path[-2]
        return node.parent

    def _target_of(self, node: Node) -> str | None:
        parent = self._parent(node)
        if parent is not None and parent.type == "variable_declarator":
            name = _field(parent, "name")
            if name is not None and name.type == "identifier":
                return node_text(name)
        return None

    def _member_read(self, node: Node) -> None:
        prop, obj = _field(node, "property"), _field(node, "object")
        if prop is None or obj is None or node_text(prop) not in {"state", "code"}:
            return
        source = node_text(obj).lower()
        if any(w in source for w in _REQUEST_WORDS) and not any(w in source for w in _STORED_WORDS):
            parent = self._parent(node)
            if parent is not None and parent.type == "call_expression":
                return
            self._read(node_text(prop), node, self._target_of(node))

    def _call(self, node: Node) -> None:
        self.index.calls.append((node, self.scope(node)))
        function = self.owner(node)
        if function is not None:
            function.calls.append(node)
        receiver, method = _callee(node)
        if method == "get":
            args = _args(node)
            key = _constant(args[0]) if args else None
            lowered = receiver.lower()
            if key in {"state", "code"} and not any(w in lowered for w in _STORED_WORDS):
                self._read(key, node, self._target_of(node))


def index(file: ParsedFile) -> JsIndex | None:
    cached = getattr(file, _INDEX_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    tree = file.js_tree
    if tree is None:
        return None
    built = _Builder(file).build(tree.root_node)
    setattr(file, _INDEX_ATTR, built)
    return built


# -- helpers -----------------------------------------------------------------------------------

def leaked_name(node: Node | None) -> str | None:
    """The credential-looking name an expression passes on whole (not its length or expiry)."""
    if node is None:
        return None
    kind = node.type
    if kind in {"identifier", "shorthand_property_identifier"}:
        return node_text(node) if is_credential_name(node_text(node)) else None
    if kind == "member_expression":
        prop = _field(node, "property")
        return node_text(node) if prop is not None and is_credential_name(node_text(prop)) else None
    if kind == "subscript_expression":
        key = _constant(_field(node, "index"))
        return node_text(node) if key is not None and is_credential_name(key) else None
    if kind == "template_string":
        for child in node.named_children:
            if child.type == "template_substitution":
                for inner in child.named_children:
                    found = leaked_name(inner)
                    if found:
                        return found
        return None
    if kind == "binary_expression":
        return leaked_name(_field(node, "left")) or leaked_name(_field(node, "right"))
    if kind in {"parenthesized_expression", "await_expression"}:
        return next((f for c in node.named_children if (f := leaked_name(c))), None)
    if kind == "object":
        for child in node.named_children:
            if child.type == "pair":
                key_node, value = _field(child, "key"), _field(child, "value")
                key_text = (_constant(key_node) if key_node is not None and key_node.type == "string"
                            else node_text(key_node) if key_node is not None else "")
                if key_text and is_credential_name(key_text) and value is not None and not _is_string(value):
                    return key_text
                found = leaked_name(value)
                if found:
                    return found
            else:
                found = leaked_name(child)
                if found:
                    return found
        return None
    if kind == "call_expression":
        receiver, method = _callee(node)
        if (receiver, method) in {("JSON", "stringify"), ("", "String")}:
            return leaked_name(next(iter(_args(node)), None))
        if method == "get" and _args(node):
            key = _constant(_args(node)[0])
            return f"{receiver}.get({key!r})" if key is not None and is_credential_name(key) else None
    return None


def described(expression: str) -> str:
    """Code for a message: shortened, and never a literal (it could be the token itself)."""
    return "..." if any(q in expression for q in "'\"`") else _short(expression, 40)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _storage(receiver: str) -> str | None:
    name = receiver.removeprefix("window.").removeprefix("globalThis.")
    return name if name in {"localStorage", "sessionStorage"} else None


def _uses_library(file: ParsedFile) -> bool:
    text = file.text
    return any(f"'{lib}" in text or f'"{lib}' in text for lib in OAUTH_LIBRARIES)


def public_client(file: ParsedFile) -> str | None:
    if file.is_frontend:
        return "a browser app"
    text = file.text
    for marker, what in (("react-native", "a mobile app"), ("expo", "a mobile app"),
                         ("electron", "a desktop app")):
        if f"'{marker}" in text or f'"{marker}' in text:
            return what
    if "clientsecret" in file.lower.replace("_", ""):
        return None
    if "process.argv" in text or any(f"'{m}'" in text or f'"{m}"' in text
                                     for m in ("open", "commander", "yargs")):
        return "a CLI"
    return None


# -- rules -------------------------------------------------------------------------------------

def check(rule: str, file: ParsedFile) -> Iterator[Hit]:
    found = index(file)
    if found is None:
        return
    sites = found.sites
    if rule == "SH401":
        yield from common.redirect_hits(sites)
    elif rule == "SH402":
        yield from common.pkce_plain_hits(sites)
    elif rule == "SH403":
        client = public_client(file)
        if client is not None:
            requests = code_requests(sites, structured=not _uses_library(file))
            yield from missing_pkce_hits(requests, file.lower, client)
    elif rule == "SH404":
        requests = code_requests(sites, structured=not _uses_library(file))
        yield from missing_state_hits(requests, file.lines, file.lower)
        yield from _unchecked_state(found)
    elif rule == "SH405":
        yield from common.implicit_grant_hits(sites)
    elif rule == "SH406":
        yield from common.password_grant_hits(sites)
    elif rule == "SH407":
        yield from _tls_disabled(file, found)
    elif rule == "SH408":
        yield from _browser_storage(found)
    elif rule == "SH409":
        yield from _cookies(found)
    elif rule == "SH410":
        yield from common.token_in_url_hits(sites)
        yield from _query_parameters(found)
    elif rule == "SH411":
        yield from _logged_secrets(file, found)
    elif rule == "SH412":
        yield from _stored_refresh_tokens(file, found)


def _mentions(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![\w$]){re.escape(name)}\b", text) for name in names) or (
        "'state'" in text or '"state"' in text or ".state" in text)


def _unchecked_state(found: JsIndex) -> Iterator[Hit]:
    for function in found.functions.values():
        if function.state_read is None or not function.reads_code:
            continue
        names = function.state_names
        if any(_mentions(node_text(c), names) and sum(
                (side := _field(c, s)) is not None and side.type not in _LITERAL_TYPES
                for s in ("left", "right")) == 2 for c in function.comparisons):
            continue
        if any(_VALIDATING_CALLS.search(_callee(c)[1]) and _mentions(node_text(c), names)
               for c in function.calls):
            continue
        yield Hit("SH404", _span(function.state_read), "callback reads `state` but never compares "
                  "it with the value stored before the redirect", "unchecked-state")


def _loopback_call(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type not in {"call_expression", "new_expression"}:
        if parent.type in FUNCTION_TYPES or parent.type.endswith("statement"):
            return False
        parent = parent.parent
    if parent is None:
        return False
    return any((text := _constant(a)) is not None and is_loopback_url(text) for a in _args(parent))


def _tls_disabled(file: ParsedFile, found: JsIndex) -> Iterator[Hit]:
    if file.is_test:
        return
    pairs: dict[Span, Node] | None = None  # by the span of their value, built on first need
    credentials: bool | None = None
    for kv in found.sites.key_values:
        key = normal(kv.key)
        if key == "rejectunauthorized" and kv.value_bool is False:
            if scope_matches(file, CREDENTIAL_CONTEXT, kv.scope):
                if pairs is None:
                    pairs = {}
                    for candidate, _ in found.pairs:
                        pairs.setdefault(_span(_field(candidate, "value") or candidate), candidate)
                pair = pairs.get(kv.span)
                if pair is not None and _loopback_call(pair):
                    continue
                yield Hit("SH407", kv.span, "rejectUnauthorized: false sends credentials without "
                          "checking the server certificate", "reject-unauthorized")
        elif key == "nodetlsrejectunauthorized" and kv.value_text.strip("'\"` ") == "0":
            if credentials is None:
                credentials = bool(CREDENTIAL_CONTEXT.search(file.text))
            if not credentials:
                continue
            yield Hit("SH407", kv.span, "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off certificate "
                      "checks for every request of the process, token calls included",
                      "node-tls-reject-unauthorized")


def _browser_storage(found: JsIndex) -> Iterator[Hit]:
    for call, _ in found.calls:
        receiver, method = _callee(call)
        storage = _storage(receiver)
        if storage is None:
            continue
        args = _args(call)
        if method == "setItem" and len(args) >= 2:
            key = _constant(args[0])
            key_name = key if key is not None else (_dotted(args[0]) or "")
            if key is not None and not is_token_storage_key(key) and any(
                    s in normal(key) for s in ("verifier", "state", "nonce", "expir", "pkce")):
                continue
            value = leaked_name(args[1])
            if is_token_storage_key(key_name) or value:
                yield Hit("SH408", _span(call), f"token `{_short(key_name or value or '')}` is "
                          f"written to {storage}, where any script on the page can read it",
                          f"storage:{storage}:{key_name or value}")
        elif method == "getItem" and args:
            key = _constant(args[0]) or _dotted(args[0]) or ""
            if is_token_storage_key(key) and _builds_authorization(call):
                yield Hit("SH408", _span(call), f"token `{key}` is read back from {storage} to "
                          "build an Authorization header", f"storage-read:{storage}:{key}")
    for node, _ in found.assignments:
        left, right = _field(node, "left"), _field(node, "right")
        if left is None or right is None or left.type not in {"member_expression", "subscript_expression"}:
            continue
        obj = _field(left, "object")
        storage = _storage(node_text(obj)) if obj is not None else None
        if storage is None:
            continue
        key_node = _field(left, "property") or _field(left, "index")
        key = (_constant(key_node) or node_text(key_node)) if key_node is not None else ""
        if is_token_storage_key(key) or (leaked_name(right) and not any(
                s in normal(key) for s in ("verifier", "state", "nonce", "expir", "pkce"))):
            yield Hit("SH408", _span(node), f"token `{key}` is written to {storage}, where any "
                      "script on the page can read it", f"storage:{storage}:{key}")


def _builds_authorization(node: Node) -> bool:
    parent = node.parent
    for _ in range(5):
        if parent is None or parent.type.endswith("statement") or parent.type in FUNCTION_TYPES:
            break
        text = node_text(parent).lower()
        if "bearer" in text or "authorization" in text:
            return True
        parent = parent.parent
    return False


def _object_flags(options: Node) -> list[str]:
    missing = []
    for flag, label in (("httponly", "HttpOnly"), ("secure", "Secure")):
        value = None
        for child in options.named_children:
            if child.type == "pair":
                key = _field(child, "key")
                if key is not None and normal(node_text(key)) == flag:
                    value = _field(child, "value")
            elif child.type == "shorthand_property_identifier" and normal(node_text(child)) == flag:
                value = child
        if value is None or value.type == "false":
            missing.append(label)
    return missing


def _cookies(found: JsIndex) -> Iterator[Hit]:
    for call, _ in found.calls:
        receiver, method = _callee(call)
        last = receiver.rsplit(".", 1)[-1]
        args = _args(call)
        if len(args) < 2:
            continue
        express = method == "cookie" and last in {"res", "response", "reply", "resp"}
        js_cookie = method == "set" and last in {"Cookies", "Cookie", "cookies"} and receiver != "ctx.cookies"
        if not (express or js_cookie):
            continue
        name = _constant(args[0])
        if not (is_session_cookie_name(name) if name is not None else leaked_name(args[1])):
            continue
        label = name or leaked_name(args[1]) or "cookie"
        if js_cookie:
            yield Hit("SH409", _span(call), f"cookie `{label}` holding a token is set from script, "
                      "so it can never be HttpOnly", f"cookie:{label}")
            continue
        options = args[2] if len(args) > 2 else None
        if options is not None and options.type != "object":
            continue  # options built elsewhere: cannot tell
        missing = _object_flags(options) if options is not None else ["HttpOnly", "Secure"]
        if missing:
            yield Hit("SH409", _span(call), f"cookie `{label}` holds a token or session but is set "
                      f"without {' and '.join(missing)}", f"cookie:{label}")
    for node, _ in found.assignments:
        left, right = _field(node, "left"), _field(node, "right")
        if left is None or right is None or node_text(left) != "document.cookie":
            continue
        value = node_text(right).lower()
        if re.search(r"token|jwt|session|auth|bearer", value) and not re.search(r"csrf|xsrf", value):
            yield Hit("SH409", _span(node), "document.cookie stores a token from script, so the "
                      "cookie can never be HttpOnly", "document-cookie")


def _query_parameters(found: JsIndex) -> Iterator[Hit]:
    for call, _ in found.calls:
        receiver, method = _callee(call)
        args = _args(call)
        if method in {"set", "append"} and receiver.endswith(("searchParams", "query", "params")) and args:
            param = _constant(args[0])
            hit = query_parameter_hit(param, _span(args[0]), f"{receiver}.{method}") if param else None
            if hit:
                yield hit
    for pair, _ in found.pairs:
        key, value = _field(pair, "key"), _field(pair, "value")
        if key is None or value is None or node_text(key) != "params" or value.type != "object":
            continue
        for child in value.named_children:
            name_node = _field(child, "key") if child.type == "pair" else (
                child if child.type == "shorthand_property_identifier" else None)
            if name_node is not None:
                name = _constant(name_node) if name_node.type == "string" else node_text(name_node)
                hit = query_parameter_hit(name or "", _span(name_node), "params:")
                if hit:
                    yield hit


def _logged_secrets(file: ParsedFile, found: JsIndex) -> Iterator[Hit]:
    generic_ok = talks_auth(file.lower)

    def leaked(node: Node) -> str | None:
        name = leaked_name(node)
        return name if name and (generic_ok or not is_generic_credential(name)) else None

    for call, _ in found.calls:
        if call.type != "call_expression":
            continue
        receiver, method = _callee(call)
        if not (method in _LOG_METHODS and (receiver == "console" or "log" in receiver.lower())):
            continue
        for arg in _args(call):
            name = leaked(arg)
            if name:
                yield Hit("SH411", _span(arg), f"`{_short(name, 50)}` is written out by "
                          f"`{_short(receiver, 30)}.{method}(...)`; log a fingerprint, its length "
                          "or its expiry instead", f"log:{receiver}.{method}:{name}")
                break
    for throw in found.throws:
        created = next((c for c in throw.named_children if c.type in {"new_expression", "call_expression"}), None)
        if created is None:
            continue
        for arg in _args(created):
            name = leaked(arg)
            if name:
                yield Hit("SH411", _span(arg), f"`{_short(name, 50)}` is put into an error message, "
                          "which ends up in logs and error pages", f"throw:{name}")
                break


def _stored_refresh_tokens(file: ParsedFile, found: JsIndex) -> Iterator[Hit]:
    mentions_refresh = "refresh" in file.lower
    for call, scope in found.calls:
        receiver, method = _callee(call)
        args = _args(call)
        if method in _FILE_WRITES and len(args) >= 2:
            text = node_text(args[1])
            if ("refresh" in text.lower() or (mentions_refresh and leaked_name(args[1]))) and not \
                    scope_matches(file, ENCRYPTION_MARKERS, scope):
                yield Hit("SH412", _span(call), f"refresh token written to a plain file by "
                          f"`{_short(receiver + '.' + method, 30)}(..., {described(text)})` with no "
                          "encryption step in sight",
                          f"file-write:{method}")
        elif method == "cookie" and len(args) >= 2 and receiver.rsplit(".", 1)[-1] in {"res", "response", "reply"}:
            name = _constant(args[0]) or ""
            value_text = node_text(args[1])
            if ("refresh" in name.lower() or "refresh" in value_text.lower()) and not \
                    ENCRYPTION_MARKERS.search(value_text):
                label = name or described(value_text)
                yield Hit("SH412", _span(call), f"refresh token stored in cookie `{label}` as is, with "
                          "no encryption step", f"cookie:{label}")


__all__ = ["CodeRequest", "check", "index"]
