"""Precision filters for candidate secret values: placeholders, templates, references, words.

Cheap checks run first; detect-secrets' heuristic filters confirm the survivors (lazy import)."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable

from scanner.lazy import compiled_on_use, detect_secrets_module

DEFAULT_MIN_LENGTH = 8
# How many layers of base64, hex or percent-encoding the format path reads through by default.
DEFAULT_DECODE_DEPTH = 1

# Substrings that mark a value as a placeholder or a dummy, never a live credential.
PLACEHOLDER_MARKERS = (
    "example", "sample", "dummy", "fake", "placeholder", "changeme", "change_me", "change-me",
    "replace", "your", "xxx", "***", "...", "…", "redacted", "todo", "fixme", "insert", "test",
    "mock", "foobar", "lorem", "notasecret", "not-a-secret", "not_a_secret", "secret", "password",
    "passwd", "token", "dev-only", "insecure-default", "randomstring", "stringhere", "keyhere",
)
# Words in a credential's name that say its value is a stand-in.
DUMMY_NAME_MARKERS = ("dummy", "fake", "example", "sample", "placeholder", "mock")
# A segment of a name written as a value: words, each maybe numbered (`echarge1Today`), with a
# closing acronym (`iChargePV1`); a number; or a short mixed run (`e2e`, `s3`).
_NAME_SEGMENT = compiled_on_use(r"(?:[a-z]+[0-9]{0,3})?(?:[A-Z][a-z]+[0-9]{0,3})*(?:[A-Z]+[0-9]{0,3})?"
                                r"|[A-Z]+[0-9]{0,3}|[0-9]+|[a-z0-9]{1,3}")
_SEPARATORS = re.compile(r"[_\-./:]+")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_ONE_RATE = r"\d+/\d*(?:[smhd]|sec|min|hour|day)[a-z]*(?:/[\w.]+)?"
_REGEX_PIECE = re.compile(r"\[[^\]\s]*\w-\w[^\]\s]*\](?:\{\d+(?:,\d*)?\}|[+*])|\(\?(?:[:=!]|P<)"
                          r"|\\[dwsDWS](?:[+*]|\{\d)")
_RATE_LIMIT = re.compile(_ONE_RATE + r"(?:,[ \t]*" + _ONE_RATE + ")*")
# Whole values (lower-case) that mean "nothing here", including the hashes of the empty string.
EMPTY_VALUES = frozenset({"null", "none", "nil", "undefined", "true", "false", "yes", "no",
                          "required", "optional", "string", "str", "env", "unset",
                          "d41d8cd98f00b204e9800998ecf8427e",
                          "da39a3ee5e6b4b0d3255bfef95601890afd80709",
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
# References to a secret store or to a file holding the secret, not the secret itself.
REFERENCE_MARKERS = ("secretsmanager", "ssm:", "op://", "vault:", "vault.", "keyvault", "/secrets/",
                     "arn:aws:", "enc[", "!vault", "sops", "kms:", "process.env", "os.environ",
                     "getenv", "import.meta.env")
# (`[%key:common::config_flow::data::api_key%]` is a translation reference of Home Assistant.)
_TEMPLATE = re.compile(r"\$\{|\{\{|\}\}|%\(|<%|%>|#\{|\{[\w.]*\}|%[sd]\b|@[A-Z_]+@|\[%key:")
_HASH_PREFIX = re.compile(
    r"^(?:(?:sha(?:1|224|256|384|512)|md5|blake2b?)[:\-]"
    r"|(?:pbkdf2_sha\d+|pbkdf2|argon2(?:id|i|d)?|bcrypt(?:_sha256)?|scrypt|crypt|sha1|md5)\$)",
    re.IGNORECASE)
_PATH_SUFFIX = re.compile(r"\.(?:json|pem|key|p12|pfx|crt|cer|txt|ya?ml|env|ini|toml|cfg|conf|jks)$",
                          re.IGNORECASE)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+")
_NATURAL_SEGMENT = re.compile(r"^(?:[a-z]+|[A-Z]+|[a-z]*(?:[A-Z][a-z]*)+)$")
# "password" and "secret" as people write them in place of a value, in the languages of
# translated docs and catalogues (`usuario:contraseña@host`): a dummy, not a credential.
_DUMMY_WORDS = ("password", "passwort", "secret", "kennwort", "contraseña", "contrasena",
                "motdepasse", "mot_de_passe", "mot de passe", "senha", "wachtwoord", "lösenord",
                "losenord", "salasana", "passord", "adgangskode", "hasło", "haslo", "heslo",
                "jelszó", "jelszo", "şifre", "parola", "пароль", "密码", "密碼", "パスワード",
                "비밀번호", "geheim")
_CODE_BETWEEN_STRINGS = compiled_on_use(
    r"[)\]}][)\]}{(\s]*[,;][)\]},;{(\s]*[A-Za-z_$][\w$]*\s*[:=(]\s*\Z")
# Leetspeak folded back, so `P@55w0rd!` reads as the dummy it is.
_LEET = str.maketrans("@4301!|$57", "aaeoiilsst")


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_placeholder(value: str, extra: Iterable[str] = ()) -> bool:
    lower = value.lower()
    folded = lower.translate(_LEET)
    return (lower in EMPTY_VALUES
            or any(marker in lower for marker in PLACEHOLDER_MARKERS)
            or any(word in folded for word in _DUMMY_WORDS)
            or any(marker.lower() in lower for marker in extra))


def has_sequence(value: str, run: int = 4) -> bool:
    """`abcd1234`, `ABC12345`, `4567`: a run of consecutive letters or digits, which random
    credentials almost never contain and example values almost always do."""
    lower = value.lower()
    count = 1
    for previous, current in itertools.pairwise(lower):
        count = count + 1 if ord(current) - ord(previous) == 1 and current.isalnum() else 1
        if count >= run:
            return True
    return False


def is_rate_limit(value: str) -> bool:
    """`5/m/user`, `20/m/ip,5/m/key`, `100/day`: a rate limit, whatever key holds it."""
    return _RATE_LIMIT.fullmatch(value) is not None


def is_regex_like(value: str) -> bool:
    """`[0-9A-Fa-f]{1,4}`, `(?:...)`, `\\d+`: a regular expression (urllib3's `HEX_PAT`, a
    `TOKEN_PATTERN`), not a credential, whatever key holds it: a character range with a
    quantifier, a non-capturing or named group, or a quantified class escape."""
    return _REGEX_PIECE.search(value) is not None


def is_templated(value: str) -> bool:
    """`${X}`, `{{ x }}`, `%(x)s`, `<%= x %>`, `#{x}`, `{name}`, `$X` and friends."""
    return value.startswith(("$", "%", "{", "<")) or bool(_TEMPLATE.search(value))


def is_reference(value: str) -> bool:
    """A pointer to where the secret lives: a secret-manager id, an env lookup, a file path, a URL."""
    lower = value.lower()
    if any(marker in lower for marker in REFERENCE_MARKERS):
        return True
    if value.startswith(("/", "./", "../", "~/", "file:")) or "://" in value:
        return True
    return bool(_PATH_SUFFIX.search(value))


def is_word_like(value: str) -> bool:
    """Identifiers and prose (`CLIENT_SECRET`, `settings.clientSecret`, `my-app-secret`): every
    segment is a natural-case word, and camelCase humps are word-long, not random. A trailing
    `=` is an auth parameter's (`Bearer realm=`), not base64 padding, on a word."""
    segments = [s for s in re.split(r"[_\-.\s/:]+", value.rstrip("=")) if s]
    if not segments or not all(_NATURAL_SEGMENT.match(s) for s in segments):
        return False
    words = [w for s in segments for w in _WORD.findall(s)]
    return sum(len(w) for w in words) / len(words) >= 3


