"""Credentials written out: a token, a secret or an Authorization header passed whole to a log
call, print/console output, or an exception message; and a token request's body or a token
response logged whole."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import (
    CodeIndex,
    assigned_names,
    callee_text,
    code_index,
    interpolated_tokens,
    leaked_name,
    receiver_text,
    scope_has,
)
from scanner.facts.oauth.names import (
    SPECIFIC_CREDENTIAL_WORDS,
    TALKS_AUTH_WORDS,
    is_credential_name,
    is_generic_credential,
    normal,
    short,
)
from scanner.lazy import compiled_on_use
from scanner.model.document import JS_KINDS, Document, FileKind

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "fatal", "log", "trace", "success", "dir"})
_LOG_RECEIVER = re.compile(r"log|warnings|console", re.IGNORECASE)
_NOT_MESSAGE = frozenset({"exc_info", "stack_info", "stacklevel"})
# A name counts when the file talks auth (any credential name), or it is specific on its own;
# a URL built with `?token={...}` holds one whatever the file talks about.
_COUNTING_WORDS = (*TALKS_AUTH_WORDS, *SPECIFIC_CREDENTIAL_WORDS, "token={", "token=${")
# What a file must say to write anything out: a print, a logger or console (`_LOG_RECEIVER`,
# `getLogger`), click/typer's echo, stdout/stderr, or an exception raised or thrown.
_SINK_WORDS = ("print", "log", "warnings", "console", "echo", "stdout", "stderr", "raise", "throw")
# A function that requests tokens: what it sends and receives carries secrets and tokens.
_TOKEN_REQUEST_WORDS = ("token_url", "token_endpoint", "access_token_url", "fetch_token",
                        "grant_type", "oauth/token", "oauth2/token", "oauth/access_token")
_TOKEN_REQUEST = re.compile("|".join(map(re.escape, _TOKEN_REQUEST_WORDS)), re.IGNORECASE)
# A call that mints a code or token (`_MINTS`): a verb, then what it mints.
_MINT_VERBS = ("create", "generate", "issue", "mint", "new")
_MINTED = r"_?(?:authorization_?code|access_?token|refresh_?token|token|secret)"
# A value that names a file (`TOKEN_FILE = "token.json"`, `Path.home() / ".acme"`), not a secret.
_FILE_LITERAL = compiled_on_use(r"(?:\.(?:json|pickle|pkl|ya?ml|txt|pem|key|db|sqlite3?|cfg|ini|toml"
                                r"|env|dat|cache)|[/\\])\Z", re.IGNORECASE)
_STATUS_CHECK = compiled_on_use(r"\b(?:\w+\.)*(?:status_code|status|ok|is_error|is_success)\b")
_PATH_CALLS = frozenset({"Path", "join", "expanduser", "abspath", "joinpath", "resolve",
                         "user_config_dir", "user_data_dir", "user_cache_dir"})


# What the text of a file must show for it to write out a credential, told before it is parsed:
# most files that pass the gate (a word of each kind somewhere) have no log call, print or raise
# whose own text holds a credential word. A leak is the argument of such a call as written, so
# the call's text holds its name; or a name assigned a URL with `token=` or a minted token
# (`carried_by`); or, in a file that requests tokens, a response or request body (`_wire_leak`).
# Each sink pattern starts with its literal, so `re` skips ahead to it.
_SINK_CALLS = (
    compiled_on_use(r"\.(?:debug|info|warning|warn|error|exception|critical|fatal|log|trace"
                    r"|success|dir|echo|write|print)\s*\("),
    compiled_on_use(r"print\s*\("), compiled_on_use(r"raise\b"), compiled_on_use(r"throw\b"))
# What ends a call's text: its closing bracket, or outside any bracket the line's end or a `;`.
# Strings are passed over whole (a `)` in a message does not end the call).
_CALL_TEXT = compiled_on_use(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                             r"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|[();\n]")
# A call's text longer than this is not read to its end: the file may leak (a minified line).
_MAX_CALL_TEXT = 4000
# Words every credential name holds (`is_credential_name`, `SPECIFIC_CREDENTIAL_WORDS`).
_CREDENTIAL_TEXT = compiled_on_use(r"token|secret|authori[sz]ation|bearer|api[-_]?key|jwt|auth[-_]?header")
_WIRE_TEXT = compiled_on_use(r"\.(?:text|content|body|headers|json\(\))")
# `_MINTS` in lower-cased text, one pattern per verb (each starts with its literal).
_MINT_TEXT = tuple(compiled_on_use(verb + _MINTED) for verb in _MINT_VERBS)
_ASSIGNED_TEXT = compiled_on_use(r"[ \t]*([\w.]+)[ \t]*(?::[^=\n]*)?=(?!=)")
# How far above a URL with `token=` or a minting call its assignment may start.
_ASSIGNMENT_LINES = 12


def _may_write_credential(lower: str) -> bool:
    """Whether a file's lower-cased text may hold a leak `LogExtractor` reports: a sink call
    whose text holds a credential word, a name assigned a carrier (see `_carrier_names`), or,
    in a file that requests tokens, a response or request body."""
    carriers = _carrier_names(lower)
    wire = _WIRE_TEXT() if any(word in lower for word in _TOKEN_REQUEST_WORDS) else None
    credential = _CREDENTIAL_TEXT()
    call_text = _CALL_TEXT()
    for sinks in _SINK_CALLS:
        for sink in sinks().finditer(lower):
            start = sink.end()
            depth = 1 if lower[start - 1] == "(" else 0
            limit = min(len(lower), start + _MAX_CALL_TEXT)
            end = -1
            for part in call_text.finditer(lower, start, limit):
                text = part.group()
                if text == "(":
                    depth += 1
                elif text == ")":
                    depth -= 1
                    if depth <= 0:
                        end = part.end()
                        break
                elif depth <= 0:  # a line's end or `;` outside any bracket
                    end = part.start()
                    break
            if end < 0:
                if limit < len(lower):
                    return True  # not closed within reach: cannot be told from the text
                end = limit
            if credential.search(lower, start, end) or (
                    wire is not None and wire.search(lower, start, end)) or (
                    carriers and not carriers.isdisjoint(_WORDS.findall(lower, start, end))):
                return True
    return False


def _carrier_names(lower: str) -> set[str]:
    """The last parts of the names assigned where a URL with `token=` or a minting call is
    written (the assignment may start a few lines above): what `carried_by` may find."""
    spots = [found.start() for found in re.finditer("token=", lower)]
    for mint in _MINT_TEXT:
        spots.extend(found.start() for found in mint().finditer(lower))
    names: set[str] = set()
    assigned = _ASSIGNED_TEXT()
    for at in spots:
        line = lower.rfind("\n", 0, at) + 1
        for _ in range(_ASSIGNMENT_LINES):
            found = assigned.match(lower, line)
            if found is not None:
                names.add(found.group(1).rsplit(".", 1)[-1])
                break
            if line == 0:
                break
            line = lower.rfind("\n", 0, line - 1) + 1
    return names

@dataclass(frozen=True)
class LoggedCredential(Fact):
    """A credential passed whole to a log call (`sink` "log") or into an exception message
    ("raise"). Generic names (`token`, `secret`) are facts only in files that talk OAuth or
    HTTP auth: lexers and the `secrets` module use them too."""

    sink: str
    call: str  # `logger.info`, `print`, `console.log`; for a raise, the exception class
    name: str  # the expression that leaks, as written
    wire: bool = False  # a token request's body/headers or a token response, not a named value
    # Holds a credential by where it came from, not by its name: a URL built with `?token=`,
    # the result of a call that mints a code or token (`grant = create_authorization_code(r)`).
    inferred: bool = False
    # Printed by a command that prompts the person at the terminal (`input()`): shown to the
    # one who authorised it, to be passed back (`--token`), rather than logged.
    shown: bool = False


class LogExtractor(Extractor):
    name = "oauth-logs"
    produces = (LoggedCredential,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("token", "secret", "authorization"), requires=(_COUNTING_WORDS, _SINK_WORDS),
                vendored=False, bundles=False, text_test=_may_write_credential)

    def extract(self, document: Document) -> Iterator[LoggedCredential]:
        index = code_index(document)
        if index is None:
            return
        generic_ok = document.has_any(TALKS_AUTH_WORDS)
        names = _Names(document, index)
        error_paths: dict[int, list[tuple[int, int]]] = {}
        for call, scope, _ in index.calls:
            logger = _log_call(document, call)
            if logger is not None and not names.in_development(scope, call.start):
                arguments = _message_arguments(call, names)
                leak = _first_leak(document, arguments, "log", logger, generic_ok, names, scope)
                if leak is None and scope_has(document, index, scope, _TOKEN_REQUEST) and \
                        not _on_error_path(index, scope, call, error_paths):
                    leak = _wire_leak(document, arguments, logger)
                    if leak is not None and names.lacks_credential(leak.name, scope, call.start):
                        leak = None  # `if "access_token" not in doc:` logs an error answer
                if leak is not None and logger in _SHOWN and \
                        scope_has(document, index, scope, _PROMPT()):
                    # An interactive command shows the person at the terminal their token.
                    leak = dataclasses.replace(leak, shown=True)
                if leak is not None:
                    yield leak
        quiet = _quiet_exceptions(index)
        for statement, scope in index.raises:
            if isinstance(statement.value, ir.Call) and \
                    statement.value.method not in _THROWN_RESPONSES:
                created = statement.value
                ignored = quiet.get(created.method, frozenset())
                arguments = (*(arg for position, arg in enumerate(created.args)
                               if position not in ignored),
                             *(value for key, value in created.kwargs if key not in ignored))
                leak = _first_leak(document, arguments, "raise", created.method, generic_ok,
                                   names, scope)
                if leak is not None:
                    yield leak


class _Names:
    """What the file's assignments say about names, worked out on first need: file names and
    paths, names that only ever hold a flag, a number or an id, and URLs built with a token."""

    def __init__(self, document: Document, index: CodeIndex) -> None:
        self.document = document
        self.index = index
        self._files: frozenset[str] | None = None
        self._plain: frozenset[tuple[int, str]] | None = None
        self._carriers: dict[tuple[int, str], str] | None = None
        self._absent: dict[int, list[tuple[int, int, str]]] = {}
        self._development: dict[int, list[tuple[int, int]]] = {}
        self._mismatched: dict[int, list[tuple[int, int, str]]] = {}
        self._ids: frozenset[tuple[str, str]] | None = None
        self._nonces: frozenset[str] | None = None
        self._counted: frozenset[str] | None = None

    @property
    def files(self) -> frozenset[str]:
        if self._files is None:
            self._files = _file_names(self.index)
        return self._files

    def plain(self, name: str, scope: int) -> bool:
        """A credential-named value the file only ever sets to a flag, a number or an id, or
        declares as a WWW-Authenticate challenge (`self.manual_token = data.get(KEY, False)`),
        or one it compares by size or does arithmetic with (`estimated_tokens > limit`)."""
        if self._plain is None:
            self._plain = _plain_names(self.document, self.index)
        return (_name_scope(name, scope), name) in self._plain or self.counted(name)

    def counted(self, name: str) -> bool:
        """The file orders the name's value by size or does arithmetic with it somewhere
        (`if used_tokens >= limit`, `total_tokens / 4`): a count, never a credential."""
        if self._counted is None:
            self._counted = _counted_names(self.index)
        return name.rsplit(".", 1)[-1] in self._counted

    def carried_by(self, name: str, scope: int) -> str | None:
        """How a name holds a credential whatever it is called: assigned a URL that carries a
        token (`url = f"{base}?token={self._token}"`), or what a call minting a code or token
        returns, whole or in a dict (`grant = {"code": generate_token()}`)."""
        if self._carriers is None:
            self._carriers = {}
            text = self.document.lower
            if "token=" not in text and _MINTS.search(text) is None:
                return None  # no URL with a token, no minting call: nothing to look for
            for statement, assigned_in, _ in self.index.assigns:
                source = _carried_credential(statement.value)
                if source is not None:
                    for target in statement.targets:
                        dotted = ir.dotted(target)
                        if dotted:
                            self._carriers[(_name_scope(dotted, assigned_in), dotted)] = source
        return self._carriers.get((_name_scope(name, scope), name))


    def lacks_credential(self, name: str, scope: int, at: int) -> bool:
        """Code at `at` runs only when the value `name` lacks a credential key: the body of
        `if "oauth_token" not in token:` or the `else` of `if "oauth_token" in token:`; or only
        when the response it was parsed from failed (`if (!response.ok)`: an error answer)."""
        spans = self._absent.get(scope)
        if spans is None:
            function = self.index.functions[scope]
            body = function.body if function is not None else self.index.module.body
            spans = self._absent[scope] = [*_absent_spans(body), *_failed_spans(body)]
        return any(start <= at < end and (name == value or name in self._parsed_from(value, scope)
                                          or value in self._parsed_from(name, scope))
                   for start, end, value in spans)

    def lexical(self, name: str, scope: int) -> bool:
        """A bare `token` that is no credential: a parser's or lexer's token (a parameter of a
        method of a `...Parser`/`...Lexer`/`...Tokenizer` class, or of a function that takes
        the `parser` too: Django's template tags), or the code of a coupon, voucher or referral
        (`coupon.token`)."""
        if not is_generic_credential(name):
            return False
        owner = name.rpartition(".")[0]
        if owner and _words(owner)[-1:] and _words(owner)[-1] in _CODE_OWNERS:
            return True
        function = self.index.functions[scope]
        if function is None or name.partition(".")[0] not in {p.name for p in function.params}:
            return False
        return "parser" in {p.name for p in function.params} or (
            function.cls is not None and _LEXICAL_CLASS().search(function.cls) is not None)

    def in_development(self, scope: int, at: int) -> bool:
        """Code at `at` runs only in development (`_development_spans`)."""
        spans = self._development.get(scope)
        if spans is None:
            function = self.index.functions[scope]
            body = function.body if function is not None else self.index.module.body
            spans = self._development[scope] = list(_development_spans(body))
        return any(start <= at < end for start, end in spans)

    def _parsed_from(self, value: str, scope: int) -> set[str]:
        """The response a value was parsed from and its raw body (`doc = result.json()`:
        `result`, `result.content`, `result.text`): what lacks the key lacks it raw too."""
        found: set[str] = set()
        for statement, assigned_in, _ in self.index.assigns:
            call = statement.value
            if assigned_in != scope or not isinstance(call, ir.Call) or call.method != "json" \
                    or call.receiver is None or call.args:
                continue
            source = ir.dotted(call.receiver)
            if source and any(ir.dotted(target) == value for target in statement.targets):
                found.update({source, f"{source}.content", f"{source}.text"})
        return found

    def of_no_known_type(self, name: str, scope: int, at: int) -> bool:
        """Code at `at` runs only when `name` matched none of the types it was tested for: the
        `else` of `for kind in kinds: if isinstance(token, kind): break`, or of an
        `if isinstance(...)`/`elif isinstance(...)` chain on it. A programming-error guard: the
        object is none of the credentials the code knows."""
        spans = self._mismatched.get(scope)
        if spans is None:
            function = self.index.functions[scope]
            body = function.body if function is not None else self.index.module.body
            spans = self._mismatched[scope] = list(_no_known_type_spans(body))
        return any(start <= at < end and (name == value or name.startswith((f"{value}.", f"{value}[")))
                   for start, end, value in spans)

    def labelled_id(self, label: str, value: ir.Expr) -> bool:
        """A value logged under a key or keyword that says it is an id or a nonce
        (`"superuser_token_id": token`), or under the key the file logs that same value as an
        id elsewhere (`"superuser_token": self.token` where it logs `"superuser_token_id": token`)."""
        if _says_id(label):
            return True
        if self._ids is None:
            self._ids = frozenset(_id_labelled_values(self.document, self.index))
        word = _last_word(value)
        return word is not None and (normal(label), word) in self._ids

    def public_nonce(self, name: str) -> bool:
        """A webhook payload's own nonce, not a credential of ours: a value the file signs as
        part of an HMAC message together with a timestamp (`msg=f"{timestamp}{token}"`: sent in
        the clear with its signature), or a protocol's handshake nonce (Amazon SNS's `Token` of a
        SubscriptionConfirmation)."""
        if self._nonces is None:
            self._nonces = frozenset(_signed_nonces(self.index)) | (
                _SNS_NONCE if "subscriptionconfirmation" in self.document.lower else frozenset())
        words = _WORDS.findall(name)
        return bool(words) and words[-1] in self._nonces


_WORDS = re.compile(r"\w+")
# Records whose `token` is a code a customer types or a link carries, not a credential.
_CODE_OWNERS = frozenset({"coupon", "coupons", "promo", "promotion", "discount", "voucher",
                          "giftcard", "gift", "referral"})
_LEXICAL_CLASS = compiled_on_use(r"(?i)(?:parser|lexer|tokenizer|scanner)\w*$")


def _words(name: str) -> list[str]:
    """Lower-case words of a dotted or camel-case name: `rewardful.couponCode` -> `rewardful`,
    `coupon`, `code`."""
    return [w.lower() for w in _WORD_PARTS().findall(name)]
_WORD_PARTS = compiled_on_use(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# The last word of a key that says its value is an identifier, not a secret.
_ID_WORDS = frozenset({"id", "ids", "uuid", "nonce", "jti"})
_ID_SUFFIX = compiled_on_use(r"[\W_]*(?:ids?|uuid|nonce|jti)\Z", re.IGNORECASE)
# Amazon SNS sends a one-time `Token` in every SubscriptionConfirmation to the subscribed URL.
_SNS_NONCE = frozenset({"Token"})
_TIMESTAMP = compiled_on_use(r"(?:^|_)(?:timestamp|ts|time)(?:$|_)|timestamp", re.IGNORECASE)


# Operators no string takes: ordering by size, and arithmetic other than `+`, `*` and `%`.
_ORDERING = frozenset({"<", "<=", ">", ">="})
_ARITHMETIC = frozenset({"/", "//", "-", "**"})


def _counted_names(index: CodeIndex) -> frozenset[str]:
    """The last parts of the names the module orders or does arithmetic with: counts."""
    found: set[str] = set()
    bodies = [index.module.body, *(f.body for f in index.functions if f is not None)]
    while bodies:
        for statement in ir.walk_statements(bodies.pop()):
            if isinstance(statement, ir.ClassDef):
                bodies.append(statement.cls.body)
            if isinstance(statement, ir.FunctionDef):
                continue  # its body is walked as a scope of its own
            for expr in ir.statement_exprs(statement):
                for node in ir.walk_expr(expr):
                    if (isinstance(node, ir.Compare) and node.op in _ORDERING) or (
                            isinstance(node, ir.BinOp) and node.op in _ARITHMETIC):
                        for side in (node.left, node.right):
                            if isinstance(side, (ir.Name, ir.Attr)):
                                found.add((ir.dotted(side) or "").rsplit(".", 1)[-1])
    return frozenset(found)


def _says_id(label: str) -> bool:
    parts = _WORD_PARTS().findall(label)
    return bool(parts) and parts[-1].lower() in _ID_WORDS


def _last_word(value: ir.Expr) -> str | None:
    """The identifier that names a value: `su.token` -> `token`, `data["tok"]` -> `tok`."""
    if isinstance(value, ir.Name):
        return value.name.rsplit(".", 1)[-1]
    if isinstance(value, ir.Attr):
        return value.attr
    if isinstance(value, ir.Index):
        return ir.string_value(value.key)
    return None


def _logged_labels(document: Document, index: CodeIndex) -> Iterator[tuple[str, ir.Expr]]:
    """(key or keyword, value) of what the file's log calls write under a label: their keyword
    arguments and the items of the dicts among their arguments (`extra={...}`)."""
    for site in index.calls:
        if _log_call(document, site.call) is None:
            continue
        yield from site.call.kwargs
        for argument in (*site.call.args, *(value for _, value in site.call.kwargs)):
            if isinstance(argument, ir.Dict):
                yield from ((label, value) for key, value in argument.items
                            if (label := ir.key_text(key)) is not None)


def _id_labelled_values(document: Document, index: CodeIndex) -> Iterator[tuple[str, str]]:
    """(the label without its id word, the value's name) of credential-named values the file
    logs as ids: `extra={"superuser_token_id": token}` gives ("superusertoken", "token")."""
    for label, value in _logged_labels(document, index):
        word = _last_word(value)
        if word is not None and _says_id(label) and is_credential_name(word):
            yield normal(_ID_SUFFIX().sub("", label)), word


def _signed_nonces(index: CodeIndex) -> Iterator[str]:
    """Credential-named values put into an HMAC message next to a timestamp: `hmac.new(key,
    f"{timestamp}{token}".encode(), sha256)`, `createHmac(alg, key).update(ts + token)`."""
    values: dict[tuple[int, str], list[ir.Expr]] = {}
    for site in index.calls:
        message = _hmac_message(site.call)
        if message is None:
            continue
        if not values:
            for statement, scope, _ in index.assigns:
                for name, _target in assigned_names(statement):
                    if statement.value is not None:
                        values.setdefault((scope, name), []).append(statement.value)
        nodes = list(ir.walk_expr(message))
        for node in list(nodes):  # a message built just before: `msg = f"{ts}.{token}"`
            if isinstance(node, ir.Name):
                for value in values.get((site.scope, node.name), ()):
                    nodes.extend(ir.walk_expr(value))
        words = {word for node in nodes for word in [_last_word(node)] if word}
        if any(_TIMESTAMP().search(word) for word in words):
            yield from (word for word in words if is_credential_name(word))


def _hmac_message(call: ir.Call) -> ir.Expr | None:
    """The message an HMAC is computed over, or None when the call computes none."""
    receiver = call.receiver
    if call.method in {"new", "HMAC", "digest"} and (ir.dotted(receiver) or "").endswith("hmac"):
        return call.arg(1, "msg")
    if call.method == "update" and isinstance(receiver, ir.Call) and receiver.method == "createHmac":
        return call.arg(0)
    return None


def _no_known_type_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of code that runs only when `name` failed every isinstance test."""
    for statement in ir.walk_statements(body):
        if isinstance(statement, ir.Loop) and statement.orelse:
            for inner in ir.walk_statements(statement.body):
                if not isinstance(inner, ir.If):
                    continue
                tested = _isinstance_of(inner.test)
                if tested and any(isinstance(s, ir.Jump) and s.kind == "break"
                                  for s in ir.walk_statements(inner.body)):
                    yield statement.orelse[0].start, statement.orelse[-1].end, tested
        elif isinstance(statement, ir.If):
            tested = _isinstance_of(statement.test)
            branch: ir.If = statement
            while tested and len(branch.orelse) == 1 and isinstance(branch.orelse[0], ir.If):
                branch = branch.orelse[0]
                tested = tested if _isinstance_of(branch.test) == tested else None
            if tested and branch.orelse:
                yield branch.orelse[0].start, branch.orelse[-1].end, tested


def _isinstance_of(test: ir.Expr) -> str | None:
    """`token` of `isinstance(token, Kind)`, None for any other test."""
    if isinstance(test, ir.Call) and test.callee == "isinstance" and test.args:
        return ir.dotted(test.args[0])
    return None


def _absent_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int, str]]:
    """Blocks that run only when a value lacks a credential key: `if "access_token" not in doc:`
    (also `if not isinstance(doc, dict) or "access_token" not in doc:`), or the else of `in`."""
    return _branch_spans(body, _lacks_key)


