"""What a function does with signatures, over the `ir` model, for Python and JS/TS alike:
which values are digests, signature headers, request JSON or timestamps, and what verifies.

Flow-insensitive: assignments spread a value's kind to the names bound to it (bounded rounds)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from scanner.code import ir
from scanner.facts.webhooks.model import (
    is_header_read,
    is_signature_header,
    matches_verifier,
)
from scanner.lazy import compiled_on_use

HMAC_CALLS = ("hmac.new", "hmac.HMAC", "hmac.digest")
COMPARE_DIGEST = ("hmac.compare_digest", "secrets.compare_digest")
# Constant-time helpers of other libraries: they compare session hashes and CSRF tokens as
# often as signatures, so they verify only next to a digest or a signature header.
CONSTANT_TIME_HELPERS = ("django.utils.crypto.constant_time_compare",
                         "werkzeug.security.safe_str_cmp",
                         "cryptography.hazmat.primitives.constant_time.bytes_eq")
_CONSTANT_TIME_TAILS = frozenset(name.rpartition(".")[2] for name in CONSTANT_TIME_HELPERS)
# Public-key signature libraries: `public_key.verify(signature, data)` checks a delivery when
# the function reads a signature header.
PUBLIC_KEY_PACKAGES = frozenset({"cryptography", "nacl", "ecdsa", "tweetnacl", "crypto",
                                 "node:crypto", "@noble/ed25519", "@noble/curves"})
# JWT decoding that checks the signature when given a key (PyJWT, python-jose, authlib).
JWT_DECODE = ("jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode", "joserfc.jwt.decode")
# Provider libraries whose call verifies a delivery (matched on the resolved name's tail).
PROVIDER_VERIFIERS = (
    "Webhook.construct_event", "WebhookSignature.verify_header", "SignatureVerifier",
    "RequestValidator", "sansio.validate_event", "Event.from_http",
    "standardwebhooks.Webhook", "svix.Webhook", "svix.webhooks.Webhook",
    "standardwebhooks.webhooks.Webhook",
    "webhooks.validate_event",  # Standard Webhooks SDKs (polar_sdk.webhooks.validate_event)
)
_COMPARE_DIGEST_TAILS = frozenset(name.rpartition(".")[2] for name in COMPARE_DIGEST)
_PROVIDER_TAILS = frozenset(name.rpartition(".")[2] for name in PROVIDER_VERIFIERS)
# Methods that verify whatever object they are called on (Node providers, constant-time compare).
VERIFYING_METHODS = frozenset({
    "timingSafeEqual", "constructEvent", "constructEventAsync", "verifyAndReceive",
    "validateRequest", "validateExpressRequest", "validateRequestWithBody", "createNodeMiddleware"})
# Packages whose `.verify(...)` checks a webhook signature: provider SDKs, JWT libraries, and
# public-key signatures (Ed25519, ECDSA, RSA: `public_key.verify(signature, data)`).
VERIFYING_PACKAGES = ("svix", "standardwebhooks", "@octokit/webhooks", "@slack/bolt", "twilio")
# JWT libraries: a token checked with a key authenticates the caller (Bot Framework, Atlassian
# Connect), but session middleware decodes tokens too: "generic" verifications (below).
JWT_PACKAGES = frozenset({"jsonwebtoken", "jose"})
TOLERANCE_CALLS = frozenset({"construct_event", "verify_header", "constructEvent",
                             "constructEventAsync"})
JSON_DUMPS = ("json.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps", "rapidjson.dumps",
              "JSON.stringify")
CLOCK_MARKERS = ("time.time", "time()", "datetime.now", "utcnow", "timezone.now", "time.monotonic",
                 "time.time_ns", "arrow.utcnow", "pendulum.now", "date.now", "new date",
                 "gettime()", "performance.now", "process.hrtime")
BYPASS_CALL = compiled_on_use(r"without_?verification|skip_?verif|unverified|no_?verify", re.I)
BYPASS_CONTEXT = ("event", "webhook", "signature", "payload", "hook")
BYPASS_FLAGS = frozenset({"verify_signature", "verify", "validate_signature", "check_signature"})
REJECT_NAMES = re.compile(
    r"forbidden|unauthori[sz]ed|badrequest|bad_request|denied|reject|invalid|abort|"
    r"httpexception|http4\d\d|permission|not_?allowed|error", re.I)
EVENT_KEYS = frozenset({"type", "event", "event_type", "topic", "action"})
# Names of a webhook secret (presence checks) and of anything secret-like (shared-token compare).
SECRET_NAME = re.compile(r"secret|signing_?key|webhook_?key|webhook_?token|hmac_?key", re.I)
# The name of a webhook's own shared credential (`webhook_auth`, `WEBHOOK_TOKEN`), sent back in
# the body by providers that do not sign.
WEBHOOK_CREDENTIAL = re.compile(r"(?i)webhook_?(?:auth|secret|token|key|passw)")
SHARED_SECRET_NAME = re.compile(r"(?i:secret|token|passw|(?:^|_)key$)|[a-z0-9]Key$")
TIMESTAMP_NAME = re.compile(r"timestamp|^ts$|^t$|_ts$|^ts_", re.I)
SIGNATURE_PARAM = re.compile(r"^(sig|signature|.*_signature|.*_sig|signature_header|sig_header|"
                             r"received|provided|header_signature)$", re.I)
_REQUEST_BODY_ATTRS = {"python": frozenset({"json", "get_json", "media"}),
                       "javascript": frozenset({"json", "body"})}
# Methods that verify what they are handed, when handed the signature header.
_VERIFY_METHODS = frozenset({"verify", "verifySignature", "verify_signature", "verifyWebhook",
                             "verify_webhook", "isValid", "is_valid"})
_REQUEST_NAMES = frozenset({"request", "req", "headers", "META", "environ"})
_HEADER_GETTERS = frozenset({"get", "getheader", "get_header", "header", "getHeader"})
_MAX_ROUNDS = 4
_QUERY_ATTRS = frozenset({"GET", "args", "query_params", "query", "searchParams"})
_BODY_ATTRS = frozenset({"body", "POST", "data", "json", "get_json", "get_data", "FILES", "stream",
                         "read", "text", "form", "media", "rawBody", "arrayBuffer", "formData",
                         "content"})
_CLOCK_CALLS = frozenset({"time", "utcnow", "now"})  # `from time import time`, bare names
_CLOCK_TAILS = (".time", ".time_ns", ".monotonic", ".now", ".utcnow", ".today", "Date.now",
                ".hrtime")
# Names of what a constant-time helper compares when it checks a delivery (not a session hash).
_SIGNED_VALUE = compiled_on_use(r"(?i)secret|signature|(?:^|_)sig(?:$|_)|hmac|digest|token")
_HEADER_GETTERS_TAILS = tuple(f".{name}" for name in _HEADER_GETTERS)
# The keys under which a sender that does not sign sends its shared credential back (Slack's
# legacy `token`, a device's `auth`, PayPal's `?secret=`), read from the request.
CREDENTIAL_KEY = re.compile(
    r"(?i)^(?:auth|token|secret|password|passwd|signature|sig|hmac|api_?key"
    r"|(?:verification|verify|secret|auth|access|webhook|shared)_?(?:token|secret|key))$")
# Names of the stored value such a credential is compared with (`self._auth`,
# `verification_token`, `settings.HOOK_SECRET`, `apiKey`); `author`, `oauth` are not.
STORED_CREDENTIAL = compiled_on_use(r"(?i:(?:^|_)auth(?:$|_)|secret|token|passw|(?:^|_)key$)|[a-z0-9]Key$")
# What keys a hash into a credential (`sha1(settings.SECRET_KEY + data)`).
_KEYING_SECRET = compiled_on_use(r"(?i)secret|passw|signing_?key|hmac_?key|api_?key")
_HASH_METHODS = frozenset({"hexdigest", "digest"})
# A function of the module whose keyed digest is compared must be named as a credential
# (`make_secret`, `compute_signature`, `expected_token`, `_hmac_for`; gates._COMPUTED_NAMES).
COMPUTED_CREDENTIAL_NAME = re.compile(r"(?i)secret|sign|token|digest|hmac|hash")
_REQUEST_DATA_ATTRS = frozenset({"body", "POST", "GET", "data", "json", "get_json", "form", "args",
                                 "query_params", "query", "values", "media", "headers", "META",
                                 "params"})
_PASS_THROUGH_METHODS = frozenset({"strip", "encode", "decode", "lower", "upper", "rstrip",
                                   "lstrip"})
_MISSING_KEY_ERRORS = frozenset({"KeyError", "LookupError", "MultiValueDictKeyError"})
_SESSION_MESSAGE_TAILS = frozenset(("success", "error", "info", "warning", "debug", "add_message"))
_SESSION_MESSAGES = tuple(f"django.contrib.messages.{level}" for level in sorted(_SESSION_MESSAGE_TAILS))


@dataclass
class FileContext:
    """What every function of a file shares: its language, imports and configured verifiers."""

    language: str
    imports: dict[str, str]  # local name -> dotted target ("hmac.new", "svix.Webhook")
    packages: frozenset[str]  # top-level modules/packages imported
    clock_in_file: bool
    verifiers: tuple[str, ...]
    module: ir.Module | None = field(default=None, repr=False)
    hashes: bool = False  # the file holds `hmac`, `hashlib` or `digest(` (keyed digests)

    def resolved(self, name: str) -> str:
        head, _, rest = name.partition(".")
        target = self.imports.get(head)
        if target is None:
            return name
        return f"{target}.{rest}" if rest else target

    @cached_property
    def request_attributes(self) -> frozenset[str]:
        """`self.<name>` attributes a method binds to request data (`self._data =
        self.request.data`), and properties answering one (`def data(self): return self._data`)."""
        if self.module is None:
            return frozenset()
        methods = [statement.function for statement in module_statements(self.module)
                   if isinstance(statement, ir.FunctionDef) and statement.function.cls]
        found: set[str] = set()
        for method in methods:
            for statement in ir.walk_statements(method.body):
                if isinstance(statement, ir.Assign) and statement.value is not None \
                        and _reads_request(statement.value):
                    found.update(target.name for target in statement.targets
                                 if isinstance(target, ir.Name) and target.name.count(".") == 1
                                 and target.name.startswith("self."))
        for method in methods if found else ():
            if any(ir.dotted(decorator) == "property" for decorator in method.decorators) and any(
                    isinstance(statement, ir.Return) and isinstance(statement.value, ir.Name)
                    and statement.value.name in found
                    for statement in ir.walk_statements(method.body)):
                found.add(f"self.{method.name}")
        return frozenset(found)

    @cached_property
    def keyed_digest_functions(self) -> frozenset[str]:
        """Module functions that answer a digest keyed by a secret: an HMAC, or a hash of a
        secret (`make_secret` returning `sha1_hex(settings.SECRET_KEY, data)`), followed through
        the module's functions that call each other."""
        if self.module is None or not self.hashes:
            return frozenset()
        answers = {function.name: _answer_exprs(function)
                   for function in self.module.functions if function.cls is None}
        hashing: set[str] = set()
        keyed: set[str] = set()
        for _ in range(_MAX_ROUNDS):
            before = len(hashing) + len(keyed)
            for name, exprs in answers.items():
                nodes = [node for expr in exprs for node in ir.walk_expr(expr)]
                calls = [node for node in nodes if isinstance(node, ir.Call)]
                if any(self._hmac(call) or call.callee in keyed for call in calls):
                    hashing.add(name)
                    keyed.add(name)
                elif any(call.method in _HASH_METHODS or call.callee in hashing
                         or self.resolved(call.callee).startswith("hashlib.") for call in calls):
                    hashing.add(name)
                    if any(isinstance(node, ir.Name) and any(
                            _KEYING_SECRET().search(part) for part in components(node))
                           for node in nodes):
                        keyed.add(name)
            if len(hashing) + len(keyed) == before:
                break
        return frozenset(keyed)

    def _hmac(self, call: ir.Call) -> bool:
        return bool(call.callee) and (matches(self.resolved(call.callee), HMAC_CALLS)
                                      or call.callee.rsplit(".", 1)[-1] == "createHmac")


