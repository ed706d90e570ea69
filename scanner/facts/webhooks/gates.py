"""The webhook extractors' gates as data: the words of the keyword index and the fast paths,
each with the argument (from `flow.py` and `routes.py`) that every fact-holding file passes it."""

# Evidence words are `requires` groups (the one keyword pass answers them), each a clause every
# fact-holding document satisfies, so the patterns run on few documents. Text is matched as
# written: an escape or an implicit string concatenation inside a marker hides it, as it hides
# a word from the keyword index. Branches start with a literal (Python's `re` skips ahead fast).

from __future__ import annotations

import re

from scanner.facts.patterns import GAP, GAP_ITEM, STRING, VALUE_PREFIX
from scanner.facts.webhooks.model import EVENT_HEADERS

# The `*_PATTERN` gate patterns are kept as text: a Gate compiles its own on first use (compiled
# here, at import, they cost about 15 ms of every hook run).

# -- the words each extractor started from -------------------------------------------------------

# Words of a webhook entry point: a route or handler name, a provider signature or event header
# (see model.is_signature_header, model.EVENT_HEADERS), Django settings and CSRF exemption.
ENTRY_WORDS = ("hook", "signature", "csrf_exempt", "ipn", "notif", "event", "callback",
               "middleware", "hmac", "x-gitlab-token", "x-hub-", "x-github-", "x-gitlab-",
               "x-shopify-", "svix-", "x-twilio-", "x-slack-", "x_hub_", "x_github_", "x_gitlab_",
               "x_slack_", "x_shopify_", "x_twilio_")
# What routes and views look like (lower-case): one must be present for a Route to exist.
ROUTE_MARKERS = (".route(", ".post(", ".put(", ".patch(", ".all(", "api_route(", "add_route(",
                 "add_api_route(", "route(", "add_post(", "add_put(", 'path("', "path('",
                 "re_path(", "url(", "csrf_exempt", "require_post", "require_http_methods",
                 "def post(", "def put(", "before_request", "middleware", "export default",
                 "function post", "const post", "function put", "const put", "depends(",
                 "as_view(", "register", "requires_auth",
                 # Next.js handlers exported by name or as CommonJS (`export { h as POST }`).
                 "as default", "as post", "as put", "module.exports", "exports.default",
                 "exports.post", "exports.put")
# Header, digest and parameter words of a signature or token (see flow.is_header/is_digest).
SIGNATURE_WORDS = ("hmac", "sig", "token", "received", "provided", "webhook")
SECRET_WORDS = ("hmac", "secret", "token", "passw", "key", "webhook_auth", "webhookauth")
# Calls that verify, for presence checks: see flow.handles_signatures and flow.verifies_in.
VERIFY_WORDS = ("verif", "valid", "check_sig", "compare_digest", "timingsafeequal", "construct",
                "createnodemiddleware", "from_http", "slack_bolt")
# Constant-time comparisons of any two values (flow.compares_in_constant_time) and readers of a
# token's unverified header or claims (flow.UNVERIFIED_TOKEN_READERS), for presence checks.
CONSTANT_TIME_WORDS = ("compare_digest", "constant_time_compare", "safe_str_cmp", "bytes_eq",
                       "timingsafeequal")
UNVERIFIED_TOKEN_WORDS = ("peek_header", "peek_claims", "get_unverified_header",
                          "get_unverified_claims", "decodeprotectedheader", "decodejwt")
BYPASS_WORDS = ("without_verification", "withoutverification", "skip_verif", "skipverif",
                "unverified", "no_verify", "noverify", "construct_from", "verify")
BYPASS_CONTEXT = ("event", "webhook", "signature", "payload", "hook")
# What a function that verifies (flow.handles_signatures) holds, for a switch that turns its
# verification off (flow.switched_off): a verify or signature call, an HMAC, a constant-time
# compare, a JWT decode, a provider SDK, a signature parameter, a signature or event header.
SWITCH_WORDS = (*SIGNATURE_WORDS, *VERIFY_WORDS, *CONSTANT_TIME_WORDS, "signature", "decode", "svix",
                *sorted({form for header in EVENT_HEADERS
                         for form in (header, header.replace("-", "_"))}))

