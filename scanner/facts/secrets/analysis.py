"""One pass over a file for the secret family: find candidate secrets, filter them, and say for
each literal what it is and where it sits (its `kind`), once.

Priority, first claim wins on overlapping spans: private keys, provider keys, our OAuth
detectors and credential-named keys, credentials in URLs, JWTs. detect-secrets is imported only
once a candidate survived the cheap filters."""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scanner import patterns_cache
from scanner.facts.secrets import formats, syntax, user_rules, values
from scanner.keywords import PatternPresence, line_around
from scanner.lazy import compiled_on_use, detect_secrets_module
from scanner.model.document import Document, FileKind

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin

# (module, class, provider, line keywords). A detector runs on a candidate line holding one of its
# keywords. Detectors without a distinctive prefix (Discord, Telegram, Twilio, IBM, ...) need the
# provider's name on the line: their bare patterns match too much otherwise.
# Every other provider is found by the catalogue (scanner.facts.secrets.formats).
PROVIDERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("artifactory", "ArtifactoryDetector", "JFrog Artifactory", ("artifactory",)),
    ("cloudant", "CloudantDetector", "IBM Cloudant", ("cloudant",)),
    ("ibm_cloud_iam", "IbmCloudIamDetector", "IBM Cloud IAM", ("ibm",)),
    ("ibm_cos_hmac", "IbmCosHmacDetector", "IBM Cloud Object Storage", ("ibm",)),
    ("npm", "NpmDetector", "npm", ("_authtoken",)),
    ("softlayer", "SoftlayerDetector", "IBM SoftLayer", ("softlayer",)),
)
# The value a detector's pattern needs, checked before the detector is imported: IBM's two
# modules annotate with `requests.Response`, so importing them loads requests (about 0.1 s), and
# "ibm" alone is a common word. (detect-secrets' patterns are case-insensitive.)
_VALUE_SHAPES = {"IbmCloudIamDetector": 0, "IbmCosHmacDetector": 1}
# Looked for in one compiled pass over a line (a regex's `search` costs 10 ns a character there).
# The value stands after an operator, a space or a quote and before no value character: a run
# of exactly that length (a longer base64 run, common in bundles, holds no such value).
_SHAPES = PatternPresence((r"(?:^|[^a-zA-Z0-9_\-])[a-zA-Z0-9_\-]{44}(?:[^a-zA-Z0-9_\-]|$)",
                           r"(?:^|[^a-fA-F0-9])[a-fA-F0-9]{48}(?:[^a-fA-F0-9]|$)"))
# On a line with a character that case-insensitive matching takes for an ASCII letter, the
# IAM value may hold it: there any run of the value's ASCII characters lets the detector run.
_RUNS = PatternPresence((r"[a-zA-Z0-9_\-]{44}",))
# A provider detector runs only on a line that holds one of these words.
_PROVIDER_GATE = tuple(dict.fromkeys(k for *_, keys in PROVIDERS for k in keys))
# Provider keys are looked for on lines that name a credential, carry a URL or a bearer header,
# or hold one of these distinctive prefixes (each extra file-wide keyword costs a full scan).
PROVIDER_PREFIXES = ("akia", "ghp_", "gho_", "ghs_", "xox", "sk_live_", "glpat-")

# Kinds of secret values (what a value is, and where it sits); each secret rule reports kinds.
PRIVATE_KEY = "private-key"
PROVIDER_KEY = "provider-key"
CLIENT_SECRET = "client-secret"
ACCESS_TOKEN = "access-token"
REFRESH_TOKEN = "refresh-token"
IN_ENV_FILE = "in-env-file"  # a credential in a committed .env file
IN_FRONTEND = "in-frontend"  # a credential shipped to the browser
GENERIC = "generic-credential"  # passwords, secret keys, API keys under a credential name
URL_PASSWORD = "url-password"
JWT = "jwt"

# Our OAuth detectors with a distinctive prefix: (class, keyword, kind, credential kind).
OAUTH_PREFIXED = (
    ("GoogleOAuthClientSecretDetector", "gocspx-", CLIENT_SECRET, "Google OAuth client secret"),
    ("GoogleOAuthAccessTokenDetector", "ya29.", ACCESS_TOKEN, "Google OAuth access token"),
    ("GoogleOAuthRefreshTokenDetector", "1//0", REFRESH_TOKEN, "Google OAuth refresh token"),
)
OAUTH_PREFIX_KEYWORDS = tuple(keyword for _, keyword, _, _ in OAUTH_PREFIXED)

PRIVATE_KEY_KEYWORDS = ("private key", "putty-user")
JWT_KEYWORDS = ("eyj",)
URL_KEYWORDS = ("://",)
# `credential` only names secrets in env files; `Authorization: token X` holds "token".
NAMED_KEYWORDS = (*(k for k in syntax.KEY_WORDS if k != "credential"), "bearer")
# requests' `auth=("user", "secret")` and `HTTPBasicAuth("user", "secret")`.
BASIC_AUTH_KEYWORDS = ("auth=(", "auth = (", "basicauth(", "digestauth(")
PROVIDER_KEYWORDS = (*NAMED_KEYWORDS, *URL_KEYWORDS, *PROVIDER_PREFIXES)
# The words each per-line pass needs on a line before it reads the line.
_PRIVATE_KEY_GATE = frozenset(PRIVATE_KEY_KEYWORDS)
_NAMED_KEY_GATE = frozenset((*syntax.KEY_WORDS, "bearer", "auth"))
_URL_GATE = frozenset(URL_KEYWORDS)
_JWT_GATE = frozenset(JWT_KEYWORDS)
# Every line that any secret check looks at holds one of these.
LINE_KEYWORDS = tuple(dict.fromkeys((*NAMED_KEYWORDS, *BASIC_AUTH_KEYWORDS, *URL_KEYWORDS,
                                     *PRIVATE_KEY_KEYWORDS,
                                     *JWT_KEYWORDS, *OAUTH_PREFIX_KEYWORDS, *PROVIDER_PREFIXES)))

_QUOTED_KINDS = frozenset({FileKind.PYTHON, FileKind.HTML, FileKind.VUE, FileKind.NOTEBOOK,
                           FileKind.JSON, FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX})
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "example.com", "example.org",
                "example.net")
_URL_CREDENTIAL = compiled_on_use(r"(?P<scheme>[A-Za-z][\w+.\-]*)://(?P<user>[^\s:/@\"'`]*):$")
_JWT_SIGNATURE = re.compile(r"[A-Za-z0-9_\-]+")
# The characters of a JWT part as detect-secrets' pattern spells them (its class, verbatim).
_JWT_PART = re.compile(r"[A-Za-z0-9-_=]*")