def file_context(module: ir.Module, lower_text: str, verifiers: tuple[str, ...]) -> FileContext:
    imports: dict[str, str] = {}
    packages: set[str] = set()
    for item in module.imports:
        base = item.module
        packages.add(base if base.startswith("@") else base.split(".")[0].split("/")[0])
        if base.startswith("@"):
            packages.add("/".join(base.split("/")[:2]))
        if item.local == "*":
            continue
        if item.name is None or item.name == "*":
            imports[item.local] = base
        else:
            imports[item.local] = f"{base}.{item.name}" if base else item.name
    return FileContext(module.language, imports, frozenset(packages),
                       any(marker in lower_text for marker in CLOCK_MARKERS), verifiers, module,
                       any(word in lower_text for word in ("hmac", "hashlib", "digest(")))


def _reads_http_header(expr: ir.Expr) -> bool:
    """`req.headers.get("authorization")`, `request.headers["X-Api-Key"]`,
    `request.META.get("HTTP_X_TOKEN")`: a header that carries a credential as it is, not a
    signature (a signature header equal to the raw secret is no check at all: SH301's)."""
    if isinstance(expr, ir.Call) and expr.method in _HEADER_GETTERS and expr.args \
            and expr.receiver is not None:
        holder, name = ir.dotted(expr.receiver) or "", ir.string_value(expr.args[0])
    elif isinstance(expr, ir.Index) and expr.key is not None:
        holder, name = ir.dotted(expr.obj) or "", ir.string_value(expr.key)
    else:
        return False
    lowered = (name or "").lower()
    return holder.rpartition(".")[2] in ("headers", "META") and bool(lowered) \
        and not any(word in lowered for word in ("signature", "hmac", "-sig"))


def _reads_request(expr: ir.Expr) -> bool:
    """The expression reads the request's body, query string, form or headers
    (`self.request.data`, `request.GET`, `req.query`)."""
    return any(isinstance(node, ir.Name) and any(
        head in ("request", "req") and attr in _REQUEST_DATA_ATTRS
        for head, attr in pairwise(components(node))) for node in ir.walk_expr(expr))


def _answer_exprs(function: ir.Function) -> list[ir.Expr]:
    """What a function returns, with the values of the local names it returns (bounded rounds:
    `secret = sha1_hex(settings.SECRET_KEY, data); return secret`)."""
    bound: dict[str, list[ir.Expr]] = {}
    answers: list[ir.Expr] = []
    for statement in ir.walk_statements(function.body):
        if isinstance(statement, ir.Assign) and statement.value is not None:
            for target in statement.targets:
                if isinstance(target, ir.Name):
                    bound.setdefault(target.name, []).append(statement.value)
        elif isinstance(statement, ir.Return) and statement.value is not None:
            answers.append(statement.value)
    found = list(answers)
    pending = list(answers)
    seen: set[str] = set()
    for _ in range(_MAX_ROUNDS):
        names = {node.name for expr in pending for node in ir.walk_expr(expr)
                 if isinstance(node, ir.Name) and node.name in bound} - seen
        if not names:
            break
        seen |= names
        pending = [value for name in names for value in bound[name]]
        found.extend(pending)
    return found


def matches(name: str, names: tuple[str, ...]) -> bool:
    return any(name == n or name.endswith("." + n) for n in names)


def components(expr: ir.Name) -> list[str]:
    return expr.name.split(".")


# -- walking a function with the functions nested in it ------------------------------------------


def deep_statements(body: tuple[ir.Stmt, ...]) -> Iterator[ir.Stmt]:
    """Every statement of `body`, nested function and class bodies included."""
    pending = [body]
    while pending:
        for statement in ir.walk_statements(pending.pop(0)):
            yield statement
            if isinstance(statement, ir.FunctionDef):
                pending.append(statement.function.body)
            elif isinstance(statement, ir.ClassDef):
                pending.append(statement.cls.body)
            for expr in ir.statement_exprs(statement):
                for inner in ir.walk_expr(expr):
                    if isinstance(inner, ir.Func):
                        pending.append(inner.function.body)


def deep_exprs(body: tuple[ir.Stmt, ...]) -> Iterator[ir.Expr]:
    for statement in deep_statements(body):
        for expr in ir.statement_exprs(statement):
            yield from ir.walk_expr(expr)


def module_statements(module: ir.Module) -> Iterator[ir.Stmt]:
    """The module's own statements and class bodies' (function bodies not entered)."""
    pending = [module.body]
    while pending:
        for statement in ir.walk_statements(pending.pop(0)):
            yield statement
            if isinstance(statement, ir.ClassDef):
                pending.append(statement.cls.body)


def outermost_functions(module: ir.Module) -> Iterator[ir.Function]:
    """Functions not nested in another function: module-level ones, methods, and function
    expressions in module-level code (Express route handlers)."""
    for statement in module_statements(module):
        if isinstance(statement, ir.FunctionDef):
            yield statement.function
        for expr in ir.statement_exprs(statement):
            for inner in ir.walk_expr(expr):
                if isinstance(inner, ir.Func):
                    yield inner.function


# -- each body walked once -----------------------------------------------------------------------


@dataclass
class _Own:
    """A body's own statements (nested blocks in, nested function and class bodies out), the
    expressions they hold (pre-order), and the function and class bodies nested in it."""

    statements: list[ir.Stmt]
    exprs: list[ir.Expr]
    nested: list[tuple[ir.Stmt, ...]]


class Bodies:
    """Every body of one module walked at most once, whatever number of flows reads it: a
    function's flow holds its nested functions' code too, which their own flows hold again."""

    def __init__(self) -> None:
        self._own: dict[int, _Own] = {}

    def own(self, body: tuple[ir.Stmt, ...]) -> _Own:
        found = self._own.get(id(body))
        if found is None:
            found = self._own[id(body)] = _walk(body)
        return found

    def deep(self, body: tuple[ir.Stmt, ...]) -> tuple[list[ir.Stmt], list[ir.Expr]]:
        """The statements and expressions of `body` and of every body nested in it, in the
        order `deep_statements` gives (breadth first)."""
        statements: list[ir.Stmt] = []
        exprs: list[ir.Expr] = []
        pending = [body]
        while pending:
            own = self.own(pending.pop(0))
            statements.extend(own.statements)
            exprs.extend(own.exprs)
            pending.extend(own.nested)
        return statements, exprs


