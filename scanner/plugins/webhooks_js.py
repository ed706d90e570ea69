"""JS/TS webhook analysis on tree-sitter: Express, Fastify and Next.js API routes, their
middleware and verifiers, and the local mistakes (SH302, SH303, SH305, SH306)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.lang.javascript import node_text, position, string_value, walk
from scanner.model.document import ParsedFile
from scanner.plugins.webhooks_model import (
    FileFacts,
    Function,
    RouteEntry,
    is_event_header,
    is_signature_header,
)

if TYPE_CHECKING:
    import tree_sitter

_CACHE_ATTR = "_webhooks_js"
JS_EXTENSIONS = (".ts", ".js", ".mjs", ".cjs", ".tsx", ".jsx", ".mts", ".cts")
ROUTE_METHODS = {"post": ("POST",), "put": ("PUT",), "all": None, "patch": ("PATCH",),
                 "get": ("GET",), "delete": ("DELETE",)}
VERIFY_TAILS = ("timingSafeEqual", "constructEvent", "constructEventAsync", "verifyAndReceive",
                "validateRequest", "validateExpressRequest", "validateRequestWithBody",
                "createNodeMiddleware")
VERIFY_LIBS = ("svix", "standardwebhooks", "@octokit/webhooks", "@slack/bolt", "twilio")
BYPASS = re.compile(r"without_?verification|skip_?verif|unverified|no_?verify", re.I)
CLOCK = ("date.now", "new date", "gettime()", "performance.now", "process.hrtime")
_TIMESTAMP = re.compile(r"timestamp|^ts$|^t$", re.I)
# HTTP clients whose .post("/path", ..., callback) sends a request rather than serving one.
CLIENT_OBJECTS = frozenset({"$", "jQuery", "axios", "http", "https", "client", "api", "fetch", "ky",
                            "superagent", "agent", "got", "needle", "request", "this.http",
                            "this.client", "httpClient", "apiClient"})
_COMPARE_OPS = {"===", "==", "!==", "!="}


@dataclass
class JsLocalFinding:
    rule: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    construct: str


@dataclass
class JsAnalysis:
    facts: FileFacts
    findings: list[JsLocalFinding] = field(default_factory=list)


def module_id(path: str) -> str:
    base = path
    for ext in JS_EXTENSIONS:
        if base.endswith(ext):
            base = base[: -len(ext)]
            break
    return base[: -len("/index")] if base.endswith("/index") else base


def analyse(file: ParsedFile, verifiers: tuple[str, ...]) -> JsAnalysis | None:
    cached = getattr(file, _CACHE_ATTR, None)
    if cached is not None:
        return cached if isinstance(cached, JsAnalysis) else None
    tree = file.js_tree
    if tree is None:
        setattr(file, _CACHE_ATTR, False)
        return None
    analysis = _JsAnalyser(file, tree, verifiers).run()
    setattr(file, _CACHE_ATTR, analysis)
    return analysis


def _callee(node: tree_sitter.Node) -> str:
    function = node.child_by_field_name("function")
    return node_text(function) if function is not None else ""


def _arguments(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    args = node.child_by_field_name("arguments")
    return [c for c in args.named_children if c.type != "comment"] if args is not None else []


def _is_function(node: tree_sitter.Node) -> bool:
    return node.type in {"arrow_function", "function_expression", "function_declaration",
                         "function", "generator_function_declaration"}


class _JsAnalyser:
    def __init__(self, file: ParsedFile, tree: tree_sitter.Tree, verifiers: tuple[str, ...]) -> None:
        self.file = file
        self.root = tree.root_node
        self.verifiers = verifiers
        self.modid = module_id(file.path)
        self.facts = FileFacts(path=file.path, module=self.modid, language="js")
        self.findings: list[JsLocalFinding] = []
        self.imports: dict[str, str] = {}
        self.libs: set[str] = set()
        self.local_functions: set[str] = set()
        self.digest_vars: set[str] = set()
        self.header_vars: set[str] = set()
        self.request_json_vars: set[str] = set()
        self.reserialized_vars: set[str] = set()
        self.timestamp_vars: set[str] = set()
        self.clock = any(marker in file.lower for marker in CLOCK)

    # -- names -------------------------------------------------------------------------------

    def _import_target(self, spec: str) -> str | None:
        if not spec.startswith("."):
            self.libs.add(spec)
            return None
        return module_id(posixpath.normpath(posixpath.join(posixpath.dirname(self.file.path), spec)))

    def _collect_names(self) -> None:
        for node in walk(self.root):
            if node.type == "import_statement":
                source = node.child_by_field_name("source")
                spec = string_value(source) if source is not None else None
                if spec is None:
                    continue
                target = self._import_target(spec)
                if target is None:
                    continue
                for inner in walk(node):
                    if inner.type == "import_specifier":
                        name = inner.child_by_field_name("name")
                        alias = inner.child_by_field_name("alias") or name
                        if name is not None and alias is not None:
                            self.imports[node_text(alias)] = f"{target}::{node_text(name)}"
                    elif inner.type in {"identifier"} and inner.parent is not None and \
                            inner.parent.type in {"import_clause", "namespace_import"}:
                        self.imports[node_text(inner)] = f"{target}::*"
            elif node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                name = node.child_by_field_name("name")
                if value is None or name is None:
                    continue
                if value.type == "call_expression" and _callee(value) == "require":
                    args = _arguments(value)
                    spec = string_value(args[0]) if args else None
                    target = self._import_target(spec) if spec else None
                    if target is None:
                        continue
                    if name.type == "identifier":
                        self.imports[node_text(name)] = f"{target}::*"
                    else:
                        for inner in walk(name):
                            if inner.type in {"shorthand_property_identifier_pattern", "identifier"}:
                                self.imports[node_text(inner)] = f"{target}::{node_text(inner)}"
                elif _is_function(value) and name.type == "identifier":
                    self.local_functions.add(node_text(name))
            elif node.type == "function_declaration":
                name = node.child_by_field_name("name")
                if name is not None:
                    self.local_functions.add(node_text(name))

    def resolve(self, text: str) -> str:
        head, _, rest = text.partition(".")
        if head in self.imports:
            target = self.imports[head]
            if target.endswith("::*"):
                return target[:-1] + rest if rest else target[:-3] + "::default"
            return target
        if not rest and head in self.local_functions:
            return f"{self.modid}::{head}"
        return text

    # -- the pass ----------------------------------------------------------------------------

    def run(self) -> JsAnalysis:
        self._collect_names()
        self._taints()
        for node in walk(self.root):
            if node.type == "function_declaration":
                name = node.child_by_field_name("name")
                if name is not None:
                    self._function(node, node_text(name))
            elif node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                name = node.child_by_field_name("name")
                if value is not None and name is not None and _is_function(value):
                    self._function(value, node_text(name), anchor=node)
            elif node.type == "assignment_expression":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if left is not None and right is not None and _is_function(right) \
                        and left.type == "member_expression":
                    prop = left.child_by_field_name("property")
                    if prop is not None:
                        self.local_functions.add(node_text(prop))
                        self._function(right, node_text(prop))
            elif node.type == "call_expression":
                self._route_call(node)
                self._local_call(node)
            elif node.type == "binary_expression":
                self._comparison(node)
            elif node.type == "if_statement":
                self._presence_if(node)
        self._nextjs()
        return JsAnalysis(self.facts, self.findings)

    def _taints(self) -> None:
        declarators = [n for n in walk(self.root) if n.type == "variable_declarator"]
        for _ in range(4):
            changed = False
            for node in declarators:
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is None or value is None or name.type != "identifier":
                    continue
                var = node_text(name)
                for var_set, predicate in ((self.digest_vars, self.is_digest),
                                           (self.header_vars, self.is_header),
                                           (self.request_json_vars, self.is_request_json),
                                           (self.reserialized_vars, self.is_reserialized)):
                    if var not in var_set and predicate(value):
                        var_set.add(var)
                        changed = True
                if var not in self.timestamp_vars and _TIMESTAMP.search(var):
                    self.timestamp_vars.add(var)
                    changed = True
            if not changed:
                break

    # -- predicates --------------------------------------------------------------------------

    def is_digest(self, node: tree_sitter.Node) -> bool:
        for inner in walk(node):
            if inner.type == "identifier" and node_text(inner) in self.digest_vars:
                return True
            if inner.type == "call_expression" and _callee(inner).endswith("createHmac"):
                return True
        return False

    def is_header(self, node: tree_sitter.Node) -> bool:
        for inner in walk(node):
            if inner.type == "identifier" and node_text(inner) in self.header_vars:
                return True
            if inner.type in {"string", "template_string"}:
                value = string_value(inner)
                if value and is_signature_header(value):
                    return True
        return False

    def is_request_json(self, node: tree_sitter.Node) -> bool:
        for inner in walk(node):
            if inner.type == "identifier" and node_text(inner) in self.request_json_vars:
                return True
            if inner.type == "member_expression":
                text = node_text(inner)
                if text in {"req.body", "request.body", "ctx.request.body"}:
                    return True
            if inner.type == "call_expression" and _callee(inner) in {"req.json", "request.json"}:
                return True
        return False

    def is_reserialized(self, node: tree_sitter.Node) -> bool:
        for inner in walk(node):
            if inner.type == "identifier" and node_text(inner) in self.reserialized_vars:
                return True
            if inner.type == "call_expression" and _callee(inner) == "JSON.stringify":
                args = _arguments(inner)
                if args and self.is_request_json(args[0]):
                    return True
        return False

    # -- functions ---------------------------------------------------------------------------

    def _function(self, node: tree_sitter.Node, name: str, *, anchor: tree_sitter.Node | None = None,
                  route: str | None = None, methods: tuple[str, ...] | None = None,
                  framework: str | None = None, owner: str | None = None) -> str:
        qualname = f"{self.modid}::{name}"
        line, column, _, _ = position(anchor or node)
        verifies = False
        calls: set[str] = set()
        reads_signature = False
        for inner in walk(node):
            if inner.type == "call_expression":
                callee = _callee(inner)
                tail = callee.rsplit(".", 1)[-1]
                calls.add(self.resolve(callee))
                if tail in VERIFY_TAILS or (tail == "verify" and self.libs & set(VERIFY_LIBS)) \
                        or any(callee.endswith(v.rsplit(".", 1)[-1]) and v for v in self.verifiers):
                    verifies = True
                for arg in _arguments(inner):
                    if arg.type == "identifier":
                        calls.add(self.resolve(node_text(arg)))
            elif inner.type in {"string", "template_string"}:
                value = string_value(inner)
                if value and (is_signature_header(value) or is_event_header(value)):
                    reads_signature = True
            elif inner.type == "binary_expression" and self._insecure(inner):
                verifies = True
        self.facts.functions[qualname] = Function(
            qualname=qualname, name=name, line=line, column=column,
            line_text=self.file.line_text(line), verifies=verifies, calls=tuple(sorted(calls)),
            route=route, methods=methods, framework=framework, owner=owner,
            reads_signature=reads_signature, is_handler=route is not None,
        )
        return qualname

    def _route_call(self, node: tree_sitter.Node) -> None:
        function = node.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return
        prop = function.child_by_field_name("property")
        obj = function.child_by_field_name("object")
        if prop is None or obj is None:
            return
        method = node_text(prop)
        owner = node_text(obj)
        args = _arguments(node)
        if method == "use" and args:
            for arg in args:
                if arg.type in {"string", "template_string"}:
                    continue
                target = self._middleware_name(arg, owner)
                self.facts.hooks.append((owner, target))
            return
        if method == "route" and args and args[0].type == "object":
            self._fastify_route(args[0], owner)
            return
        if method not in ROUTE_METHODS or len(args) < 2 or owner in CLIENT_OBJECTS:
            return
        route = string_value(args[0])
        if route is None or not route.startswith("/"):
            return
        methods = ROUTE_METHODS[method]
        middleware = tuple(self._middleware_name(a, owner) for a in args[1:-1]
                           if a.type != "object")
        handler = args[-1]
        if _is_function(handler):
            qualname = self._function(handler, f"{method.upper()} {route}", route=route,
                                      methods=methods, framework="express", owner=owner)
            if middleware:
                self.facts.routes.append(RouteEntry(route=route, target=qualname, methods=methods,
                                                    framework="express", line=position(node)[0],
                                                    middleware=middleware))
        elif handler.type in {"identifier", "member_expression"}:
            self.facts.routes.append(RouteEntry(
                route=route, target=self.resolve(node_text(handler)), methods=methods,
                framework="express", line=position(node)[0], middleware=middleware))

    def _middleware_name(self, node: tree_sitter.Node, owner: str) -> str:
        if _is_function(node):
            return self._function(node, f"middleware@{position(node)[0]}", owner=owner)
        if node.type == "call_expression":
            callee = _callee(node)
            if callee.rsplit(".", 1)[-1] in VERIFY_TAILS:
                return "<verifying-middleware>"
            return self.resolve(callee)
        text = node_text(node)
        if text.endswith("webhooks.middleware"):
            return "<verifying-middleware>"
        return self.resolve(text)

    def _fastify_route(self, options: tree_sitter.Node, owner: str) -> None:
        values: dict[str, tree_sitter.Node] = {}
        for pair in options.named_children:
            if pair.type == "pair":
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if key is not None and value is not None:
                    values[node_text(key).strip("'\"")] = value
        url = string_value(values["url"]) if "url" in values else None
        method_node = values.get("method")
        method = (string_value(method_node) or "").upper() if method_node is not None else ""
        handler = values.get("handler")
        if url is None or handler is None:
            return
        methods = (method,) if method else None
        if _is_function(handler):
            self._function(handler, f"{method or 'ROUTE'} {url}", route=url, methods=methods,
                           framework="fastify", owner=owner)
        else:
            self.facts.routes.append(RouteEntry(route=url, target=self.resolve(node_text(handler)),
                                                methods=methods, framework="fastify",
                                                line=position(options)[0]))

    def _nextjs(self) -> None:
        path = self.file.path
        match = re.search(r"(?:^|/)pages(/api/.*)$", path) or re.search(
            r"(?:^|/)app(/api/.*)/route\.[jt]sx?$", path)
        if match is None:
            return
        route = module_id(match.group(1)) if "pages" in path else match.group(1)
        for node in self.root.named_children:
            if node.type != "export_statement":
                continue
            declaration = node.child_by_field_name("declaration")
            is_default = any(c.type == "default" for c in node.children)
            if declaration is None or declaration.type != "function_declaration":
                value = node.child_by_field_name("value")
                if is_default and value is not None and value.type == "identifier":
                    self.facts.routes.append(RouteEntry(route=route,
                                                        target=self.resolve(node_text(value)),
                                                        methods=None, framework="nextjs",
                                                        line=position(node)[0]))
                continue
            name_node = declaration.child_by_field_name("name")
            name = node_text(name_node) if name_node is not None else "default"
            if is_default or name in {"POST", "PUT"}:
                qualname = f"{self.modid}::{name}"
                old = self.facts.functions.get(qualname)
                if old is not None:
                    from dataclasses import replace

                    self.facts.functions[qualname] = replace(
                        old, route=route, methods=None if is_default else (name,),
                        framework="nextjs", is_handler=True)

    # -- local findings -------------------------------------------------------------------------

    def _insecure(self, node: tree_sitter.Node) -> bool:
        operator = node.child_by_field_name("operator")
        if operator is None or node_text(operator) not in _COMPARE_OPS:
            return False
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return False
        if any(side.type == "member_expression" and node_text(side).endswith(("length", "byteLength"))
               for side in (left, right)):
            return False
        if any(side.type in {"string", "number", "null", "undefined", "template_string"}
               and (side.type != "template_string" or string_value(side) is not None)
               for side in (left, right)):
            return False
        digest = self.is_digest(left) or self.is_digest(right)
        header = self.is_header(left) or self.is_header(right)
        return digest or (header and bool(re.search(r"secret|token", node_text(node), re.I)))

    def _add(self, rule: str, node: tree_sitter.Node, message: str, construct: str) -> None:
        line, column, end_line, end_column = position(node)
        self.findings.append(JsLocalFinding(rule, line, column, end_line, end_column, message,
                                            construct))

    def _comparison(self, node: tree_sitter.Node) -> None:
        if self._insecure(node):
            self._add("SH302", node, "signature compared with a non-constant-time operator; use "
                      "crypto.timingSafeEqual", "compare:" + " ".join(node_text(node).split()))

    def _local_call(self, node: tree_sitter.Node) -> None:
        callee = _callee(node)
        tail = callee.rsplit(".", 1)[-1]
        args = _arguments(node)
        if tail == "update" and args and self.is_digest(node.child_by_field_name("function")
                                                         or node):
            if self.is_reserialized(args[0]):
                self._add("SH303", node, "HMAC computed over re-serialized JSON instead of the raw "
                          "request body", "reserialized:" + " ".join(node_text(args[0]).split()))
            elif not self.clock and any(inner.type == "identifier"
                                        and node_text(inner) in self.timestamp_vars
                                        for inner in walk(args[0])):
                self._add("SH305", node, "the signed timestamp is never compared with the clock "
                          "(no replay window)", "replay:" + " ".join(node_text(args[0]).split()))
        if tail in {"constructEvent", "constructEventAsync"} and len(args) >= 4 \
                and args[3].type in {"number", "null", "undefined"} \
                and node_text(args[3]) in {"0", "null", "undefined"}:
            self._add("SH305", node, "signature tolerance set to 0/null disables the replay window",
                      "tolerance:" + callee)
        if BYPASS.search(tail) and not self.file.is_test \
                and any(w in callee.lower() for w in ("event", "webhook", "signature", "payload")):
            self._add("SH306", node, f"signature verification disabled: calls {tail}()",
                      "bypass:" + callee)

    # -- SH304 -----------------------------------------------------------------------------------

    def _presence(self, condition: tree_sitter.Node) -> tuple[bool, bool] | None:
        """(positive, about_secret) when the condition only tests that a signature header or
        the webhook secret is present: `if (sig)`, `if (!secret)`, `if (sig == null)`."""
        node = condition
        negated = False
        while node.type in {"parenthesized_expression", "unary_expression"}:
            if node.type == "unary_expression":
                operator = node.child_by_field_name("operator")
                if operator is None or node_text(operator) != "!":
                    return None
                negated = not negated
                inner = node.child_by_field_name("argument")
            else:
                inner = node.named_children[0] if node.named_children else None
            if inner is None:
                return None
            node = inner
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            if operator is None or right is None or left is None \
                    or right.type not in {"null", "undefined"}:
                return None
            negated = negated != (node_text(operator) in {"==", "==="})
            node = left
        if node.type not in {"identifier", "member_expression", "subscript_expression",
                             "call_expression"}:
            return None
        if self.is_header(node) and not self.is_digest(node):
            return not negated, False
        if node.type != "call_expression" and re.search(r"secret", node_text(node), re.I):
            return not negated, True
        return None

    def _verifies(self, node: tree_sitter.Node | None) -> bool:
        if node is None:
            return False
        for inner in walk(node):
            if inner.type == "call_expression":
                tail = _callee(inner).rsplit(".", 1)[-1]
                if tail in VERIFY_TAILS or tail == "verify" or "erif" in tail or "alid" in tail \
                        or tail == "createHmac":
                    return True
            if inner.type == "binary_expression" and self._insecure(inner):
                return True
        return False

    def _rejects(self, node: tree_sitter.Node | None) -> bool:
        if node is None:
            return False
        for inner in walk(node):
            if inner.type == "throw_statement":
                return True
            if inner.type == "number" and re.fullmatch(r"4\d\d", node_text(inner)):
                return True
            if inner.type == "return_statement" and node_text(inner).replace(" ", "") in {
                    "returnfalse;", "returnfalse", "return;", "return"}:
                return True
            if inner.type == "call_expression" and re.search(
                    r"forbidden|unauthori[sz]ed|badrequest|reject|abort", _callee(inner), re.I):
                return True
        return False

    def _presence_if(self, node: tree_sitter.Node) -> None:
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        if condition is None or consequence is None:
            return
        presence = self._presence(condition)
        if presence is None:
            return
        positive, about_secret = presence
        what = "the webhook secret" if about_secret else "the signature header"
        returns = any(n.type == "return_statement" for n in walk(consequence))
        if positive:
            if self._verifies(consequence) and not self._rejects(alternative) \
                    and not (returns and not self._rejects(consequence)):
                self._add("SH304", node, f"verification runs only when {what} is present; no "
                          "else rejects the request", "skip:" + " ".join(node_text(condition).split()))
        elif returns and not self._rejects(consequence) and not self._verifies(consequence):
            self._add("SH304", node, f"the request is accepted when {what} is missing",
                      "skip:" + " ".join(node_text(condition).split()))
