"""Scope requests, module constants and imports of one Python file, read with libcst (positions,
scope resolution for local names, qualified names for the OAuth client in use)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    MetadataWrapper,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)

from scanner.lang.python import span as node_span
from scanner.lang.python import string_value, wrapper
from scanner.plugins.scopes_model import (
    NOT_OAUTH_SCOPES,
    Concat,
    FileFacts,
    Join,
    Lit,
    Ref,
    ScopeRequest,
    Seq,
    Span,
    Unknown,
    Value,
)

if TYPE_CHECKING:
    from scanner.parsed import ParsedFile

SCOPE_KEYS = frozenset({"scope", "scopes", "oauth_scopes", "oauth_scope", "default_scopes"})
# pytest's fixture scopes: `scope="module"` is not OAuth.
_FIXTURE_SCOPES = frozenset({"function", "class", "module", "package", "session"})
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
# Calls that take the scopes positionally: callee name -> index of the scopes argument.
_POSITIONAL_SCOPES = {
    "from_client_secrets_file": 1, "from_client_config": 1, "from_authorized_user_file": 1,
    "from_authorized_user_info": 1, "acquire_token_for_client": 0, "acquire_token_silent": 0,
    "acquire_token_interactive": 0, "get_authorization_request_url": 0,
    "acquire_token_by_authorization_code": 1, "initiate_auth_code_flow": 0, "initiate_device_flow": 0,
    "acquire_token_by_username_password": 2, "acquire_token_on_behalf_of": 1,
}
_COLLECTIONS = frozenset({"list", "tuple", "sorted", "set", "frozenset"})
# Candidate patterns start with a literal so the regex engine can skip ahead (an alternation or a
# leading \b is about 50x slower on big files); word boundaries are checked by hand.
_SCOPE_ASSIGN = re.compile(r"scopes?\s*=(?!=)\s*")
_FIXTURE_VALUE = re.compile(r"""["'](?:function|class|module|package|session)["']""")
# A value that may be static: a literal, an ALL_CAPS constant, `self.SCOPES`, `" ".join(...)`.
_STATIC_START = re.compile(r"""[rRfFbBuU]{0,2}["'\[({]|[A-Z][A-Z0-9_]*\b(?!\s*\()"""
                           r"""|(?:self|cls)\.(?:[A-Z][A-Z0-9_]*|\w*scope\w*)\b|[\w.]+\.[A-Z][A-Z0-9_]*\b|\w+\.join\(""")
_SCOPE_KEY = re.compile(r"""scopes?["']\s*[:\]]""")
_SCOPE_CONSTANT_ASSIGN = re.compile(r"SCOPES?\s*(?::[^=\n]*)?\+?=(?!=)")
_POSITIONAL_NAMES = tuple(f"{name}(" for name in _POSITIONAL_SCOPES)


def _text_candidate(text: str) -> bool:
    """The text assigns, passes or keys something named like scope (not pytest's fixture scopes,
    not `scope=scope`), holds a SCOPES-like constant, or calls a client taking scopes positionally."""
    if _SCOPE_CONSTANT_ASSIGN.search(text) or any(name in text for name in _POSITIONAL_NAMES):
        return True
    for match in _SCOPE_KEY.finditer(text):
        if match.start() and text[match.start() - 1] in "\"'":
            return True
    for match in _SCOPE_ASSIGN.finditer(text):
        start = match.start()
        for prefix in ("oauth_", "default_"):
            if text.endswith(prefix, 0, start):
                start -= len(prefix)
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # search_scope = ...
        if _STATIC_START.match(text, match.end()) and not _FIXTURE_VALUE.match(text, match.end()):
            return True
    return False


_MAX_SPAN_LINES = 40


def is_candidate(file: ParsedFile) -> bool:
    """Cheap checks before libcst: the text assigns, passes or keys something named like scope,
    and the standard `ast` (about 12x faster) finds a request or constant with a static value."""
    if not _text_candidate(file.text):
        return False
    import ast

    try:
        tree = ast.parse(file.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # let libcst report the problem the usual way
    return _has_static_request(tree)


_SCOPE_CONSTANT = re.compile(r"^(?:\w*_)?scopes?$", re.IGNORECASE)


def _has_static_request(tree: object) -> bool:
    import ast

    assert isinstance(tree, ast.Module)
    # Names bound to a possibly static value: at module or class level (or imported), and anywhere.
    module_names: set[str] = set()
    any_names: set[str] = set()
    top_level = {id(n) for n in tree.body}
    top_level.update(id(n) for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)
    for node in ast.walk(tree):
        bound: list[str] = []
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, ast.Assign) and _static(node.value, None):
            bound = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None \
                and isinstance(node.target, ast.Name) and _static(node.value, None):
            bound = [node.target.id]
        any_names.update(bound)
        if id(node) in top_level or isinstance(node, (ast.Import, ast.ImportFrom)):
            module_names.update(bound)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg not in SCOPE_KEYS:
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and value.value in _FIXTURE_SCOPES:
                    continue
                # `scope=scope` passes a parameter through unless the name is a module constant.
                names = module_names if (isinstance(value, ast.Name) and value.id == keyword.arg) \
                    else module_names | any_names
                if _static(value, names):
                    return True
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if method in _POSITIONAL_SCOPES:
                return True
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in SCOPE_KEYS \
                        and _static(value, module_names | any_names):
                    return True
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                name = target.id if isinstance(target, ast.Name) else (
                    target.attr if isinstance(target, ast.Attribute) else None)
                if name and _SCOPE_CONSTANT.match(name) and _static(node.value, module_names | any_names):
                    return True
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                        and target.slice.value in SCOPE_KEYS and _static(node.value, module_names | any_names):
                    return True
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None
              and _SCOPE_CONSTANT.match(node.target.id) and _static(node.value, module_names | any_names)):
            return True
    return False