def _walk(body: tuple[ir.Stmt, ...]) -> _Own:
    statements = list(ir.walk_statements(body))
    exprs: list[ir.Expr] = []
    nested: list[tuple[ir.Stmt, ...]] = []
    for statement in statements:
        if isinstance(statement, ir.FunctionDef):
            nested.append(statement.function.body)
        elif isinstance(statement, ir.ClassDef):
            nested.append(statement.cls.body)
        for expr in ir.statement_exprs(statement):
            start = len(exprs)
            exprs.extend(ir.walk_expr(expr))
            nested.extend(inner.function.body for inner in exprs[start:]
                          if isinstance(inner, ir.Func))
    return _Own(statements, exprs, nested)


# -- the analysis of one unit (a function, or the module's own code) -------------------------------


@dataclass
class _Parts:
    """What one pass over a unit's code finds; the rest of a flow is worked out from it."""

    assigns: list[tuple[list[str], ir.Expr]] = field(default_factory=list)
    nullable_vars: set[str] = field(default_factory=set)
    ifs: list[ir.If] = field(default_factory=list)
    calls: list[ir.Call] = field(default_factory=list)
    compares: list[ir.Compare] = field(default_factory=list)
    calls_and_compares: list[ir.Call | ir.Compare] = field(default_factory=list)  # in order
    chained: set[tuple[int, int]] = field(default_factory=set)
    reads_signature: bool = False
    event_keys: bool = False


_Kind = tuple[set[str], Callable[[ir.Expr], bool]]


