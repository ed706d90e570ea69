"""Python side of the OAuth flow rules: one libcst pass per candidate file collects the sites
(key/values, strings, calls, functions) that every SH4xx rule reads; imported lazily."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from scanner.lang.python import dotted_name, keyword_arg, positions, span, string_value
from scanner.parsed import ParsedFile
from scanner.plugins.oauth_common import (
    CREDENTIAL_CONTEXT,
    ENCRYPTION_MARKERS,
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
    normal,
    talks_auth,
)
from scanner.plugins.oauth_prescreen import LOG_METHODS, LOG_RECEIVERS, SQL_WRITE, TRANSPARENT_CALLS

_INDEX_ATTR = "_oauth_python_index"
_EMPTY = cst.Module(body=[])

OAUTH_LIBRARIES = frozenset({
    "authlib", "requests_oauthlib", "flask_dance", "social_core", "social_django", "allauth",
    "msal", "google_auth_oauthlib", "oauthlib", "httpx_oauth", "fastapi_sso", "oic",
    "flask_oauthlib", "mozilla_django_oidc", "flask_oidc", "django_auth_adfs",
})
PUBLIC_CLIENT_MODULES = {
    "webbrowser": "a CLI that opens the browser", "click": "a CLI", "typer": "a CLI",
    "argparse": "a CLI", "http.server": "a native app with a loopback listener",
    "tkinter": "a desktop app", "PyQt5": "a desktop app", "PyQt6": "a desktop app",
    "PySide6": "a desktop app", "kivy": "a mobile app", "toga": "a desktop/mobile app",
}
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request",
                           "stream", "send"})
_COLUMN_CALLS = frozenset({"Column", "mapped_column", "CharField", "TextField", "Field",
                           "BinaryField", "StringField", "db.Column"})
_REQUEST_SOURCES = ("args", "get", "query", "params", "form", "request", "values")
_STORED_SOURCES = ("session", "cache", "storage", "cookie", "db", "redis")
_VALIDATING_CALLS = re.compile(r"compare_digest|valid|verify|check|compare|consume|callback|authorize_access_token",
                               re.IGNORECASE)
@dataclass
class Function:
    node: cst.FunctionDef
    scope: tuple[int, int]
    calls: list[cst.Call] = field(default_factory=list)
    comparisons: list[cst.Comparison] = field(default_factory=list)
    # (key "state"/"code", node, name it was assigned to)
    request_reads: list[tuple[str, cst.CSTNode, str | None]] = field(default_factory=list)


@dataclass
class PythonIndex:
    sites: Sites = field(default_factory=Sites)
    calls: list[tuple[cst.Call, tuple[int, int]]] = field(default_factory=list)
    attr_assigns: list[tuple[str, cst.BaseExpression, Span, tuple[int, int]]] = field(default_factory=list)
    raises: list[cst.Call] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    columns: list[tuple[str, cst.CSTNode | None, cst.CSTNode, Span]] = field(default_factory=list)
    unverified: list[tuple[Span, tuple[int, int]]] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)


def code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def render(node: cst.BaseExpression) -> str | None:
    """A string expression's text with f-string placeholders kept as `{expr}`."""
    if isinstance(node, cst.SimpleString):
        return string_value(node)
    if isinstance(node, cst.ConcatenatedString):
        left, right = render(node.left), render(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                parts.append("{" + code(part.expression) + "}")
        return "".join(parts)
    return None


def _bool(node: cst.BaseExpression) -> bool | None:
    if isinstance(node, cst.Name) and node.value in {"True", "False"}:
        return node.value == "True"
    if isinstance(node, cst.Integer) and node.value in {"0", "1"}:
        return node.value == "1"
    return None


class _Collector(cst.CSTVisitor):
    def __init__(self, file: ParsedFile) -> None:
        super().__init__()
        self.file = file
        self.index = PythonIndex()
        self.stack: list[cst.CSTNode] = []
        self.scopes: list[tuple[int, int]] = [(1, max(1, len(file.lines)))]
        self.functions: list[Function] = []
        self.classes = 0

    # -- traversal ---------------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        parent = self.stack[-1] if self.stack else None
        self.stack.append(node)
        if isinstance(node, cst.FunctionDef):
            line, _, end_line, _ = span(self.file, node)
            function = Function(node, (line, end_line))
            self.functions.append(function)
            self.index.functions.append(function)
            self.scopes.append((line, end_line))
            self._params(function)
        elif isinstance(node, cst.ClassDef):
            self.classes += 1
        elif isinstance(node, cst.Call):
            self._call(node, parent)
        elif isinstance(node, cst.Arg):
            if node.keyword is not None and isinstance(parent, cst.Call):
                self._key_value(node.keyword.value, node.value, "kwarg")
        elif isinstance(node, cst.DictElement):
            key = string_value(node.key)
            if key is not None:
                self._key_value(key, node.value, "dict")
        elif isinstance(node, (cst.Assign, cst.AnnAssign)):
            self._assign(node)
        elif isinstance(node, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
            if not isinstance(parent, (cst.ConcatenatedString, cst.Expr)):
                text = render(node)
                if text:
                    self.index.sites.strings.append(StringSite(text, span(self.file, node), self.scopes[-1]))
        elif isinstance(node, cst.Comparison):
            if self.functions:
                self.functions[-1].comparisons.append(node)
        elif isinstance(node, cst.Subscript):
            self._subscript_read(node, parent)
        elif isinstance(node, cst.Raise):
            if isinstance(node.exc, cst.Call):
                self.index.raises.append(node.exc)
        elif isinstance(node, (cst.Name, cst.Attribute)):
            name = node.value if isinstance(node, cst.Name) else node.attr.value
            if name == "_create_unverified_context" and not isinstance(
                    parent, (cst.Attribute, cst.ImportAlias)):
                self.index.unverified.append((span(self.file, node), self.scopes[-1]))
        elif isinstance(node, cst.Import):
            for alias in node.names:
                self.index.imports.add(code(alias.name))
        elif isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
            self.index.imports.add(code(node.module))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()
        if isinstance(original_node, cst.FunctionDef):
            self.functions.pop()
            self.scopes.pop()
        elif isinstance(original_node, cst.ClassDef):
            self.classes -= 1

    # -- sites -------------------------------------------------------------------------------

    def _key_value(self, key: str, value: cst.BaseExpression, context: str) -> None:
        values: tuple[tuple[str, Span], ...] = ()
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            values = tuple((text, span(self.file, e.value)) for e in value.elements
                           if (text := string_value(e.value)) is not None)
        self.index.sites.key_values.append(KeyValue(
            key=key, span=span(self.file, value), context=context, scope=self.scopes[-1],
            value=string_value(value), values=values, value_name=dotted_name(value),
            value_bool=_bool(value)))

    def _assign(self, node: cst.Assign | cst.AnnAssign) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        value = node.value
        for target in targets:
            key: str | None = None
            context = "assign"
            if isinstance(target, cst.Name):
                key = target.value
            elif isinstance(target, cst.Attribute):
                key, context = target.attr.value, "attr-assign"
            elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
                index = target.slice[0].slice
                if isinstance(index, cst.Index):
                    key = string_value(index.value)
            if key is None:
                continue
            if value is not None:
                self._key_value(key, value, context)
                if context == "attr-assign":
                    self.index.attr_assigns.append((key, value, span(self.file, target), self.scopes[-1]))
            if self.classes and not self.functions and isinstance(target, cst.Name) and "refresh" in key.lower():
                annotation = node.annotation.annotation if isinstance(node, cst.AnnAssign) else None
                self.index.columns.append((key, value, annotation or target, span(self.file, target)))

    def _call(self, node: cst.Call, parent: cst.CSTNode | None) -> None:
        self.index.calls.append((node, self.scopes[-1]))
        if self.functions:
            self.functions[-1].calls.append(node)
        func = node.func
        if not (isinstance(func, cst.Attribute) and node.args):
            return
        method = func.attr.value
        source = (dotted_name(func.value) or "").lower()
        if method in {"get", "get_argument", "get_query_argument", "getlist"} or method == "getone":
            key = string_value(node.args[0].value)
            if key in {"state", "code"} and self._from_request(source, method):
                self._request_read(key, node, parent)

    def _subscript_read(self, node: cst.Subscript, parent: cst.CSTNode | None) -> None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        key = string_value(node.slice[0].slice.value)
        source = (dotted_name(node.value) or "").lower()
        if key in {"state", "code"} and self._from_request(source, "[]"):
            self._request_read(key, node, parent)

    @staticmethod
    def _from_request(source: str, method: str) -> bool:
        if any(word in source for word in _STORED_SOURCES):
            return False
        return method.startswith("get_") or any(word in source for word in _REQUEST_SOURCES)

    def _request_read(self, key: str, node: cst.CSTNode, parent: cst.CSTNode | None) -> None:
        if not self.functions:
            return
        target = None
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = dotted_name(parent.targets[0].target)
        self.functions[-1].request_reads.append((key, node, target))

    def _params(self, function: Function) -> None:
        names = {p.name.value: p for p in function.node.params.params}
        names.update({p.name.value: p for p in function.node.params.kwonly_params})
        if "state" in names and "code" in names:
            function.request_reads.append(("code", names["code"], "code"))
            function.request_reads.append(("state", names["state"], "state"))


def index(file: ParsedFile) -> PythonIndex | None:
    """The file's collected sites (cached on the file), or None when it does not parse."""
    cached = getattr(file, _INDEX_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    module = file.python
    if module is None:
        return None
    positions(file)  # resolve once, before the traversal
    collector = _Collector(file)
    module.visit(collector)
    setattr(file, _INDEX_ATTR, collector.index)
    return collector.index


# -- helpers -----------------------------------------------------------------------------------

def _call_parts(call: cst.Call) -> tuple[str, str]:
    """(receiver dotted name or "", method or function name)."""
    func = call.func
    if isinstance(func, cst.Name):
        return "", func.value
    if isinstance(func, cst.Attribute):
        return dotted_name(func.value) or code(func.value), func.attr.value
    return "", ""


def _arg(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    found = keyword_arg(call, keyword)
    if found is not None:
        return found.value
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[position].value if len(positional) > position else None


def leaked_name(expr: cst.BaseExpression) -> str | None:
    """The credential-looking name an expression passes on whole (not its length or expiry)."""
    if isinstance(expr, cst.Name):
        return expr.value if is_credential_name(expr.value) else None
    if isinstance(expr, cst.Attribute):
        return code(expr) if is_credential_name(expr.attr.value) else None
    if isinstance(expr, cst.Subscript):
        if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            key = string_value(expr.slice[0].slice.value)
            if key is not None:
                return code(expr) if is_credential_name(key) else None
            return leaked_name(expr.value)
        return None
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = leaked_name(part.expression)
                if found:
                    return found
        return None
    if isinstance(expr, cst.BinaryOperation):
        return leaked_name(expr.left) or leaked_name(expr.right)
    if isinstance(expr, (cst.Tuple, cst.List)):
        for element in expr.elements:
            found = leaked_name(element.value)
            if found:
                return found
        return None
    if isinstance(expr, cst.Dict):
        for entry in expr.elements:
            if isinstance(entry, cst.DictElement):
                key = string_value(entry.key)
                if key is not None and is_credential_name(key) and string_value(entry.value) is None:
                    return key
                found = leaked_name(entry.value)
                if found:
                    return found
        return None
    if isinstance(expr, cst.Call):
        receiver, method = _call_parts(expr)
        if method in {"get", "getenv", "pop"} and expr.args:
            key = string_value(expr.args[0].value)
            if key is not None:
                return f"{receiver}.{method}({key!r})" if is_credential_name(key) else None
        if method in TRANSPARENT_CALLS:
            for arg in expr.args:
                found = leaked_name(arg.value)
                if found:
                    return found
            if isinstance(expr.func, cst.Attribute) and method in {"to_json", "json"}:
                return leaked_name(expr.func.value)
        return None
    return None


def described(expression: str) -> str:
    """Code for a message: shortened, and never a literal (it could be the token itself)."""
    return "..." if "'" in expression or '"' in expression else _short(expression, 40)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


# -- rules -------------------------------------------------------------------------------------

def public_client(file: ParsedFile, found: PythonIndex) -> str | None:
    if "client_secret" in file.lower:
        return None
    for module, what in PUBLIC_CLIENT_MODULES.items():
        if any(name == module or name.startswith(module + ".") for name in found.imports):
            return what
    for kv in found.sites.key_values:
        if normal(kv.key).endswith("redirecturi") and kv.value and is_loopback_url(kv.value):
            return "a native app with a loopback redirect"
    return None


def _uses_oauth_library(found: PythonIndex) -> bool:
    return any(name.split(".")[0] in OAUTH_LIBRARIES for name in found.imports)


def check(rule: str, file: ParsedFile) -> Iterator[Hit]:
    from scanner.plugins import oauth_common as common

    found = index(file)
    if found is None:
        return
    sites = found.sites
    if rule == "SH401":
        yield from common.redirect_hits(sites)
    elif rule == "SH402":
        yield from common.pkce_plain_hits(sites)
    elif rule == "SH403":
        yield from _missing_pkce(file, found)
    elif rule == "SH404":
        requests = code_requests(sites, structured=not _uses_oauth_library(found))
        yield from missing_state_hits(requests, file.lines, file.lower)
        yield from _unchecked_state(file, found)
    elif rule == "SH405":
        yield from common.implicit_grant_hits(sites)
    elif rule == "SH406":
        yield from common.password_grant_hits(sites)
        for call, _ in found.calls:
            if _call_parts(call)[1] == "LegacyApplicationClient":
                yield Hit("SH406", span(file, call), "LegacyApplicationClient runs the resource "
                          "owner password credentials grant", "grant_type:password")
    elif rule == "SH407":
        yield from _tls_disabled(file, found)
    elif rule == "SH409":
        yield from _cookies(file, found)
    elif rule == "SH410":
        yield from common.token_in_url_hits(sites)
        for call, _ in found.calls:
            params = keyword_arg(call, "params")
            if params is None or _call_parts(call)[1] not in _HTTP_METHODS:
                continue
            for key, key_span in _literal_keys(file, params.value):
                hit = query_parameter_hit(key, key_span, "params=")
                if hit:
                    yield hit
    elif rule == "SH411":
        yield from _logged_secrets(file, found)
    elif rule == "SH412":
        yield from _stored_refresh_tokens(file, found)


def _literal_keys(file: ParsedFile, node: cst.BaseExpression) -> Iterator[tuple[str, Span]]:
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None:
                    yield key, span(file, element.key)
    elif isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
        for arg in node.args:
            if arg.keyword is not None:
                yield arg.keyword.value, span(file, arg)


def _missing_pkce(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    client = public_client(file, found)
    if client is None:
        return
    requests = code_requests(found.sites, structured=not _uses_oauth_library(found))
    from scanner.plugins.oauth_common import CodeRequest

    for call, scope in found.calls:
        if _call_parts(call)[1] in {"authorization_url", "create_authorization_url"}:
            requests.append(CodeRequest(span(file, call), scope, False))
    yield from missing_pkce_hits(sorted(requests, key=lambda r: r.span), file.lower, client)


def _unchecked_state(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    for function in found.functions:
        keys = {key for key, _, _ in function.request_reads}
        if keys != {"state", "code"}:
            continue
        names = {"state"} | {t for k, _, t in function.request_reads if k == "state" and t}
        if _compares_state(function, names):
            continue
        node = next(n for k, n, _ in function.request_reads if k == "state")
        yield Hit("SH404", span(file, node), f"callback `{function.node.name.value}` reads `state` "
                  "but never compares it with the value stored before the redirect",
                  f"unchecked-state:{function.node.name.value}")


def _mentions(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![\w.]){re.escape(name)}\b", text) for name in names) or (
        "'state'" in text or '"state"' in text)


def _is_constant(node: cst.BaseExpression) -> bool:
    return (isinstance(node, (cst.SimpleString, cst.Integer, cst.Float))
            or (isinstance(node, cst.Name) and node.value in {"None", "True", "False"}))


def _compares_state(function: Function, names: set[str]) -> bool:
    for comparison in function.comparisons:
        operands = [comparison.left, *(c.comparator for c in comparison.comparisons)]
        if sum(not _is_constant(o) for o in operands) >= 2 and _mentions(code(comparison), names):
            return True
    for call in function.calls:
        _, method = _call_parts(call)
        if method == "authorize_access_token":
            return True
        if (_VALIDATING_CALLS.search(method) or keyword_arg(call, "authorization_response")) and (
                method == "fetch_token" or _mentions(code(call), names)):
            return True
    return False


def _tls_disabled(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    for call, scope in found.calls:
        verify = keyword_arg(call, "verify")
        if verify is None or _bool(verify.value) is not False:
            continue
        url_node = _arg(call, 0, "url")
        url = string_value(url_node) if url_node is not None else None
        if url is not None and is_loopback_url(url):
            continue
        if file.is_test and not (url and url.startswith(("http://", "https://"))):
            continue
        call_text = code(call)
        if not (CREDENTIAL_CONTEXT.search(call_text) or scope_matches(file, CREDENTIAL_CONTEXT, scope)):
            continue
        receiver, method = _call_parts(call)
        yield Hit("SH407", span(file, verify), f"`{_short(receiver + '.' + method if receiver else method, 40)}"
                  "(..., verify=False)` sends credentials without checking the server certificate",
                  f"verify-false:{method}")
    for key, value, target_span, scope in found.attr_assigns:
        if key == "verify" and _bool(value) is False and not file.is_test and scope_matches(
                file, CREDENTIAL_CONTEXT, scope):
            yield Hit("SH407", target_span, "session.verify = False turns off certificate checks "
                      "for every request this session sends with credentials", "verify-false:session")
    for kv in found.sites.key_values:
        if kv.key.upper() in {"NODE_TLS_REJECT_UNAUTHORIZED", "PYTHONHTTPSVERIFY"} and kv.value == "0" \
                and not file.is_test:
            yield Hit("SH407", kv.span, f"{kv.key.upper()}=0 turns off certificate checks for "
                      "every request of the process, token calls included", f"env:{kv.key.upper()}")
    for unverified_span, scope in found.unverified:
        if not file.is_test and scope_matches(file, CREDENTIAL_CONTEXT, scope):
            yield Hit("SH407", unverified_span, "ssl._create_unverified_context() turns off "
                      "certificate checks next to credential-bearing calls", "unverified-context")


def _cookies(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    for call, _ in found.calls:
        _, method = _call_parts(call)
        if method not in {"set_cookie", "set_signed_cookie"}:
            continue
        name_node, value_node = _arg(call, 0, "key"), _arg(call, 1, "value")
        name = string_value(name_node) if name_node is not None else None
        value_name = leaked_name(value_node) if value_node is not None else None
        if not (is_session_cookie_name(name) if name is not None else value_name):
            continue
        missing = []
        for flag, label in (("httponly", "HttpOnly"), ("secure", "Secure")):
            arg = keyword_arg(call, flag)
            if arg is None or _bool(arg.value) is False:
                missing.append(label)
        if missing:
            what = name if name is not None else value_name
            yield Hit("SH409", span(file, call), f"cookie `{what}` holds a token or session but is "
                      f"set without {' and '.join(missing)}", f"cookie:{what}")
    # The settings check (SESSION_COOKIE_SECURE = False) is oauth_prescreen.settings_hits.


def _is_log_call(call: cst.Call) -> str | None:
    receiver, method = _call_parts(call)
    if not receiver and method in {"print", "pprint"}:
        return method
    if method in LOG_METHODS and (LOG_RECEIVERS.search(receiver) or "getLogger" in receiver):
        return f"{_short(receiver, 30)}.{method}"
    if (method == "echo" and receiver in {"click", "typer"}) or (method == "print" and "console" in receiver):
        return f"{receiver}.{method}"
    if method == "write" and receiver.endswith(("stdout", "stderr")):
        return f"{receiver}.{method}"
    return None


def _logged_secrets(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    generic_ok = talks_auth(file.lower)

    def leaked(expr: cst.BaseExpression) -> str | None:
        name = leaked_name(expr)
        return name if name and (generic_ok or not is_generic_credential(name)) else None

    for call, _ in found.calls:
        logger = _is_log_call(call)
        if logger is None:
            continue
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in {"exc_info", "stack_info", "stacklevel"}:
                continue
            name = leaked(arg.value)
            if name:
                yield Hit("SH411", span(file, arg.value), f"`{_short(name, 50)}` is written out by "
                          f"`{logger}(...)`; log a fingerprint, its length or its expiry instead",
                          f"log:{logger}:{name}")
                break
    for exc in found.raises:
        for arg in exc.args:
            name = leaked(arg.value)
            if name:
                method = _call_parts(exc)[1]
                yield Hit("SH411", span(file, arg.value), f"`{_short(name, 50)}` is put into the "
                          f"message of `{method}`, which ends up in logs and error pages",
                          f"raise:{method}:{name}")
                break


def _stored_refresh_tokens(file: ParsedFile, found: PythonIndex) -> Iterator[Hit]:
    mentions_refresh = "refresh" in file.lower
    for call, scope in found.calls:
        receiver, method = _call_parts(call)
        dotted = f"{receiver}.{method}" if receiver else method
        if method in {"write", "write_text", "writelines"} or dotted in {
                "json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump", "toml.dump"}:
            if receiver.endswith(("stdout", "stderr")) or not call.args:
                continue
            arg = call.args[0].value
            if string_value(arg) is not None:
                continue
            text = code(arg)
            refresh = ("refresh" in text.lower() or re.search(r"\b(creds|credentials)\.to_json\(", text)
                       or (mentions_refresh and leaked_name(arg)))
            if refresh and not scope_matches(file, ENCRYPTION_MARKERS, scope):
                yield Hit("SH412", span(file, call), f"refresh token written to a plain file by "
                          f"`{dotted}({described(text)}{', ...' if len(call.args) > 1 else ''})` "
                          "with no encryption step in sight",
                          f"file-write:{dotted}")
        elif method in {"set_cookie", "set_signed_cookie"}:
            name_node, value_node = _arg(call, 0, "key"), _arg(call, 1, "value")
            name = string_value(name_node) if name_node is not None else None
            value_text = code(value_node) if value_node is not None else ""
            if ((name and "refresh" in name.lower()) or "refresh" in value_text.lower()) and not \
                    ENCRYPTION_MARKERS.search(value_text) and method != "set_signed_cookie":
                yield Hit("SH412", span(file, call), f"refresh token stored in cookie "
                          f"`{name or described(value_text)}` as is, with no encryption step",
                          f"cookie:{name or described(value_text)}")
    for key, value, annotation, target_span in found.columns:
        column_text = code(value) if value is not None else ""
        if value is None:
            if "Mapped" not in code(annotation):
                continue
        elif not (isinstance(value, cst.Call) and _call_parts(value)[1] in _COLUMN_CALLS | {"Column"}):
            continue
        if ENCRYPTION_MARKERS.search(column_text) or ENCRYPTION_MARKERS.search(code(annotation)):
            continue
        yield Hit("SH412", target_span, f"database column `{key}` stores refresh tokens unencrypted "
                  f"(`{_short(column_text or code(annotation), 50)}`)", f"column:{key}")
    for string in found.sites.strings:
        if SQL_WRITE.search(string.text) and not scope_matches(file, ENCRYPTION_MARKERS, string.scope):
            yield Hit("SH412", string.span, "SQL writes refresh_token into a table with no "
                      "encryption step in sight", "sql:refresh_token")

