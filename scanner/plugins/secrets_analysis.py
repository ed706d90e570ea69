"""One pass over a file for all SH1xx rules: find candidate secrets, filter them, and give each
literal to exactly one rule (the most specific one), cached on the ParsedFile.

Priority, first claim wins on overlapping spans: private key (SH107), provider key (SH106), our
OAuth detectors and credential-named keys (SH101-SH105, SH110), credentials in URLs (SH109), JWT
(SH108). detect-secrets is imported only once a candidate survived the cheap filters."""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from scanner.parsed import FileKind, ParsedFile
from scanner.plugins import secrets_syntax as syntax
from scanner.plugins import secrets_values as values

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin

_CACHE_ATTR = "_secret_candidates"

# (module, class, provider, file keywords, whether every line is searched or only keyword lines)
# Detectors without a distinctive prefix (Discord, Telegram, Twilio, IBM, ...) run only in files
# that name the provider: their bare patterns match too much otherwise.
PROVIDERS: tuple[tuple[str, str, str, tuple[str, ...], bool], ...] = (
    ("aws", "AWSKeyDetector", "AWS", ("akia", "asia", "abia", "acca", "a3t", "aws"), False),
    ("artifactory", "ArtifactoryDetector", "JFrog Artifactory", ("artifactory",), True),
    ("azure_storage_key", "AzureStorageKeyDetector", "Azure Storage", ("accountkey=",), False),
    ("cloudant", "CloudantDetector", "IBM Cloudant", ("cloudant",), True),
    ("discord", "DiscordBotTokenDetector", "Discord", ("discord",), True),
    ("github_token", "GitHubTokenDetector", "GitHub",
     ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), False),
    ("gitlab_token", "GitLabTokenDetector", "GitLab",
     ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-", "glimt-", "glptt-",
      "glagent-", "gloas-"), False),
    ("ibm_cloud_iam", "IbmCloudIamDetector", "IBM Cloud IAM", ("ibm",), True),
    ("ibm_cos_hmac", "IbmCosHmacDetector", "IBM Cloud Object Storage", ("ibm",), True),
    ("mailchimp", "MailchimpDetector", "Mailchimp", ("-us",), False),
    ("npm", "NpmDetector", "npm", ("_authtoken",), False),
    ("openai", "OpenAIDetector", "OpenAI", ("t3blbkfj",), False),
    ("pypi_token", "PypiTokenDetector", "PyPI", ("pypi-",), False),
    ("sendgrid", "SendGridDetector", "SendGrid", ("sg.",), False),
    ("slack", "SlackDetector", "Slack", ("xox", "hooks.slack.com"), False),
    ("softlayer", "SoftlayerDetector", "IBM SoftLayer", ("softlayer",), True),
    ("square_oauth", "SquareOAuthDetector", "Square", ("sq0csp-",), False),
    ("stripe", "StripeDetector", "Stripe", ("sk_live_", "rk_live_"), False),
    ("telegram_token", "TelegramBotTokenDetector", "Telegram", ("telegram",), True),
    ("twilio", "TwilioKeyDetector", "Twilio", ("twilio",), True),
)
PROVIDER_KEYWORDS = tuple(sorted({k for *_, keys, _ in PROVIDERS for k in keys}))

# Our OAuth detectors with a distinctive prefix: (class, keyword, rule, credential kind).
OAUTH_PREFIXED = (
    ("GoogleOAuthClientSecretDetector", "gocspx-", "SH101", "Google OAuth client secret"),
    ("GoogleOAuthAccessTokenDetector", "ya29.", "SH102", "Google OAuth access token"),
    ("GoogleOAuthRefreshTokenDetector", "1//0", "SH103", "Google OAuth refresh token"),
)
OAUTH_PREFIX_KEYWORDS = tuple(keyword for _, keyword, _, _ in OAUTH_PREFIXED)