class Flow:
    """One function (or the module's own code) as the webhook facts see it. Each part is worked
    out the first time an extractor asks for it: most units of a file are asked little, and the
    kinds of value (digests, headers, request JSON, timestamps) are spread only when needed.

    Flow-insensitive: assignments spread a value's kind to the names bound to it (bounded
    rounds, each kind on its own: no kind's spread reads another's, but for re-serialized
    JSON, which is spread together with the request JSON it reads)."""

    def __init__(self, name: str, context: FileContext, statements: list[ir.Stmt],
                 exprs: list[ir.Expr], params: tuple[ir.Param, ...] = (),
                 inherited: Flow | None = None) -> None:
        self.name = name
        self.context = context
        self.statements = statements
        self.exprs = exprs
        self._params = params
        self._inherited = inherited  # the module's flow: its names are visible in functions

    # -- one pass ----------------------------------------------------------------------------

    @cached_property
    def _parts(self) -> _Parts:
        parts = _Parts()
        for param in self._params:
            default = param.default
            # FastAPI `x_hub_signature_256: str = Header(...)` reads the header by its name.
            if isinstance(default, ir.Call) and default.callee.endswith("Header") \
                    and is_header_read(param.name):
                parts.reads_signature = True
        for statement in self.statements:
            if isinstance(statement, ir.Assign) and statement.value is not None:
                names = [n for target in statement.targets for n in _target_names(target)]
                parts.assigns.append((names, statement.value))
                if isinstance(statement.value, ir.Call) and self.is_nullable(statement.value):
                    parts.nullable_vars.update(names)
            elif isinstance(statement, ir.If):
                parts.ifs.append(statement)
        for expr in self.exprs:
            if isinstance(expr, ir.Str) and expr.constant and expr.value and len(expr.value) < 80:
                if not parts.reads_signature and is_header_read(expr.value):
                    parts.reads_signature = True
                if expr.value in EVENT_KEYS:
                    parts.event_keys = True
            elif isinstance(expr, ir.BoolOp) and expr.op == "and" and len(expr.values) > 1 and all(
                    isinstance(v, ir.Compare) and (v.start, v.end) == (expr.start, expr.end)
                    for v in expr.values):
                parts.chained.add((expr.start, expr.end))  # a Python chain `a == b == c`
            elif isinstance(expr, ir.Call):
                parts.calls.append(expr)
                parts.calls_and_compares.append(expr)
            elif isinstance(expr, ir.Compare):
                parts.compares.append(expr)
                parts.calls_and_compares.append(expr)
        return parts

    @property
    def params(self) -> tuple[ir.Param, ...]:
        return self._params

    @property
    def ifs(self) -> list[ir.If]:
        return self._parts.ifs

    @property
    def assignments(self) -> list[tuple[list[str], ir.Expr]]:
        """Each assignment's target names and value, in order."""
        return self._parts.assigns

    @property
    def chained(self) -> set[tuple[int, int]]:
        return self._parts.chained

    @property
    def reads_signature(self) -> bool:
        return self._parts.reads_signature

    # -- kinds of values, each spread once when first asked for ---------------------------

    def _spread(self, kinds: list[_Kind]) -> None:
        assigns = self._parts.assigns
        for _ in range(_MAX_ROUNDS if assigns else 0):
            changed = False
            for names, value in assigns:
                for known, predicate in kinds:
                    if not set(names) <= known and predicate(value):
                        known.update(names)
                        changed = True
            if not changed:
                break

    def _seeds(self, kind: str) -> set[str]:
        return set(getattr(self._inherited, kind)) if self._inherited is not None else set()

    @cached_property
    def digest_vars(self) -> set[str]:
        known = self._seeds("digest_vars")
        if known or any(isinstance(e, ir.Call) and self.is_hmac_call(e) for e in self.exprs):
            self._spread([(known, lambda value: self._digest(value, known))])
        return known

    @cached_property
    def header_vars(self) -> set[str]:
        known = self._seeds("header_vars")
        for param in self._params:
            if SIGNATURE_PARAM.match(param.name) or (
                    isinstance(param.default, ir.Call) and param.default.callee.endswith("Header")
                    and is_header_read(param.name)):
                known.add(param.name)
        if known or self.reads_signature:
            self._spread([(known, lambda value: not _verifier_result(value)
                           and self._header(value, known))])
        return known

    @cached_property
    def _json_vars(self) -> tuple[set[str], set[str]]:
        """Names bound to request JSON, and to re-serialized JSON (spread together: the second
        reads the first)."""
        parsed = self._seeds("request_json_vars")
        dumped = self._seeds("reserialized_vars")
        kinds: list[_Kind] = [(parsed, lambda value: self._request_json(value, parsed))]
        if dumped or any(isinstance(e, ir.Call) and e.method in ("dumps", "stringify", "str")
                         for e in self.exprs):
            kinds.append((dumped, lambda value: self._reserialized(value, dumped, parsed)))
        self._spread(kinds)
        return parsed, dumped

    @property
    def request_json_vars(self) -> set[str]:
        return self._json_vars[0]

    @property
    def reserialized_vars(self) -> set[str]:
        return self._json_vars[1]

    @cached_property
    def timestamp_vars(self) -> set[str]:
        known = self._seeds("timestamp_vars")
        known.update(param.name for param in self._params if TIMESTAMP_NAME.search(param.name))
        self._spread([(known, lambda value: self._timestamp(value, known))])
        return known

    @property
    def nullable_vars(self) -> set[str]:
        return self._parts.nullable_vars

    # -- kinds of values ---------------------------------------------------------------------

    def is_hmac_call(self, call: ir.Call) -> bool:
        callee = call.callee
        return bool(callee) and (matches(self.context.resolved(callee), HMAC_CALLS)
                                 or callee.rsplit(".", 1)[-1] == "createHmac")

    @staticmethod
    def _names_in(expr: ir.Expr, names: set[str]) -> bool:
        return bool(names) and any(
            isinstance(node, ir.Name) and any(part in names for part in components(node))
            for node in ir.walk_expr(expr))

    def _digest(self, expr: ir.Expr, known: set[str]) -> bool:
        if self._names_in(expr, known):
            return True
        return any(isinstance(node, ir.Call) and self.is_hmac_call(node) for node in ir.walk_expr(expr))

    def is_digest(self, expr: ir.Expr) -> bool:
        return self._digest(expr, self.digest_vars)

    def _header(self, expr: ir.Expr, known: set[str]) -> bool:
        if _constant_collection(expr):
            return False  # header names (`{"x-amz-signature", ...}`), not a header's value
        if self._names_in(expr, known):
            return True
        return any(isinstance(node, ir.Str) and node.constant and len(node.value) < 80
                   and is_signature_header(node.value) for node in ir.walk_expr(expr))

    def is_header(self, expr: ir.Expr) -> bool:
        return self._header(expr, self.header_vars)

    def _request_json(self, expr: ir.Expr, known: set[str]) -> bool:
        attrs = _REQUEST_BODY_ATTRS[self.context.language]
        for node in ir.walk_expr(expr):
            if isinstance(node, ir.Name):
                parts = components(node)
                if any(part in known for part in parts):
                    return True
                if len(parts) >= 2 and parts[-1] in attrs and (
                        parts[-2] in ("request", "req") or parts[-2].endswith("request")):
                    return True
            elif isinstance(node, ir.Call) and node.args and matches(
                    self.context.resolved(node.callee), ("json.loads", "JSON.parse")) and any(
                    isinstance(inner, ir.Name) and inner.name.split(".")[0] in ("request", "req")
                    for inner in ir.walk_expr(node.args[0])):
                return True
        return False

    def is_request_json(self, expr: ir.Expr) -> bool:
        return self._request_json(expr, self.request_json_vars)

    def _reserialized(self, expr: ir.Expr, known: set[str], parsed: set[str]) -> bool:
        if self._names_in(expr, known):
            return True
        for node in ir.walk_expr(expr):
            if isinstance(node, ir.Call) and node.args and (
                    matches(self.context.resolved(node.callee), JSON_DUMPS) or node.callee == "str") \
                    and self._request_json(node.args[0], parsed):
                return True
        return False

    def is_reserialized(self, expr: ir.Expr) -> bool:
        parsed, dumped = self._json_vars
        return self._reserialized(expr, dumped, parsed)

    def _timestamp(self, expr: ir.Expr, known: set[str]) -> bool:
        for node in ir.walk_expr(expr):
            if isinstance(node, ir.Name) and any(
                    part in known or TIMESTAMP_NAME.search(part) for part in components(node)):
                return True
            if isinstance(node, ir.Str) and "v0:" in node.value:
                return True
        return False

    def has_timestamp(self, expr: ir.Expr) -> bool:
        return self._timestamp(expr, self.timestamp_vars)

    def is_nullable(self, expr: ir.Expr) -> bool:
        """A value that may be None: `headers.get(name)` without a default, or a name bound to one."""
        if isinstance(expr, ir.Name):
            return expr.name in self.nullable_vars
        return isinstance(expr, ir.Call) and expr.method in ("get", "getheader") \
            and len(expr.args) == 1 and not expr.kwargs

    # -- comparisons -------------------------------------------------------------------------

    def insecure(self, compare: ir.Compare) -> bool:
        """`==`/`!=`/`in` with a digest or a signature header on one side (and, for a header,
        a secret-like name on the other)."""
        if compare.op not in ("==", "!=", "in", "not in"):
            return False
        left, right = compare.left, compare.right
        if _is_constant(left) or _is_constant(right) or _is_length(left) or _is_length(right):
            return False
        digest = self.is_digest(left) or self.is_digest(right)
        header = self.is_header(left) or self.is_header(right)
        secret = _mentions(left, SHARED_SECRET_NAME) or _mentions(right, SHARED_SECRET_NAME)
        membership = compare.op in ("in", "not in")
        return (digest and (header or not (membership or _is_empty(left) or _is_empty(right)))) \
            or (header and secret) or (not membership and (
                self._credential_from_body(left, right) or self._request_credential(left, right)
                or self._computed_credential(left, right) or self._header_secret(left, right)
                or (header and self._hash_of_either(left, right))))

    def _header_secret(self, left: ir.Expr, right: ir.Expr) -> bool:
        """Any request header's value (`req.headers.get("authorization")`) compared with a value
        named as a shared secret (`Bearer ${cronSecret}`, `process.env.PLAIN_WEBHOOK_SECRET`):
        a shared credential checked by `==`."""
        return any(self._header_read(value) and _mentions(other, SHARED_SECRET_NAME)
                   and not self._header_read(other) and not self.is_request_data(other)
                   for value, other in ((left, right), (right, left)))

    def _header_read(self, expr: ir.Expr) -> bool:
        if isinstance(expr, ir.Name):
            return expr.name in self.http_header_vars
        return _reads_http_header(expr)

    @cached_property
    def http_header_vars(self) -> set[str]:
        """Names bound to a request header (`const auth = req.headers.get("authorization")`)."""
        return {name for names, value in self._parts.assigns if _reads_http_header(value)
                for name in names}

    def _hash_of_either(self, left: ir.Expr, right: ir.Expr) -> bool:
        """One side is a hash digest (`createHash("sha256").update(secret + body).digest("hex")`,
        `hashlib.sha256(...).hexdigest()`), or a name bound to one: compared with a signature
        header, a keyed hash (HubSpot's v1 signature) checked by `==`."""
        for value in (left, right):
            candidates = [value]
            if isinstance(value, ir.Name):
                candidates += [bound for names, bound in self._parts.assigns if value.name in names]
            if any(isinstance(node, ir.Call) and (node.method == "createHash" or (
                    node.callee or "").startswith("hashlib.")) for candidate in candidates
                    for node in ir.walk_expr(candidate)):
                return True
        return False

    def _credential_from_body(self, left: ir.Expr, right: ir.Expr) -> bool:
        """A value of the request body compared with the webhook's shared credential
        (`data["externalId"] == person.webhook_auth`)."""
        return any(_mentions(credential, WEBHOOK_CREDENTIAL) and self.is_request_json(value)
                   for value, credential in ((left, right), (right, left)))

    def _request_credential(self, left: ir.Expr, right: ir.Expr) -> bool:
        """A credential read from the request (`payload.get("auth")`, `self.data["token"]`,
        `request.GET["secret"]`) compared with a stored one named so (`self._auth`)."""
        return any(self.is_request_credential(value) and _mentions(stored, STORED_CREDENTIAL())
                   and not self.is_request_data(stored) and not _is_length(stored)
                   for value, stored in ((left, right), (right, left)))

    def _computed_credential(self, left: ir.Expr, right: ir.Expr) -> bool:
        """A digest keyed by a secret, computed by a function of the module named as a
        credential (`make_secret(form) == secret`), compared with a value."""
        calls = [(value, other) for value, other in ((left, right), (right, left))
                 if isinstance(value, ir.Call) and value.callee and "." not in value.callee
                 and COMPUTED_CREDENTIAL_NAME.search(value.callee)]
        return bool(calls) and any(  # the module's functions are read only for such a call
            value.callee in self.context.keyed_digest_functions
            and not _is_length(other) and not _is_empty(other) for value, other in calls)

    def _request_data(self, expr: ir.Expr, known: set[str]) -> bool:
        attributes = self.context.request_attributes
        for node in ir.walk_expr(expr):
            if isinstance(node, ir.Name) and (
                    components(node)[0] in known
                    or any(node.name == a or node.name.startswith(a + ".") for a in attributes)):
                return True
        return _reads_request(expr) or self.is_request_json(expr)

    @cached_property
    def request_data_vars(self) -> set[str]:
        """Names bound to the request's body, query string, form or headers."""
        known = self._seeds("request_data_vars")
        self._spread([(known, lambda value: self._request_data(value, known))])
        return known

    def is_request_data(self, expr: ir.Expr) -> bool:
        return self._request_data(expr, self.request_data_vars)

    def _credential_read(self, expr: ir.Expr, known: set[str]) -> bool:
        while isinstance(expr, ir.Call) and expr.method in _PASS_THROUGH_METHODS \
                and expr.receiver is not None:
            expr = expr.receiver  # `payload.get("auth", "").strip()`
        if isinstance(expr, ir.Name):
            if expr.name in known:
                return True
            head, _, last = expr.name.rpartition(".")  # `req.body.token` (JS property reads)
            return bool(head) and CREDENTIAL_KEY.match(last) is not None \
                and self.is_request_data(ir.Name(expr.start, expr.end - len(last) - 1, head))
        if isinstance(expr, ir.Call) and expr.method == "get" and expr.receiver is not None:
            key, source = (expr.args[0] if expr.args else None), expr.receiver
        elif isinstance(expr, ir.Index):
            key, source = expr.key, expr.obj
        else:
            return False
        name = ir.string_value(key)
        return name is not None and CREDENTIAL_KEY.match(name) is not None \
            and self.is_request_data(source)

    @cached_property
    def request_credential_vars(self) -> set[str]:
        """Names bound to a credential read from the request (`auth = payload.get("auth")`)."""
        known = self._seeds("request_credential_vars")
        self._spread([(known, lambda value: self._credential_read(value, known))])
        return known

    def is_request_credential(self, expr: ir.Expr) -> bool:
        return self._credential_read(expr, self.request_credential_vars)

    @cached_property
    def comparisons(self) -> list[ir.Compare]:
        """The non-constant-time comparisons of signatures, in order."""
        return [compare for compare in self._parts.compares if self.insecure(compare)]

    # -- what the calls do -------------------------------------------------------------------

    @cached_property
    def calls(self) -> list[str]:
        """Callees and functions passed as arguments; `X().m` for `X(...).m()`."""
        found: list[str] = []
        # `req = self.request_class(request)` then `req.validate()`: the method of the class
        # instantiated, `self.request_class().validate` (a name bound once to a call).
        instances: dict[str, str] = {}
        for names, value in self._parts.assigns:
            if len(names) == 1 and isinstance(value, ir.Call) and value.callee \
                    and not value.callee.endswith(_HEADER_GETTERS_TAILS):
                instances[names[0]] = value.callee
        for call in self._parts.calls:
            if call.callee:
                found.append(call.callee)
                head, _, method = call.callee.rpartition(".")
                if head in instances and "." not in method:
                    found.append(f"{instances[head]}().{method}")
            elif isinstance(call.func, ir.Attr) and isinstance(call.func.obj, ir.Call) \
                    and call.func.obj.callee:
                found.append(f"{call.func.obj.callee}().{call.method}")  # `Verifier(key).verify(body)`
            found.extend(arg.name for arg in call.args if isinstance(arg, ir.Name))
        return found

    @cached_property
    def verification(self) -> str | None:
        """What verifies in the unit first: a call (constant-time compare, provider library,
        configured verifier) or a signature comparison."""
        for node in self._parts.calls_and_compares:
            if isinstance(node, ir.Compare):
                if self.insecure(node):
                    return "a signature comparison"
                continue
            resolved = self.context.resolved(node.callee) if node.callee else ""
            verification = _verification(self, node, resolved, node.method)
            if verification is not None:
                return verification
        return None

    @cached_property
    def generic_verification(self) -> bool:
        """Its verification is a token check that session middleware does as well (a JWT
        decoded with a key): it authenticates a handler, never a whole middleware stack."""
        found = self.verification
        return found is not None and (matches(found, JWT_DECODE) or (
            found.rpartition(".")[2] in ("verify", "jwtVerify")
            and bool(self.context.packages & JWT_PACKAGES)))

    @cached_property
    def messages(self) -> list[tuple[ir.Call, ir.Expr]]:
        """HMACs computed and the message each signs."""
        found: list[tuple[ir.Call, ir.Expr]] = []
        for call in self._parts.calls:
            callee = call.callee
            receiver = call.receiver
            if self.is_hmac_call(call):
                message = call.arg(1, "msg") if callee and not callee.endswith("createHmac") else None
                if message is not None:
                    found.append((call, message))
            elif call.method == "update" and call.args and receiver is not None \
                    and self.is_digest(receiver):
                found.append((call, call.args[0]))
        return found

    @cached_property
    def public_key_messages(self) -> list[tuple[ir.Call, ir.Expr]]:
        """Public-key signatures (Ed25519, ECDSA, RSA: `public_key.verify(signature, data,
        ...)`) checked with a signature read from the request, and the message each covers."""
        if not self.context.packages & PUBLIC_KEY_PACKAGES:
            return []
        found: list[tuple[ir.Call, ir.Expr]] = []
        for call in self._parts.calls:
            if call.method != "verify" or not any(self.is_header(arg) for arg in call.args):
                continue
            message = next((arg for arg in call.args if not _is_constant(arg)
                            and not isinstance(arg, ir.Spread) and not self.is_header(arg)), None)
            if message is not None:
                found.append((call, message))
        return found

    @cached_property
    def hmac_key_names(self) -> set[str]:
        """Names the HMAC keys are read from (`hass.data`, `DATA_CONFIG` and `CONF_API_KEY` in
        `hmac.new(key=hass.data[DATA_CONFIG][CONF_API_KEY], ...)`), and those of the values a
        local name used as the key was bound to (`key = settings.HOOK_KEY.encode()`)."""
        found: set[str] = set()
        for call in self._parts.calls:
            if self.is_hmac_call(call):
                key = call.arg(1) if call.callee.endswith("createHmac") else call.arg(0, "key")
                found.update(_value_names(key))
        for names, value in self._parts.assigns if found else ():
            if found.intersection(names):
                found.update(_value_names(value))
        return found

    @cached_property
    def tolerance_off(self) -> list[ir.Call]:
        """Provider verification calls whose timestamp tolerance is 0 or None."""
        found = []
        for call in self._parts.calls:
            if call.method in TOLERANCE_CALLS:
                tolerance = call.arg(3, "tolerance")
                if (isinstance(tolerance, ir.Num) and tolerance.value == 0) or (
                        isinstance(tolerance, ir.Const) and tolerance.value is None):
                    found.append(call)
        return found

    @cached_property
    def bypasses(self) -> list[tuple[ir.Call, str]]:
        found: list[tuple[ir.Call, str]] = []
        for call in self._parts.calls:
            resolved = self.context.resolved(call.callee) if call.callee else ""
            found.extend(_bypasses(self, call, call.callee or call.method, resolved))
        return found

    @cached_property
    def request_header_vars(self) -> set[str]:
        """Names bound to any request header read (`request.headers.get("X-Key-Id")`)."""
        found: set[str] = set()
        for names, value in self._parts.assigns:
            if isinstance(value, ir.Call) and value.method in _HEADER_GETTERS and value.args \
                    and isinstance(value.args[0], ir.Str) and value.receiver is not None \
                    and any(part in ("headers", "META", "req", "request")
                            for part in (ir.dotted(value.receiver) or "").split(".")):
                found.update(names)
        return found

    @cached_property
    def sender_vars(self) -> set[str]:
        """Names bound to a value the sender chooses: a request header, or a field of a token's
        header or claims read without checking its signature (`jwt.peek_header(t).get("kid")`)."""
        # A session value (`request.session.get("state")`) is the server's, not the sender's.
        found = {name for name in self.request_header_vars
                 if not _read_from(self, name, _SESSION_PARTS)}
        unverified = {name for names, value in self._parts.assigns
                      if isinstance(value, ir.Call) and value.method in UNVERIFIED_TOKEN_READERS
                      for name in names}
        for names, value in self._parts.assigns:
            holder: ir.Expr | None
            if isinstance(value, ir.Call) and value.method == "get":
                holder = value.receiver
            elif isinstance(value, ir.Index):
                holder = value.obj
            else:
                continue
            if (isinstance(holder, ir.Call) and holder.method in UNVERIFIED_TOKEN_READERS) or (
                    isinstance(holder, ir.Name) and holder.name in unverified):
                found.update(names)
        return found

    @cached_property
    def constant_time_calls(self) -> list[ir.Call]:
        """Its constant-time comparisons of any two values (not only signatures)."""
        return [call for call in self._parts.calls if compares_in_constant_time(self, call)]

    @cached_property
    def constant_time_inputs(self) -> set[str]:
        """Names read by the statements that compare in constant time (`ok = any(
        constant_time_compare(got, allowed) for allowed in self.basic_auth)`): a presence test
        of one of them decides whether the credential is checked at all."""
        found: set[str] = set()
        if not self.constant_time_calls:
            return found
        for statement in self.statements:
            roots = ir.statement_exprs(statement)
            if any(isinstance(node, ir.Call) and compares_in_constant_time(self, node)
                   for root in roots for node in ir.walk_expr(root)):
                for root in roots:
                    found.update(_value_names(root))
        return found

    @cached_property
    def request_key_sources(self) -> dict[str, ir.Expr]:
        """Names bound to a value read from the request (a header, the query string, a form or
        JSON field), directly or through `x or y`, `.encode()` and the like, with the read."""
        found: dict[str, ir.Expr] = {}
        for _ in range(_MAX_ROUNDS):
            changed = False
            for names, value in self._parts.assigns:
                source = _request_value(value, found)
                if source is not None and not set(names) <= set(found):
                    found.update({name: source for name in names if name not in found})
                    changed = True
            if not changed:
                break
        return found

    @cached_property
    def key_arguments(self) -> list[tuple[ir.Call, ir.Expr]]:
        """The key each verification of the unit is given: `hmac.new(key, ...)`,
        `createHmac(alg, key)`, Stripe's `construct_event(payload, header, secret)` and
        `verify_header(payload, header, secret)`."""
        found: list[tuple[ir.Call, ir.Expr]] = []
        for call in self._parts.calls:
            if self.is_hmac_call(call):
                key = call.arg(1) if call.callee.endswith("createHmac") else call.arg(0, "key")
            elif call.method in KEYED_VERIFICATIONS:
                key = call.arg(2, "secret")
            else:
                continue
            if key is not None:
                found.append((call, key))
        return found

    def passed_keys(self, keyed: dict[str, dict[str, int]]) -> Iterator[tuple[ir.Call, ir.Expr]]:
        """The values the unit passes as a key to a function of its file that verifies with it
        (`keyed`: function name -> its key parameters and their positions)."""
        for call in self._parts.calls:
            for name, position in keyed.get(call.method, {}).items():
                value = call.arg(position, name)
                if value is not None:
                    yield call, value

    @cached_property
    def browser_return(self) -> bool:
        """It reads the query string (`request.GET`, `req.query`) and never the body, or it
        handles both `code` and `state`: a browser coming back from an OAuth-style redirect,
        not a delivery (a delivery's payload is its body)."""
        strings = {e.value for e in self.exprs if isinstance(e, ir.Str) and e.constant}
        if {"code", "state"} <= strings:
            return True
        query = body = False
        for expr in self.exprs:
            if isinstance(expr, ir.Name):
                parts = components(expr)
                for head, attr in pairwise(parts):
                    if head in ("request", "req"):
                        query = query or attr in _QUERY_ATTRS
                        body = body or attr in _BODY_ATTRS
        return query and not body

    @cached_property
    def reads_clock(self) -> bool:
        """It reads the current time (`time.time()`, `timezone.now()`, `Date.now()`)."""
        if not self.context.clock_in_file:
            return False
        for call in self._parts.calls:
            if call.new and call.callee == "Date":
                return True
            name = self.context.resolved(call.callee) if call.callee else call.method
            if name and (name in _CLOCK_CALLS or name.endswith(_CLOCK_TAILS)):
                return True
        return False

    @cached_property
    def session_user(self) -> bool:
        """It reads the session's user (`request.user`, `self.request.user`) or queues a session
        message (`messages.success(request, ...)`): code for a logged-in browser."""
        python = self.context.language == "python"
        for expr in self.exprs:
            if isinstance(expr, ir.Name):
                if "request.user" in expr.name and any(  # the words first: most names lack them
                        a == "request" and b == "user" for a, b in pairwise(components(expr))):
                    return True
            elif python and isinstance(expr, ir.Call) and expr.callee and \
                    (resolved := self.context.resolved(expr.callee)).rpartition(".")[2] \
                    in _SESSION_MESSAGE_TAILS and matches(resolved, _SESSION_MESSAGES):
                return True
        return False

    @cached_property
    def parses_event(self) -> bool:
        """It parses the request body and reads an event type key."""
        return self._parts.event_keys and (bool(self.request_json_vars) or any(
            self.is_request_json(value) for _, value in self._parts.assigns))


