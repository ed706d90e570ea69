"""Where requests come in, over the `ir` model: route decorators and tables (Flask, FastAPI,
Starlette, aiohttp, Django), Express/Fastify calls, Next.js route files, guards and middleware."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from scanner.code import ir
from scanner.facts.base import AnyOf, Fact, Keyed
from scanner.facts.webhooks import flow as flows
from scanner.facts.webhooks.gates import RECEIVER_PATTERN
from scanner.facts.webhooks.model import (
    AUTH_DEPENDENCY,
    AUTH_GUARD,
    AUTH_PARAMETER,
    FunctionSummary,
    Guard,
    MarkedView,
    MiddlewareSetting,
    Route,
    post_capable,
    webhook_words,
)
from scanner.facts.webhooks.senders import names_registry_id, names_secret
from scanner.lazy import compiled_on_use
from scanner.model.document import Document

ROUTE_DECORATORS: dict[str, tuple[str, ...] | None] = {
    "route": ("GET",), "post": ("POST",), "put": ("PUT",), "patch": ("PATCH",), "api_route": None,
    "delete": ("DELETE",), "get": ("GET",), "view": None}
JS_ROUTE_METHODS: dict[str, tuple[str, ...] | None] = {
    "post": ("POST",), "put": ("PUT",), "all": None, "patch": ("PATCH",), "get": ("GET",),
    "delete": ("DELETE",)}
# HTTP clients whose .post("/path", ..., callback) sends a request rather than serving one.
CLIENT_OBJECTS = frozenset({"$", "jQuery", "axios", "http", "https", "client", "api", "fetch", "ky",
                            "superagent", "agent", "got", "needle", "request", "this.http",
                            "this.client", "httpClient", "apiClient"})
_DRF_GUARDS = ("authentication_classes", "permission_classes")
_NEXT_PAGES = re.compile(r"(?:^|/)pages(/api/.*)$")
_NEXT_APP = compiled_on_use(r"(?:^|/)app(/api/.*)/route\.[jt]sx?$")


def entry_facts(document: Document, module: ir.Module, bodies: flows.Bodies,
                context: flows.FileContext) -> Iterator[Fact]:
    """Routes, guards, Django middleware settings and the views marked by their decorators:
    what the definitions say, no function body is analysed."""
    classes = _classes(module)
    for function in module.functions:
        declared = _declared(document, module, function, classes)
        yield from declared.facts
        if declared.marked:
            line, column = _definition_start(document, function, module.language)
            yield MarkedView((line, column, line, column), function.qualname)
    # Every call of every body, body by body in the order `ir.scopes` gives (walked once).
    calls = [expr for expr in bodies.deep(module.body)[1] if isinstance(expr, ir.Call)]
    if module.language == "python":
        yield from _python_tables(document, module, calls, context)
    else:
        yield from _javascript_routes(document, calls)
        yield from _nextjs_routes(document, module)


def named_as_receiver(route: Route, target: str) -> bool:
    """Whether a route's path, its target's name (`views.stripe_hook`: the last two parts) or
    its labels say webhook."""
    parts = re.split(r"[.:]+", target)
    return any(webhook_words(route.path, name) is not None for name in parts[-2:]) or any(
        webhook_words(None, label) is not None for label in route.labels)


@cache
def receiver_evidence() -> AnyOf:
    """RECEIVER_PATTERN, compiled on first use: what a file must hold for a function of it that
    its route does not name as a receiver to be one (searched in lower-cased text)."""
    return AnyOf(RECEIVER_PATTERN)


def holds_receiver_evidence(lowered_text: str | None) -> bool:
    """Whether a file (its lower-cased text, None when unreadable) holds what SH301 needs of a
    receiver its route does not name: a signature or event header, CSRF exemption, open DRF
    permission classes."""
    return lowered_text is None or receiver_evidence().search(lowered_text) is not None


def may_receive(route: Route, target: str, lowered_text: Callable[[], str | None]) -> bool:
    """Whether a route's target (a function or a class-based view of the file whose lower-cased
    text `lowered_text` gives) may be a receiver, before any function is summarised: its route,
    name or labels say webhook, or its file holds the evidence (`holds_receiver_evidence`)."""
    return named_as_receiver(route, target) or holds_receiver_evidence(lowered_text())


def marked_named_as_receiver(qualname: str) -> bool:
    """Whether a view marked by its decorators (`MarkedView`) is named as a receiver: its name or
    its class's (SH301 names a class-based view's method by its class) says webhook."""
    return any(webhook_words(None, name) is not None for name in re.split(r"[.:]+", qualname)[-2:])


def marked_may_receive(qualname: str, lowered_text: Callable[[], str | None]) -> bool:
    """Whether a marked view may be a receiver, before it is summarised: it is named as one, or
    its file holds the evidence (`holds_receiver_evidence`); a DRF endpoint's decorated `post`
    mostly has neither."""
    return marked_named_as_receiver(qualname) or holds_receiver_evidence(lowered_text())


def wants_summaries(document: Document, entries: list[Fact]) -> bool:
    """Whether a file's function summaries come from its scan (the content scanned: a staged
    blob, a notebook's cells) rather than on demand: it holds a guard, a marked view that may
    be a receiver (`marked_may_receive`), or a route to one of its own functions that may be
    (`may_receive`). A route to another module's function needs that module's summaries."""
    return any(isinstance(fact, Guard) for fact in entries) or any(
        isinstance(fact, MarkedView) and marked_may_receive(fact.qualname, lambda: document.lower)
        for fact in entries) or any(
        isinstance(fact, Route) and fact.local and may_receive(fact, fact.handler, lambda: document.lower)
        for fact in entries)


def summary_facts(document: Document, module: ir.Module,
                  flow_of: Callable[[ir.Function], flows.Flow]) -> Iterator[FunctionSummary]:
    """A summary of every function (what it calls, verifies, reads, who may call it)."""
    build = _summarise(document, module, flow_of)
    for function in module.functions:
        yield build(function)


def summary_table(document: Document, module: ir.Module,
                  flow_of: Callable[[ir.Function], flows.Flow]
                  ) -> Keyed[ir.Function, FunctionSummary]:
    """`summary_facts` by qualname, each summary built when asked for."""
    return Keyed(FunctionSummary, module.functions, _qualname, _summarise(document, module, flow_of))


def _qualname(function: ir.Function) -> str:
    return function.qualname


def _summarise(document: Document, module: ir.Module,
               flow_of: Callable[[ir.Function], flows.Flow]
               ) -> Callable[[ir.Function], FunctionSummary]:
    classes: dict[str, ir.Class] | None = None

    def build(function: ir.Function) -> FunctionSummary:
        nonlocal classes
        if classes is None:
            classes = _classes(module)
        return _summary(document, module, function, flow_of(function),
                        _declared(document, module, function, classes))

    return build


def _classes(module: ir.Module) -> dict[str, ir.Class]:
    return {statement.cls.qualname: statement.cls for statement in flows.module_statements(module)
            if isinstance(statement, ir.ClassDef)}


def _path(expr: ir.Expr | None) -> str | None:
    """A route's path: the string, or the name of the constant or setting that holds it
    (`settings.STRIPE_WEBHOOK_PATH` says as much as the path would)."""
    value = ir.string_value(expr)
    if value is None and isinstance(expr, (ir.Name, ir.Attr)):
        return ir.dotted(expr)
    return value


def _route_path(path: str, literal: bool, tail: str) -> bool:
    """Whether a decorator's first argument is a web route's path: Flask, FastAPI/Starlette and
    aiohttp paths start with "/" (a FastAPI router's own root is ""); Slack Bolt's
    `@app.view(callback_id)` takes a modal's id (a string or a constant), no path."""
    if literal:
        return path == "" or path.startswith("/")
    return tail != "view"


def _csrf_exempt(raw: str, call: ir.Call | None) -> bool:
    """`@csrf_exempt`, `@method_decorator(csrf_exempt)` (on a method or on its class)."""
    tail = raw.rsplit(".", 1)[-1]
    return tail == "csrf_exempt" or (tail == "method_decorator" and call is not None and any(
        (ir.dotted(a) or "").endswith("csrf_exempt") for a in call.args))


def _decorator_name(expr: ir.Expr) -> tuple[str, ir.Call | None]:
    call = expr if isinstance(expr, ir.Call) else None
    return ir.dotted(call.func if call is not None else expr) or "", call


def _methods(expr: ir.Expr | None, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if isinstance(expr, ir.Seq):
        return tuple(v.upper() for item in expr.items if (v := ir.string_value(item)))
    return default


def _depends(expr: ir.Expr | None) -> list[str]:
    """`Depends(x)` targets anywhere in `expr` (a parameter default or annotation, a list);
    `Depends(Verifier(secret))` is the instance's `__call__`: `Verifier().__call__`."""
    if expr is None:
        return []
    return [_dependency(node.args[0]) for node in ir.walk_expr(expr)
            if isinstance(node, ir.Call) and node.callee.endswith("Depends") and node.args]


def _dependency(target: ir.Expr) -> str:
    if isinstance(target, ir.Call) and target.callee:
        return f"{target.callee}().__call__"
    return ir.dotted(target) or ""


# Route parameters that name the plugin or service a delivery is handed to (`plugin_id`).
_PLUGIN_PARAMETER = compiled_on_use(
    r"(?i)^(?:plugin|provider|service|backend|gateway|integration|handler)(?:_?(?:id|name|slug))?$")


def _auth(function: ir.Function, flow: flows.Flow, decorators: list[str],
          dependencies: list[str]) -> tuple[str, ...]:
    """What puts a view behind a login: an auth decorator or dependency, a parameter that
    receives the authenticated caller, the session user (`request.user`) or session messages.
    A third party's delivery has none of these (DRF permission classes: `model.drf_access`)."""
    found = [name for name in (*decorators, *dependencies) if AUTH_GUARD().match(name)]
    found += [name for name in dependencies
              if AUTH_DEPENDENCY().match(name) and not AUTH_GUARD().match(name)]
    found += [f"parameter {param.name}" for param in function.params
              if param.annotation is not None and AUTH_PARAMETER().match(param.name)]
    if flow.session_user:
        found.append("request.user")
    return tuple(dict.fromkeys(found))


def _dispatches(function: ir.Function, flow: flows.Flow) -> bool:
    """The code that handles the request is chosen at run time by a route parameter: a
    registry lookup (`HANDLERS[service]`), `getattr(obj, name)`, or the request handed on
    with a parameter naming a plugin (`manager.webhook(request, plugin_id)`)."""
    params = {param.name for param in function.params}
    plugin_params = {name for name in params if _PLUGIN_PARAMETER().match(name)}
    for expr in flow.exprs:
        if isinstance(expr, ir.Index) and isinstance(expr.key, ir.Name) \
                and expr.key.name in params and isinstance(expr.obj, ir.Name) \
                and expr.obj.name.split(".")[0] not in (*params, "request", "self"):
            return True
        if isinstance(expr, ir.Call) and plugin_params:
            if expr.callee == "getattr" and any(
                    isinstance(a, ir.Name) and a.name in plugin_params for a in expr.args):
                return True
            names = {a.name for a in expr.args if isinstance(a, ir.Name)}
            if names & plugin_params and any(n == "request" or n.endswith(".request")
                                             for n in names):
                return True
    return False


# Calls that look a record up by a value or compare it (`Hook.objects.get(token=token)`,
# `HOOKS.get(token)`, `first_or_404()`, `compare_digest(token, secret)`).
_LOOKUP_CALL = compiled_on_use(
    r"(?i)^(?:get|get_or_404|first_or_404|one_or_none|get_object_or_404|get_list_or_404|filter"
    r"|filter_by|find|find_?one|find_?by\w*|find_?unique\w*|find_?first\w*|where|select|lookup"
    r"|fetch\w*|load\w*|get_\w+|exists|compare_digest|timingSafeEqual|constant_time_compare)$")


def _keyed_params(function: ir.Function, flow: flows.Flow) -> tuple[str, ...]:
    """The parameters named as a secret that the function looks a record up by (an index, a
    lookup call's argument) or compares with a value that is not a constant: what a secret path
    segment is checked by."""
    # Only a parameter named as a secret can fill a secret path segment (most have none).
    params = {param.name for param in function.params if names_secret(param.name)}
    if not params:
        return ()
    found: list[str] = []

    def named(expr: ir.Expr | None) -> str | None:
        return expr.name if isinstance(expr, ir.Name) and expr.name in params else None

    for expr in flow.exprs:
        if isinstance(expr, ir.Index):
            found.extend(name for name in (named(expr.key),) if name)
        elif isinstance(expr, ir.Call) and _LOOKUP_CALL().match(expr.method):
            found.extend(name for arg in (*expr.args, *(value for _, value in expr.kwargs))
                         if (name := named(arg)))
        elif isinstance(expr, ir.Compare) and expr.op in ("==", "!=", "in", "not in"):
            for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
                name = named(side)
                if name and not isinstance(other, (ir.Str, ir.Num, ir.Const)):
                    found.append(name)
    return tuple(dict.fromkeys(found))


@dataclass
class _Declared:
    """What a function's definition says without reading its body: its decorators, FastAPI
    dependencies, the HTTP methods its decorators or name serve, CSRF exemption, its class's
    DRF guards; and the routes and guards its decorators declare."""

    decorators: list[str]
    dependencies: list[str]
    methods: tuple[str, ...] | None
    csrf_exempt: bool
    class_guards: tuple[str, ...]
    facts: list[Fact]

    @property
    def marked(self) -> bool:
        """Marked as a receiver by its decorators alone: CSRF-exempt, or POST-only and
        decorated (a Django view wired in a table the scan may not cover)."""
        return self.csrf_exempt or (self.methods == ("POST",) and bool(self.decorators))


def _declared(document: Document, module: ir.Module, function: ir.Function,
              classes: dict[str, ir.Class]) -> _Declared:
    decorators: list[str] = []
    dependencies: list[str] = []
    methods: tuple[str, ...] | None = None
    csrf_exempt = False
    facts: list[Fact] = []
    for expr in function.decorators:
        raw, call = _decorator_name(expr)
        decorators.append(raw)
        tail = raw.rsplit(".", 1)[-1]
        csrf_exempt = csrf_exempt or _csrf_exempt(raw, call)
        if tail == "require_POST":
            methods = ("POST",)
        elif tail == "require_http_methods":
            methods = _methods(call.arg(0) if call is not None else None, None)
        if tail == "before_request" and "." in raw:
            facts.append(Guard(document.node_span(expr), "hook", raw.rsplit(".", 1)[0],
                               function.qualname, local=True))
        if call is None or tail not in ROUTE_DECORATORS or "." not in raw:
            continue
        given = call.kwarg("path") or call.kwarg("rule") or call.arg(0)
        path = _path(given)
        if path is None or not _route_path(path, ir.string_value(given) is not None, tail):
            continue
        owner = raw.rsplit(".", 1)[0]
        methods = _methods(call.kwarg("methods"), ROUTE_DECORATORS[tail])
        dependencies.extend(_depends(call.kwarg("dependencies")))
        framework = "aiohttp" if owner.endswith("routes") else (
            "flask" if tail == "route" or owner.endswith(("bp", "blueprint")) else "fastapi")
        if post_capable(methods):
            facts.append(Route(document.node_span(expr), framework, path, methods,
                               function.qualname, True, owner))
    for param in function.params:
        dependencies.extend(_depends(param.default))
        dependencies.extend(_depends(param.annotation))
    class_guards: tuple[str, ...] = ()
    if function.cls is not None:
        if function.name in ("post", "put") and module.language == "python":
            methods = methods or (function.name.upper(),)
        cls = classes.get(function.cls)
        if cls is not None:
            csrf_exempt = csrf_exempt or any(_csrf_exempt(*_decorator_name(expr))
                                             for expr in cls.decorators)
            class_guards = tuple(ir.dotted(item) or "" for attr, value in cls.attributes()
                                 if attr in _DRF_GUARDS and isinstance(value, ir.Seq)
                                 for item in value.items)
    return _Declared(decorators, dependencies, methods, csrf_exempt, class_guards, facts)


def _summary(document: Document, module: ir.Module, function: ir.Function, flow: flows.Flow,
             declared: _Declared) -> FunctionSummary:
    line, column = _definition_start(document, function, module.language)
    decorators, dependencies = declared.decorators, declared.dependencies
    return FunctionSummary(
        (line, column, line, column), qualname=function.qualname, name=function.name,
        cls=function.cls, line_text=document.line_text(line), verification=flow.verification,
        calls=tuple(dict.fromkeys(flow.calls)), decorators=tuple(decorators),
        dependencies=tuple(d for d in dependencies if d), class_guards=declared.class_guards,
        methods=declared.methods, reads_signature=flow.reads_signature,
        csrf_exempt=declared.csrf_exempt, parses_event=flow.parses_event,
        auth=_auth(function, flow, decorators, dependencies),
        dispatches=_dispatches(function, flow), browser_return=flow.browser_return,
        generic_verification=flow.generic_verification,
        keyed_params=_keyed_params(function, flow))


def _definition_start(document: Document, function: ir.Function, language: str) -> tuple[int, int]:
    """Where a finding about a function points: the `def` line (decorators skipped) at its
    indentation, or the start of a JS function."""
    if language == "python":
        line, _ = document.byte_position(function.name_start)
        text = document.line_text(line)
        return line, len(text) - len(text.lstrip()) + 1
    return document.byte_position(function.start)


# -- Python route tables, hooks, router dependencies, MIDDLEWARE -----------------------------------


def _python_tables(document: Document, module: ir.Module, calls: list[ir.Call],
                   context: flows.FileContext) -> Iterator[Fact]:
    for statement in flows.module_statements(module):
        if isinstance(statement, ir.Assign) and statement.value is not None:
            yield from _module_assignment(document, statement)
        elif isinstance(statement, ir.ClassDef):
            yield from _open_view(document, statement.cls)
    for call in calls:
        yield from _python_route_call(document, call)
        yield from _registry_route(document, call, context)


def _open_view(document: Document, cls: ir.Class) -> Iterator[Fact]:
    """A view class that opts out of authentication (`requires_auth = False`, served at its
    `url` attribute): its `post`/`put` take anyone's requests."""
    attributes = dict(cls.attributes())
    flag = attributes.get("requires_auth")
    if not (isinstance(flag, ir.Const) and flag.value is False):
        return
    url = ir.string_value(attributes.get("url")) or cls.name
    for method in cls.methods():
        if method.name in ("post", "put"):
            yield Route(document.node_span(flag), "view", url, (method.name.upper(),),
                        method.qualname, True, "")


def _registry_route(document: Document, call: ir.Call,
                    context: flows.FileContext) -> Iterator[Fact]:
    """A framework's webhook registry: `webhook.async_register(hass, DOMAIN, name, id, handler)`
    or its imported alias `webhook_register(...)` (the handler is the function passed, by
    keyword `handler` or last)."""
    # As written (`webhook.async_register`), or a bare name that says so resolved through the
    # imports (`webhook_register`): what gates.ROUTE_PATTERN lets through.
    written = call.callee
    bare = "." not in written and "webhook" in written.lower() and "register" in written.lower()
    owner, _, method = (context.resolved(written) if bare else written).rpartition(".")
    if not owner or "webhook" not in owner.lower() or "register" not in method \
            or method.startswith(("unregister", "async_unregister")):
        return
    target = call.kwarg("handler") or next(
        (arg for arg in reversed(call.args) if isinstance(arg, (ir.Name, ir.Attr))), None)
    handler = ir.dotted(target)
    if not handler:
        return
    # The registry serves the handler at a URL holding the id it is registered under
    # (`/api/webhook/<id>`) and dispatches only to registered ids: that URL is the credential.
    # Code and names only: an argument holding a literal that is no short name (a hard-coded
    # id or token) is never copied; `entry.data["webhook_id"]` is.
    others = [arg for arg in call.args if arg is not target and not isinstance(arg, ir.Spread)]
    capability = next((text for arg in others if not isinstance(arg, ir.Str)
                       and all(_is_label(node.value) for node in ir.walk_expr(arg)
                               if isinstance(node, ir.Str))
                       and names_registry_id(text := " ".join(document.source(arg).split()))), "")
    labels = tuple(value for arg in others
                   if (value := ir.string_value(arg)) is not None and _is_label(value))
    yield Route(document.node_span(call), "registry", f"{owner}.{method}", None, handler,
                False, owner, capability=capability[:80], labels=labels)


def _is_label(text: str) -> bool:
    """A registration's display name ("Twilio", "Front door"), not an id or a token: short
    words only."""
    words = re.split(r"[^A-Za-z0-9]+", text)
    return 0 < len(text) <= 60 and all(len(word) <= 15 for word in words)


def _module_assignment(document: Document, statement: ir.Assign) -> Iterator[Fact]:
    value = statement.value
    for target in statement.targets:
        name = ir.dotted(target) or ""
        if name == "MIDDLEWARE" and isinstance(value, ir.Seq):
            entries = tuple(v for item in value.items if (v := ir.string_value(item)))
            yield MiddlewareSetting(document.node_span(statement), entries)
        if isinstance(value, ir.Call) and value.method in ("APIRouter", "FastAPI"):
            for dependency in _depends(value.kwarg("dependencies")):
                if dependency:
                    yield Guard(document.node_span(statement), "dependency", name, dependency)


def _python_route_call(document: Document, call: ir.Call) -> Iterator[Fact]:
    name = call.callee
    tail = call.method
    if not name:
        return
    args = [a for a in call.args if not isinstance(a, ir.Spread)]
    if tail == "before_request" and args and "." in name:
        hook = ir.dotted(args[0])
        if hook:
            yield Guard(document.node_span(call), "hook", name.rsplit(".", 1)[0], hook)
        return
    route: str | None = None
    target: ir.Expr | None = None
    methods: tuple[str, ...] | None = None
    framework = ""
    endpoint = call.kwarg("endpoint")
    if tail in ("path", "re_path", "url") and len(args) >= 2:
        route, target, framework = _path(args[0]), args[1], "django"
    elif tail in ("Route", "APIRoute", "add_route", "add_api_route") and len(args) >= 2:
        first = ir.string_value(args[0])
        if tail == "add_route" and first and first.upper() in ("POST", "PUT", "GET", "*") \
                and len(args) >= 3:
            route, target, methods, framework = ir.string_value(args[1]), args[2], (first.upper(),), \
                "aiohttp"
        else:
            route, target, framework = first, endpoint or args[1], "starlette"
            methods = _methods(call.kwarg("methods"), ("GET",))  # Starlette's default
    elif (tail in ("add_post", "add_put") or name in ("web.post", "web.put", "aiohttp.web.post")) \
            and len(args) >= 2:
        verb = "PUT" if tail.endswith("put") else "POST"
        route, target, methods, framework = ir.string_value(args[0]), args[1], (verb,), "aiohttp"
    elif endpoint is not None and tail in ("Route", "APIRoute") and args:
        route, target, framework = ir.string_value(args[0]), endpoint, "starlette"
        methods = _methods(call.kwarg("methods"), ("GET",))
    # A GET-only table entry stays: a class-based view's own `post` decides for it.
    if route is None or target is None:
        return
    if isinstance(target, ir.Call) and target.method != "as_view" and target.args:
        target = target.args[0]  # csrf_exempt(view), csrf_exempt(SomeView.as_view())
    if isinstance(target, ir.Call) and target.method == "as_view" and target.receiver is not None:
        target = target.receiver  # SomeView.as_view()
    handler = ir.dotted(target)
    # Django's `name=` names the route (`"stripe-webhook"`): a word the handler may lack.
    label = ir.string_value(call.kwarg("name")) if framework == "django" else None
    if handler:
        yield Route(document.node_span(call), framework, route, methods, handler, False, "",
                    labels=(label,) if label else ())


# -- Express, Fastify, Next.js -------------------------------------------------------------------


def _middleware(expr: ir.Expr) -> tuple[str, bool]:
    """A middleware argument: its name (a local inline function's qualname), and whether it is
    a provider's verifying middleware."""
    if isinstance(expr, ir.Func):
        return expr.function.qualname, False
    if isinstance(expr, ir.Call):
        if expr.method in flows.VERIFYING_METHODS:
            return expr.callee or expr.method, True
        return expr.callee, False
    name = ir.dotted(expr) or ""
    return name, name.endswith("webhooks.middleware")


def _javascript_routes(document: Document, calls: list[ir.Call]) -> Iterator[Fact]:
    for call in calls:
        if not isinstance(call.func, ir.Name) or "." not in call.callee:
            continue
        owner, method = call.callee.rsplit(".", 1)
        args = [a for a in call.args if not isinstance(a, ir.Spread)]
        if method == "use" and args:
            for arg in args:
                if isinstance(arg, ir.Str):
                    continue
                name, verifies = _middleware(arg)
                yield Guard(document.node_span(call), "use", owner, name,
                            local=isinstance(arg, ir.Func), verifies=verifies)
        elif method == "route" and args and isinstance(args[0], ir.Dict):
            yield from _fastify_route(document, args[0], owner)
        elif method in JS_ROUTE_METHODS and len(args) >= 2 and owner not in CLIENT_OBJECTS:
            yield from _express_route(document, call, args, owner, method)


def _express_route(document: Document, call: ir.Call, args: list[ir.Expr], owner: str,
                   method: str) -> Iterator[Fact]:
    route = ir.string_value(args[0])
    methods = JS_ROUTE_METHODS[method]
    if route is None or not route.startswith("/") or not post_capable(methods):
        return
    chain = [_middleware(a) for a in args[1:-1] if not isinstance(a, ir.Dict)]
    handler = args[-1]
    middleware = tuple(name for name, _ in chain if name)
    verifying = any(verifies for _, verifies in chain)
    if isinstance(handler, ir.Func):
        yield Route(document.node_span(call), "express", route, methods, handler.function.qualname,
                    True, owner, middleware, verifying)
    elif (name := ir.dotted(handler)) is not None:
        yield Route(document.node_span(call), "express", route, methods, name, False, owner, middleware,
                    verifying)


def _fastify_route(document: Document, options: ir.Dict, owner: str) -> Iterator[Fact]:
    url = ir.string_value(options.get("url"))
    method = (ir.string_value(options.get("method")) or "").upper()
    handler = options.get("handler")
    methods = (method,) if method else None
    if url is None or handler is None or not post_capable(methods):
        return
    if isinstance(handler, ir.Func):
        yield Route(document.node_span(options), "fastify", url, methods,
                    handler.function.qualname, True, owner)
    elif (name := ir.dotted(handler)) is not None:
        yield Route(document.node_span(options), "fastify", url, methods, name, False, owner)


def _nextjs_routes(document: Document, module: ir.Module) -> Iterator[Fact]:
    path = document.path
    pages = _NEXT_PAGES.search(path)
    match = pages or _NEXT_APP().search(path)
    if match is None:
        return
    route = match.group(1)
    if pages is not None:
        route = re.sub(r"\.[cm]?[jt]sx?$", "", route)
        route = route[: -len("/index")] if route.endswith("/index") else route
    local_functions = {function.qualname for function in module.functions}
    for exported, local in sorted(module.exports.items()):
        if exported in ("default", "POST", "PUT"):
            methods = None if exported == "default" else (exported,)
            yield Route((1, 1, 1, 1), "nextjs", route, methods, local, local in local_functions, "")