# Mobile apps' client configuration (Firebase): its API key is public like a browser's.
_MOBILE_CLIENT_CONFIGS = frozenset({"google-services.json", "googleservice-info.plist"})
# What joins the pieces of a base64 text broken over lines or string literals.
_BASE64_JOINERS = " \t\"'`+,\\"
_BASE64_TAIL = re.compile(r"[A-Za-z0-9+/]{16}$")
_BASE64_LINE = re.compile(r"\s*[A-Za-z0-9+/]{40,}={0,2}")
# A bundler's comment naming the source map of the file it ends (`//# sourceMappingURL=...`).
_SOURCE_MAP_REFERENCE = "sourceMappingURL="
# How far apart (in lines) the two halves of an application's key pair may be assigned.
_PAIR_LINES = 3
# `NAME = "literal"`, `name: str = "literal"`, `"name": "literal"` (after the indentation). Every
# quantifier is bounded, so a search from each position of a long line costs a constant.
_LITERAL_ASSIGNMENT = compiled_on_use(
    r"""["']?(?P<key>[A-Za-z_][\w.\-]{0,100})["']?[ \t]{0,8}"""
    r"""(?:=|:(?:[ \t]{0,8}[A-Za-z_][\w\[\], |.]{0,40}?=)?)[ \t]{0,8}"""
    r"""[rbuRBU]?["'](?P<value>[^"'\s]{1,200})["']""")
_INDENT = re.compile(r"[ \t]*")
# Each pass reports at most this many candidate values on one line and in one file (a minified
# bundle or a generated dump can hold tens of thousands); the rest gets a note, not silence.
MAX_CANDIDATES_PER_LINE = 1_000
MAX_CANDIDATES_PER_FILE = 10_000
# How far the private-key pass reads after a header (on its line and on each following one):
# a 4096-bit RSA key is about 3,200 characters of base64.
_KEY_BODY_WINDOW = 8_192
_KEY_BODY_LINES = 39

# The kind of value a credential-named key holds (outside env files and frontend code).
_KIND_OF_KEY = {
    syntax.CLIENT_SECRET: CLIENT_SECRET,
    syntax.ACCESS_TOKEN: ACCESS_TOKEN,
    syntax.REFRESH_TOKEN: REFRESH_TOKEN,
    syntax.PASSWORD: GENERIC,
    syntax.GENERIC_SECRET: GENERIC,
    syntax.SECRET_KEY: GENERIC,
    syntax.API_KEY: GENERIC,
}
# Credential kinds that are the frontend's in browser-shipped code (an API key there is usually
# public).
_FRONTEND_KINDS = frozenset({syntax.CLIENT_SECRET, syntax.ACCESS_TOKEN, syntax.REFRESH_TOKEN,
                             syntax.GENERIC_SECRET, syntax.SECRET_KEY})
# Formats that are public by design in browser code (Firebase and Maps keys, New Relic's browser
# agent key): restricted by referrer, not secret.
_PUBLIC_IN_BROWSER = frozenset({"google-api-key", "newrelic-browser-key"})
# The catalogue kinds reported by the rule for that kind of credential (the rest: SH106).
_KIND_OF_FORMAT = {"client-secret": CLIENT_SECRET, "refresh-token": REFRESH_TOKEN}
# The detect-secrets plugin class (ours) that must confirm each named-key candidate.
_CONFIRMING_PLUGIN = {
    syntax.CLIENT_SECRET: "OAuthClientSecretDetector",
    syntax.ACCESS_TOKEN: "OAuthAccessTokenDetector",
    syntax.REFRESH_TOKEN: "OAuthRefreshTokenDetector",
    syntax.PASSWORD: "HardcodedPasswordDetector",
    syntax.GENERIC_SECRET: "HardcodedPasswordDetector",
    syntax.SECRET_KEY: "HardcodedPasswordDetector",
    syntax.API_KEY: "HardcodedPasswordDetector",
    syntax.ENV_CREDENTIAL: "HardcodedPasswordDetector",
}


@dataclass(frozen=True)
class Candidate:
    """A secret value at a place (1-based line, columns; end_column is after the value).

    `kind` says what it is and where it sits (the module constants above); `via` how it was
    found (`named-key`, `bearer`, `public-prefix`, `prefix`, `detector`); `key` the name it is
    given, `credential` what the name says it is (`client secret`, `password` ...), `provider`
    and `detail` what a detector reported (a provider's token type, a key's header, a scheme)."""

    kind: str
    line: int
    column: int
    end_column: int
    value: str
    via: str
    key: str = ""
    credential: str = ""
    provider: str = ""
    detail: str = ""
    revoke: str = ""


def candidates(file: Document, options: Mapping[str, Any]) -> list[Candidate]:
    """Every secret value of `file` with its kind (one analysis per document)."""
    return _Analysis(file, options).run()


def mode_for(file: Document) -> str:
    if file.kind in _QUOTED_KINDS:
        return syntax.QUOTED
    if file.kind is FileKind.TEXT:
        return syntax.mode_for_filename(file.path)
    return syntax.LOOSE


def is_committed_env_file(file: Document) -> bool:
    """`.env`, `.env.production`, `prod.env`; not `.env.example` and other templates."""
    return file.kind is FileKind.ENV and syntax.is_env_filename(file.path)


def _plugin(module: str, name: str) -> BasePlugin:
    loaded = detect_secrets_module(module)
    detector: BasePlugin = getattr(loaded, name)()
    return detector


def _ours(name: str) -> BasePlugin:
    return _plugin("scanner.facts.secrets.detect_secrets_plugins", name)


def _short(key: str) -> str:
    key = key.strip("\"'`")
    return key if len(key) <= 60 else key[:57] + "..."


@dataclass(frozen=True)
class _BodyLine:
    """One line as the private-key body search reads it: `-----END` with no key material
    before it (a bare header), a PuTTY `Private-Lines:` marker, and its first run of key
    material (`body`: the run, "" when it is elided, a placeholder or low-variety, None if none)."""

    bare_end: bool
    private: bool
    body: str | None

    @classmethod
    def read(cls, text: str, placeholders: Iterable[str] = ()) -> _BodyLine:
        bare_end = "-----END" in text and not _KEY_BODY.search(text.split("-----END")[0])
        match = _KEY_BODY.search(text)
        body = None
        if match:
            body = match.group()
            truncated = text[match.end():].startswith(("...", "…"))  # an elided example
            if truncated or values.has_low_variety(body) or values.is_placeholder(body, placeholders):
                body = ""
        return cls(bare_end, "Private-Lines:" in text, body)