# -- evidence of a signature -----------------------------------------------------------------------
#
# flow.Flow.insecure and flow.presence start from a digest (an HMAC call: `hmac.*` resolved
# through the file's imports, or `createHmac`), a signature header, or a name bound to one (only
# ever seeded by a signature header string, a parameter named like flow.SIGNATURE_PARAM, or a
# FastAPI parameter named like a signature or event header), in the function or the module.
#
# A signature header (model.is_signature_header): after `strip()` and dropping `http_`, it starts
# with a provider prefix and holds a hint (`-token`/`-sig` may use the prefix's own dash), at most
# 60 characters, no space, `_` standing for `-`; or it is `signature`/`webhook-signature`.

_HEADER_PREFIXES = ("x", "stripe", "webhook", "svix", "paypal", "http")
_HEADER_HINTS = ("signature", "hmac", "-token", "_token", "-sig", "_sig", "webhook-id",
                 "webhook_id")
# FastAPI `x_github_event: str = Header(...)`: event header names as parameters.
_EVENT_PARAMETERS = ("x_github_event", "x_github_delivery", "x_gitlab_event", "x_shopify_topic",
                     "x_event_key", "x_slack_request_timestamp", "x_hook_secret",
                     "x_twilio_email_event_webhook_timestamp", "webhook_timestamp",
                     "svix_timestamp", "svix_id")
# Parameter names of flow.SIGNATURE_PARAM without a prefix (`x_sig` and `x_signature` end in a
# hint), as they stand before what follows a parameter: `,` `)` `:` `=` `?` or a blank, a line
# continuation or a comment (one blank may come first).
_FOLLOWERS = (",", ")", ":", "=", "?", "\t", "\n", "\r", "\x0b", "\x0c", "\\", "#", "/")
_PARAMETER_WORDS = (*(name + follower for name in ("sig", "received", "provided")
                      for follower in (*_FOLLOWERS, *(" " + f for f in (*_FOLLOWERS, " ")))),
                    "sig_header")
# What stands before a prefix: the string's quote or a stripped blank, or (a parameter name) what
# stands before a parameter.
_BEFORE_PREFIX = ('"', "'", "`", " ", "\t", "\n", "\r", "\x0b", "\x0c", "(", ",", "*", ".", "/",
                  ")", "\\")
_PREFIX_WORDS = tuple(before + prefix + dash for before in _BEFORE_PREFIX
                      for prefix in _HEADER_PREFIXES for dash in "-_")
# flow.WEBHOOK_CREDENTIAL (a body value compared with the webhook's credential) in lower case.
_CREDENTIAL_WORDS = tuple(f"webhook{sep}{what}" for sep in ("", "_")
                          for what in ("auth", "secret", "token", "key", "passw"))
# A hash of a secret made by a function of the module (flow.FileContext.keyed_digest_functions):
# `hashlib` imported, or a `.hexdigest()`/`.digest()` call (words of the comparison gate only).
HASH_WORDS = ("hashlib", "digest(")
# Every document with a digest or a signature header (or name) holds a word of each group.
SIGNATURE_EVIDENCE = ("hmac", *_HEADER_HINTS, *_PARAMETER_WORDS, *_EVENT_PARAMETERS,
                      *_CREDENTIAL_WORDS)
SIGNATURE_PREFIXES = ("hmac", *_PREFIX_WORDS, "signature", *_PARAMETER_WORDS, *_EVENT_PARAMETERS,
                      *_CREDENTIAL_WORDS)
# flow.SECRET_NAME (a presence check about the secret) in lower case.
SECRET_NAME_WORDS = ("secret", "signing_key", "signingkey", "webhook_key", "webhookkey",
                     "webhook_token", "webhooktoken", "hmac")

# The same evidence, exactly: pattern branches.
_PREFIXED_HEADERS = tuple(
    rf"{prefix}(?<![a-z0-9]{prefix})(?=[-_])[^ ]{{0,60}}?(?:signature|hmac|[-_]token|[-_]sig)"
    for prefix in _HEADER_PREFIXES)
_PLAIN_HEADERS = (r"signature\s*[\"'`]", r"webhook[-_]id")
# A parameter follows `(`, `,`, `*`, `...` or a blank, never a word and one blank as prose does
# ("if provided, ..."), nor a quote, but for `lambda`, `async` (a lone arrow parameter) and
# TypeScript modifiers; a call `@Inject()` before it ends in `)`. It comes before `,` `)` `:` `=`
# `?`, but not as a statement at a line start (`signature = inspect.signature(f)`: a blank before
# and after `=`, where a default is written `sig=None`) nor as prose ending a line ("... is
# provided:"). Branches start with the name: a pattern that starts at every `(` is slow.
# The last one in parentheses ends a definition (`):`, `) ->`, `) {`, `) =>`, `): T`), not a
# call (`digests.append(signature)`, `sha1(signature).hexdigest()`).
_AFTER_PARAMETER = rf"(?={GAP}[,):=?])(?!{GAP}\)(?![ \t]*(?:->|:|=>|\{{)|\s*(?:=>|\{{)))"
_KEYWORDS_BEFORE_PARAMETER = ("lambda", "async", "private", "public", "protected", "readonly",
                              "override")