def _failed_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int, str]]:
    """Blocks that run only when an HTTP response failed: `if (!response.ok)`, `if not resp.ok:`,
    `if resp.status_code != 200:` (or `>= 400`), or the else of `if resp.ok:`. What the
    response's body says there is the server's error answer, which holds no credential."""
    return _branch_spans(body, _failed_response)


def _branch_spans(body: tuple[ir.Stmt, ...],
                  reads: Callable[[ir.Expr], tuple[str, bool] | None]) -> Iterator[tuple[int, int, str]]:
    """(start, end, value) of the branch of each `if` whose test `reads` a value of: its body
    when `reads` says True, its else when False."""
    for statement in ir.walk_statements(body):
        if not isinstance(statement, ir.If):
            continue
        found = reads(statement.test)
        if found is None:
            continue
        value, in_body = found
        branch = statement.body if in_body else statement.orelse
        if branch:
            yield branch[0].start, branch[-1].end, value


def _failed_response(test: ir.Expr) -> tuple[str, bool] | None:
    """(response, True) when `test` holds only if the response failed, (response, False) when
    only if it succeeded."""
    negated = False
    while isinstance(test, ir.Not):
        negated, test = not negated, test.operand
    if isinstance(test, ir.Name) and test.name.endswith(".ok"):
        return test.name[:-3], negated
    if isinstance(test, ir.Compare) and isinstance(test.left, ir.Name) \
            and test.left.name.endswith((".status", ".status_code")) \
            and isinstance(test.right, ir.Num) and test.right.text.isdigit():
        response, status = test.left.name.rpartition(".")[0], int(test.right.text)
        if test.op in ("!=", "==") and 200 <= status < 300:
            return response, (test.op == "!=") != negated
        if test.op in (">=", ">") and 299 <= status < 600:
            return response, not negated
    return None