class _Spans:
    """Disjoint (start, end) spans per line, sorted, so an overlap test is one bisection
    (a line of a minified bundle can hold thousands of claimed values)."""

    def __init__(self) -> None:
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}

    def overlaps(self, line: int, start: int, end: int) -> bool:
        starts = self._starts.get(line)
        if not starts:
            return False
        index = bisect.bisect_left(starts, end)  # spans [0, index) start before `end`
        return index > 0 and self._ends[line][index - 1] > start

    def add(self, line: int, start: int, end: int) -> None:
        starts = self._starts.setdefault(line, [])
        index = bisect.bisect_left(starts, start)
        starts.insert(index, start)
        self._ends.setdefault(line, []).insert(index, end)


@dataclass
class _Pending:
    """A named-key candidate waiting for detect-secrets' confirmation."""

    candidate: Candidate
    kind: str
    line_text: str
    key_start: int
    quoted: bool
    confirmed: bool = False  # no plugin re-reads it (a value whose key is on another line)


class _Line:
    """A candidate line, with the passes' words it holds and where they stand (found in one
    compiled pass, None without one or on a short line) or else its lowered text, which the
    passes search instead."""

    __slots__ = ("held", "lower", "number", "text", "words")

    def __init__(self, number: int, text: str, word_pass: _WordPass | None) -> None:
        self.number = number
        self.text = text
        self.words = (word_pass.words(text) if word_pass is not None and len(text) >= _WORD_PASS_MIN
                      else None)
        if self.words is not None:
            self.lower = ""  # nothing searches it then
            self.held = self.words.held
        else:
            self.lower = lower = text.lower()
            self.held = frozenset(word for word in _LINE_WORDS if word in lower)

    def has(self, words: Iterable[str]) -> bool:
        """Whether the lowered line holds any of `words` (of _PLACED_WORDS and _HELD_WORDS)."""
        return not self.held.isdisjoint(words)

    def lowered(self) -> tuple[str | None, syntax.Words | None]:
        """What the line syntax reads words from: the words' places, else the lowered line."""
        return (None, self.words) if self.words is not None else (self.lower, None)


