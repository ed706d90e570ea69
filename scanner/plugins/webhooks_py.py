"""Python webhook analysis on libcst: handlers, verifiers and the local mistakes (SH302-SH306).

One pass per candidate file, cached on the ParsedFile so every webhook rule shares it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from scanner.lang.python import dotted_name, string_value
from scanner.model.document import ParsedFile
from scanner.plugins.webhooks_model import (
    REJECT_NAMES,
    FileFacts,
    Function,
    RouteEntry,
    is_event_header,
    is_signature_header,
)

_CACHE_ATTR = "_webhooks_python"

ROUTE_DECORATORS = {"route": None, "post": ("POST",), "put": ("PUT",), "patch": ("PATCH",),
                    "api_route": None, "delete": ("DELETE",), "get": ("GET",), "view": None}
HMAC_CALLS = ("hmac.new", "hmac.HMAC", "hmac.digest")
COMPARE_DIGEST = ("hmac.compare_digest", "secrets.compare_digest")
# Provider libraries whose call verifies a delivery (matched on the resolved name's tail).
PROVIDER_VERIFIERS = (
    "Webhook.construct_event", "WebhookSignature.verify_header", "SignatureVerifier",
    "RequestValidator", "sansio.validate_event", "Event.from_http",
    "standardwebhooks.Webhook", "svix.Webhook", "svix.webhooks.Webhook",
    "standardwebhooks.webhooks.Webhook",
)
BYPASS_CALL = re.compile(r"without_?verification|skip_?verif|unverified|no_?verify",
                         re.IGNORECASE)
_BYPASS_CONTEXT = ("event", "webhook", "signature", "payload", "hook")
JSON_DUMPS = ("json.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps", "rapidjson.dumps")
CLOCK_MARKERS = ("time.time", "time()", "datetime.now", "utcnow", "timezone.now", "time.monotonic",
                 "time.time_ns", "datetime.datetime.now", "arrow.utcnow", "pendulum.now")
_SECRET_NAME = re.compile(r"secret|signing_?key|webhook_?key|webhook_?token|hmac_?key", re.I)
_SHARED_SECRET_NAME = re.compile(r"secret|token|_key$|^key$|passw", re.I)
_TIMESTAMP_NAME = re.compile(r"timestamp|^ts$|^t$|_ts$|^ts_", re.I)
_SIG_PARAM = re.compile(r"^(sig|signature|.*_signature|.*_sig|signature_header|sig_header|"
                        r"received|provided|header_signature)$", re.I)


@dataclass
class LocalFinding:
    rule: str
    node: cst.CSTNode
    message: str
    construct: str
    span: Span = (1, 1, 1, 1)


@dataclass
class PythonAnalysis:
    facts: FileFacts
    findings: list[LocalFinding] = field(default_factory=list)


def module_name(path: str) -> str:
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def analyse(file: ParsedFile, verifiers: Sequence[str]) -> PythonAnalysis | None:
    cached = getattr(file, _CACHE_ATTR, None)
    if cached is not None:
        return cached if isinstance(cached, PythonAnalysis) else None
    module = file.python
    if module is None:
        setattr(file, _CACHE_ATTR, False)
        return None
    analysis = _Analyser(file, module, tuple(verifiers)).run()
    setattr(file, _CACHE_ATTR, analysis)
    return analysis


# libcst's `.children` rebuilds each node through a visitor; reading the dataclass fields is
# several times cheaper. Fields are listed in source order (FunctionDef keeps decorators after
# its body, IfExp its test before its body), which ast_spans relies on.
_SOURCE_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "name", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "bases", "keywords", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
}
_SKIPPED_FIELDS = frozenset({"lpar", "rpar", "comma", "semicolon", "leading_lines", "header",
                             "footer", "lines_after_decorators", "equal", "colon", "dot", "star",
                             "operator", "newline", "trailing_whitespace", "asynchronous",
                             "lbracket", "rbracket", "lbrace", "rbrace", "whitespace"})
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _field_names(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        import dataclasses

        names = _SOURCE_ORDER.get(kind) or tuple(
            f.name for f in dataclasses.fields(kind)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace"))
        _FIELDS[kind] = names
    return names


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for name in _field_names(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, cst.CSTNode))
    return found


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and everything below it, pre-order, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


Span = tuple[int, int, int, int]
_AST_TYPES: dict[type[cst.CSTNode], tuple[type[ast.AST], ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.Call: (ast.Call,),
    cst.Comparison: (ast.Compare,),
    cst.If: (ast.If,),
}


def ast_spans(text: str, lines: Sequence[str],
              nodes: Mapping[type[cst.CSTNode], list[cst.CSTNode]],
              tree: ast.Module | None = None) -> dict[int, Span] | None:
    """Spans of the given libcst nodes (by id) from `ast`, which is far cheaper than libcst's
    PositionProvider: the k-th node of a type in libcst pre-order is the k-th `ast` node of the
    matching type in source order (outer first). None when the two parses disagree."""
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    found: dict[type[cst.CSTNode], list[ast.AST]] = {kind: [] for kind in _AST_TYPES}
    for node in ast.walk(tree):
        for kind, ast_types in _AST_TYPES.items():
            if isinstance(node, ast_types):
                found[kind].append(node)
    spans: dict[int, Span] = {}
    for kind, cst_nodes in nodes.items():
        ast_nodes = sorted(found[kind], key=lambda n: (
            getattr(n, "lineno", 0), getattr(n, "col_offset", 0),
            -(getattr(n, "end_lineno", 0) or 0), -(getattr(n, "end_col_offset", 0) or 0)))
        if len(ast_nodes) != len(cst_nodes):
            return None
        for cst_node, ast_node in zip(cst_nodes, ast_nodes, strict=True):
            if not _same_node(cst_node, ast_node):
                return None
            line = getattr(ast_node, "lineno", 1)
            end_line = getattr(ast_node, "end_lineno", None) or line
            spans[id(cst_node)] = (
                line, _column(lines, line, getattr(ast_node, "col_offset", 0)),
                end_line, _column(lines, end_line, getattr(ast_node, "end_col_offset", 0) or 0))
    return spans


def _same_node(cst_node: cst.CSTNode, ast_node: ast.AST) -> bool:
    if isinstance(cst_node, cst.FunctionDef):
        return cst_node.name.value == getattr(ast_node, "name", None)
    if isinstance(cst_node, cst.Call) and isinstance(ast_node, ast.Call):
        func = ast_node.func
        if isinstance(cst_node.func, cst.Name):
            return isinstance(func, ast.Name) and func.id == cst_node.func.value
        if isinstance(cst_node.func, cst.Attribute):
            return isinstance(func, ast.Attribute) and func.attr == cst_node.func.attr.value
        return not isinstance(func, (ast.Name, ast.Attribute))
    if isinstance(cst_node, cst.Comparison) and isinstance(ast_node, ast.Compare):
        return len(cst_node.comparisons) == len(ast_node.ops)
    return True


def _column(lines: Sequence[str], line: int, byte_offset: int) -> int:
    """1-based character column from ast's UTF-8 byte offset."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return byte_offset + 1
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def _is_const(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name) and node.value in {"None", "True", "False"}:
        return True
    return isinstance(node, (cst.FormattedString)) and string_value(node) is not None