PRIVATE_KEY_KEYWORDS = ("private key", "putty-user-key-file")
JWT_KEYWORDS = ("eyj",)
URL_KEYWORDS = ("://",)
ASSIGNMENT_KEYWORDS = ("secret", "token", "passw", "pwd", "passphrase", "pass", "key", "bearer",
                       "credential")

_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "[::1]", "example.com", "example.org",
                "example.net")
_URL_CREDENTIAL = re.compile(r"(?P<scheme>[A-Za-z][\w+.\-]*)://(?P<user>[^\s:/@\"'`]*):$")
_JWT_SIGNATURE = re.compile(r"[A-Za-z0-9_\-]+")

# Rule for each credential kind of a named key (outside env files and frontend code).
_RULE_FOR_KIND = {
    syntax.CLIENT_SECRET: "SH101",
    syntax.ACCESS_TOKEN: "SH102",
    syntax.REFRESH_TOKEN: "SH103",
    syntax.PASSWORD: "SH110",
    syntax.GENERIC_SECRET: "SH110",
    syntax.SECRET_KEY: "SH110",
    syntax.API_KEY: "SH110",
}
# Kinds that SH105 takes over in browser-shipped code (an API key there is usually public).
_FRONTEND_KINDS = frozenset({syntax.CLIENT_SECRET, syntax.ACCESS_TOKEN, syntax.REFRESH_TOKEN,
                             syntax.GENERIC_SECRET, syntax.SECRET_KEY})
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
    """A secret value at a place (1-based line, columns; end_column is after the value)."""

    rule: str
    line: int
    column: int
    end_column: int
    value: str
    message: str


def candidates(file: ParsedFile, options: Mapping[str, Any]) -> list[Candidate]:
    """Every SH1xx finding of `file`, computed once and shared by the rules."""
    cached: list[Candidate] | None = getattr(file, _CACHE_ATTR, None)
    if cached is None:
        cached = _Analysis(file, options).run()
        setattr(file, _CACHE_ATTR, cached)
    return cached


def mode_for(file: ParsedFile) -> str:
    if file.kind in {FileKind.PYTHON, FileKind.HTML, FileKind.VUE, FileKind.NOTEBOOK} \
            or file.kind in {FileKind.JAVASCRIPT, FileKind.TYPESCRIPT, FileKind.TSX}:
        return syntax.QUOTED
    if file.kind is FileKind.TEXT:
        return syntax.mode_for_filename(file.path)
    return syntax.LOOSE


def is_committed_env_file(file: ParsedFile) -> bool:
    """`.env`, `.env.production`, `prod.env`; not `.env.example` and other templates."""
    return file.kind is FileKind.ENV and syntax.is_env_filename(file.path)


def _plugin(module: str, name: str) -> BasePlugin:
    loaded = importlib.import_module(module)
    detector: BasePlugin = getattr(loaded, name)()
    return detector


def _ours(name: str) -> BasePlugin:
    return _plugin("scanner.plugins.detect_secrets_plugins", name)


def _short(key: str) -> str:
    key = key.strip("\"'`")
    return key if len(key) <= 60 else key[:57] + "..."


@dataclass
class _Pending:
    """A named-key candidate waiting for detect-secrets' confirmation."""

    candidate: Candidate
    kind: str
    line_text: str
    key_start: int
    quoted: bool