class _Analysis:
    def __init__(self, file: Document, options: Mapping[str, Any]) -> None:
        self.file = file
        self.min_length = int(options.get("min-length", values.DEFAULT_MIN_LENGTH))
        self.placeholders: tuple[str, ...] = tuple(options.get("placeholders", ()))
        self.claimed = _Spans()
        self.found: list[Candidate] = []
        # Candidate values seen per (pass, line) and per pass in the file, for the caps.
        self.counts: dict[tuple[str, int], int] = {}
        self.file_counts: dict[str, int] = {}
        self.capped: set[tuple[str, int]] = set()
        self.body_lines: dict[int, _BodyLine] = {}
        self.detectors: dict[str, BasePlugin] = {}
        self.mode = mode_for(file)
        self.env = is_committed_env_file(file)
        self.options = options
        self.translation = _is_translation(file)
        self.formats = formats.shipped()
        self.decode_depth = int(options.get("decode-depth", values.DEFAULT_DECODE_DEPTH))
        self.dummies_expected = file.holds_dummies
        # line -> (key, value) of the literal assigned at its start, read once per line.
        self.literal_assignments: dict[int, tuple[str, str] | None] = {}

    # -- bookkeeping ----------------------------------------------------------------------------

    def _free(self, line: int, start: int, end: int, tentative: _Spans | None = None) -> bool:
        return not (self.claimed.overlaps(line, start, end)
                    or (tentative is not None and tentative.overlaps(line, start, end)))

    def _claim(self, candidate: Candidate) -> None:
        self.claimed.add(candidate.line, candidate.column - 1, candidate.end_column - 1)
        self.found.append(candidate)

    def _counted(self, what: str, number: int) -> bool:
        """Count one more candidate value of pass `what` on line `number`; False once the pass
        is over its cap there (the first time, a note says where the analysis stopped)."""
        line_count = self.counts.get((what, number), 0) + 1
        file_count = self.file_counts.get(what, 0) + 1
        if line_count > MAX_CANDIDATES_PER_LINE or file_count > MAX_CANDIDATES_PER_FILE:
            key = (what, number if line_count > MAX_CANDIDATES_PER_LINE else 0)
            if key not in self.capped:
                self.capped.add(key)
                where = (f"more than {MAX_CANDIDATES_PER_LINE} candidate {what} on line {number}; "
                         "the rest of the line" if key[1] else
                         f"more than {MAX_CANDIDATES_PER_FILE} candidate {what} in the file; "
                         f"from line {number} on, the rest of the file")
                self.file.notes.append(f"{self.file.path}: {where} was not analysed for them")
            return False
        self.counts[(what, number)] = line_count
        self.file_counts[what] = file_count
        return True

    # -- the pass ---------------------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        name = self.file.parts[-1] if self.file.parts else ""
        if name.endswith((".lock", "lock.json", ".resolved")) and values.is_lock_file(name):
            return []
        if any(part.endswith(".egg-info") for part in self.file.parts[:-1]) or (
                name == "record" and self.file.parts[-2:-1] and self.file.parts[-2].endswith(".dist-info")):
            return []  # setuptools' copies of PKG-INFO, and a wheel's file hashes (RECORD)
        one_pass = _one_pass(self.formats)
        tokens: list[formats.Token]
        found: list[tuple[int, str]] | None = None
        if one_pass is not None:
            line_starts, hits = one_pass.scan(self.file.utf8)
            tokens = formats.from_hits(self.file, self.formats, hits, self.decode_depth)
            found = _indexed_candidate_lines(self.file, line_starts, self.mode == syntax.QUOTED,
                                             self.env)
        else:
            tokens = formats.by_search(self.file, self.formats, self.decode_depth)
        if self.decode_depth >= 2:
            tokens = self.formats.ordered(
                [*tokens, *formats.deep_tokens(self.file.text, self.formats, self.decode_depth)])
        if found is None:
            wanted = (*LINE_KEYWORDS, "credential") if self.env else LINE_KEYWORDS
            keywords = tuple(k for k in wanted if self.file.has_token(k))
            found = _candidate_lines(self.file, keywords) if keywords else []
        word_pass = _word_pass() if one_pass is not None else None
        lines = [_Line(number, line, word_pass) for number, line in found]
        for line in lines:
            if line.has(_PRIVATE_KEY_GATE):
                self._private_keys(line.number, line.text)
        self._format_tokens(tokens)
        self._user_rule_matches()
        pending: list[_Pending] = []
        taken = _Spans()
        for line in lines:
            self._providers(line)
            if line.has(_NAMED_KEY_GATE):
                pending.extend(self._named_keys(line, taken))
            if self.mode == syntax.LOOSE and line.text.endswith(">"):
                pending.extend(self._xml_block(line.number, line.text, taken))
        if pending:
            self._confirm(pending)
        for line in lines:
            if line.has(_URL_GATE) and "@" in line.text:
                self._url_credentials(line.number, line.text)
            if line.has(_JWT_GATE) and not self.dummies_expected:
                self._jwts(line.number, line.text)
        self.found.sort(key=lambda c: (c.line, c.column, c.kind))
        return self.found

    def _private_keys(self, number: int, line: str) -> None:
        detector = self._detector("detect_secrets.plugins.private_key", "PrivateKeyDetector")
        headers = sorted(_spans(detector, line), key=lambda found: found[1])
        for index, (header, start, end) in enumerate(headers):
            # A header's body on its own line comes before the next header there.
            limit = headers[index + 1][1] if index + 1 < len(headers) else len(line)
            body = self._key_body(number, line[end:min(limit, end + _KEY_BODY_WINDOW)])
            while start > 0 and line[start - 1] == "-":
                start -= 1  # report from the `-----BEGIN` of the header
            if body is None or not self._free(number, start, end):
                continue
            if not self._counted("private keys", number):
                return
            self._claim(Candidate(PRIVATE_KEY, number, start + 1, end + 1, body, "detector",
                                  detail=header.removeprefix("BEGIN ")))

    def _key_body(self, number: int, rest: str) -> str | None:
        """The first run of key material after a PEM/PuTTY header: on the same line (escaped
        newlines in a string) or on the next few lines. None for a bare header (parsing code)."""
        text = _BodyLine.read(rest.replace("\\n", "\n"), self.placeholders)
        below = [self._body_line(n) for n in range(number + 1, number + 1 + _KEY_BODY_LINES)]
        private_lines = text.private or any(line.private for line in below)
        seen_private = False
        for line in (text, *below):
            if line.bare_end:
                return None
            if private_lines and not seen_private:
                seen_private = line.private
                continue
            if line.body is not None:
                return line.body or None
        return None

    def _body_line(self, number: int) -> _BodyLine:
        """What the key-body search needs from line `number`, read once however many headers
        look at it."""
        found = self.body_lines.get(number)
        if found is None:
            found = self.body_lines[number] = _BodyLine.read(
                self.file.line_text(number)[:_KEY_BODY_WINDOW], self.placeholders)
        return found

    def _detector(self, module: str, name: str) -> BasePlugin:
        detector = self.detectors.get(name)
        if detector is None:
            detector = self.detectors[name] = _plugin(module, name)
        return detector

    def _providers(self, line: _Line) -> None:
        if not line.has(_PROVIDER_GATE):
            return
        number, text = line.number, line.text
        shapes: frozenset[int] | None = None
        memo: dict[str, Any] = {}  # what the detectors share about the line (its cut, folded text)
        for module, name, provider, keywords in PROVIDERS:
            if not line.has(keywords):
                continue
            shape = _VALUE_SHAPES.get(name)
            if shape is not None:
                if shapes is None:
                    shapes = _value_shapes(text)
                if shape not in shapes:
                    continue
            detector = self._detector(f"detect_secrets.plugins.{module}", name)
            for value, start, end in _spans(detector, text, line.lower or None, memo):
                if name == "TwilioKeyDetector" and value.startswith("AC"):
                    continue  # an account SID identifies the account; it is not a credential
                if (len(value) < self.min_length or values.has_low_variety(value)
                        or values.is_placeholder(value, self.placeholders)
                        or values.is_word_like(value) or _is_sequential(value)
                        or not self._free(number, start, end)):
                    continue
                if not self._counted(f"{provider} tokens", number):
                    break  # the other providers' tokens on the line are still looked for
                self._claim(Candidate(PROVIDER_KEY, number, start + 1, end + 1, value, "detector",
                                      provider=provider, detail=str(detector.secret_type)))

    def _user_rule_matches(self) -> None:
        """The team's own rules ([tool.secret-hygiene.secrets] rules and rules-file): SH106."""
        rules = user_rules.from_options(self.options)
        if not rules:
            return
        for rule, value, start, end in user_rules.find(rules, self.file.text, self.file.lower):
            number, column = self.file.position(start)
            if "\n" in value or not self._free(number, column - 1, column - 1 + end - start):
                continue
            if (values.is_placeholder(value, self.placeholders) or values.is_templated(value)
                    or any(value in example for example in rule.examples)):
                continue  # a rule's own examples (in the config that defines it) are not secrets
            if not self._counted(f"{rule.id} matches", number):
                continue
            self._claim(Candidate(PROVIDER_KEY, number, column, column + end - start, value, "rule",
                                  provider=rule.description or "custom rule", detail=rule.id))

    def _format_tokens(self, tokens: list[formats.Token]) -> None:
        """Claim the catalogue's tokens: a client secret or refresh token by its format reports as
        one (SH101/SH103, SH105 in browser code), an OAuth access token as SH102, others SH106."""
        for token in tokens:
            number, column = self.file.position(token.start)
            end_column = column + len(token.value)
            if not self._free(number, column - 1, end_column - 1):
                continue
            item = token.format
            line = self.file.line_text(number)
            if item.id in _PUBLIC_IN_BROWSER and (
                    self.file.is_frontend or _public_name_before(line[:column - 1])
                    or (self.file.parts and self.file.parts[-1] in _MOBILE_CLIENT_CONFIGS)):
                continue
            if item.boundary == "base64" and self._continues_base64(number, line[:column - 1]):
                continue
            if _in_source_map_name(line, column - 1) or _PLACEHOLDER_BEFORE().search(
                    line, max(0, column - 1 - _PLACEHOLDER_REACH), column - 1):
                continue  # (a window before the token: a minified line holds thousands of them)
            if not self._counted(f"{item.provider} tokens", number):
                continue
            kind = _KIND_OF_FORMAT.get(item.kind, PROVIDER_KEY)
            if item.kind == "access-token" and "oauth" in item.id:
                kind = ACCESS_TOKEN
            if kind != PROVIDER_KEY and self.file.is_frontend:
                kind = IN_FRONTEND
            what = f"{item.provider} {item.kind.replace('-', ' ')}"
            if token.encoding:
                what = f"{token.encoding}-encoded {what}"
            self._claim(Candidate(kind, number, column, end_column, token.value, "prefix",
                                  credential=what, provider=item.provider, detail=item.id,
                                  revoke=item.revoke))

    def _continues_base64(self, number: int, before: str) -> bool:
        """Whether a token starts inside a longer base64 text broken over lines or string pieces:
        a PEM body line (`AQEB...` in a certificate), `"...AAC" + "AQEB..."` in a bundle."""
        joined = before.rstrip(_BASE64_JOINERS)
        if joined:
            return joined != before and _BASE64_TAIL.search(joined) is not None
        previous = self.file.line_text(number - 1).rstrip()
        if previous.endswith("+") or before.lstrip().startswith("+"):  # a concatenated string
            return _BASE64_TAIL.search(previous.rstrip(_BASE64_JOINERS)) is not None
        return previous.lstrip().startswith("-----BEGIN") or _BASE64_LINE.fullmatch(previous) is not None

    # -- credential-named keys ----------------------------------------------------------------

    def _route(self, key: str, kind: str) -> tuple[str, str] | None:
        """(kind of value, how it was found) for a literal given to `key`, or None when it is
        no credential worth reporting."""
        if syntax.is_public_prefixed(key):
            return IN_FRONTEND, "public-prefix"
        if key.strip("\"'`").upper().startswith(syntax.PUBLIC_PREFIXES):
            return None  # a public build-time variable that is not named as a secret
        if self.env:
            return IN_ENV_FILE, "named-key"
        if self.file.is_frontend and kind == syntax.API_KEY:
            return None  # browser API keys (Firebase, Maps) are public by design
        if self.file.is_frontend and kind in _FRONTEND_KINDS:
            return IN_FRONTEND, "named-key"
        value_kind = _KIND_OF_KEY.get(kind)
        return (value_kind, "named-key") if value_kind is not None else None

    def _plausible(self, value: str, kind: str) -> bool:
        if (values.cheap_reject(value, min_length=self.min_length, extra=self.placeholders)
                or self.formats.dummies.is_dummy(value)):
            return False
        if kind != syntax.PASSWORD and values.is_identifier_like(value):
            return False  # keys and tokens are generated, never names: a field or cookie name
        entropy = values.shannon_entropy(value)
        if self.dummies_expected:
            # Tests hold fixture JWTs and short dummies; only long random literals count there.
            return len(value) >= 16 and entropy >= 3.5 and not value.startswith("eyJ")
        return entropy >= (2.5 if kind == syntax.PASSWORD else 3.0)

    def _named_keys(self, line_words: _Line, taken: _Spans) -> Iterator[_Pending]:
        """Candidates for credential-named keys and Bearer headers on one line; `taken` holds
        the spans of earlier candidates until detect-secrets confirms them."""
        if self.translation:
            return  # UI strings: `"api_key": "API key"` names a form field in every language
        number, line = line_words.number, line_words.text
        lower, words = line_words.lowered()
        for found in syntax.find_assignments(line, self.mode, env=self.env, lower=lower,
                                             words=words):
            if (not self._plausible(found.value, found.kind) or values.is_dummy_name(found.key)
                    or _in_badge_url(line, found.start)):
                continue
            routed = self._route(found.key, found.kind)
            if routed is None or not self._free(number, found.start, found.end, taken):
                continue
            if not self._counted("credential values", number):
                return
            kind, via = routed
            credential = found.kind
            if kind == GENERIC and self._paired_with_public_key(number, found):
                kind, credential = CLIENT_SECRET, syntax.CLIENT_SECRET
            taken.add(number, found.start, found.end)
            yield _Pending(Candidate(kind, number, found.start + 1, found.end + 1, found.value,
                                     via, key=_short(found.key), credential=credential),
                           found.kind, line, found.key_start, found.quoted)
        for value, start, end in syntax.find_bearer(line, lower, words):
            if (not self._plausible(value, syntax.ACCESS_TOKEN)
                    or not self._free(number, start, end, taken)):
                continue
            if not self._counted("credential values", number):
                return
            kind = IN_FRONTEND if self.file.is_frontend else IN_ENV_FILE if self.env else ACCESS_TOKEN
            taken.add(number, start, end)
            yield _Pending(Candidate(kind, number, start + 1, end + 1, value, "bearer",
                                     credential=syntax.ACCESS_TOKEN),
                           syntax.ACCESS_TOKEN, line, start, True)

    def _paired_with_public_key(self, number: int, found: syntax.Assignment) -> bool:
        """An OAuth1-style consumer pair: `PRIVATE_KEY = "<short token>"` (no PEM) or
        `X_SECRET = "..."` with `PUBLIC_KEY`/`X_KEY`/`CONSUMER_KEY` given a literal within
        _PAIR_LINES lines: the secret half of an application's credentials, a client secret."""
        name = syntax.normalized(found.key)
        if name.endswith("privatekey"):
            if "-----" in found.value or len(found.value) > 100:
                return False
            partners: tuple[str, ...] = ("publickey",)
        elif name.endswith("secret"):
            prefix = name.removesuffix("secret")
            partners = ("consumerkey", "appkey", "clientkey", *((prefix + "key",) if prefix else ()))
        else:
            return False
        for near in range(max(1, number - _PAIR_LINES), number + _PAIR_LINES + 1):
            if near == number:
                continue
            other = self._literal_assignment(near)
            if other is None or not syntax.normalized(other[0]).endswith(partners):
                continue
            value = other[1]
            if (len(value) >= self.min_length and not values.is_word_like(value)
                    and not values.is_templated(value)):
                return True
        return False

    def _literal_assignment(self, number: int) -> tuple[str, str] | None:
        """(name, literal) of `NAME = "literal"`-like code at the start of line `number`."""
        if number in self.literal_assignments:
            return self.literal_assignments[number]
        text = self.file.line_text(number)
        found = _LITERAL_ASSIGNMENT().match(text, _INDENT.match(text).end())  # type: ignore[union-attr]
        pair = (found.group("key"), found.group("value")) if found else None
        self.literal_assignments[number] = pair
        return pair

    def _xml_block(self, number: int, line: str, taken: _Spans) -> Iterator[_Pending]:
        """`<apiToken>`, the value alone on the next line, then `</apiToken>`."""
        value_line = self.file.line_text(number + 1)
        found = syntax.find_xml_block(line, value_line, self.file.line_text(number + 2),
                                      env=self.env)
        if found is None or not self._plausible(found.value, found.kind):
            return
        routed = self._route(found.key, found.kind)
        if routed is None or not self._free(number + 1, found.start, found.end, taken):
            return
        kind, via = routed
        taken.add(number + 1, found.start, found.end)
        yield _Pending(Candidate(kind, number + 1, found.start + 1, found.end + 1, found.value, via,
                                 key=_short(found.key), credential=found.kind),
                       found.kind, value_line, found.start, False, confirmed=True)

    def _confirm(self, pending: list[_Pending]) -> None:
        """detect-secrets' heuristic filters, then our detect-secrets plugin for the kind must
        yield the same value from the line (the plugins are the contract for other tools)."""
        plugins: dict[str, BasePlugin] = {}
        for item in pending:
            value = item.candidate.value
            if values.detect_secrets_reject(value, item.line_text, item.key_start,
                                            quoted=item.quoted):
                continue
            if item.confirmed:
                self._claim(item.candidate)
                continue
            name = _CONFIRMING_PLUGIN[item.kind]
            plugin = plugins.get(name)
            if plugin is None:
                plugin = plugins[name] = _ours(name)
                plugin.mode = self.mode  # type: ignore[attr-defined]
                plugin.env = self.env  # type: ignore[attr-defined]
            # The plugin re-reads only the candidate's neighbourhood: bundles have huge lines.
            end = item.candidate.end_column - 1
            window = item.line_text[max(0, item.key_start - 40):end + 2]
            if value not in set(plugin.analyze_string(window)):
                continue
            self._claim(item.candidate)

    # -- URLs and JWTs ------------------------------------------------------------------------

    def _url_credentials(self, number: int, line: str) -> None:
        detector = self._detector("detect_secrets.plugins.basic_auth", "BasicAuthDetector")
        for password, start, end in _spans(detector, line):
            before = line[max(0, start - 300):start]
            # The scheme ends at the last `://` (a user name holds no `:` or `/`); searching from
            # a bounded distance before it keeps each candidate's cost bounded.
            prefix = _URL_CREDENTIAL().search(before, max(0, before.rfind("://") - 64))
            host = line[end + 1:end + 80].lower()
            if (prefix is None or host.startswith(_LOCAL_HOSTS)
                    or values.cheap_reject(password, min_length=self.min_length,
                                           extra=self.placeholders)
                    or password == prefix.group("user")
                    or not self._free(number, start, end)):
                continue
            if not self._counted("URL passwords", number):
                return
            self._claim(Candidate(URL_PASSWORD, number, start + 1, end + 1, password, "detector",
                                  detail=prefix.group("scheme")))

    def _jwts(self, number: int, line: str) -> None:
        detector = detect_secrets_module("detect_secrets.plugins.jwt").JwtTokenDetector
        pattern: re.Pattern[str] = detector.denylist[0]
        for start, end in _jwt_candidates(line):
            # detect-secrets' pattern and validity check, on the candidate's window only.
            match = pattern.match(line, start, end)
            try:
                valid = match is not None and detector.is_formally_valid(match.group())
            except RecursionError:  # json-decoding a header nested thousands deep
                valid = False
            if match is None or not valid:
                continue
            # detect-secrets' pattern ends lazily, before the signature: take it too.
            end = match.end()
            signature = _JWT_SIGNATURE.match(line, end)
            if signature:
                end = signature.end()
            token = line[start:end]
            if _is_sample_jwt(token) or not self._free(number, start, end):
                continue
            if not self._counted("JWTs", number):
                return
            self._claim(Candidate(JWT, number, start + 1, end + 1, token, "detector"))