_INDENTS = ("", *(" " * width for width in range(1, 41)), *("\t" * width for width in range(1, 9)))


def _parameter(name: str, tail: str = "") -> str:
    after_keyword = "".join(rf"|(?<={keyword} {name})" for keyword in _KEYWORDS_BEFORE_PARAMETER)
    line_start = "".join(rf"(?<!\n{indent}{name})" for indent in _INDENTS)
    return (rf"{name}(?<![a-z0-9_$]{name})(?<![^.]\.{name})(?<![\"'`]{name})"
            rf"(?:(?<![a-z0-9_$] {name}){after_keyword})"
            rf"(?:{line_start}|(?!{tail}[ \t]+=[ \t]*[^=\s]))"
            rf"{tail}(?!:[ \t]*\r?\n){_AFTER_PARAMETER}")


_SIGNATURE_PARAMETERS = (rf"_sig(?:nature)?{_AFTER_PARAMETER}",
                         _parameter("sig", "(?:nature)?(?:_header)?"),
                         _parameter("received"), _parameter("provided"))
_SIGNATURE_BRANCHES = ("hmac", *_PREFIXED_HEADERS, *_PLAIN_HEADERS, *_SIGNATURE_PARAMETERS,
                       *_EVENT_PARAMETERS)
_CREDENTIAL = r"webhook_?(?:auth|secret|token|key|passw)"
# What a function needs in its file's text to be a receiver its route does not name as one
# (sh301's `_handler` and open views): a signature or event header it reads (as a string or a
# FastAPI parameter name), CSRF exemption, or open DRF permission classes of its class. Route
# targets whose file lacks all of them are not summarised.
RECEIVER_PATTERN = "|".join((
    *_PREFIXED_HEADERS, *_PLAIN_HEADERS,
    *sorted({re.escape(form) for header in EVENT_HEADERS
             for form in (header, header.replace("-", "_"))}),
    # DRF permission classes that open the view (model.drf_access): none, or AllowAny.
    "csrf_exempt", r"permission_classes[^=\n]{0,60}=\s*[(\[]\s*(?:[)\]]|[a-z0-9_.]*allow)"))
# flow.presence about the secret: an `if` (or `elif`) testing a name (not a call) that holds one
# of flow.SECRET_NAME's words, maybe negated (`not`, `!`) or in parentheses.
_SECRET_TESTED = (
    rf"if(?:(?<![a-z0-9_$]if)|(?<=elif)(?<![a-z0-9_$]elif))(?:[(!]|not(?![a-z0-9_$])|{GAP_ITEM})*"
    r"[a-z0-9_$.]*(?:secret|signing_?key|webhook_?(?:key|token)|hmac_?key)"
    r"(?![a-z0-9_$.]*[\s\\]*\()")

# A non-constant-time comparison (flow.Flow.insecure) needs a digest or a signature header; a
# credential read from the request (flow.Flow.is_request_credential) is looked for only in the
# documents this evidence admits (its words are everyday words: most files would pass). A digest
# keyed by a function of the module (flow.Flow._computed_credential) is that function's call,
# named as a credential (flow.COMPUTED_CREDENTIAL_NAME), compared: `make_secret(form) ==` (one
# level of parentheses inside its arguments, 400 characters at most) or `== make_secret(`.
_COMPUTED_NAMES = ("secret", "sign", "token", "digest", "hmac", "hash")
# One branch per word and per operator: each starts with its literal (fast to skip ahead). Every
# repetition is bounded (a name of at most 60 characters, arguments of at most 400), so a long
# run of a word (`hashlibhashlib...`) stays linear.
_COMPUTED_COMPARED = (
    *(rf"{word}[a-z0-9_$]{{0,60}}[\s\\]{{0,20}}\((?:[^()]|\([^()]{{0,200}}\)){{0,400}}\)"
      rf"[\s\\]{{0,20}}[!=]=" for word in _COMPUTED_NAMES),
    *(rf"{operator}[\s\\]{{0,20}}[a-z0-9_$]{{0,60}}(?:{'|'.join(_COMPUTED_NAMES)})[a-z0-9_$]{{0,60}}"
      rf"[\s\\]{{0,20}}\(" for operator in ("==", "!=")))