def _development_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int]]:
    """Blocks that run only in development: `if (process.env.NODE_ENV === "development")`,
    `if settings.DEBUG:`, `if app.debug:` (what a deployment never runs)."""
    for statement in ir.walk_statements(body):
        if isinstance(statement, ir.If) and statement.body and _in_development(statement.test):
            yield statement.body[0].start, statement.body[-1].end


def _in_development(test: ir.Expr) -> bool:
    if isinstance(test, ir.BoolOp) and test.op == "and":
        return any(_in_development(value) for value in test.values)
    if isinstance(test, ir.Name):
        return test.name.rpartition(".")[2] in ("DEBUG", "debug")
    if isinstance(test, ir.Compare) and test.op == "==":
        name = ir.dotted(test.left) or ""
        value = ir.string_value(test.right)
        return name.rpartition(".")[2] in ("NODE_ENV", "ENV", "ENVIRONMENT", "APP_ENV") \
            and value in ("development", "dev", "local")
    return False


def _lacks_key(test: ir.Expr) -> tuple[str, bool] | None:
    """(value, True) when `test` holds only if the value lacks a credential key, (value, False)
    when only if it has one; `not isinstance(value, ...)` beside a lacking test lacks it too."""
    parts = test.values if isinstance(test, ir.BoolOp) and test.op == "or" else (test,)
    lacking: str | None = None
    for part in parts:
        if isinstance(part, ir.Compare) and part.op in {"in", "not in"}:
            key, value = ir.string_value(part.left), ir.dotted(part.right)
            if key is None or value is None or not is_credential_name(key):
                return None
            if len(parts) == 1:
                return value, part.op == "not in"
            if part.op != "not in":
                return None
            lacking = value
    if lacking is None:
        return None
    others = [part for part in parts if not isinstance(part, ir.Compare)]
    if all(isinstance(part, ir.Not) and isinstance(part.operand, ir.Call)
           and part.operand.callee == "isinstance" and part.operand.args
           and ir.dotted(part.operand.args[0]) == lacking for part in others):
        return lacking, True
    return None