def _value_shapes(text: str) -> frozenset[int]:
    """The _VALUE_SHAPES an IBM detector's value may take on line `text`."""
    shapes = _SHAPES.present(text)
    if 0 in shapes or text.isascii() or not any(c in text for c in syntax.TAKEN_FOR_ASCII):
        return shapes
    return shapes | _RUNS.present(text)


def _in_source_map_name(line: str, start: int) -> bool:
    """Whether line[start] is in the file name of a bundler's `//# sourceMappingURL=<name>`
    comment (`chunk_tsx.<content hash>.js.map`): a file name, never a credential. An inline
    `data:` map (the sources themselves) and a URL's query or user part are read as usual."""
    at = line.rfind(_SOURCE_MAP_REFERENCE, max(0, start - 1_000), start)
    if at == -1:
        return False
    name = line[at + len(_SOURCE_MAP_REFERENCE):start]
    _, scheme, path = name.rpartition("://")
    return (not name.lower().startswith("data:") and not any(c in name for c in " \t?#@=")
            and (not scheme or "/" in path))  # not in a URL's user and host part


def _in_badge_url(line: str, start: int) -> bool:
    """A value in a status badge's URL (`.../badge.svg?token=...`): a read-only token that the
    service hands out for embedding in public READMEs."""
    url = line[max(0, line.rfind("http", 0, start)):start].lower()
    return "://" in url and "badge" in url