def module_flow(name: str, context: FileContext, own: _Own) -> Flow:
    """The module's own code (class bodies hold attributes, not module variables)."""
    return Flow(name, context, own.statements, own.exprs)


def _is_constant(expr: ir.Expr) -> bool:
    return isinstance(expr, (ir.Num, ir.Const)) or (isinstance(expr, ir.Str) and expr.constant)


def _is_length(expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Call) and expr.callee == "len":
        return True
    last = expr.name.rsplit(".", 1)[-1] if isinstance(expr, ir.Name) else (
        expr.attr if isinstance(expr, ir.Attr) else "")
    return last in ("length", "byteLength")


def _constant_collection(expr: ir.Expr) -> bool:
    """A list, tuple, set or dict literal of constant strings."""
    if isinstance(expr, ir.Seq):
        return all(isinstance(item, ir.Str) and item.constant for item in expr.items)
    if isinstance(expr, ir.Dict):
        return all(isinstance(key, ir.Str) and key.constant for key, _ in expr.items)
    return False


def _is_empty(expr: ir.Expr) -> bool:
    return isinstance(expr, (ir.Seq, ir.Dict)) and not expr.items


def _mentions(expr: ir.Expr, pattern: re.Pattern[str]) -> bool:
    return any(isinstance(node, ir.Name) and any(pattern.search(p) for p in components(node))
               for node in ir.walk_expr(expr))