COMPARISON_PATTERN = "|".join((*_SIGNATURE_BRANCHES, _CREDENTIAL, *_COMPUTED_COMPARED))
# A public-key signature check (flow.Flow.public_key_messages) is given a signature header's value.
PUBLIC_KEY_PATTERN = "|".join(_SIGNATURE_BRANCHES)
# The packages of flow.PUBLIC_KEY_PACKAGES, as their import lines spell them.
PUBLIC_KEY_WORDS = ("crypto", "nacl", "ecdsa", "@noble")
# A presence check (flow.presence) tests a signature header or a name of the webhook secret,
# a value compared in constant time, or a field of a token's unverified header.
_CONSTANT_TIME_OR_UNVERIFIED = (r"compare_digest|constant_time_compare|safe_str_cmp|bytes_eq"
                                r"|timingsafeequal|peek_header|peek_claims"
                                r"|get_unverified_(?:header|claims)|decodeprotectedheader|decodejwt")
PRESENCE_PATTERN = "|".join((*_SIGNATURE_BRANCHES, _SECRET_TESTED, _CONSTANT_TIME_OR_UNVERIFIED))

# -- bypasses --------------------------------------------------------------------------------------

# flow._bypasses: a call named like a skipped verification, Stripe's `Event.construct_from`, or a
# verification flag passed False (a keyword argument: Python only).
BYPASS_PATTERN = "|".join((
    r"without_?verification|skip_?verif|unverified|no_?verify|construct_from",
    *(rf"{flag}(?<![a-z0-9_$]{flag}){GAP}={VALUE_PREFIX}false(?![a-z0-9_$.])"
      for flag in ("verify", "verify_signature", "validate_signature", "check_signature"))))

# -- verification switched off by a setting --------------------------------------------------------

# flow.accepts_unverified: `return True` (Python), `return true` / `return next()` (JS).
ACCEPT_WORDS = ("return true", "return next(")
# flow.verification_switch, the whole test of an `if`/`elif` (maybe in parentheses): a setting's
# name compared with an off value (`== Validation.none`, `=== "disabled"`), a skip switch
# (`SKIP_SIGNATURE_CHECK`, maybe compared with a true value), a verify switch negated.
_NAME_CHAIN = r"[a-z0-9_$.]"
_OFF = r"(?:none|disabled?|off|skip|noop|never)"
_SWITCH_TESTS = (
    rf"{_NAME_CHAIN}+[\s\\]*(?:==|is(?![a-z0-9_$]))=?[\s\\]*"
    rf"(?:{_NAME_CHAIN}*\.{_OFF}(?![a-z0-9_$])|[\"'`]{_OFF}[\"'`])",
    rf"{_NAME_CHAIN}*(?:skip|disable|bypass|ignore)_?[a-z0-9_]*?(?:verif|valid|sig|check)",
    rf"(?:not[\s(\\]+|!)[\s(]*{_NAME_CHAIN}*(?:verif|validat)[a-z0-9_$]*[\s)\\]*[:)]",
)
_IF = r"if(?:(?<![a-z0-9_$]if)|(?<=elif)(?<![a-z0-9_$]elif))(?![a-z0-9_$])[\s(\\]*"
# One branch: each `if` of a file is looked at once, not once per kind of test.
SWITCH_PATTERN = _IF + "(?:" + "|".join(_SWITCH_TESTS) + ")"

# -- routes ------------------------------------------------------------------------------------

# Names in route tables, not inside other names (`is_valid_path(`, `builtin_template_path(`) nor
# where a function of that name is defined (Django's `{% url %}` tag: `def url(parser, token)`).
# One branch per name, each starting with its literal (an alternation of names has no literal
# start, and Python's `re` then tries it at every position of the file).
_TABLE_CALLS = tuple(rf"{name}(?<![a-z0-9_$]{name})(?<!def {name})(?<!function {name})" for name in (
    "path", "re_path", "url", "route", "apiroute", "add_route", "add_api_route", "add_post",
    "add_put"))

# A view's `def post(` marks it (routes._Declared.marked) only under a decorator: one that
# follows a blank line or a line ending in `:` (its class, the class's docstring) has none, as
# most DRF views' methods (a decorator ends in a name or `)`; a comment between is let through).
# A method's usual indents only: each lookbehind costs compiling, and any other passes.
_UNDECORATED_POST = "".join(
    rf"(?<!{before}{indent}def post\()"
    for before in (r"\n\n", r"\r\n\r\n", r":\n", r":\r\n") for indent in ("    ", "\t", "  "))