# A call that mints a code or token: `generate_token()`, `create_authorization_code(request)`,
# not `secrets.token_hex()`, as often a request id or a file name.
_MINTS = re.compile(f"(?:{'|'.join(_MINT_VERBS)}){_MINTED}s?", re.IGNORECASE)


def _carried_credential(value: ir.Expr | None) -> str | None:
    """What makes a value hold a credential whatever its name, as shown in messages, or None."""
    if isinstance(value, ir.Str) and value.parts and any(interpolated_tokens(value.value)):
        return "a URL with ?token="
    calls = [value] if isinstance(value, ir.Call) else [
        item for _, item in value.items if isinstance(item, ir.Call)] \
        if isinstance(value, ir.Dict) else []
    for call in calls:
        if _MINTS.fullmatch(call.method):
            return f"from {call.method}()"
    return None


def _name_scope(name: str, scope: int) -> int:
    """Attributes (`self.token`) are the same name all over the file; plain names per function."""
    return -1 if "." in name else scope


def _first_leak(document: Document, arguments: tuple[ir.Expr, ...], sink: str, call: str,
                generic_ok: bool, names: _Names, scope: int) -> LoggedCredential | None:
    for argument in arguments:
        # An exception's dict maps field names to errors: there the key is not the value.
        name = leaked_name(document, argument, dict_keys=sink == "log")
        if name and name.rsplit(".", 1)[-1] not in names.files and \
                (generic_ok or _specific(name)) and not names.plain(name, scope) and \
                not names.lexical(name, scope) and \
                not names.lacks_credential(name, scope, argument.start) and \
                not names.public_nonce(name) and \
                not (sink == "raise" and names.of_no_known_type(name, scope, argument.start)):
            return LoggedCredential(document.node_span(argument), sink, call, name)
        written = ir.dotted(argument) if isinstance(argument, (ir.Name, ir.Attr)) else None
        if sink == "log" and written:
            source = names.carried_by(written, scope)
            if source is not None:
                return LoggedCredential(document.node_span(argument), sink, call,
                                        f"{written} ({source})", inferred=True)
    return None