def _value_names(expr: ir.Expr | None) -> set[str]:
    """The dotted names an expression reads (not the functions it calls)."""
    if expr is None:
        return set()
    called = {id(node.func) for node in ir.walk_expr(expr) if isinstance(node, ir.Call)}
    return {node.name for node in ir.walk_expr(expr)
            if isinstance(node, ir.Name) and id(node) not in called}


def _target_names(target: ir.Expr) -> list[str]:
    if isinstance(target, ir.Name):
        return [target.name]
    if isinstance(target, ir.Seq):
        return [name for item in target.items for name in _target_names(item)]
    if isinstance(target, ir.ObjectPattern):
        return [name for _, value in target.items for name in _target_names(value)]
    if isinstance(target, ir.Spread):
        return _target_names(target.value)
    return []


def _verification(flow: Flow, call: ir.Call, resolved: str, method: str) -> str | None:
    """What a call verifies with, or None: constant-time compare, a provider library, a
    configured verifier."""
    context = flow.context
    # `matches` holds only for a name ending as one of the names does: most calls end otherwise.
    tail = resolved.rpartition(".")[2]
    if (tail in _COMPARE_DIGEST_TAILS and matches(resolved, COMPARE_DIGEST)) \
            or resolved == "compare_digest" or method == "timingSafeEqual":
        return resolved or method
    if tail in _CONSTANT_TIME_TAILS and matches(resolved, CONSTANT_TIME_HELPERS):
        signed = flow.reads_signature or any(
            flow.is_digest(a) or flow.is_header(a) or _mentions(a, _SIGNED_VALUE()) for a in call.args)
        return resolved if signed else None
    if tail == "decode" and matches(resolved, JWT_DECODE) and _jwt_key_checked(call):
        return resolved
    if method in ("verify", "jwtVerify") and context.packages & JWT_PACKAGES:
        return resolved or method
    if method == "verify" and context.packages & PUBLIC_KEY_PACKAGES and (
            flow.reads_signature or flow.header_vars):
        return resolved or method
    # gidgethub's Event.from_http verifies only when given the secret.
    if resolved.endswith("Event.from_http") and len(call.args) + len(call.kwargs) < 3:
        return None
    if resolved and ((tail in _PROVIDER_TAILS and matches(resolved, PROVIDER_VERIFIERS))
                     or matches_verifier(resolved, context.verifiers)):
        return resolved
    if method in VERIFYING_METHODS:
        return resolved or method
    if context.language == "javascript" and any(
            method == v.rsplit(".", 1)[-1] for v in context.verifiers):
        return method
    if method == "verify" and context.packages & set(VERIFYING_PACKAGES):
        return resolved or method
    if method in _VERIFY_METHODS and any(
            flow.is_header(node) for arg in (*call.args, *(value for _, value in call.kwargs))
            for node in ir.walk_expr(arg)):
        # Any library's verifier handed the request's signature header (Upstash's
        # `receiver.verify({ signature, body })`): the header is what it checks.
        return resolved or method
    if method == "handle" and "slack_bolt" in context.packages:
        return "slack_bolt"  # Bolt's request handlers verify Slack's signature
    return None


def _jwt_key_checked(call: ir.Call) -> bool:
    """`jwt.decode(token, key, ...)` with the signature check left on."""
    if len(call.args) < 2 and call.kwarg("key") is None:
        return False
    options = call.kwarg("options")
    if isinstance(options, ir.Dict):
        flag = options.get("verify_signature")
        if isinstance(flag, ir.Const) and flag.value is False:
            return False
    return not any(name == "verify" and isinstance(value, ir.Const) and value.value is False
                   for name, value in call.kwargs)


def _bypasses(flow: Flow, call: ir.Call, written: str,
              resolved: str) -> Iterator[tuple[ir.Call, str]]:
    tail = written.rsplit(".", 1)[-1]
    lowered = written.lower()
    if BYPASS_CALL().search(tail) and any(word in lowered for word in BYPASS_CONTEXT):
        yield call, f"calls {tail}()"
    if matches(resolved, ("Event.construct_from",)) and call.args \
            and flow.is_request_json(call.args[0]):
        yield call, "builds the Stripe event from the request body unverified"
    where = resolved.lower()
    if any(word in where for word in ("webhook", "event", "signature")):
        for key, value in call.kwargs:
            if key in BYPASS_FLAGS and isinstance(value, ir.Const) and value.value is False:
                yield call, f"passes {key}=False"


# -- presence checks (the signature header or the secret tested before verifying) -----------------


def presence(flow: Flow, test: ir.Expr) -> tuple[bool, bool, bool] | None:
    """(positive, about_secret, guessed) when `test` only checks that a signature header or the
    webhook secret is present (`if sig:`, `if not secret:`, `if sig is None:`), else None;
    `guessed` when the header is not named as a signature (`if key_id:`)."""
    negated = False
    while isinstance(test, ir.Not):
        negated = not negated
        test = test.operand
    if isinstance(test, ir.BoolOp):
        # `if (secret && signature)`: present when all are; `if (!secret || !sig)`: missing
        # when any is. Another condition mixed in makes it more than a presence check.
        parts = [presence(flow, value) for value in test.values]
        if not all(part is not None for part in parts):
            return None
        kinds = {part[0] for part in parts if part is not None}
        if (test.op, kinds) not in (("and", {True}), ("or", {False})):
            return None
        return ((test.op == "and") != negated, any(part[1] for part in parts if part is not None),
                any(part[2] for part in parts if part is not None))
    if isinstance(test, ir.Compare):
        if test.op in ("is", "is not", "==", "!=") and isinstance(test.right, ir.Const) \
                and test.right.value is None:
            negated = negated != (test.op in ("is", "=="))
            test = test.left
        elif test.op in ("in", "not in") and isinstance(test.left, ir.Str):
            if test.left.constant and is_signature_header(test.left.value):
                return (test.op == "in") != negated, False, False
            if test.left.constant and SECRET_NAME.search(test.left.value):
                return (test.op == "in") != negated, True, False  # `"webhook_secret" not in config`
            return None
        elif test.op in ("in", "not in") and isinstance(test.left, ir.Name) and (
                _mentions(test.left, SECRET_NAME) or test.left.name in flow.hmac_key_names):
            # `CONF_WEBHOOK_SECRET not in data`, `CONFIG not in data` (the key read from it)
            return (test.op == "in") != negated, True, False
        else:
            return None
    if isinstance(test, ir.Call) and test.method not in _HEADER_GETTERS:
        return None
    if isinstance(test, (ir.Name, ir.Attr, ir.Index, ir.Call)):
        if flow.is_header(test) and not flow.is_digest(test):
            return not negated, False, False
        if not isinstance(test, ir.Call) and (
                _mentions(test, SECRET_NAME) or ir.dotted(test) in flow.hmac_key_names):
            return not negated, True, False
        tested = ir.dotted(test)
        if not isinstance(test, ir.Call) and tested in flow.constant_time_inputs \
                and not _read_from(flow, tested, _REQUEST_PARTS) \
                and tested.split(".")[0] not in _caller_values(flow):
            # `if self.basic_auth:` before comparing the request's credential with it (a value
            # of the request or the session tested there is no secret left unset, and a
            # parameter's absence is its caller's choice).
            return not negated, True, True
        if not negated and isinstance(test, ir.Name) and test.name in flow.sender_vars:
            # `if key_id:` (any request header, a token's unverified header): counted only when
            # its block verifies.
            return True, False, True
    return None