def is_identifier_like(value: str) -> bool:
    """Names written as values (`s2_access_control_key`, `event_i0_enable`, `echarge1Today`,
    `polar_oauth2_state`): natural-case words, digits only numbering a word (and few of them).
    Generated keys mix digits and capitals into short runs (`k6QaiQmcTm2z...`, `6zzjnu...`)."""
    segments = [s for s in _SEPARATORS.split(value) if s]
    if not segments or not all(_NAME_SEGMENT().fullmatch(s) for s in segments):
        return False
    letters = "".join(segments).translate(_NO_DIGITS)
    if not letters or (len(value) - len(value.translate(_NO_DIGITS))) * 5 > len(value):
        return False
    mixed = [s for s in segments if not s.isupper() and not s.islower()]
    capitals = sum(c.isupper() for s in mixed for c in s)
    if capitals * 3 > sum(c.isalpha() for s in mixed for c in s):
        return False
    words = [w for s in segments for w in _WORD.findall(s.translate(_NO_DIGITS))]
    return sum(len(w) for w in words) / len(words) >= 2.5


def is_dummy_name(key: str) -> bool:
    """`DUMMY_SECRET`, `fake_token`, `EXAMPLE_API_KEY`: the name says the value is a stand-in."""
    lower = key.lower()
    return any(marker in lower for marker in DUMMY_NAME_MARKERS)