class _Analysis:
    def __init__(self, file: ParsedFile, options: Mapping[str, Any]) -> None:
        self.file = file
        self.min_length = int(options.get("min-length", values.DEFAULT_MIN_LENGTH))
        self.placeholders: tuple[str, ...] = tuple(options.get("placeholders", ()))
        self.claimed: dict[int, list[tuple[int, int]]] = {}
        self.found: list[Candidate] = []

    # -- bookkeeping ----------------------------------------------------------------------------

    def _free(self, line: int, start: int, end: int,
              tentative: Mapping[int, list[tuple[int, int]]] | None = None) -> bool:
        spans = [*self.claimed.get(line, ()), *(tentative or {}).get(line, ())]
        return all(end <= s or start >= e for s, e in spans)

    def _claim(self, candidate: Candidate) -> None:
        self.claimed.setdefault(candidate.line, []).append(
            (candidate.column - 1, candidate.end_column - 1))
        self.found.append(candidate)

    def _lines(self, keywords: tuple[str, ...]) -> Iterator[tuple[int, str]]:
        return self.file.iter_lines(self.file.lines_with(keywords))

    # -- the pass ---------------------------------------------------------------------------------

    def run(self) -> list[Candidate]:
        name = PurePosixPath(self.file.path).name.lower()
        if name.endswith((".lock", "lock.json", ".resolved")) and values.is_lock_file(name):
            return []
        if self.file.has_any(PRIVATE_KEY_KEYWORDS):
            self._private_keys()
        if self.file.has_any(PROVIDER_KEYWORDS):
            self._providers()
        if self.file.has_any(OAUTH_PREFIX_KEYWORDS):
            self._oauth_prefixed()
        if self.file.has_any(ASSIGNMENT_KEYWORDS):
            self._named_keys()
        if self.file.has_any(URL_KEYWORDS):
            self._url_credentials()
        if self.file.has_any(JWT_KEYWORDS) and not self.file.is_test:
            self._jwts()
        self.found.sort(key=lambda c: (c.line, c.column, c.rule))
        return self.found

    def _private_keys(self) -> None:
        detector = _plugin("detect_secrets.plugins.private_key", "PrivateKeyDetector")
        for number, line in self._lines(PRIVATE_KEY_KEYWORDS):
            for header, start, end in _spans(detector, line):
                body = self._key_body(number, line[end:])
                while start > 0 and line[start - 1] == "-":
                    start -= 1  # report from the `-----BEGIN` of the header
                if body is None or not self._free(number, start, end):
                    continue
                self._claim(Candidate(
                    "SH107", number, start + 1, end + 1, body,
                    f"private key committed ({header.removeprefix('BEGIN ')}); revoke it, "
                    "remove it from history and load it from a secret store or a key file "
                    "outside the repository"))

    def _key_body(self, number: int, rest: str) -> str | None:
        """The first run of key material after a PEM/PuTTY header: on the same line (escaped
        newlines in a string) or on the next few lines. None for a bare header (parsing code)."""
        texts = [rest.replace("\\n", "\n")]
        texts.extend(self.file.line_text(n) for n in range(number + 1, number + 40))
        private_lines = "Private-Lines:" in "".join(texts)
        seen_private = False
        for text in texts:
            if "-----END" in text and not _KEY_BODY.search(text.split("-----END")[0]):
                return None
            if private_lines and not seen_private:
                seen_private = "Private-Lines:" in text
                continue
            match = _KEY_BODY.search(text)
            if match:
                body = match.group()
                if values.has_low_variety(body) or values.is_placeholder(body, self.placeholders):
                    return None
                return body
        return None

    def _providers(self) -> None:
        from detect_secrets.filters import heuristic

        for module, name, provider, keywords, every_line in PROVIDERS:
            if not self.file.has_any(keywords):
                continue
            detector = _plugin(f"detect_secrets.plugins.{module}", name)
            lines = (enumerate(self.file.lines, start=1) if every_line
                     else self._lines(keywords))
            for number, line in lines:
                for value, start, end in _spans(detector, line):
                    if (len(value) < self.min_length or values.has_low_variety(value)
                            or values.is_placeholder(value, self.placeholders)
                            or values.is_word_like(value) or heuristic.is_sequential_string(value)
                            or not self._free(number, start, end)):
                        continue
                    secret_type = str(detector.secret_type)
                    self._claim(Candidate(
                        "SH106", number, start + 1, end + 1, value,
                        f"{provider} credential ({secret_type}) hardcoded; revoke it at "
                        f"{provider} and load it from the environment or a secret manager"))

    def _oauth_prefixed(self) -> None:
        for name, keyword, rule, what in OAUTH_PREFIXED:
            if keyword not in self.file.lower:
                continue
            detector = _ours(name)
            for number, line in self._lines((keyword,)):
                for value, start, end in _spans(detector, line):
                    if (values.has_low_variety(value[8:])
                            or values.is_placeholder(value, self.placeholders)
                            or not self._free(number, start, end)):
                        continue
                    if self.file.is_frontend:
                        rule, message = "SH105", (f"{what} in browser-shipped code: every visitor "
                                                  "can read it; keep it on the server")
                    else:
                        message = (f"{what} hardcoded; revoke it and load it from the environment "
                                   "or a secret manager")
                    self._claim(Candidate(rule, number, start + 1, end + 1, value, message))

    # -- credential-named keys ----------------------------------------------------------------

    def _route(self, key: str, kind: str) -> tuple[str, str] | None:
        """(rule, message) for a literal given to `key`, or None when no rule wants it."""
        shown = _short(key)
        if syntax.is_public_prefixed(key):
            return "SH105", (f"`{shown}` is inlined into the browser bundle by its public prefix; "
                             f"a {kind} must never use a public build-time variable")
        if key.strip("\"'`").upper().startswith(syntax.PUBLIC_PREFIXES):
            return None  # a public build-time variable that is not named as a secret
        if is_committed_env_file(self.file):
            return "SH104", (f"`{shown}` holds a {kind} in a committed env file; keep real values "
                             "out of git and commit a `.env.example` with placeholders")
        if self.file.is_frontend and kind == syntax.API_KEY:
            return None  # browser API keys (Firebase, Maps) are public by design
        if self.file.is_frontend and kind in _FRONTEND_KINDS:
            return "SH105", (f"{kind} in `{shown}` ships to the browser in frontend code; every "
                             "visitor can read it. Keep it on the server")
        rule = _RULE_FOR_KIND.get(kind)
        if rule is None:
            return None
        if rule == "SH110":
            label = "password" if kind == syntax.PASSWORD else "secret"
            return rule, (f"hardcoded {label} in `{shown}`; load it from the environment or a "
                          "secret manager")
        return rule, (f"hardcoded {kind} in `{shown}`; load it from the environment or a "
                      "secret manager")

    def _plausible(self, value: str, kind: str) -> bool:
        if values.cheap_reject(value, min_length=self.min_length, extra=self.placeholders):
            return False
        entropy = values.shannon_entropy(value)
        if self.file.is_test:
            # Tests hold fixture JWTs and short dummies; only long random literals count there.
            return len(value) >= 16 and entropy >= 3.5 and not value.startswith("eyJ")
        return entropy >= (2.5 if kind == syntax.PASSWORD else 3.0)

    def _named_keys(self) -> None:
        mode = mode_for(self.file)
        env = is_committed_env_file(self.file)
        pending: list[_Pending] = []
        taken: dict[int, list[tuple[int, int]]] = {}
        for number, line in self._lines(ASSIGNMENT_KEYWORDS):
            for found in syntax.find_assignments(line, mode, env=env):
                if not self._plausible(found.value, found.kind):
                    continue
                routed = self._route(found.key, found.kind)
                if routed is None or not self._free(number, found.start, found.end, taken):
                    continue
                rule, message = routed
                candidate = Candidate(rule, number, found.start + 1, found.end + 1, found.value,
                                      message)
                taken.setdefault(number, []).append((found.start, found.end))
                pending.append(_Pending(candidate, found.kind, line, found.key_start, found.quoted))
            for value, start, end in syntax.find_bearer(line):
                if (not self._plausible(value, syntax.ACCESS_TOKEN)
                        or not self._free(number, start, end, taken)):
                    continue
                if self.file.is_frontend:
                    rule, message = "SH105", ("literal Bearer token in an Authorization header of "
                                              "browser-shipped code; every visitor can read it")
                elif is_committed_env_file(self.file):
                    rule, message = "SH104", ("literal Bearer token in a committed env file; keep "
                                              "real values out of git")
                else:
                    rule, message = "SH102", ("literal Bearer token in an Authorization header; "
                                              "obtain tokens at run time instead")
                candidate = Candidate(rule, number, start + 1, end + 1, value, message)
                taken.setdefault(number, []).append((start, end))
                pending.append(_Pending(candidate, syntax.ACCESS_TOKEN, line, start, True))
        if pending:
            self._confirm(pending)

    def _confirm(self, pending: list[_Pending]) -> None:
        """detect-secrets' heuristic filters, then our detect-secrets plugin for the kind must
        yield the same value from the line (the plugins are the contract for other tools)."""
        plugins: dict[str, BasePlugin] = {}
        mode = mode_for(self.file)
        for item in pending:
            value = item.candidate.value
            if values.detect_secrets_reject(value, item.line_text, item.key_start,
                                            quoted=item.quoted):
                continue
            name = _CONFIRMING_PLUGIN[item.kind]
            plugin = plugins.get(name)
            if plugin is None:
                plugin = plugins[name] = _ours(name)
                plugin.mode = mode  # type: ignore[attr-defined]
                plugin.env = is_committed_env_file(self.file)  # type: ignore[attr-defined]
            if value not in set(plugin.analyze_string(item.line_text)):
                continue
            self._claim(item.candidate)

    # -- URLs and JWTs ------------------------------------------------------------------------

    def _url_credentials(self) -> None:
        detector = _plugin("detect_secrets.plugins.basic_auth", "BasicAuthDetector")
        for number, line in self._lines(URL_KEYWORDS):
            if "@" not in line:
                continue
            for password, start, end in _spans(detector, line):
                prefix = _URL_CREDENTIAL.search(line[max(0, start - 300):start])
                host = line[end + 1:end + 80].lower()
                if (prefix is None or host.startswith(_LOCAL_HOSTS)
                        or values.cheap_reject(password, min_length=self.min_length,
                                               extra=self.placeholders)
                        or password == prefix.group("user")
                        or not self._free(number, start, end)):
                    continue
                self._claim(Candidate(
                    "SH109", number, start + 1, end + 1, password,
                    f"password embedded in a URL ({prefix.group('scheme')}://user:…@host); pass "
                    "credentials separately, from the environment or a secret manager"))

    def _jwts(self) -> None:
        detector = _plugin("detect_secrets.plugins.jwt", "JwtTokenDetector")
        for number, line in self._lines(JWT_KEYWORDS):
            for token, start, end in _spans(detector, line):
                # detect-secrets' pattern ends lazily, before the signature: take it too.
                signature = _JWT_SIGNATURE.match(line, end)
                if signature:
                    end = signature.end()
                    token = line[start:end]
                if _is_sample_jwt(token) or not self._free(number, start, end):
                    continue
                self._claim(Candidate(
                    "SH108", number, start + 1, end + 1, token,
                    "JSON Web Token hardcoded; a signed token is a bearer credential until it "
                    "expires. Mint it at run time"))


def _spans(detector: BasePlugin, line: str) -> Iterable[tuple[str, int, int]]:
    from scanner.plugins.detect_secrets_plugins import spans

    return spans(detector, line)


def _is_sample_jwt(token: str) -> bool:
    """Unsigned tokens (`alg: none`, empty signature) and the jwt.io sample are not credentials."""
    parts = token.split(".")
    if len(parts) < 3 or len(parts[2]) < 16:
        return True
    try:
        header = json.loads(_b64(parts[0]))
        payload = _b64(parts[1]).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return True
    if isinstance(header, dict) and str(header.get("alg", "")).lower() == "none":
        return True
    return '"1234567890"' in payload and "John Doe" in payload


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