def _rejects(statements: Sequence[cst.CSTNode]) -> bool:
    """True when a block refuses the request: raise, abort(), a 4xx response, `return False`."""
    for statement in statements:
        for node in walk(statement):
            if isinstance(node, cst.Raise):
                return True
            if isinstance(node, cst.Call):
                name = dotted_name(node.func) or ""
                if REJECT_NAMES.search(name.rsplit(".", 1)[-1]):
                    return True
            if isinstance(node, cst.Return):
                value = node.value
                if value is None or (isinstance(value, cst.Name) and value.value in {"False", "None"}):
                    return True
                for inner in walk(value):
                    if isinstance(inner, cst.Integer) and inner.value.startswith(("4", "5")) \
                            and len(inner.value) == 3:
                        return True
                    if isinstance(inner, (cst.Name, cst.Attribute)):
                        text = dotted_name(inner) or ""
                        if REJECT_NAMES.search(text.rsplit(".", 1)[-1]):
                            return True
    return False


def _returns(statements: Sequence[cst.CSTNode]) -> bool:
    return any(isinstance(node, cst.Return) for statement in statements for node in walk(statement))


def _block(node: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return node.body if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()


class _Analyser:
    def __init__(self, file: ParsedFile, module: cst.Module, verifiers: tuple[str, ...]) -> None:
        self.file = file
        self.module = module
        self.verifiers = verifiers
        self.modname = module_name(file.path)
        self.imports: dict[str, str] = {}
        self.top_names: set[str] = set()
        self.facts = FileFacts(path=file.path, module=self.modname, language="python")
        self.findings: list[LocalFinding] = []
        self.clock_in_file = any(marker in file.lower for marker in CLOCK_MARKERS)

    # -- names -------------------------------------------------------------------------------

    def _collect_imports(self) -> None:
        package = self.modname.split(".")
        if not self.file.path.endswith("__init__.py"):
            package = package[:-1]
        typed: dict[type[cst.CSTNode], list[cst.CSTNode]] = {kind: [] for kind in _AST_TYPES}
        for node in walk(self.module):
            kind_list = typed.get(type(node))
            if kind_list is not None:
                kind_list.append(node)
            if isinstance(node, cst.Import):
                for alias in node.names:
                    full = dotted_name(alias.name) or ""
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        self.imports[alias.asname.name.value] = full
                    else:
                        self.imports[full.split(".")[0]] = full.split(".")[0]
            elif isinstance(node, cst.ImportFrom):
                base = dotted_name(node.module) if node.module is not None else ""
                level = len(node.relative)
                if level:
                    anchor = package[: len(package) - (level - 1)] if level > 1 else package
                    base = ".".join([*anchor, *([base] if base else [])])
                if isinstance(node.names, cst.ImportStar):
                    continue
                for alias in node.names:
                    name = dotted_name(alias.name) or ""
                    local = name
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        local = alias.asname.name.value
                    self.imports[local] = f"{base}.{name}" if base else name
        for statement in self.module.body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                self.top_names.add(statement.name.value)
        from scanner.plugins.webhooks_prescreen import parsed_ast

        self.spans = ast_spans(self.file.text, self.file.lines, typed, parsed_ast(self.file))

    def span(self, node: cst.CSTNode) -> Span:
        if self.spans is None:  # ast and libcst disagree: pay for libcst's own positions
            from scanner.lang.python import span

            return span(self.file, node)
        return self.spans.get(id(node), (1, 1, 1, 1))

    def resolve(self, name: str | None, cls: str | None = None) -> str:
        if not name:
            return ""
        head, _, rest = name.partition(".")
        if head in {"self", "cls"} and cls and rest:
            return f"{self.modname}.{cls}.{rest}"
        if head in self.imports:
            target = self.imports[head]
            return f"{target}.{rest}" if rest else target
        if head in self.top_names:
            return f"{self.modname}.{name}"
        return name

    def _matches(self, resolved: str, names: Sequence[str]) -> bool:
        return any(resolved == n or resolved.endswith("." + n) for n in names)

    # -- the pass ----------------------------------------------------------------------------

    def run(self) -> PythonAnalysis:
        self._collect_imports()
        self._module_level()
        for statement in self.module.body:
            self._statement(statement, None)
        for local in self.findings:
            local.span = self.span(local.node)
        return PythonAnalysis(self.facts, self.findings)

    def _statement(self, statement: cst.CSTNode, cls: str | None) -> None:
        nested: cst.CSTNode
        if isinstance(statement, cst.FunctionDef):
            self._function(statement, cls)
        elif isinstance(statement, cst.ClassDef):
            for inner in _block(statement.body):
                self._statement(inner, statement.name.value)
        elif isinstance(statement, (cst.If, cst.Try)):
            for nested in walk(statement):
                if isinstance(nested, cst.FunctionDef):
                    self._function(nested, cls)

    def _module_level(self) -> None:
        """Route tables, before_request hooks, router dependencies and Django MIDDLEWARE."""
        for statement in self.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = dotted_name(small.targets[0].target) or ""
                        if target == "MIDDLEWARE" and isinstance(small.value, (cst.List, cst.Tuple)):
                            entries = [string_value(e.value) for e in small.value.elements]
                            self.facts.middleware = tuple(e for e in entries if e)
                        if isinstance(small.value, cst.Call):
                            self._router_object(target, small.value)
        for node in walk(self.module):
            if isinstance(node, cst.Call):
                self._route_call(node)

    def _router_object(self, target: str, call: cst.Call) -> None:
        name = (dotted_name(call.func) or "").rsplit(".", 1)[-1]
        if name not in {"APIRouter", "FastAPI"}:
            return
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "dependencies":
                self.facts.owner_depends[target] = tuple(self._depends_targets(arg.value))

    def _depends_targets(self, node: cst.CSTNode) -> Iterator[str]:
        for inner in walk(node):
            if isinstance(inner, cst.Call) and (dotted_name(inner.func) or "").endswith("Depends") \
                    and inner.args:
                yield self.resolve(dotted_name(inner.args[0].value))

    def _route_call(self, call: cst.Call) -> None:
        name = dotted_name(call.func) or ""
        tail = name.rsplit(".", 1)[-1]
        if not name:
            return
        args = [a for a in call.args if a.keyword is None]
        kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if tail == "before_request" and args and "." in name:
            self.facts.hooks.append((name.rsplit(".", 1)[0], self.resolve(dotted_name(args[0].value))))
            return
        route: str | None = None
        target: cst.BaseExpression | None = None
        methods: tuple[str, ...] | None = None
        framework = ""
        if tail in {"path", "re_path", "url"} and len(args) >= 2:
            route, target, framework = string_value(args[0].value), args[1].value, "django"
        elif tail in {"Route", "APIRoute", "add_route", "add_api_route"} and len(args) >= 2:
            first = string_value(args[0].value)
            if tail == "add_route" and first and first.upper() in {"POST", "PUT", "GET", "*"} \
                    and len(args) >= 3:
                route, target, methods = string_value(args[1].value), args[2].value, (first.upper(),)
                framework = "aiohttp"
            else:
                route, target, framework = first, args[1].value, "starlette"
                methods = self._methods(kwargs.get("methods"), ("GET",))  # Starlette default
        elif (tail in {"add_post", "add_put"} and len(args) >= 2) or \
                (name in {"web.post", "web.put", "aiohttp.web.post"} and len(args) >= 2):
            verb = "PUT" if tail.endswith("put") else "POST"
            route, target, methods, framework = string_value(args[0].value), args[1].value, (verb,), "aiohttp"
        elif "endpoint" in kwargs and tail in {"Route", "APIRoute"} and args:
            route, target, framework = string_value(args[0].value), kwargs["endpoint"], "starlette"
            methods = self._methods(kwargs.get("methods"), ("GET",))
        if route is None or target is None:
            return
        line = self.span(call)[0]
        if "endpoint" in kwargs and framework == "starlette":
            target = kwargs["endpoint"]
        if isinstance(target, cst.Call):  # SomeView.as_view(), csrf_exempt(view)
            inner = dotted_name(target.func) or ""
            if inner.endswith(".as_view"):
                target = target.func.value if isinstance(target.func, cst.Attribute) else target
            elif target.args:
                target = target.args[0].value
        resolved = self.resolve(dotted_name(target))
        if resolved:
            self.facts.routes.append(RouteEntry(route=route, target=resolved, methods=methods,
                                                framework=framework, line=line))

    def _methods(self, node: cst.BaseExpression | None,
                 default: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            values = [string_value(e.value) for e in node.elements]
            return tuple(v.upper() for v in values if v)
        return default

    # -- functions ---------------------------------------------------------------------------

    def _function(self, node: cst.FunctionDef, cls: str | None) -> None:
        name = node.name.value
        qualname = f"{self.modname}.{cls}.{name}" if cls else f"{self.modname}.{name}"
        line, column, _, _ = self.span(node)
        body = _FunctionBody(self, node, cls)
        decorators: list[str] = []
        route: str | None = None
        methods: tuple[str, ...] | None = None
        framework: str | None = None
        owner: str | None = None
        depends: list[str] = []
        csrf_exempt = False
        is_handler = False
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            raw = dotted_name(call.func if call is not None else expr) or ""
            resolved = self.resolve(raw, cls)
            decorators.append(resolved)
            tail = raw.rsplit(".", 1)[-1]
            if tail == "csrf_exempt" or (tail == "method_decorator" and call is not None and any(
                    (dotted_name(a.value) or "").endswith("csrf_exempt") for a in call.args)):
                csrf_exempt = True
            if tail in {"require_POST", "require_http_methods"}:
                methods = ("POST",) if tail == "require_POST" else self._methods(
                    call.args[0].value if call is not None and call.args else None, None)
            if tail == "before_request" and "." in raw:
                self.facts.hooks.append((raw.rsplit(".", 1)[0], qualname))
            if call is not None and tail in ROUTE_DECORATORS and "." in raw:
                first = call.args[0].value if call.args and call.args[0].keyword is None else None
                path = string_value(first) if first is not None else None
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value in {"path", "rule"}:
                        path = string_value(arg.value)
                if path is None:
                    continue
                is_handler = True
                route = path
                owner = raw.rsplit(".", 1)[0]
                keyword_methods = None
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "methods":
                        keyword_methods = arg.value
                    if arg.keyword is not None and arg.keyword.value == "dependencies":
                        depends.extend(self._depends_targets(arg.value))
                default = ROUTE_DECORATORS[tail] or (("GET",) if tail == "route" else None)
                methods = self._methods(keyword_methods, default)
                framework = "aiohttp" if owner.endswith("routes") else (
                    "flask" if tail == "route" or owner.endswith(("bp", "blueprint")) else "fastapi")
        depends.extend(self._depends_targets(node.params))
        if cls is not None and name in {"post", "put"}:
            methods = methods or (name.upper(),)
        self.facts.functions[qualname] = Function(
            qualname=qualname, name=name, line=line, column=column,
            line_text=self.file.line_text(line), verifies=body.verifies,
            calls=tuple(sorted(body.calls)), decorators=tuple(decorators), depends=tuple(depends),
            route=route, methods=methods, framework=framework, owner=owner,
            reads_signature=body.reads_signature or body.reads_event_header,
            csrf_exempt=csrf_exempt,
            parses_event=body.parses_event, is_handler=is_handler,
        )
        body.local_findings(qualname)


class _FunctionBody:
    """Flow-insensitive facts of one function body (nested functions included)."""

    def __init__(self, analyser: _Analyser, node: cst.FunctionDef, cls: str | None) -> None:
        self.a = analyser
        self.node = node
        self.cls = cls
        self.calls: set[str] = set()
        self.digest_vars: set[str] = set()
        self.header_vars: set[str] = set()
        self.request_json_vars: set[str] = set()
        self.reserialized_vars: set[str] = set()
        self.timestamp_vars: set[str] = set()
        self.reads_signature = False
        self.reads_event_header = False
        self.parses_event = False
        self.verifies = False
        self.hmac_calls: list[cst.Call] = []
        self.comparisons: list[cst.Comparison] = []
        self.ifs: list[cst.If] = []
        self.bypasses: list[tuple[cst.CSTNode, str]] = []
        self.zero_tolerance: list[cst.CSTNode] = []
        self.compare_digest_used = False
        self.provider_verified = False
        self.event_keys = False
        for param in (*node.params.params, *node.params.kwonly_params):
            if _SIG_PARAM.match(param.name.value):
                self.header_vars.add(param.name.value)
            # FastAPI `x_hub_signature_256: str = Header(...)` reads the header by its name.
            if isinstance(param.default, cst.Call) and \
                    (dotted_name(param.default.func) or "").endswith("Header") and \
                    (is_signature_header(param.name.value) or is_event_header(param.name.value)):
                self.reads_signature = True
                self.header_vars.add(param.name.value)
            if _TIMESTAMP_NAME.search(param.name.value):
                self.timestamp_vars.add(param.name.value)
        self._scan()

    def name_of(self, call: cst.Call) -> str:
        return self.a.resolve(dotted_name(call.func), self.cls)

    # -- expression predicates ---------------------------------------------------------------

    def is_hmac_call(self, call: cst.Call) -> bool:
        resolved = self.name_of(call)
        return self.a._matches(resolved, HMAC_CALLS)

    def is_digest(self, expr: cst.CSTNode) -> bool:
        for node in walk(expr):
            if isinstance(node, cst.Name) and node.value in self.digest_vars:
                return True
            if isinstance(node, cst.Call) and self.is_hmac_call(node):
                return True
        return False

    def is_header(self, expr: cst.CSTNode) -> bool:
        for node in walk(expr):
            if isinstance(node, cst.Name) and node.value in self.header_vars:
                return True
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                value = string_value(node)
                if value and is_signature_header(value):
                    return True
        return False

    def is_request_json(self, expr: cst.CSTNode) -> bool:
        for node in walk(expr):
            if isinstance(node, cst.Name) and node.value in self.request_json_vars:
                return True
            if isinstance(node, cst.Attribute) and node.attr.value in {"json", "get_json", "media"}:
                base = dotted_name(node.value) or ""
                if base.split(".")[-1] in {"request", "req", "self.request"} or base.endswith("request"):
                    return True
            if isinstance(node, cst.Call) and self.a._matches(self.name_of(node), ("json.loads",)):
                text = self.a.module.code_for_node(node)
                if "request" in text or "req." in text:
                    return True
        return False

    def is_reserialized(self, expr: cst.CSTNode) -> bool:
        for node in walk(expr):
            if isinstance(node, cst.Name) and node.value in self.reserialized_vars:
                return True
            if isinstance(node, cst.Call) and self.a._matches(self.name_of(node), JSON_DUMPS) \
                    and node.args and self.is_request_json(node.args[0].value):
                return True
            if isinstance(node, cst.Call) and dotted_name(node.func) == "str" and node.args \
                    and self.is_request_json(node.args[0].value):
                return True
        return False

    def has_timestamp(self, expr: cst.CSTNode) -> bool:
        for node in walk(expr):
            if isinstance(node, cst.Name) and (node.value in self.timestamp_vars
                                               or _TIMESTAMP_NAME.search(node.value)):
                return True
            if isinstance(node, (cst.SimpleString, cst.FormattedStringText)) \
                    and "v0:" in node.value:
                return True
        return False

    # -- the scan ------------------------------------------------------------------------------

    def _scan(self) -> None:
        assigns: list[tuple[list[str], cst.BaseExpression]] = []
        for node in walk(self.node.body):
            if isinstance(node, cst.Assign):
                names = [n for t in node.targets for n in _target_names(t.target)]
                assigns.append((names, node.value))
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)) \
                    and node.value is not None:
                assigns.append((_target_names(node.target), node.value))
            elif isinstance(node, cst.Call):
                self._call(node)
            elif isinstance(node, cst.Comparison):
                self.comparisons.append(node)
            elif isinstance(node, cst.If):
                self.ifs.append(node)
            elif isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                text = string_value(node)
                if text:
                    if is_signature_header(text):
                        self.reads_signature = True
                    elif is_event_header(text):
                        self.reads_event_header = True
                    if text in {"type", "event", "event_type", "topic", "action"}:
                        self.event_keys = True
        # Propagate taints through assignments until nothing changes (bounded).
        for _ in range(4):
            changed = False
            for names, value in assigns:
                for var_set, predicate in ((self.digest_vars, self.is_digest),
                                           (self.header_vars, self.is_header),
                                           (self.request_json_vars, self.is_request_json),
                                           (self.reserialized_vars, self.is_reserialized),
                                           (self.timestamp_vars, self.has_timestamp)):
                    if predicate(value):
                        for name in names:
                            if name not in var_set:
                                var_set.add(name)
                                changed = True
            if not changed:
                break
        self.parses_event = self.event_keys and (bool(self.request_json_vars) or any(
            self.is_request_json(v) for _, v in assigns))
        digest_compared = any(self._digest_comparison(c) for c in self.comparisons)
        self.verifies = self.compare_digest_used or self.provider_verified or digest_compared

    def _call(self, call: cst.Call) -> None:
        resolved = self.name_of(call)
        if not resolved:
            return
        self.calls.add(resolved)
        tail = resolved.rsplit(".", 1)[-1]
        if self.a._matches(resolved, HMAC_CALLS):
            self.hmac_calls.append(call)
        if self.a._matches(resolved, COMPARE_DIGEST) or resolved == "compare_digest":
            self.compare_digest_used = True
        # gidgethub's Event.from_http verifies only when given the secret.
        secret_given = not resolved.endswith("Event.from_http") or len(call.args) >= 3
        if secret_given and (self.a._matches(resolved, PROVIDER_VERIFIERS)
                             or self.a._matches(resolved, self.a.verifiers)):
            self.provider_verified = True
        if tail == "handle" and any(m.startswith("slack_bolt") for m in self.a.imports.values()):
            self.provider_verified = True  # Bolt's request handlers verify Slack's signature
        if tail == "verify" and any(m in self.a.imports.values() for m in (
                "standardwebhooks", "svix", "standardwebhooks.webhooks.Webhook", "svix.webhooks.Webhook",
                "standardwebhooks.Webhook", "svix.Webhook")):
            self.provider_verified = True
        written = (dotted_name(call.func) or "").lower()  # as written: not the module path
        if BYPASS_CALL.search(tail) and any(w in written for w in _BYPASS_CONTEXT):
            self.bypasses.append((call, f"calls {tail}()"))
        if self.a._matches(resolved, ("stripe.Event.construct_from", "Event.construct_from")) \
                and call.args and self.is_request_json(call.args[0].value):
            self.bypasses.append((call, "builds the Stripe event from the request body unverified"))
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in {
                    "verify_signature", "verify", "validate_signature", "check_signature"} \
                    and isinstance(arg.value, cst.Name) and arg.value.value == "False" \
                    and ("webhook" in resolved.lower() or "event" in resolved.lower()
                         or "signature" in resolved.lower()):
                self.bypasses.append((call, f"passes {arg.keyword.value}=False"))
        if self.a._matches(resolved, ("Webhook.construct_event", "WebhookSignature.verify_header")):
            tolerance: cst.BaseExpression | None = None
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "tolerance":
                    tolerance = arg.value
            positional = [a for a in call.args if a.keyword is None]
            if tolerance is None and len(positional) >= 4:
                tolerance = positional[3].value
            if tolerance is not None and (
                    (isinstance(tolerance, cst.Integer) and int(tolerance.value, 0) == 0)
                    or (isinstance(tolerance, cst.Name) and tolerance.value == "None")):
                self.zero_tolerance.append(call)

    def _digest_comparison(self, comparison: cst.Comparison) -> bool:
        return bool(self._insecure_pairs(comparison))

    def _insecure_pairs(self, comparison: cst.Comparison) -> list[cst.BaseExpression]:
        """Operands compared by ==/!=/in with a digest or a signature header on one side."""
        hits: list[cst.BaseExpression] = []
        left = comparison.left
        for target in comparison.comparisons:
            right = target.comparator
            if isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)) \
                    and not (_is_const(left) or _is_const(right)) \
                    and not (_is_length(left) or _is_length(right)):
                digest = self.is_digest(left) or self.is_digest(right)
                header = self.is_header(left) or self.is_header(right)
                secret = _mentions_secret(left, _SHARED_SECRET_NAME) \
                    or _mentions_secret(right, _SHARED_SECRET_NAME)
                membership = isinstance(target.operator, (cst.In, cst.NotIn))
                if (digest and (header or not (membership or _is_empty_container(left, right)))) \
                        or (header and secret):
                    hits.append(right)
            left = right
        return hits

    # -- the local rules -------------------------------------------------------------------------

    def local_findings(self, qualname: str) -> None:
        out = self.a.findings
        for comparison in self.comparisons:
            if self._insecure_pairs(comparison):
                code = " ".join(self.a.module.code_for_node(comparison).split())
                out.append(LocalFinding("SH302", comparison,
                                        "signature compared with a non-constant-time operator; "
                                        "use hmac.compare_digest", f"compare:{qualname}:{code}"))
        for call in self.hmac_calls:
            message = _hmac_message(call)
            if message is not None and self.is_reserialized(message):
                out.append(LocalFinding("SH303", call,
                                        "HMAC computed over re-serialized JSON instead of the raw "
                                        "request body", f"reserialized:{qualname}"))
        for hmac_call in self._hmac_with_timestamp():
            out.append(LocalFinding("SH305", hmac_call,
                                    "the signed timestamp is never compared with the clock "
                                    "(no replay window)", f"replay:{qualname}"))
        for tolerance_call in self.zero_tolerance:
            out.append(LocalFinding("SH305", tolerance_call,
                                    "signature tolerance set to 0/None disables the replay window",
                                    f"tolerance:{qualname}"))
        if self.verifies or self.reads_signature or self.header_vars or any(
                "verif" in c.lower() or "signature" in c.lower() for c in self.calls):
            for if_node in self.ifs:
                reason = self._skips_verification(if_node)
                if reason:
                    out.append(LocalFinding("SH304", if_node, reason, f"skip:{qualname}:{reason}"))
        if not self.a.file.is_test:
            for node, reason in self.bypasses:
                out.append(LocalFinding("SH306", node, f"signature verification disabled: {reason}",
                                        f"bypass:{qualname}:{reason}"))

    def _hmac_with_timestamp(self) -> list[cst.Call]:
        if self.a.clock_in_file:
            return []
        found = []
        for call in self.hmac_calls:
            message = _hmac_message(call)
            if message is not None and self.has_timestamp(message):
                found.append(call)
        return found

    def _verification_in(self, statements: Sequence[cst.CSTNode]) -> bool:
        for statement in statements:
            for node in walk(statement):
                if isinstance(node, cst.Call):
                    resolved = self.name_of(node)
                    tail = resolved.rsplit(".", 1)[-1].lower()
                    if self.a._matches(resolved, COMPARE_DIGEST) or tail == "compare_digest" \
                            or self.a._matches(resolved, PROVIDER_VERIFIERS) \
                            or self.a._matches(resolved, self.a.verifiers) \
                            or "verif" in tail or "valid" in tail or "check_sig" in tail \
                            or self.is_hmac_call(node):
                        return True
                if isinstance(node, cst.Comparison) and self._insecure_pairs(node):
                    return True
        return False

    def _presence_test(self, test: cst.BaseExpression) -> tuple[bool, bool] | None:
        """(positive, about_secret) when `test` only checks that a signature header or a
        secret is present (`if sig:`, `if not secret:`, `if sig is None:`), else None."""
        negated = False
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            negated = not negated
            test = test.expression
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            op = test.comparisons[0].operator
            right = test.comparisons[0].comparator
            if isinstance(op, (cst.Is, cst.IsNot)) and isinstance(right, cst.Name) \
                    and right.value == "None":
                negated = negated != isinstance(op, cst.Is)
                test = test.left
            elif isinstance(op, (cst.In, cst.NotIn)) and isinstance(test.left, cst.BaseString):
                value = string_value(test.left) or ""
                if is_signature_header(value):
                    return isinstance(op, cst.In) != negated, False
                return None
            else:
                return None
        if isinstance(test, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
            if isinstance(test, cst.Call) and not _is_header_get(test):
                return None
            if self.is_header(test) and not self.is_digest(test):
                return not negated, False
            if _mentions_secret(test) and not isinstance(test, cst.Call):
                return not negated, True
        return None

    def _skips_verification(self, if_node: cst.If) -> str | None:
        presence = self._presence_test(if_node.test)
        if presence is None:
            return None
        positive, about_secret = presence
        body = _block(if_node.body)
        orelse: Sequence[cst.CSTNode] = ()
        if isinstance(if_node.orelse, cst.Else):
            orelse = _block(if_node.orelse.body)
        elif isinstance(if_node.orelse, cst.If):
            orelse = (if_node.orelse,)
        what = "the webhook secret" if about_secret else "the signature header"
        if positive:
            if self._verification_in(body) and not _rejects(orelse) and not (
                    _returns(body) and not _rejects(body)):
                return f"verification runs only when {what} is present; no else rejects the request"
            return None
        if _returns(body) and not _rejects(body) and not self._verification_in(body):
            return f"the request is accepted when {what} is missing"
        return None


def _hmac_message(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "msg":
            return arg.value
    positional = [a for a in call.args if a.keyword is None]
    return positional[1].value if len(positional) >= 2 else None


def _target_names(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in _target_names(e.value)]
    if isinstance(node, cst.Attribute):
        return [dotted_name(node) or ""]
    return []


def _mentions_secret(expr: cst.CSTNode, pattern: re.Pattern[str] = _SECRET_NAME) -> bool:
    return any(isinstance(node, cst.Name) and pattern.search(node.value) for node in walk(expr))


def _is_length(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and dotted_name(expr.func) == "len"


def _is_empty_container(left: cst.BaseExpression, right: cst.BaseExpression) -> bool:
    return any(isinstance(e, (cst.List, cst.Tuple, cst.Dict)) and not getattr(e, "elements", [1])
               for e in (left, right))


def _is_header_get(call: cst.Call) -> bool:
    name = dotted_name(call.func) or ""
    return name.endswith((".get", ".getheader", ".get_header", "headers.get"))
