"""Where credentials sit on a line: credential-named keys, their literal values, Bearer headers.

Standard library only, so the prefilter path never pays for importing detect-secrets."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from scanner.lazy import compiled_on_use

# How values are written in a file: code only counts quoted literals (an unquoted right-hand
# side is an identifier or an expression); config and shell also count bare values.
QUOTED = "quoted"
LOOSE = "loose"

# The kind of credential a key names, from its normalized last segment (see `classify_key`).
CLIENT_SECRET = "client secret"
ACCESS_TOKEN = "access token"
REFRESH_TOKEN = "refresh token"
PASSWORD = "password"
GENERIC_SECRET = "secret"
SECRET_KEY = "secret key"
API_KEY = "API key"
ENV_CREDENTIAL = "credential"

_CLIENT_SECRET_ENDS = ("clientsecret", "consumersecret", "appsecret", "applicationsecret",
                       "oauthsecret")
_TOKEN_SECRET_ENDS = ("tokensecret", "accesssecret")
# Tokens that are not credentials: pagination cursors, CSRF values, tokenizer vocabulary.
# (`client_token` stays a credential: it is Vault's token; AWS idempotency ClientTokens are UUIDs.)
_NOT_CREDENTIAL_TOKENS = ("csrftoken", "xsrftoken", "synctoken", "canceltoken", "resumetoken",
                          "cursortoken", "devicetoken", "pushtoken", "eostoken", "bostoken",
                          "padtoken", "unktoken", "septoken", "clstoken", "masktoken", "maxtoken",
                          "starttoken", "endtoken", "changetoken", "outputtoken",
                          "inputtoken", "publickeytoken", "verificationtoken", "registrationtoken")
# Words before `token` that make it a cursor, an idempotency key or a public value.
_NOT_CREDENTIAL_TOKEN_WORDS = ("page", "next", "continuation", "pagination", "starting", "forward",
                               "backward", "cancellation", "idempotency", "update", "product",
                               "confirmation", "workunit", "tokenizer")
_SECRET_KEY_ENDS = ("secretkey", "privatekey", "accesskey", "authkey", "signingkey",
                    "encryptionkey", "masterkey", "hmackey", "serviceaccountkey")
_PASSWORD_ENDS = ("password", "passwd", "pwd", "passphrase")
# .env files: any *_KEY is an API key unless it is one of these public or structural keys.
_PUBLIC_KEY_ENDS = ("publickey", "publishablekey", "pubkey", "sitekey", "primarykey",
                    "partitionkey", "sortkey", "cachekey", "foreignkey", "idempotencykey",
                    "hashkey", "rangekey", "licensekey", "keyid")
PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "NUXT_PUBLIC_", "EXPO_PUBLIC_",
                    "GATSBY_", "VUE_APP_", "PUBLIC_")
_PUBLIC_SECRET_WORDS = ("SECRET", "PASSWORD", "PASSWD", "PRIVATE_KEY", "REFRESH_TOKEN")

_CONSTANT_KEY = re.compile(r"[A-Z][A-Z0-9_]*_(?:KEY|PAT)")

ENV_EXAMPLE_WORDS = ("example", "sample", "template", "dist", "default", "tpl", "schema",
                     "skeleton")

# Lower-case words that end every credential-named key (`pass` covers password/passwd/passphrase).
KEY_WORDS = ("secret", "token", "pass", "pwd", "key", "credential", "_pat")
_KEY_CHARS = "_$.-@"
_QUOTE = re.compile("[\"'`]")
# Calls whose first two arguments are a name and its value: `define('DB_PASSWORD', '...')`.
# Also lookups whose second argument is the fallback value: `os.getenv("X", "literal")`.
_SETTER = re.compile(r"(?:\bdefine|setdefault|\.put|\.set|setenv|putenv|setProperty|getenv|\.get)\(\s*$")
_KEY_WORD = r"(?:secret|token|password|passwd|pwd|passphrase|pass|key|credentials?|_pat)"
# The longest key the assignment grammar reads (`--`, a 101-character name, `credentials`): a
# key word further than this into a run of name characters cannot start an assignment.
_MAX_KEY = 120
# An unquoted value is matched STEP characters at a time: a longer one is measured by `_Runs`,
# so keys that share one long run (`password=password=...`) cost a bounded amount each.
_VALUE_STEP = 256
# A bare value longer than this is not a credential (the longest real ones, JWTs with many
# claims, stay far below it).
MAX_VALUE = 16_384
# Long values read from one run: later keys inside the run (`password=password=...`) only give
# shorter and shorter tails of the same text, each of which the filters would read again.
_LONG_VALUES_PER_RUN = 8
# What may stand in an unquoted value, and what may follow one.
_BARE = r"""[^\s"'`,;\\(){}\[\]<>]"""
_BARE_STOP = re.compile(r"""[\s"'`,;\\(){}\[\]<>]""")
_AFTER_BARE = re.compile(r"""[\s,;#&)}\]"'`]""")
_PARAMETER_STOP = re.compile(r"""[&\s"'`#<>\\]""")


def _assignment_pattern(annotations: bool) -> str:
    # Code may annotate the target (`client_secret: str = "..."`); in YAML that would misread
    # `key: a=b`, so config lines use the pattern without annotations.
    annotation = (r"(?:(?P<ann>:[ \t]*[A-Za-z_][\w\[\]., |]{0,40}?[ \t]*)(?==))?"
                  if annotations else "(?P<ann>(?!))?")
    return (
        r"""
        (?<![\w$.\-:/])
        (?P<kq>\\?["'`]?)
        (?P<key>(?:--?)?(?:[A-Za-z_$@][\w$.\-]{0,100}?)?""" + _KEY_WORD + r""")
        (?P=kq)
        \]?
        [ \t]*
        """ + annotation + r"""
        (?P<op>:=|=>|\?\?=|\|\|=|\|\||\?\?|=(?!=)|:(?!:)|,|[ \t](?=[^\s=:]))
        [ \t]*
        (?:
            (?:[rRbBuUfF]{1,2}(?=["'`]))?(?P<q>\\?["'`])(?P<qv>[^"'`\\\s]*)(?P=q)
          | (?P<cut>""" + _BARE + "{" + str(_VALUE_STEP) + "})(?=" + _BARE + r""")
          | (?P<uv>""" + _BARE + "{1," + str(_VALUE_STEP) + r"""})(?=$|[\s,;#&)}\]"'`])
        )
        """
    )


# Compiled on first use: a hook on code files never reads config lines, and the reverse.
ASSIGNMENT_CODE = compiled_on_use(_assignment_pattern(annotations=True), re.VERBOSE | re.IGNORECASE)
ASSIGNMENT_CONFIG = compiled_on_use(_assignment_pattern(annotations=False),
                                    re.VERBOSE | re.IGNORECASE)
# `client_secret=...` inside a URL or a form body in a string: `?a=b&client_secret=...`.
URL_PARAMETER = re.compile(
    r"(?:(?<=[?&])|(?<=[\"'`]))(?P<key>(?:[A-Za-z_][\w.\-]{0,60}?)?" + _KEY_WORD
    + r")=(?P<uv>[^&\s\"'`#<>\\]{1," + str(_VALUE_STEP) + "})",
    re.IGNORECASE,
)
# In code, what comes before a URL parameter inside a string: a URL's path (with a `/` or a
# template's placeholder) and `?`, then `name=value&` pairs; or the pairs of a form body. A code
# expression (`cond?obj.x_token=!0:...`, `a&&obj.x_token=...`) holds none of these shapes.
_QUERY_LEAD = compiled_on_use(r"""(?P<path>[^\s"'`=?&]*)\?(?:[^\s"'`=?&]+=[^\s"'`&]*&)*"""
                         r"""|(?:[^\s"'`=?&]+=[^\s"'`&]*&)+""")
# What ends that lead, reading back from the parameter: a string's quote, a space, an operator.
_STRING_OR_SPACE = " \t\"'`"
_LAST_STOP = compiled_on_use(".*[" + re.escape(_STRING_OR_SPACE + "|!()<>;,*^") + "]", re.DOTALL)
# A longer run before the parameter is no URL's path and query.
_QUERY_LEAD_REACH = 512
_PLACEHOLDER = compiled_on_use(r"\{[^{}]*\}")  # `f"{base}?..."`, `${base}?...`
# `<password>...</password>` in XML config (Maven settings, .NET, Spring).
XML_ELEMENT = compiled_on_use(r"<(?P<key>[\w.\-]{0,60}?" + _KEY_WORD + r")>(?P<value>[^<>\s]+)</",
                         re.IGNORECASE)
# requests' basic-auth tuple and auth objects: `auth=("user", "secret")`, `HTTPBasicAuth("u", "s")`.
BASIC_AUTH = re.compile(
    r"""(?P<key>\bauth[ \t]*=[ \t]*\(|\bHTTP(?:Basic|Digest)Auth\()[ \t]*(?P<uq>["'])[^"'\\\n]*(?P=uq)"""
    r"""[ \t]*,[ \t]*(?P<q>["'])(?P<value>[^"'\\\s]+)(?P=q)""")
# A credential-named XML element whose value stands on the next line.
XML_OPEN = compiled_on_use(r"^\s*<(?P<key>[\w.\-]{0,60}?" + _KEY_WORD + r")>\s*$", re.IGNORECASE)
XML_VALUE = compiled_on_use(r"^\s*(?P<value>[^<>\s]+)\s*$")
BEARER = re.compile(r"\bbearer[ \t]+(?P<value>[A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
# Every BASIC_AUTH match starts with one of these (case-sensitive, as the pattern is).
_BASIC_AUTH_ANCHORS = ("auth", "HTTPBasicAuth(", "HTTPDigestAuth(")
# The characters beyond ASCII that IGNORECASE matches to an ASCII letter. The Kelvin sign and
# dotted I also lower to ASCII letters (`str.lower`); dotless i and long s stay as they are, so
# where a line holds one, its lowered form does not show every match.
# Each maps to the letter it is taken for (a test checks every code point).
FOLDS_TO_ASCII = {"\u212a": "k", "\u0130": "i", "\u0131": "i", "\u017f": "s"}
LOWERED_TO_ASCII = ("\u212a", "\u0130")
_FOLDS_ONLY = tuple(char for char in FOLDS_TO_ASCII if char not in LOWERED_TO_ASCII)
TAKEN_FOR_ASCII = tuple(FOLDS_TO_ASCII)
AUTHORIZATION_TOKEN = re.compile(
    r"authorization[\"'`]?\]?[ \t]*[:=,][ \t]*[\"'`]?[ \t]*token[ \t]+(?P<value>[A-Za-z0-9\-._~+/]+=*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Assignment:
    """A credential-named key and the literal it is given on one line (0-based offsets)."""

    key: str
    kind: str
    value: str
    start: int
    end: int
    key_start: int
    quoted: bool


@dataclass(frozen=True)
class Words:
    """Where the line passes' words stand on one line (`at`: sorted offsets into the line, ASCII
    case-insensitive, as `line.lower().find` gives them) and every word of theirs it holds
    (`held`), found for the line in one compiled pass (see analysis._WordPass)."""

    at: Mapping[str, list[int]]
    held: frozenset[str]

    def has(self, word: str) -> bool:
        return word in self.held


def _occurrences(text: str, word: str, step: int) -> Iterator[int]:
    """Where `word` stands in `text`, each search going on `step` characters after the last
    (one at a time: a pumped line holds millions)."""
    index = text.find(word)
    while index != -1:
        yield index
        index = text.find(word, index + step)


def normalized(key: str) -> str:
    """`self.Client-Secret` -> `clientsecret`: the last dotted segment, letters and digits only."""
    last = key.strip("\"'`$@-").rsplit(".", 1)[-1]
    return re.sub(r"[^a-z0-9]", "", last.lower())


def _last_word(key: str) -> str:
    last = key.rsplit(".", 1)[-1]
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", last)
    return words[-1].lower() if words else ""


def classify_key(key: str, *, env: bool = False) -> str | None:
    """The credential kind a key names, or None. `env` widens it for .env files (any *_KEY)."""
    name = normalized(key)
    if not name:
        return None
    if name.endswith("refreshtoken"):
        return REFRESH_TOKEN
    if name.endswith(_CLIENT_SECRET_ENDS):
        return CLIENT_SECRET
    if name.endswith(_TOKEN_SECRET_ENDS):
        return ACCESS_TOKEN
    if name.endswith("token"):
        if (name.endswith(_NOT_CREDENTIAL_TOKENS)
                or any(word in name for word in _NOT_CREDENTIAL_TOKEN_WORDS)):
            return None
        return ACCESS_TOKEN
    if name.endswith("secret"):
        return GENERIC_SECRET
    if name.endswith(_PASSWORD_ENDS) or _last_word(key) == "pass":
        return PASSWORD
    if name.endswith("apikey"):
        return API_KEY
    if name.endswith(_SECRET_KEY_ENDS):
        return SECRET_KEY
    raw = key.strip("\"'`$@-").rsplit(".", 1)[-1]
    if not env and _CONSTANT_KEY.fullmatch(raw) and not name.endswith(_PUBLIC_KEY_ENDS):
        return API_KEY  # `HUBSPOT_KEY`, `GITHUB_PAT`: constants named like environment variables
    if env and (name.endswith(("key", "credentials", "credential"))
                and not name.endswith(_PUBLIC_KEY_ENDS)):
        return ENV_CREDENTIAL
    return None


def is_public_prefixed(key: str) -> bool:
    """`NEXT_PUBLIC_CLIENT_SECRET`, `VITE_API_SECRET`: a build tool inlines it into the bundle."""
    upper = key.strip("\"'`").upper()
    return upper.startswith(PUBLIC_PREFIXES) and any(w in upper for w in _PUBLIC_SECRET_WORDS)


def is_env_filename(filename: str) -> bool:
    """A committed env file by name: `.env`, `.env.production`, `prod.env`, not `.env.example`."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not (name == ".env" or name.startswith(".env.") or name.endswith(".env")):
        return False
    return not any(word in name for word in ENV_EXAMPLE_WORDS)


def _key_starts(line: str, need_quote: bool, lower: str | None = None,
                words: Words | None = None) -> list[int]:
    """Where a credential-named key may start: back from each key word over identifier
    characters (and one opening quote). Matching only there keeps long lines linear.
    `lower`: `line.lower()`, or `words`: where the key words stand, when the caller has it.

    With `need_quote` (code), a key word with no quote in the next 80 characters and no `=`
    right after it cannot start a literal assignment (minified bundles are full of these)."""
    if lower is None and words is None:
        lower = line.lower()
    starts: set[int] = set()
    places: Iterable[int]
    for word in KEY_WORDS:
        if words is not None:
            places = words.at[word]
        elif lower is not None and word in lower:  # most lines hold one or two of the words
            # No key word overlaps itself: the searches from each one's end find every one.
            places = _occurrences(lower, word, len(word))
        else:
            continue
        for index in places:
            end = index + len(word)
            if need_quote and line[end:end + 1] != "=" and not _QUOTE.search(line, index, end + 80):
                continue
            start, limit = index, max(0, index - _MAX_KEY)
            while start > limit and (line[start - 1].isalnum() or line[start - 1] in _KEY_CHARS):
                start -= 1
            if start == limit > 0 and (line[start - 1].isalnum() or line[start - 1] in _KEY_CHARS):
                continue  # deep inside a long name (`tokentokentoken...`)
            if start > 0 and line[start - 1] in "\"'`":
                starts.add(start - 2 if start > 1 and line[start - 2] == "\\" else start - 1)
            starts.add(start)
    return sorted(starts)


def find_assignments(line: str, mode: str, *, env: bool = False, lower: str | None = None,
                     words: Words | None = None) -> Iterator[Assignment]:
    """Credential-named keys given a literal value on `line`: assignments, keyword arguments,
    object/dict keys, config keys, CLI flags and URL parameters. `lower`: `line.lower()`, or
    `words`: where the words stand, when the caller has it (a megabyte line is read once)."""
    seen: set[int] = set()
    pattern = ASSIGNMENT_CODE() if mode == QUOTED else ASSIGNMENT_CONFIG()
    spaced = mode == LOOSE and line.lstrip()[:4].upper() in {"ENV ", "ARG "}
    bare, parameters = _Runs(line, _BARE_STOP), _Runs(line, _PARAMETER_STOP)
    runs: _LeadRuns | None = None  # made for the first URL parameter in code
    for start in _key_starts(line, need_quote=mode == QUOTED, lower=lower, words=words):
        match = pattern.match(line, start)
        if match is not None:
            found = _assignment(match, mode, env, spaced, bare)
            if found is not None and found.start not in seen:
                seen.add(found.start)
                yield found
                continue
        element = XML_ELEMENT().match(line, start - 1) if line[start - 1:start] == "<" else None
        if element is not None and element.start("value") not in seen:
            kind = classify_key(element.group("key"), env=env)
            if kind is not None:
                seen.add(element.start("value"))
                yield Assignment(element.group("key"), kind, element.group("value"),
                                 element.start("value"), element.end("value"),
                                 element.start("key"), True)
                continue
        parameter = URL_PARAMETER.match(line, start)
        if parameter is not None and mode == QUOTED:
            runs = runs or _LeadRuns(line)
            if not _in_query_string(line, start, runs):
                parameter = None
        if parameter is not None and parameter.start("uv") not in seen:
            kind = classify_key(parameter.group("key"), env=env)
            value_end = parameter.end("uv")
            if value_end - parameter.start("uv") == _VALUE_STEP:
                value_end = parameters.end(value_end)
            if kind is not None and value_end - parameter.start("uv") <= MAX_VALUE:
                seen.add(parameter.start("uv"))
                yield Assignment(parameter.group("key"), kind, line[parameter.start("uv"):value_end],
                                 parameter.start("uv"), value_end, parameter.start("key"), False)
    places = _basic_auth_places(line, words)
    for match in anchored(BASIC_AUTH, line, places) if places else ():
        if match.start("value") not in seen:
            seen.add(match.start("value"))
            yield Assignment("auth", PASSWORD, match.group("value"), match.start("value"),
                             match.end("value"), match.start("key"), True)


class _LeadRuns:
    """Where the run of characters before a position starts (after the last stop character),
    remembered for the last position asked: keys are asked about left to right, so each stretch
    of a line is read once however many parameters stand in it."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.at = self.low = 0  # line[low:at] holds no stop character

    def low_of(self, start: int) -> int:
        if start < self.at:
            self.at = self.low = 0  # asked out of order: read again from the line's start
        found = _LAST_STOP().match(self.line, self.at, start)
        if found is not None:
            self.low = found.end()
        self.at = start
        return self.low


def _in_query_string(line: str, start: int, runs: _LeadRuns) -> bool:
    """Whether a `name=value` at line[start] of code stands in a URL's query or a form body in a
    string (after its opening quote, or after a URL or pairs), not in an expression."""
    if line[start - 1:start] in {"\"", "'", "`"}:
        return True
    low = runs.low_of(start)
    if start - low > _QUERY_LEAD_REACH:
        return False
    lead = _QUERY_LEAD().fullmatch(line, low, start)
    if lead is None:
        return False
    path = lead.group("path")
    if path and ("/" in path or _PLACEHOLDER().search(path)):
        return True
    # No URL before it (`?a=b&` or a form body): only right after a quote or a space.
    return not path and (low == 0 or line[low - 1] in _STRING_OR_SPACE)


def find_xml_block(line: str, value_line: str, closing_line: str, *,
                   env: bool = False) -> Assignment | None:
    """`<apiToken>` on `line`, the value alone on the next line and `</apiToken>` after it: the
    value (offsets into `value_line`)."""
    opening = XML_OPEN().match(line) if line.rstrip().endswith(">") else None
    if opening is None:
        return None
    key = opening.group("key")
    found = XML_VALUE().match(value_line)
    if found is None or not closing_line.lstrip().lower().startswith(f"</{key.lower()}>"):
        return None
    kind = classify_key(key, env=env)
    if kind is None:
        return None
    return Assignment(key, kind, found.group("value"), found.start("value"), found.end("value"), 0,
                      False)


class _Runs:
    """Where a run of characters that `stop` does not match ends, remembered for the last run:
    the keys of a pumped line (`password=password=...`) share one long run, scanned once."""

    def __init__(self, line: str, stop: re.Pattern[str]) -> None:
        self.line, self.stop = line, stop
        self.low = self.high = -1  # line[low:high] holds no stop character; line[high] is one
        self.last_separator = -1  # the last `#` or `&` in line[low:high]
        self.long_values = 0  # values of STEP characters or more taken from this run

    def end(self, start: int) -> int:
        if start < self.low and self.stop.search(self.line, start, self.low) is None:
            # The same run, entered earlier: only the gap is scanned.
            self.last_separator = max(self.last_separator, self.line.rfind("#", start, self.low),
                                      self.line.rfind("&", start, self.low))
            self.low = start
        elif not self.low <= start <= self.high:
            found = self.stop.search(self.line, start)
            self.low, self.high = start, found.start() if found else len(self.line)
            self.long_values = 0
            self.last_separator = max(self.line.rfind("#", start, self.high),
                                      self.line.rfind("&", start, self.high))
        return self.high

    def bare_value_end(self, start: int) -> int | None:
        """Where ASSIGNMENT's greedy `uv` group starting at `start` ends (None: no match): the
        run's end if a separator may follow it, else the run's last `#` or `&`."""
        end = self.end(start)
        if end == len(self.line) or _AFTER_BARE.match(self.line, end):
            return end
        return self.last_separator if self.last_separator > start else None


def _assignment(match: re.Match[str], mode: str, env: bool, spaced: bool,
                bare: _Runs) -> Assignment | None:
    key, op = match.group("key"), match.group("op")
    is_flag = key.startswith("-")
    if op == "," and not (is_flag or _SETTER.search(match.string, max(0, match.start() - 64), match.start())):
        return None  # `f("client_secret", x)` is a call, not an assignment
    if op in {" ", "\t"} and not ((is_flag and mode == LOOSE) or spaced):
        return None  # `--client-secret VALUE` and Dockerfile `ENV KEY VALUE`; else no assignment
    if is_flag and op in {":", "=>"}:
        return None
    if op in {"||", "??"} and mode != QUOTED:
        return None  # a fallback default (`process.env.X || "literal"`) is read in code only
    if match.group("ann") and op != "=":
        return None
    quoted = match.group("q") is not None
    if not quoted and mode != LOOSE:
        return None
    group = "qv" if quoted else "uv" if match.group("cut") is None else "cut"
    start, end = match.start(group), match.end(group)
    if group == "cut":
        found = bare.bare_value_end(start)
        bare.long_values += 1
        if bare.long_values > _LONG_VALUES_PER_RUN:
            return None
        if found is None and op == ":=":
            # The grammar's other reading when the long value fails: `key:` given `=`.
            if is_flag:
                return None
            start = match.start("op") + 1
            found = bare.bare_value_end(start)
        if found is None or found - start > MAX_VALUE:
            return None
        end = found
    kind = classify_key(key, env=env)
    if kind is None:
        return None
    return Assignment(key.lstrip("-"), kind, match.string[start:end], start, end,
                      match.start("key"), quoted)


def anchored(pattern: re.Pattern[str], line: str, places: Iterable[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(line)` for a pattern whose every match starts at one of `places` (where
    its words stand, in order, each once): tried only there, so a megabyte line costs a few
    `find`s instead of an attempt at each of its characters."""
    end = 0
    for start in places:
        if start < end:
            continue  # inside the last match: finditer goes on after it
        match = pattern.match(line, start)
        if match is not None:
            end = match.end()
            yield match


def _basic_auth_places(line: str, words: Words | None) -> Iterable[int]:
    """Where a BASIC_AUTH match may start, in order: its case-sensitive words, found from where
    `auth` stands in any case (`words`) or searched for."""
    if words is None:
        if "auth" not in line and "Auth(" not in line:  # what most lines hold of the words
            return ()
        # The anchors differ within their first five characters: no place comes twice.
        return heapq.merge(*(_occurrences(line, anchor, 1) for anchor in _BASIC_AUTH_ANCHORS))
    places = []
    for index in words.at["auth"]:
        for anchor in _BASIC_AUTH_ANCHORS:
            start = index - anchor.index("Auth(") if anchor != "auth" else index
            if start >= 0 and line.startswith(anchor, start):
                places.append(start)
    return sorted(places)


def find_bearer(line: str, lower: str | None = None,
                words: Words | None = None) -> Iterator[tuple[str, int, int]]:
    """(value, start, end) of literal credentials in `Authorization: Bearer ...` headers.
    `lower`: `line.lower()`, or `words`: where the words stand, when the caller has it."""
    if lower is None and words is None:
        lower = line.lower()
    for word, pattern in (("bearer", BEARER), ("authorization", AUTHORIZATION_TOKEN)):
        if not (words.has(word) if words is not None else word in (lower or "")):
            continue
        # Tried only where the word stands when `lower` or `words` shows where that is (the same
        # length, none of the characters that match an ASCII letter only under IGNORECASE).
        aligned = (words is not None or len(lower or "") == len(line)) and (
            line.isascii() or not any(c in line for c in _FOLDS_ONLY))
        places = words.at[word] if words is not None else _occurrences(lower or "", word, 1)
        matches = anchored(pattern, line, places) if aligned else pattern.finditer(line)
        for match in matches:
            yield match.group("value"), match.start("value"), match.end("value")


def mode_for_filename(filename: str) -> str:
    lower = filename.lower()
    code = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".html",
            ".ipynb", ".go", ".rb", ".java", ".kt", ".php", ".cs", ".scala", ".swift", ".rs",
            ".c", ".cc", ".cpp", ".h", ".m", ".groovy", ".dart", ".tf")
    return QUOTED if lower.endswith(code) or is_source_map(lower) else LOOSE


def is_source_map(filename: str) -> bool:
    """`chunk.3f2a9c1b.js.map`, `site.css.map`: JSON whose strings hold the bundled sources,
    so its values are read as code's are (quoted literals only)."""
    return filename.lower().endswith((".js.map", ".mjs.map", ".cjs.map", ".css.map", ".ts.map"))