def _static(node: object, names: set[str] | None) -> bool:
    """Could this expression's value be known statically? (`names`: names with such values;
    None while collecting them, when only literals count.)"""
    import ast

    if isinstance(node, ast.Constant):
        # `scope="global"` (IPv6, DI containers, dependency managers) is not an OAuth scope.
        return isinstance(node.value, str) and node.value.strip().lower() not in NOT_OAUTH_SCOPES
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        # Scope lists hold strings (or names of strings), not tuples or dicts.
        return bool(node.elts) and all(
            (isinstance(e, ast.Constant) and isinstance(e.value, str))
            or isinstance(e, (ast.JoinedStr, ast.Name, ast.Attribute, ast.Starred, ast.BinOp))
            for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _static(node.left, names) or _static(node.right, names)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
            return True
        if isinstance(func, ast.Name) and func.id in _COLLECTIONS and node.args:
            return _static(node.args[0], names)
        return False
    if names is None:
        return False
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        base = node.value
        while isinstance(base, ast.Attribute):
            base = base.value
        # Constants only: `settings.SCOPES`, `Config.SCOPES`, `self.SCOPES`, `self.scopes`.
        constant = node.attr.isupper() or "scope" in node.attr.lower()
        return constant and isinstance(base, ast.Name) and (
            base.id in names or base.id in {"self", "cls"} or base.id[:1].isupper())
    return False


def module_package(path: str) -> list[str]:
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    return parts[:-1]


def absolute_module(path: str, module: str, level: int) -> str:
    if level == 0:
        return module
    package = module_package(path)
    base = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    return ".".join([*base, *([module] if module else [])])


class _Collector(cst.CSTVisitor):
    def __init__(self, file: ParsedFile, facts: FileFacts, meta: MetadataWrapper) -> None:
        super().__init__()
        self.file = file
        self.meta = meta
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self.facts = facts
        self.local_values: dict[cst.CSTNode, cst.BaseExpression] = {}
        self.classes: list[str] = []
        self.functions = 0
        # (call or None, value expression, its value (read where it stands), origin, report node)
        self.found: list[tuple[cst.Call | None, cst.BaseExpression, Value, str, cst.CSTNode]] = []

    # -- positions and values ---------------------------------------------------------------

    def span(self, node: cst.CSTNode) -> Span:
        line, column, end_line, end_column = node_span(self.file, node)
        lines = tuple(self.file.lines[line - 1: min(end_line, line + _MAX_SPAN_LINES)])
        return Span(self.file.path, line, column, end_line, end_column, lines)

    def value_of(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        if depth > 20:
            return Unknown(self.span(node))
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = string_value(node)
            if text is not None:
                return Lit(text, self.span(node))
            if isinstance(node, cst.ConcatenatedString):
                return Concat((self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)),
                              self.span(node))
            return Unknown(self.span(node))
        if isinstance(node, cst.FormattedString):
            parts: list[Value] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(Lit(part.value, self.span(part)))
                elif isinstance(part, cst.FormattedStringExpression) and part.format_spec is None:
                    parts.append(self.value_of(part.expression, depth + 1))
                else:
                    parts.append(Unknown(self.span(part)))
            return Concat(tuple(parts), self.span(node))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            items = tuple(self.value_of(element.value, depth + 1) for element in node.elements)
            return Seq(items, self.span(node))
        if isinstance(node, cst.Name):
            return self.name_value(node, depth)
        if isinstance(node, cst.Attribute):
            dotted = _dotted(node)
            if dotted is None:
                return Unknown(self.span(node))
            head, _, rest = dotted.partition(".")
            if head in {"self", "cls"} and self.classes:
                dotted = f"{self.classes[-1]}.{rest}"
            return Ref(dotted, self.span(node))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return Concat((self.value_of(node.left, depth + 1), self.value_of(node.right, depth + 1)),
                          self.span(node))
        if isinstance(node, cst.Call):
            func = node.func
            if (isinstance(func, cst.Attribute) and func.attr.value == "join" and len(node.args) == 1
                    and node.args[0].star == ""):
                sep = string_value(func.value)
                if sep is not None:
                    return Join(sep, self.value_of(node.args[0].value, depth + 1), self.span(node))
            if (isinstance(func, cst.Name) and func.value in _COLLECTIONS and len(node.args) == 1
                    and node.args[0].keyword is None and node.args[0].star == ""):
                return self.value_of(node.args[0].value, depth + 1)
        return Unknown(self.span(node))

    def name_value(self, node: cst.Name, depth: int) -> Value:
        if not self.functions:
            return Ref(node.value, self.span(node))  # module or class level: a module constant
        if self._scopes is None:
            # Scope analysis is resolved only when a local name has to be followed.
            self._scopes = self.meta.resolve(ScopeProvider)
        scope = self._scopes.get(node)
        if scope is None or isinstance(scope, GlobalScope):
            return Ref(node.value, self.span(node))
        assignments = [a for a in scope[node.value] if hasattr(a, "node")]
        if not assignments:
            return Unknown(self.span(node))
        if all(isinstance(a.scope, GlobalScope) for a in assignments):
            return Ref(node.value, self.span(node))
        if len(assignments) == 1:
            target = assignments[0].node
            value = self.local_values.get(target)
            if value is not None:
                return self.value_of(value, depth + 1)
        return Unknown(self.span(node))

    # -- definitions -------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions -= 1

    def _define(self, target: cst.BaseExpression, value: cst.BaseExpression, augment: bool = False) -> None:
        if not isinstance(target, cst.Name):
            if isinstance(target, cst.Subscript):
                self._subscript_request(target, value)
            return
        self.local_values[target] = value
        if self.functions:
            return
        name = f"{self.classes[-1]}.{target.value}" if self.classes else target.value
        new = self.value_of(value)
        if augment and name in self.facts.constants:
            new = Concat((self.facts.constants[name], new), new.span)
        self.facts.constants[name] = new

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._define(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._define(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.operator, cst.AddAssign):
            self._define(node.target, node.value, augment=True)

    def visit_Import(self, node: cst.Import) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            module = _dotted(alias.name)
            if module is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.facts.imports[alias.asname.name.value] = (module, None)
            else:
                head = module.split(".")[0]
                self.facts.imports[head] = (head, None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module is not None else ""
        if module is None:
            return
        absolute = absolute_module(self.file.path, module, len(node.relative))
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.facts.imports[local] = (absolute, name)

    # -- requests ----------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = _dotted(node.func) or ""
        if callee.endswith("fixture"):
            return
        method = callee.split(".")[-1]
        index = _POSITIONAL_SCOPES.get(method)
        if index is not None:
            positional = [a for a in node.args if a.keyword is None and a.star == ""]
            if len(positional) > index:
                value = positional[index].value
                self.found.append((node, value, self.value_of(value), f"{callee}(scopes)", value))
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in SCOPE_KEYS:
                continue
            literal = string_value(arg.value)
            if literal is not None and literal.strip() in _FIXTURE_SCOPES:
                continue
            self.found.append((node, arg.value, self.value_of(arg.value), f"{callee or 'call'}({arg.keyword.value}=)",
                               arg.value))

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None and key in SCOPE_KEYS:
                    self.found.append((None, element.value, self.value_of(element.value),
                                       f'{{"{key}": ...}} payload', element.value))

    def _subscript_request(self, target: cst.Subscript, value: cst.BaseExpression) -> None:
        if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            key = string_value(target.slice[0].slice.value)
            if key is not None and key in SCOPE_KEYS:
                self.found.append((None, value, self.value_of(value), f'["{key}"] payload', value))


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    if isinstance(node, cst.Call):
        inner = _dotted(node.func)
        return None if inner is None else f"{inner}()"
    return None


def _enclosing_calls(module: cst.Module) -> dict[cst.CSTNode, cst.Call]:
    """Dict literal -> the call it is an argument of (for `requests.post(url, data={...})`)."""
    owners: dict[cst.CSTNode, cst.Call] = {}

    class Owners(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            for arg in node.args:
                if isinstance(arg.value, cst.Dict):
                    owners[arg.value] = node

    module.visit(Owners())
    return owners


def collect_python(file: ParsedFile, facts: FileFacts) -> None:
    """Fill `facts` with the file's scope requests, module constants and imports."""
    meta = wrapper(file)
    if meta is None:
        return
    collector = _Collector(file, facts, meta)
    meta.module.visit(collector)
    if not collector.found:
        return
    qualified: dict[str, object] = {}

    def qualified_names() -> object:
        # Resolved only when a request's provider is not given by a URL argument.
        if "names" not in qualified:
            qualified["names"] = meta.resolve(QualifiedNameProvider)
        return qualified["names"]

    owners = _enclosing_calls(meta.module) if any(c is None for c, *_ in collector.found) else {}
    for call, value, resolved, origin, report in collector.found:
        if call is None:
            parent = _dict_of(value, owners)
            call = owners.get(parent) if parent is not None else None
            if call is not None:
                origin = f"{_dotted(call.func) or 'call'}({origin})"
        provider = _provider(collector, call, qualified_names) if call is not None else None
        facts.requests.append(ScopeRequest(resolved, origin, provider, collector.span(report)))


def _dict_of(value: cst.BaseExpression, owners: dict[cst.CSTNode, cst.Call]) -> cst.CSTNode | None:
    for node in owners:
        if isinstance(node, cst.Dict) and any(
            isinstance(e, cst.DictElement) and e.value is value for e in node.elements
        ):
            return node
    return None


def _provider(collector: _Collector, call: cst.Call, qualified_names: Callable[[], object]) -> str | None:
    for keyword in _URL_KEYWORDS:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                url = _url_of(collector, arg.value)
                if url:
                    return url
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    if positional:
        url = _url_of(collector, positional[0].value)
        if url:
            return url
    qualified = qualified_names()
    names = qualified.get(call, set()) if isinstance(qualified, Mapping) else set()
    if callable(names):  # libcst hands out some metadata as lazy values
        names = names()
    for name in sorted(n.name for n in names):
        for prefix, provider in _LIBRARY_PROVIDERS:
            if name.startswith(prefix):
                return provider
    return None


def _url_of(collector: _Collector, node: cst.BaseExpression) -> str | None:
    value = collector.value_of(node)
    if isinstance(value, Ref):
        value = collector.facts.constants.get(value.name, value)
    if isinstance(value, Concat) and value.parts:
        value = value.parts[0]
        if isinstance(value, Ref):
            value = collector.facts.constants.get(value.name, value)
    if isinstance(value, Lit) and value.text.startswith(("https://", "http://")):
        return value.text
    return None