_TRANSLATION_DIRS = frozenset({"translations", "locale", "locales", "i18n", "l10n", "lang"})


def _is_translation(file: Document) -> bool:
    """Translation catalogues: `strings.json`, `translations/*.json`, `locale/**/*.po`."""
    name = file.parts[-1] if file.parts else ""
    return (name == "strings.json" or name.endswith((".po", ".pot", ".xliff"))
            or bool(_TRANSLATION_DIRS & set(file.parts[:-1])))


# An input's placeholder, the sample shown in an empty field (`placeholder: "gloas-f79c..."`,
# `placeholder="ghp_..."`): a value's format written to guide the user, no secret.
_PLACEHOLDER_BEFORE = compiled_on_use(r"(?i)\bplaceholder\s*[:=]\s*\{?\s*[\"'`]\Z")
_PLACEHOLDER_REACH = 40


def _public_name_before(text: str) -> bool:
    """A build-time public variable (`NEXT_PUBLIC_MAPS_KEY=`) names the value before it."""
    upper = text.upper()
    return any(prefix in upper for prefix in syntax.PUBLIC_PREFIXES)


def _jwt_candidates(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of detect-secrets' JWT pattern
    `eyJ[part]+\\.[part]+\\.?[...]*?`, as its `finditer` would find them, in one pass: every
    `eyJ` inside one run of part characters fails or succeeds by that run's end, so a line of
    repeated `eyJ` costs one scan of the run instead of one per `eyJ`."""
    run_start = run_end = -1
    position = 0
    while True:
        start = line.find("eyJ", position)
        if start == -1:
            return
        if not run_start <= start + 3 <= run_end:
            run_start, run_end = start + 3, _JWT_PART.match(line, start + 3).end()  # type: ignore[union-attr]
        header_end = run_end
        if header_end == start + 3 or not line.startswith(".", header_end):
            position = max(start + 1, header_end)
            continue
        payload_end = _JWT_PART.match(line, header_end + 1).end()  # type: ignore[union-attr]
        if payload_end == header_end + 1:
            position = header_end
            continue
        end = payload_end + 1 if line.startswith(".", payload_end) else payload_end
        yield start, end
        position = end


# The candidate lines of a file, found in one Hyperscan pass (scanner.keywords.LineIndex) over its
# UTF-8 bytes. For quoted (code) files each pattern mirrors a gate of the passes in _Analysis.run:
#   0. a named key with `=` right after it or a quote within 80 characters (syntax._key_starts),
#   1. a bearer header (syntax.find_bearer),
#   2. the other passes' words (URLs, private keys, JWTs, OAuth and provider prefixes),
#   3. a provider's gate word, which counts only on a line that also names a key.
# Lines of code that merely say `key` or `token` (most of them) are never looked at. Config and
# text files (loose mode) replace pattern 0 with what syntax.ASSIGNMENT_CONFIG, XML_ELEMENT and
# URL_PARAMETER need: a key ending in a key word, then (after an optional quote and `]`) an
# operator or `>` (4); a space as the operator only for a `-`/`--` flag (5) or on a Dockerfile
# `ENV`/`ARG` line (6, then checked for a key word).
_NAMED_ASSIGNMENT = rb"""(?:secret|token|pass|pwd|key|credential|_pat[^a-z0-9\n])(?:=|[^\n]{0,79}["'`])"""
_KEY_WORD_END = rb"""(?:secret|token|password|passwd|passphrase|pass|pwd|key|credentials?|_pat)"""
_LOOSE_ASSIGNMENT = _KEY_WORD_END + rb"""(?:\\?["'`])?\]?[ \t]*[=:,?|>]"""
_LOOSE_FLAG = rb"""-[\w$.\-@]*""" + _KEY_WORD_END + rb"""(?:\\?["'`])?\]?[ \t]+[^\s=:]"""
_ENV_OR_ARG_LINE = rb"""(?:env|arg) """  # anywhere: a superset of `line.lstrip()[:4]`


def _alternation(words: Iterable[str]) -> bytes:
    return b"|".join(re.escape(word).encode() for word in words)


_LINE_PATTERNS = (
    _NAMED_ASSIGNMENT,
    rb"bearer|authorization|auth[ \t]*=[ \t]*\(|http(?:basic|digest)auth\(",
    _alternation(k for k in LINE_KEYWORDS if k not in NAMED_KEYWORDS),
    _alternation(sorted({k for *_, keys in PROVIDERS for k in keys})),
    _LOOSE_ASSIGNMENT,
    _LOOSE_FLAG,
    _ENV_OR_ARG_LINE,
)


class _OnePass:
    """The one compiled pass of the secret family: the candidate-line patterns (reported per
    line) and the catalogue's format heads and context words (reported with their start)."""

    def __init__(self, token_formats: formats.FormatSet) -> None:
        import hyperscan

        lines = len(_LINE_PATTERNS)
        expressions = [*((p, hyperscan.HS_FLAG_CASELESS) for p in _LINE_PATTERNS),
                       *token_formats.hyperscan_expressions()]
        self.lines = lines
        self.formats = token_formats
        self.database = patterns_cache.block_database([e for e, _ in expressions],
                                                      [f for _, f in expressions])

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("a compiled pass is built in each process")  # pragma: no cover

    @functools.cached_property
    def _context_gaps(self) -> dict[int, int]:
        """Per context word's pattern, `FormatSet.context_gaps` (asked on its first report)."""
        first = self.lines + len(self.formats.prefixed)
        gaps = self.formats.context_gaps
        return {first + number: gaps[word] for number, word in enumerate(self.formats.context_words)}

    def scan(self, data: bytes) -> tuple[list[set[int]], list[tuple[int, int, int]]]:
        """Per line pattern the starts of its lines; (format expression, start, end) per match.
        A context word's reports are thinned: a chance mention in a long base64 run is reported
        at every end a head may have (hundreds of thousands in a bundle's embedded fonts). Of a
        run of reports whose windows touch (`FormatSet.context_gaps`), its first and last are
        kept and enough between them that kept ones are never further apart than the gap: the
        windows of the kept reports cover those of all, so `formats._read_reports` reads the
        same mentions (reports come in the order of their ends; one that does not is kept)."""
        lines = self.lines
        found: list[set[int]] = [set() for _ in range(lines)]
        hits: list[tuple[int, int, int]] = []
        # The line of the last report per pattern: a line reported once needs no second look.
        line_ends = [-1] * lines
        context_from = lines + len(self.formats.prefixed)
        context_to = context_from + len(self.formats.context_words)
        previous: dict[int, int] = {}  # per context pattern: its last report's end
        kept: dict[int, int] = {}  # ... and the last end kept

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> None:
            if pattern >= lines:
                if context_from <= pattern < context_to:
                    last = previous.get(pattern)
                    if last is not None and end > last:
                        previous[pattern] = end
                        gap = self._context_gaps[pattern]
                        if end - last > gap:  # a run ends: keep its last report, start another
                            if kept[pattern] != last:
                                hits.append((pattern - lines, start, last))
                        elif end - kept[pattern] > gap:
                            hits.append((pattern - lines, start, last))  # the gap kept short
                            kept[pattern] = last
                            return
                        else:
                            return
                    elif last is None:
                        previous[pattern] = end
                    else:
                        hits.append((pattern - lines, start, end))  # out of order: kept
                        return
                    kept[pattern] = end
                hits.append((pattern - lines, start, end))
                return
            if end <= line_ends[pattern]:
                return
            line_start, line_ends[pattern] = line_around(data, end)
            found[pattern].add(line_start)

        self.database.scan(data, match_event_handler=on_match)
        for pattern, last in previous.items():
            if kept[pattern] != last:
                hits.append((pattern - lines, 0, last))  # the last report of the last run
        return found, hits


# The words the per-line passes ask about: where each stands (the key words, for the key
# search; the header words, for their patterns), or only whether the line holds it.
_PLACED_WORDS = (*syntax.KEY_WORDS, "bearer", "authorization", "auth")
_HELD_WORDS = tuple(dict.fromkeys((*PRIVATE_KEY_KEYWORDS, *URL_KEYWORDS, *JWT_KEYWORDS,
                                   *_PROVIDER_GATE)))
_LINE_WORDS = (*_PLACED_WORDS, *_HELD_WORDS)
# Shorter lines are lowered and searched word by word: a compiled pass costs a few microseconds
# to start, what lowering and searching 200 characters costs.
_WORD_PASS_MIN = 200
# A line with more placed words than this (a pumped one) is lowered and searched as a short one
# is: the places would take more memory than the line.
_MAX_PLACES = 100_000


class _WordPass:
    """Where the per-line passes' words stand on a line, found in one Hyperscan pass over its
    UTF-8 bytes instead of a lowered copy and a `find` per word and occurrence (a megabyte line
    was read 20 times). An ASCII word never matches inside a multi-byte character."""

    def __init__(self) -> None:
        import hyperscan

        words = (*_PLACED_WORDS, *_HELD_WORDS)
        self.lengths = [len(word) for word in words]
        self.placed = len(_PLACED_WORDS)
        self.terminated = hyperscan.ScanTerminated
        # A held word is reported once a line: a pumped line costs no call per occurrence.
        self.database = patterns_cache.block_database(
            [re.escape(word).encode() for word in words],
            [hyperscan.HS_FLAG_CASELESS] * self.placed
            + [hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH] * len(_HELD_WORDS))

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("a compiled pass is built in each process")  # pragma: no cover

    def words(self, line: str) -> syntax.Words | None:
        """The words of `line` and where they stand; None for a line with a character that
        lowers to an ASCII letter or with more than _MAX_PLACES placed words (a pumped line)."""
        ascii_only = line.isascii()
        if not ascii_only and any(char in line for char in syntax.LOWERED_TO_ASCII):
            return None  # `line.lower()` shows words there that a byte search does not
        # `surrogatepass`: every character, a lone surrogate too, round-trips as its own bytes.
        data = line.encode("ascii") if ascii_only else line.encode("utf-8", "surrogatepass")
        placed = self.placed
        at: list[list[int]] = [[] for _ in range(placed)]
        held: set[str] = set()
        lengths = self.lengths
        count = [0]

        def on_match(word: int, start: int, end: int, flags: int, context: object) -> bool:
            if word >= placed:
                held.add(_HELD_WORDS[word - placed])
                return False
            at[word].append(end - lengths[word])
            count[0] += 1
            return count[0] > _MAX_PLACES  # True stops the scan

        try:
            self.database.scan(data, match_event_handler=on_match)
        except self.terminated:
            return None
        if not ascii_only:
            at = _character_offsets(data, at)
        held.update(word for word, places in zip(_PLACED_WORDS, at, strict=True) if places)
        return syntax.Words(dict(zip(_PLACED_WORDS, at, strict=True)), frozenset(held))


def _character_offsets(data: bytes, places: list[list[int]]) -> list[list[int]]:
    """`places` (byte offsets into UTF-8 `data`, each before an ASCII character) as character
    offsets: the bytes between consecutive places are decoded once, in order."""
    characters: dict[int, int] = {}
    count = previous = 0
    for offset in sorted({offset for found in places for offset in found}):
        count += len(data[previous:offset].decode("utf-8", "surrogatepass"))
        characters[offset] = count
        previous = offset
    return [[characters[offset] for offset in found] for found in places]


@functools.cache
def _word_pass() -> _WordPass:
    return _WordPass()


@functools.cache
def _one_pass(token_formats: formats.FormatSet) -> _OnePass | None:
    """The compiled pass for a format set (built once per process), None without Hyperscan."""
    if not formats.accelerated():
        return None
    return _OnePass(token_formats)


def _indexed_candidate_lines(file: Document, line_starts: list[set[int]], quoted: bool,
                             env: bool) -> list[tuple[int, str]] | None:
    """The candidate lines from the one pass; None where the word-by-word search must run
    instead (lone CRs, which end lines for us but not for the byte search)."""
    text = file.text
    if "\r" in text:
        return None
    data = file.utf8
    named, bearer, others, providers, loose, flags, env_or_arg = line_starts
    # env files name credentials with `credential` too: one more key word there.
    key_words = (*NAMED_KEYWORDS, "credential") if env else NAMED_KEYWORDS
    if quoted:
        starts = named | bearer | others
    else:
        starts = loose | flags | bearer | others
        starts.update(s for s in env_or_arg - starts
                      if any(k in _line_at(data, s).lower() for k in key_words))
    for start in providers - starts:
        if any(keyword in _line_at(data, start).lower() for keyword in key_words):
            starts.add(start)
    lines: list[tuple[int, str]] = []
    number, counted = 1, 0
    for start in sorted(starts):
        number += data.count(b"\n", counted, start)
        counted = start
        lines.append((number, _line_at(data, start)))
    return lines


def _line_at(data: bytes, start: int) -> str:
    end = data.find(b"\n", start)
    return (data[start:] if end == -1 else data[start:end]).decode("utf-8", "surrogateescape")


def _numbered(text: str, starts: Iterable[int]) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    number, counted = 1, 0
    for start in sorted(starts):
        number += text.count("\n", counted, start)
        counted = start
        end = text.find("\n", start)
        lines.append((number, text[start:] if end == -1 else text[start:end]))
    return lines


def _candidate_lines(file: Document, keywords: tuple[str, ...]) -> list[tuple[int, str]]:
    """(number, text) of the lines holding any keyword, in order. Same result as
    `file.lines_with` without splitting the whole file or indexing every line start."""
    text, lower = file.text, file.lower
    if "\r" in text or len(lower) != len(text):
        return list(file.iter_lines(file.lines_with(keywords)))
    starts: set[int] = set()
    for keyword in keywords:
        index = lower.find(keyword)
        while index != -1:
            start = text.rfind("\n", 0, index) + 1
            starts.add(start)
            end = text.find("\n", index)
            index = -1 if end == -1 else lower.find(keyword, end + 1)
    return _numbered(text, starts)


def _is_sequential(value: str) -> bool:
    heuristic = detect_secrets_module("detect_secrets.filters.heuristic")
    return bool(heuristic.is_sequential_string(value))


def _spans(detector: BasePlugin, line: str, lower: str | None = None,
           memo: dict[str, Any] | None = None) -> Iterable[tuple[str, int, int]]:
    from scanner.facts.secrets.detect_secrets_plugins import spans

    return spans(detector, line, lower, memo)


def _is_sample_jwt(token: str) -> bool:
    """Unsigned tokens (`alg: none`, empty signature) and the jwt.io sample are not credentials."""
    parts = token.split(".")
    if len(parts) < 3 or len(parts[2]) < 16:
        return True
    try:
        header = json.loads(_b64(parts[0]))
        payload = _b64(parts[1]).decode("utf-8", "replace")
    except (ValueError, binascii.Error, RecursionError):  # a header nested thousands deep
        return True
    if isinstance(header, dict) and str(header.get("alg", "")).lower() == "none":
        return True
    return '"1234567890"' in payload and "John Doe" in payload


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