# Words before a placeholder that say it is filled with a file, a path or an id, not a secret.
_PLAIN_PLACEHOLDER = compiled_on_use(r"(?:files?|filenames?|paths?|director(?:y|ies)|folders?|\bids?"
                                     r"|nonces?|uuids?)\W*\Z", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrifx]|\{\}")


def _message_arguments(call: ir.Call, names: _Names) -> tuple[ir.Expr, ...]:
    """A log call's arguments that can reach the message; those its format string says are
    file names or ids (`"duplicated in files %s and %s"`, `"token id %s"`) and values under a
    keyword or dict key that says id (`extra={"token_id": token}`) are left out."""
    keywords = tuple(_unlabelled(value, names) for key, value in call.kwargs
                     if key not in _NOT_MESSAGE and not names.labelled_id(key, value))
    arguments = (*(_unlabelled(argument, names) for argument in call.args), *keywords)
    template = ir.string_value(call.args[0]) if call.args else None
    if not template or len(call.args) < 2:
        return arguments
    pieces = _PLACEHOLDER.split(template)[:-1]  # the text before each placeholder
    plain = {position + 1 for position, before in enumerate(pieces)
             if _PLAIN_PLACEHOLDER().search(before)}
    # `%d`, `%i`, `%f`: the placeholder takes a number, never a credential.
    plain.update(position + 1 for position, spec in enumerate(_PLACEHOLDER.findall(template))
                 if spec[-1] in "dif")
    return tuple(argument for position, argument in enumerate(arguments) if position not in plain)