def verifies_in(flow: Flow, body: tuple[ir.Stmt, ...]) -> bool:
    """Whether a block verifies; an exception it raises (`raise ValidationFailure(...)`) is
    a rejection, not a verification."""
    for statement in deep_statements(body):
        if isinstance(statement, ir.Raise):
            continue
        for root in ir.statement_exprs(statement):
            for expr in ir.walk_expr(root):
                if _verifies(flow, expr):
                    return True
    return False


def _verifier_result(value: ir.Expr) -> bool:
    """What a verifying call returns (`event = stripe.webhooks.constructEvent(buf, sig,
    secret)`): the verified event, no longer the header it was handed (told by the call's
    name: the header's own kind is being worked out)."""
    if not isinstance(value, ir.Call):
        return False
    method = value.method
    return method in VERIFYING_METHODS or method in _PROVIDER_TAILS \
        or method in _VERIFY_METHODS or "verif" in method.lower()


def signs_outgoing(body: tuple[ir.Stmt, ...]) -> bool:
    """Whether a block writes a signature header into a message it sends (`headers[
    "X-Hub-Signature"] = "sha1=" + signer.hexdigest()`, `{"X-Signature": sig}`): a sender
    signing its deliveries, no receiver's check (a received header is read, not written)."""
    for statement in deep_statements(body):
        if isinstance(statement, ir.Assign):
            for target in statement.targets:
                if isinstance(target, ir.Index) and isinstance(target.key, ir.Str) \
                        and target.key.constant and is_signature_header(target.key.value):
                    return True
        for root in ir.statement_exprs(statement):
            for expr in ir.walk_expr(root):
                if isinstance(expr, ir.Dict) and any(
                        isinstance(key, ir.Str) and key.constant and "-" in key.value
                        and is_signature_header(key.value) for key, _ in expr.items):
                    # A header's name in quotes (`{ signature, body }` handed to a verifier
                    # is no header).
                    return True
    return False


def returns_secret_check(flow: Flow, body: tuple[ir.Stmt, ...]) -> bool:
    """A block that returns the outcome of comparing something with the webhook secret
    (`return payload.get("secret") == secret`): a fallback check (weaker, SH302's to judge when
    it is `==`), not a request accepted unverified."""
    return any(isinstance(statement, ir.Return) and statement.value is not None and any(
        isinstance(node, ir.Compare) and node.op in ("==", "!=")
        and (_mentions(node.left, SECRET_NAME) or _mentions(node.right, SECRET_NAME)
             or bool(_value_names(node) & flow.hmac_key_names))
        for node in ir.walk_expr(statement.value)) for statement in deep_statements(body))


def _verifies(flow: Flow, expr: ir.Expr) -> bool:
    if isinstance(expr, ir.Call):
        tail = expr.method.lower()
        resolved = flow.context.resolved(expr.callee) if expr.callee else ""
        # `cache.invalidate()` is no validation.
        return "verif" in tail or "valid" in tail.replace("invalid", "") or "check_sig" in tail \
            or flow.is_hmac_call(expr) or compares_in_constant_time(flow, expr) \
            or _verification(flow, expr, resolved, expr.method) is not None
    return isinstance(expr, ir.Compare) and flow.insecure(expr)


def swallowed_header_errors(flow: Flow) -> Iterator[ir.ExceptHandler]:
    """`try: sig = request.headers["X-Signature"] ... except KeyError:` whose handler neither
    rejects nor returns: a request without the header goes on unverified."""
    for statement in flow.statements:
        if not isinstance(statement, ir.Try):
            continue
        if not any(isinstance(node, ir.Index) and node.key is not None and flow.is_header(node.key)
                   for node in ir.body_exprs(statement.body)):
            continue
        if len(statement.body) == 1 and isinstance(statement.body[0], ir.Return):
            continue  # a getter answering None for a missing header: its caller decides
        for handler in statement.handlers:
            if not _catches_missing_key(handler.types):
                continue
            if not rejects(handler.body) and not returns(handler.body):
                yield handler


def _catches_missing_key(types: ir.Expr | None) -> bool:
    """A bare `except:`, or `except KeyError` / `except (KeyError, IndexError) as e`."""
    if types is None:
        return True
    caught = types.items if isinstance(types, ir.Seq) else (types,)
    return any((ir.dotted(kind) or "").rsplit(".", 1)[-1] in _MISSING_KEY_ERRORS for kind in caught)




def rejects(body: tuple[ir.Stmt, ...]) -> bool:
    """Whether a block refuses the request: raise/throw, abort(), a 4xx/5xx status, a
    rejecting response, `return False` or a bare return."""
    caught = {handler.name for statement in deep_statements(body)
              if isinstance(statement, ir.Try) for handler in statement.handlers if handler.name}
    for statement in deep_statements(body):
        if isinstance(statement, ir.Raise):
            return True
        # `is_valid = False`: the branch marks the request invalid (returned later).
        if isinstance(statement, ir.Assign) and isinstance(statement.value, ir.Const) \
                and statement.value.value is False:
            return True
        if isinstance(statement, ir.Return) and (statement.value is None or (
                isinstance(statement.value, ir.Const) and statement.value.value in (False, None))):
            return True
        # `except Exception as e: return e`: Flask answers an exception object with a 500.
        if isinstance(statement, ir.Return) and isinstance(statement.value, ir.Name) \
                and statement.value.name in caught:
            return True
        for expr in ir.statement_exprs(statement):
            for node in ir.walk_expr(expr):
                if isinstance(node, ir.Num) and len(node.text) == 3 and node.text[0] in "45" \
                        and node.text.isdigit():
                    return True
                if isinstance(node, ir.Call) and REJECT_NAMES.search(node.method):
                    return True
                if isinstance(statement, ir.Return) and isinstance(node, ir.Name) \
                        and REJECT_NAMES.search(node.name.rsplit(".", 1)[-1]):
                    return True
    return False


def returns(body: tuple[ir.Stmt, ...]) -> bool:
    return any(isinstance(statement, ir.Return) for statement in deep_statements(body))


def handles_signatures(flow: Flow) -> bool:
    """A function where presence checks matter: it verifies, reads a signature or calls
    something that does. A parameter named `signature` counts only next to a digest, a secret
    or the request (an `inspect.Signature` tested for None is no header)."""
    return bool(flow.reads_signature or (flow.header_vars and _signature_evidence(flow)) or any(
        _signature_call(flow, call) for call in flow.calls) or flow.constant_time_calls
        or flow.verification)  # the costliest last (each part is worked out once, no side effect)


def _signature_call(flow: Flow, call: str) -> bool:
    """A call named for verification or signatures (`verify_signature`), not the value itself
    passed on or its method (`type(signature)`, `signature.parameters.values`) nor
    `inspect.signature`."""
    lowered = call.lower()
    if not ("verif" in lowered or "signature" in lowered):
        return False
    return call.partition(".")[0] not in flow.header_vars \
        and flow.context.resolved(call) != "inspect.signature"


def _signature_evidence(flow: Flow) -> bool:
    """The function computes an HMAC, names a secret, or reads the request or its headers."""
    if any(SECRET_NAME.search(param.name) for param in flow.params):
        return True
    for expr in flow.exprs:
        if isinstance(expr, ir.Call) and flow.is_hmac_call(expr):
            return True
        if isinstance(expr, ir.Name) and any(
                part in _REQUEST_NAMES or SECRET_NAME.search(part) for part in components(expr)):
            return True
    return False


# -- a verification switched off, or keyed by the request (verification-disabled) -----------------

# Readers of a token's header or claims that check no signature (PyJWT, python-jose, jose): what
# they return is the sender's to choose.
UNVERIFIED_TOKEN_READERS = frozenset({"peek_header", "peek_claims", "get_unverified_header",
                                      "get_unverified_claims", "decodeProtectedHeader",
                                      "decodeJwt"})
# Verifications whose third argument is the key (Stripe).
KEYED_VERIFICATIONS = frozenset({"construct_event", "constructEvent", "constructEventAsync",
                                 "verify_header"})