def has_low_variety(value: str) -> bool:
    """`aaaaaaaa`, `abababab`, `12121212`: too few distinct characters to be random."""
    return len(set(value)) < min(5, len(value) // 2 + 1)


def is_hash_like(value: str) -> bool:
    """Integrity strings (`sha512-...`, `sha256:...`) and password hashes (`pbkdf2_sha256$...`):
    a hash is what you store instead of the secret."""
    return bool(_HASH_PREFIX.match(value))


def is_code_between_strings(value: str) -> bool:
    """The code between two string literals read as one quoted value (`"Password:")}),name:"`
    in minified JS gives `)}),name:`): closing brackets, separators and the next key."""
    return _CODE_BETWEEN_STRINGS().match(value) is not None


def is_unsigned_sas(value: str) -> bool:
    """An Azure shared access signature's parameters without `sig=`: a policy, not a credential."""
    lower = value.lower()
    return "sv=" in lower and ("se=" in lower or "sp=" in lower) and "sig=" not in lower


def cheap_reject(value: str, *, min_length: int = DEFAULT_MIN_LENGTH, extra: Iterable[str] = ()) -> bool:
    """True when `value` is certainly not a live credential (no imports needed)."""
    return (len(value) < min_length
            or is_placeholder(value, extra)
            or is_templated(value)
            or is_rate_limit(value)
            or is_regex_like(value)
            or is_reference(value)
            or is_hash_like(value)
            or has_low_variety(value)
            or has_sequence(value)
            or is_word_like(value)
            or is_unsigned_sas(value)
            or is_code_between_strings(value))


def detect_secrets_reject(value: str, line: str, key_start: int = 0, *, quoted: bool = True) -> bool:
    """detect-secrets' heuristic filters: sequences, UUIDs, ids, templates, no letters, and (for
    bare config values) indirect references like `token: get_token()`.

    `is_likely_id_string` looks at the line only from the key on, so that a `client_id` earlier
    on the same line does not hide the `client_secret` after it."""
    from detect_secrets.filters import heuristic

    # Both line filters read only the text up to the value (detect-secrets skips the indirect
    # reference check on lines over 1,000 characters): slices, not a copy of a megabyte line.
    rest = line[key_start:key_start + 1001] if len(line) - key_start <= 1000 else None
    index = line.find(value, key_start)
    head = line[key_start:index + len(value)] if index != -1 else line[key_start:]
    return ((not quoted and rest is not None and heuristic.is_indirect_reference(rest))
            or heuristic.is_sequential_string(value)
            or heuristic.is_potential_uuid(value)
            or heuristic.is_likely_id_string(value, head)
            or heuristic.is_templated_secret(value)
            or heuristic.is_not_alphanumeric_string(value))


def is_lock_file(path: str) -> bool:
    heuristic = detect_secrets_module("detect_secrets.filters.heuristic")
    return bool(heuristic.is_lock_file(path))