def _unlabelled(argument: ir.Expr, names: _Names) -> ir.Expr:
    """A logged dict without the items its keys say are ids or nonces, nested dicts too."""
    if not isinstance(argument, ir.Dict):
        return argument
    kept = tuple((key, _unlabelled(value, names)) for key, value in argument.items
                 if not _plain_item(ir.key_text(key), value, names))
    return dataclasses.replace(argument, items=kept)


def _plain_item(label: str | None, value: ir.Expr, names: _Names) -> bool:
    """A dict item that holds an id or a payload's nonce by its key or by its value's name, or
    a value the file counts with (`"original_tokens": estimated_tokens`)."""
    if label is None:
        return False
    word = _last_word(value)
    return names.labelled_id(label, value) or names.public_nonce(label) or (
        word is not None and (names.public_nonce(word) or names.counted(word)))


_PLAIN_TYPES = frozenset({"bool", "int", "float", "None", "Optional"})
# A declared type for a WWW-Authenticate challenge (what a server asks for, never a credential).
_CHALLENGE_TYPE = re.compile(r"authenticate|challenge", re.IGNORECASE)


def _plain_names(document: Document, index: CodeIndex) -> frozenset[tuple[int, str]]:
    """(scope, name) of credential-named targets whose declared type or every value says they
    hold no credential: a flag, a number, an id (`token = self.id`), a challenge."""
    evidence: dict[tuple[int, str], set[str]] = {}
    declared: dict[tuple[int, str], set[bool]] = {}
    for statement, scope, _ in index.assigns:
        for target in statement.targets:
            name = ir.dotted(target)
            if not name or not is_credential_name(name.rsplit(".", 1)[-1]):
                continue
            key = (_name_scope(name, scope), name)
            if statement.annotation is not None:
                words = set(re.findall(r"\w+", document.source(statement.annotation)))
                declared.setdefault(key, set()).add(
                    words <= _PLAIN_TYPES or any(_CHALLENGE_TYPE.search(word) for word in words))
            kind = _value_kind(statement.value)
            if kind:
                evidence.setdefault(key, set()).add(kind)
    plain = {key for key, kinds in evidence.items() if kinds == {"plain"}}
    # A declaration is the contract of typed code: it decides over the values assigned.
    plain.difference_update(key for key, verdicts in declared.items() if False in verdicts)
    plain.update(key for key, verdicts in declared.items() if verdicts == {True})
    return frozenset(plain)