# Where routes.py finds something SH301 starts from: a Route, a view marked by its decorators
# (`csrf_exempt`, `require_POST`, `require_http_methods`, a view class's `post`), or Django's
# MIDDLEWARE. Guards and function summaries of a file without routes are only ever read when a
# name leads to the file, and the project index then loads it whatever its gate says.
ROUTE_PATTERN = "|".join((
    # JS route calls (`app.post("/path"`, `router.put(`: a path string first, as routes.py reads
    # them; an HTTP client's `.post(url, ...)` is none), decorators (`@app.post`,
    # `@router.api_route`, aiohttp `@routes.view`: any path) and aiohttp's `web.post(...)`.
    # `route`, `get` and `delete` decorators serve POST only through `methods=` in the same call
    # (a path built by calls nested two deep before it is not followed). Express
    # `app.all("/path", ...)`.
    rf"\.[\s\\]*(?:(?:post|put|patch)[\s\\]*\({GAP}[\"'`]/"
    r"|(?:get|delete|route)[\s\\]*\((?:[^()]|\([^()]*\))*?methods"
    rf"|all[\s\\]*\({GAP}[\"'`]/)",
    r"@[a-z0-9_$.\s\\()]{0,200}?\.[\s\\]*(?:post|put|patch|api_route|view)[\s\\]*\(",
    r"web[\s\\]*\.[\s\\]*(?:post|put)[\s\\]*\(",
    # Route tables whose first argument is the path string (or, aiohttp, the method string):
    # Django `path`/`re_path`/`url`, Starlette `Route`/`APIRoute`, `add_route`, `add_api_route`,
    # aiohttp `add_post`/`add_put`, Flask `@app.route("/x")` (GET unless methods=, kept anyway),
    # and Fastify `fastify.route({url, method, handler})`.
    *(rf"{call}[\s\\]*\({GAP}(?:{STRING}|\{{|[a-z_$][a-z0-9_$.]*{GAP},)" for call in _TABLE_CALLS),
    # A framework's webhook registry (`webhook.async_register(hass, DOMAIN, name, id, handler)`)
    # and a view class that opts out of authentication (`requires_auth = False`).
    r"webhook[a-z0-9_$.]*\.[\s\\]*(?:async_)?register[a-z_]*[\s\\]*\("
    # or its alias imported under a name that says so (`async_register as webhook_register`),
    r"|webhook[a-z0-9_$]*register[a-z0-9_$]*[\s\\]*\(|register[a-z0-9_$]*webhook[a-z0-9_$]*[\s\\]*\("
    r"|requires_auth[\s\\]*(?::[^=\n]{0,200})?=[\s\\]*false",
    # Functions marked by a decorator (`@csrf_exempt`, `@method_decorator(csrf_exempt)`,
    # `@require_POST`, `@require_http_methods([...])`), not the definitions or imports of those
    # names; and class-based views' `post` when decorated (`_UNDECORATED_POST`).
    r"@(?:[\s\\(]|[a-z0-9_$.]){0,200}?(?:csrf_exempt|require_post|require_http_methods)",
    rf"def[\s\\]+post[\s\\]*\({_UNDECORATED_POST}",
    # Django `MIDDLEWARE = [...]` (also annotated, augmented or chained), not `x.middleware =`
    # nor a keyword argument; a setting of the module or of a settings class (indented four
    # blanks at most: under `if DEBUG:`, in a class body), not a function's local variable.
    r"middleware(?<![a-z0-9_$.]middleware)(?<![(,]middleware)(?<![(,] middleware)"
    r"(?:(?<=\nmiddleware)|(?<=\n middleware)|(?<=\n  middleware)|(?<=\n   middleware)"
    r"|(?<=\n    middleware)|(?<=\n\tmiddleware)|(?<==middleware)|(?<== middleware)"
    r"|(?<![\s\S]middleware))"
    r"[\s\\]*(?:\+|:[^=\n]{0,200})?=",
    # Next.js route files export their handlers (`export default`, `export async function POST`,
    # `export { handler as default }`, `module.exports = handler`, `exports.POST = ...`): the
    # word, not a part of a name (`__include_in_export__`, `exported`).
    r"export(?<![a-z0-9_$]export)s?(?![a-z0-9_$])",
))