# Any object's `headers` or `META` (a stored copy of a request's headers too); the query string,
# form and body only as the request's own (`request.GET`, `req.query`), `args` is argparse's too.
_REQUEST_CONTAINERS = frozenset({"headers", "META"})
_REQUEST_FIELDS = frozenset({"GET", "POST", "args", "query", "query_params", "form", "params",
                             "json", "data", "body", "cookies", "COOKIES"})
# Calls that hand back the value they are given, re-encoded (`key.encode()`, `bytes(key, ...)`).
_SAME_VALUE_METHODS = frozenset({"encode", "decode", "strip", "rstrip", "lstrip", "lower", "upper"})
_SAME_VALUE_CALLS = frozenset({"bytes", "str", "Buffer.from"})
# Values a verification setting takes when it is off (`WebhookEndpointValidation.none`).
_OFF_VALUES = frozenset({"none", "disabled", "disable", "off", "skip", "noop", "never"})
_TRUTHY_VALUES = frozenset({"true", "1", "yes", "on"})
# What a setting compared with an off value names (`validation_method`), and switches that turn
# the check off when set (`SKIP_SIGNATURE_CHECK`) or on (`VERIFY_WEBHOOKS`, tested negated).
_SWITCHED = compiled_on_use(r"(?i)verif|valid|signature|signing|check")
_SKIP_SWITCH = compiled_on_use(r"(?i)(?:skip|disable|bypass|ignore)_?\w*?(?:verif|valid|sig|check)")
_ON_SWITCH = re.compile(r"(?i)verif|validat")


def compares_in_constant_time(flow: Flow, call: ir.Call) -> bool:
    """`hmac.compare_digest`, Django's `constant_time_compare`, `timingSafeEqual` and the like,
    whatever the two values are."""
    if call.method == "timingSafeEqual":
        return True
    if call.method not in _COMPARE_DIGEST_TAILS and call.method not in _CONSTANT_TIME_TAILS:
        return False
    resolved = flow.context.resolved(call.callee) if call.callee else ""
    return resolved == "compare_digest" or matches(resolved, COMPARE_DIGEST) \
        or matches(resolved, CONSTANT_TIME_HELPERS)


def _request_container(parts: list[str]) -> bool:
    """`request.headers`, `self.headers`, `headers`, `request.GET`, `req.query`."""
    return any(part in _REQUEST_CONTAINERS for part in parts) or any(
        head in ("request", "req") and field in _REQUEST_FIELDS for head, field in pairwise(parts))


def _request_value(expr: ir.Expr, known: dict[str, ir.Expr]) -> ir.Expr | None:
    """The request read a value is (`request.headers.get("X-Key")`, `req.query.key`, a name
    bound to one, `x or default`, `x.encode()`), or None: a value looked up *by* a request value
    (`SECRETS[request.headers["X-Tenant"]]`) is not one."""
    if isinstance(expr, ir.Name):
        return known.get(expr.name) or (expr if _request_container(expr.name.split(".")[:-1])
                                        else None)
    if isinstance(expr, (ir.BoolOp, ir.Cond)):
        parts = expr.values if isinstance(expr, ir.BoolOp) else (expr.body, expr.orelse)
        return next((found for part in parts
                     if (found := _request_value(part, known)) is not None), None)
    if isinstance(expr, ir.Index):
        base = ir.dotted(expr.obj)
        return expr if isinstance(expr.key, ir.Str) and base is not None \
            and _request_container(base.split(".")) else None
    if isinstance(expr, ir.Call):
        receiver = expr.receiver
        holder = ir.dotted(receiver) or ""
        # `request.headers.get("X-Key")`, and Express's `req.get("X-Key")` / `req.header(...)`.
        if expr.method in _HEADER_GETTERS and expr.args and isinstance(expr.args[0], ir.Str) \
                and (_request_container(holder.split(".")) or holder in ("req", "request")):
            return expr
        if expr.method in _SAME_VALUE_METHODS and receiver is not None:
            return _request_value(receiver, known)
        if expr.callee in _SAME_VALUE_CALLS and expr.args:
            return _request_value(expr.args[0], known)
    return None


def request_key(flow: Flow, key: ir.Expr) -> tuple[ir.Expr, ir.Stmt | None] | None:
    """Whether a verification key comes from the request: the request read, and the assignment
    that made the key from it (None when the key argument reads the request itself)."""
    sources = flow.request_key_sources
    source = _request_value(key, sources)
    if source is None:
        return None
    names = {name for name in _key_roots(key) if name in sources}
    for statement in flow.statements:
        if isinstance(statement, ir.Assign) and statement.value is not None and names & {
                name for target in statement.targets for name in _target_names(target)} \
                and _request_value(statement.value, sources) is not None:
            return source, statement
    return source, None


def _key_roots(expr: ir.Expr) -> set[str]:
    """Names a key is made of (`secret` in `secret.encode()`, not `bytes` in `bytes(secret)`)."""
    called = {id(node.func) for node in ir.walk_expr(expr) if isinstance(node, ir.Call)}
    return {node.name.rsplit(".", 1)[0] if id(node) in called else node.name
            for node in ir.walk_expr(expr)
            if isinstance(node, ir.Name) and (id(node) not in called or "." in node.name)}


def key_parameters(flow: Flow) -> dict[str, int]:
    """The parameters a function verifies with, by name and position (`self`/`cls` not
    counted): `def verify_signature(self, secret, tolerance)` hands `secret` to
    `verify_header`, directly or through `key = secret.encode()`."""
    keys: set[str] = set()
    for _, key in flow.key_arguments:
        keys.update(_key_roots(key))
    for _ in range(_MAX_ROUNDS if keys else 0):
        before = len(keys)
        for names, value in flow.assignments:
            if keys.intersection(names):
                keys.update(_key_roots(value))
        if len(keys) == before:
            break
    positional = [param for param in flow.params if param.kind == "normal"]
    if positional and positional[0].name in ("self", "cls"):
        positional = positional[1:]
    return {param.name: index for index, param in enumerate(positional) if param.name in keys}


def verification_switch(test: ir.Expr) -> str | None:
    """How an `if` test says verification is off, or None: a setting compared with an off
    value (`validation_method == Validation.none`), a skip switch set (`SKIP_SIGNATURE_CHECK`),
    a verify switch unset (`not settings.VERIFY_WEBHOOKS`). Debug mode alone is no switch."""
    negated = False
    while isinstance(test, ir.Not):
        negated = not negated
        test = test.operand
    if isinstance(test, ir.Compare) and test.op in ("==", "is") and not negated:
        setting, value = test.left, test.right  # the setting's name first, as it is written
        if not isinstance(setting, ir.Name):
            return None
        if _switch_value(value, _OFF_VALUES) and _mentions(setting, _SWITCHED()):
            return "off"
        if _switch_value(value, _TRUTHY_VALUES) and _mentions(setting, _SKIP_SWITCH()):
            return "skip"
        return None
    if not isinstance(test, ir.Name):
        return None
    parts = components(test)
    if negated:
        return "unset" if _ON_SWITCH.search(parts[-1]) else None
    return "skip" if _SKIP_SWITCH().search(parts[-1]) else None


def _switch_value(expr: ir.Expr, values: frozenset[str]) -> bool:
    """A constant (`"none"`, `true`) or a member named like one (`Validation.none`)."""
    if isinstance(expr, ir.Str) and expr.constant:
        return expr.value.lower() in values
    if isinstance(expr, ir.Const):
        return expr.value is True and "true" in values
    return isinstance(expr, ir.Name) and "." in expr.name \
        and expr.name.rsplit(".", 1)[-1].lower() in values


def accepts_unverified(body: tuple[ir.Stmt, ...]) -> bool:
    """A block that at most logs or warns, then accepts: `return True`, JS `return next()`."""
    if not body:
        return False
    *before, last = body
    if not all(isinstance(statement, ir.ExprStmt) and isinstance(statement.expr, ir.Call)
               for statement in before):
        return False
    if not isinstance(last, ir.Return):
        return False
    value = last.value
    return (isinstance(value, ir.Const) and value.value is True) or (
        isinstance(value, ir.Call) and value.callee == "next")


def switched_off(flow: Flow) -> Iterator[tuple[ir.If, str]]:
    """`if` blocks of a verifying function that accept the request unverified when a setting
    turns verification off (see `verification_switch`), with how."""
    for statement in flow.ifs:
        how = verification_switch(statement.test)
        if how is not None and accepts_unverified(statement.body) \
                and not verifies_in(flow, statement.body) and handles_signatures(flow):
            yield statement, how


def _read_from(flow: Flow, name: str, holders: frozenset[str]) -> bool:
    """Whether the unit binds `name` to something read from one of `holders` (`request`)."""
    return any(name in names and any(
        part in holders for read in _key_roots(value) for part in read.split("."))
        for names, value in flow.assignments)


def _caller_values(flow: Flow) -> set[str]:
    """The parameters of a unit (`self` and `cls` are the object's own)."""
    return {param.name for param in flow.params} - {"self", "cls"}


_SESSION_PARTS = frozenset({"session"})
_REQUEST_PARTS = frozenset({"request", "req", "session", "headers", "META", "GET", "POST"})