def _value_kind(value: ir.Expr | None) -> str | None:
    """"plain" for a flag, number or id; None for no evidence (`None`); else "value"."""
    if value is None or (isinstance(value, ir.Const) and (value.value is None or value.undefined)):
        return None
    if isinstance(value, (ir.Const, ir.Num, ir.Compare, ir.Not)):
        return "plain"
    if isinstance(value, ir.Call):
        if value.callee in {"bool", "int", "float", "len"}:
            return "plain"
        if value.method == "get" and len(value.args) == 2 and isinstance(value.args[1], ir.Const) \
                and value.args[1].value is not None:
            return "plain"  # `entry.get(CONF_MANUAL_TOKEN, False)`: a flag's default
    name = ir.dotted(value) if isinstance(value, (ir.Name, ir.Attr)) else None
    if name is not None and re.search(r"(?:^|[._])id\Z", name, re.IGNORECASE):
        return "plain"  # `token = self.id`: an object's id
    return "value"


def _wire_leak(document: Document, arguments: tuple[ir.Expr, ...],
               logger: str) -> LoggedCredential | None:
    """A token request's body or headers (`r.request.body`) or a response's content (`r.text`,
    `r.json()`) logged in a function that requests tokens."""
    for argument in arguments:
        # The value itself or interpolated whole (`f"body {r.request.body}"`), not one field of it.
        for node in (argument, *(argument.parts if isinstance(argument, ir.Str) else ())):
            if _is_wire(node):
                return LoggedCredential(document.node_span(argument), "log", logger,
                                        document.source(node), wire=True)
    return None


def _on_error_path(index: CodeIndex, scope: int, call: ir.Call,
                   memo: dict[int, list[tuple[int, int]]]) -> bool:
    """Whether a call runs only when the request failed: in an `except` handler or under a
    status check (`if resp.status_code >= 300:`, `if not r.ok:`). An error response holds
    no token."""
    spans = memo.get(scope)
    if spans is None:
        function = index.functions[scope]
        body = function.body if function is not None else index.module.body
        spans = memo[scope] = list(_error_spans(body))
    return any(start <= call.start < end for start, end in spans)


def _error_spans(body: tuple[ir.Stmt, ...]) -> Iterator[tuple[int, int]]:
    for statement in ir.walk_statements(body):
        if isinstance(statement, ir.Try):
            yield from ((handler.start, handler.end) for handler in statement.handlers)
        elif isinstance(statement, ir.If) and statement.body and _STATUS_CHECK().search(
                _expr_names(statement.test)):
            yield statement.body[0].start, statement.body[-1].end


