"""Scope requests, module constants and imports of one Python file, read with libcst (positions,
scope resolution for local names, qualified names for the OAuth client in use)."""

from __future__ import annotations

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
from scanner.plugins.scopes_prescreen import (
    COLLECTIONS,
    FIXTURE_SCOPES,
    POSITIONAL_SCOPES,
    SCOPE_KEYS,
)

if TYPE_CHECKING:
    from scanner.model.document import ParsedFile

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
_MAX_SPAN_LINES = 40


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
            if (isinstance(func, cst.Name) and func.value in COLLECTIONS and len(node.args) == 1
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
        index = POSITIONAL_SCOPES.get(method)
        if index is not None:
            positional = [a for a in node.args if a.keyword is None and a.star == ""]
            if len(positional) > index:
                value = positional[index].value
                self.found.append((node, value, self.value_of(value), f"{callee}(scopes)", value))
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in SCOPE_KEYS:
                continue
            literal = string_value(arg.value)
            if literal is not None and literal.strip() in FIXTURE_SCOPES:
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