def _expr_names(expr: ir.Expr) -> str:
    return " ".join(node.name if isinstance(node, ir.Name) else node.attr
                    for node in ir.walk_expr(expr) if isinstance(node, (ir.Name, ir.Attr)))


def _is_wire(node: ir.Expr) -> bool:
    """`r.text`, `resp.content`, `r.request.body`, `r.request.headers`, `resp.json()`."""
    chain = ir.dotted(node) if isinstance(node, ir.Name) else \
        f"{ir.dotted(node.obj) or '()'}.{node.attr}" if isinstance(node, ir.Attr) else None
    if chain is not None:
        parts = chain.split(".")
        return (len(parts) >= 2 and parts[-1] in {"text", "content"}) or (
            len(parts) >= 3 and parts[-2] == "request" and parts[-1] in {"body", "headers"})
    return isinstance(node, ir.Call) and node.method == "json" and not node.args and \
        isinstance(node.receiver, ir.Name)


def _file_names(index: CodeIndex) -> frozenset[str]:
    """Names assigned a file name or a path (`TOKEN_FILE = "token.json"`, `os.path.join(...)`)."""
    found: set[str] = set()
    for statement, _, _ in index.assigns:
        value = statement.value
        if value is None:
            continue
        text = ir.string_value(value)
        if (text is not None and _FILE_LITERAL().search(text.strip())) or (
                isinstance(value, ir.Call) and value.method in _PATH_CALLS) or (
                isinstance(value, ir.BinOp) and value.op == "/" and not isinstance(value.left, ir.Num)):
            found.update(name for name, _ in assigned_names(statement))
    return frozenset(found)


# Responses a framework lets a handler throw or raise (Remix/React Router `throw redirect(url)`,
# Pyramid's `raise HTTPFound(location=url)`): a 3xx to the browser, no message that is logged.
_THROWN_RESPONSES = frozenset({
    "redirect", "redirectDocument", "replace", "HTTPFound", "HTTPSeeOther",
    "HTTPTemporaryRedirect", "HTTPMovedPermanently", "HTTPPermanentRedirect", "RedirectResponse",
    "HttpResponseRedirect", "HttpResponsePermanentRedirect"})


def _quiet_exceptions(index: CodeIndex) -> dict[str, frozenset[int | str]]:
    """Exception classes of the module whose `__init__` keeps some arguments out of the message
    (`self.token = token`, then a fixed message): class name -> the positions and keywords of
    the arguments it ignores."""
    quiet: dict[str, frozenset[int | str]] = {}
    for statement in index.module.body:
        if not isinstance(statement, ir.ClassDef):
            continue
        methods = {method.name: method for method in statement.cls.methods()}
        init = methods.get("__init__")
        if init is None or "__str__" in methods or "__repr__" in methods:
            continue
        ignored = _ignored_params(init)
        if ignored:
            params = [p.name for p in init.params[1:] if p.kind == "normal"]
            quiet[statement.cls.name] = frozenset(
                {*ignored, *(position for position, name in enumerate(params) if name in ignored)})
    return quiet


def _ignored_params(init: ir.Function) -> set[str]:
    """The parameters an `__init__` only stores as attributes (never in its message)."""
    used: set[str] = set()
    for statement in ir.walk_statements(init.body):
        if isinstance(statement, ir.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.value, ir.Name) and \
                (ir.dotted(statement.targets[0]) or "").startswith("self."):
            continue  # `self.token = token`: kept for the caller, not shown
        used.update(node.name.split(".", 1)[0] for expr in ir.statement_exprs(statement)
                    for node in ir.walk_expr(expr) if isinstance(node, ir.Name))
    return {param.name for param in init.params[1:]
            if param.kind == "normal" and param.name not in used}


def _specific(name: str) -> bool:
    """A credential name that counts even where the file does not talk auth."""
    lowered = name.lower()
    return not is_generic_credential(name) and any(word in lowered for word in _COUNTING_WORDS)


# Writes to the terminal (not to a log), and the prompts that say a person sits at it: a
# command that asks for input and prints the token it obtained (for `--token` next time).
_SHOWN = frozenset({"print", "pprint", "click.echo", "typer.echo"})
_PROMPT = compiled_on_use(r"(?<![\w.])(?:input|getpass(?:\.getpass)?|(?:click|typer)\.prompt)\(")


def _log_call(document: Document, call: ir.Call) -> str | None:
    """How a call that writes out its arguments is shown (`log.info`, `print`), or None."""
    if call.new:
        return None
    method = call.method
    receiver = receiver_text(document, call)
    if not receiver:
        return method if method in {"print", "pprint"} else None
    if (method in _LOG_METHODS or method == "print") and (
            _LOG_RECEIVER.search(receiver) or "getLogger" in receiver):
        return f"{short(receiver, 30)}.{method}"
    if (method == "echo" and receiver in {"click", "typer"}) or (
            method == "write" and receiver.endswith(("stdout", "stderr"))):
        return callee_text(document, call)
    return None
