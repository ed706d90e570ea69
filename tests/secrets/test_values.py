"""The value filters one by one: what each rejects and what it must let through."""

from __future__ import annotations

import pytest

from scanner.facts.secrets import values
from scanner.facts.secrets.syntax import (
    ACCESS_TOKEN,
    API_KEY,
    CLIENT_SECRET,
    ENV_CREDENTIAL,
    GENERIC_SECRET,
    PASSWORD,
    REFRESH_TOKEN,
    SECRET_KEY,
    classify_key,
    is_env_filename,
    is_public_prefixed,
)

REAL_LOOKING = ["q8ZrT4vWm2XkP9sLb7NcY3jH", "Vb4-Lq9!xZ2mT7", "whsec_Nq4Lm8Xz2Kv7Wt3Rb9Hc5Jd",
                "3f786850e387550fdab836ed7e6dc881de23001b", "AKIAY3M7Q2K8P5R9T4W6"]


@pytest.mark.parametrize("value", REAL_LOOKING)
def test_real_looking_values_pass_the_cheap_filters(value: str) -> None:
    assert not values.cheap_reject(value)


@pytest.mark.parametrize("value", [
    "short", "changeme", "your_client_secret_here", "<your-secret>", "xxxxxxxxxxxx", "REDACTED",
    "TODO-fill-me", "********", "dummy-value-123", "P@55w0rd!", "${CLIENT_SECRET}",
    "{{ vault_secret }}", "%(password)s", "<%= ENV['X'] %>", "$CLIENT_SECRET", "#{secret}",
    "settings.CLIENT_SECRET", "CLIENT_SECRET", "clientSecret", "AWSAccessKeyId", "IAmSensitive",
    "abcd1234defg5678", "ABC12345", "/run/secrets/client_secret", "gcp-service-account.json",
    "arn:aws:secretsmanager:us-east-1:1:secret:x", "op://vault/item/field", "process.env.SECRET",
    "sha512-+KJGIyHgkGuIq3IEBNftfhW", "pbkdf2_sha256$100000$salt$hash", "abababababab",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "https://api.acme.io/x",
])
def test_placeholders_templates_references_and_words_are_rejected(value: str) -> None:
    assert values.cheap_reject(value)


def test_extra_placeholders_and_min_length() -> None:
    assert values.cheap_reject("acme-dev-Xk3dM9pQ2", extra=["ACME-DEV-"])
    assert values.cheap_reject("Xk3dM9pQ2Lm", min_length=12)
    assert not values.cheap_reject("Xk3dM9pQ2Lm", min_length=11)


def test_detect_secrets_filters() -> None:
    assert values.detect_secrets_reject("7c9e6679-7425-40de-944b-e07fc1f90ae7", "x")
    assert values.detect_secrets_reject("1234567890", "x")
    line = 'creds = {"client_id": "abc", "client_secret": "q8ZrT4vWm2XkP9sLb7NcY3jH"}'
    assert not values.detect_secrets_reject("q8ZrT4vWm2XkP9sLb7NcY3jH", line, line.index("client_secret"))
    assert values.detect_secrets_reject("q8ZrT4vWm2XkP9sLb7NcY3jH", 'user_id = "q8ZrT4vWm2XkP9sLb7NcY3jH"')
    assert values.detect_secrets_reject("get_token", "token: get_token()", quoted=False)
    assert values.is_lock_file("package-lock.json") and not values.is_lock_file("package.json")


@pytest.mark.parametrize(("key", "kind"), [
    ("client_secret", CLIENT_SECRET), ("clientSecret", CLIENT_SECRET), ("CLIENT_SECRET", CLIENT_SECRET),
    ("GITHUB_CLIENT_SECRET", CLIENT_SECRET), ("consumer_secret", CLIENT_SECRET),
    ("app_secret", CLIENT_SECRET), ("self.client_secret", CLIENT_SECRET),
    ("--client-secret", CLIENT_SECRET), ("access_token", ACCESS_TOKEN), ("api_token", ACCESS_TOKEN),
    ("auth_token", ACCESS_TOKEN), ("bearerToken", ACCESS_TOKEN), ("access_token_secret", ACCESS_TOKEN),
    ("refresh_token", REFRESH_TOKEN), ("refreshToken", REFRESH_TOKEN), ("password", PASSWORD),
    ("DB_PASSWD", PASSWORD), ("db_pass", PASSWORD), ("dbPass", PASSWORD), ("pwd", PASSWORD),
    ("secret", GENERIC_SECRET), ("webhook_secret", GENERIC_SECRET), ("SECRET_KEY", SECRET_KEY),
    ("private_key", SECRET_KEY), ("api_key", API_KEY), ("apiKey", API_KEY),
    ("csrf_token", None), ("next_page_token", None), ("NextToken", None), ("ChangeToken", None),
    ("client_token", ACCESS_TOKEN), ("subject_token", ACCESS_TOKEN),
    ("eos_token", None), ("max_tokens", None), ("client_secret_file", None), ("password_hash", None),
    ("public_key", None), ("token_url", None), ("bypass", None), ("compass", None),
])
def test_classify_key(key: str, kind: str | None) -> None:
    assert classify_key(key) == kind


def test_env_files_widen_the_keys() -> None:
    assert classify_key("maps_key") is None
    assert classify_key("MAPS_KEY") == API_KEY  # a constant named like an environment variable
    assert classify_key("GITHUB_PAT") == API_KEY and classify_key("CACHE_KEY_PREFIX") is None
    assert classify_key("MAPS_KEY", env=True) == ENV_CREDENTIAL
    assert classify_key("STRIPE_PUBLISHABLE_KEY", env=True) is None
    assert is_env_filename(".env") and is_env_filename("deploy/.env.production")
    assert is_env_filename("prod.env") and not is_env_filename(".env.example")
    assert not is_env_filename(".env.sample") and not is_env_filename("env.py")


def test_public_prefixes() -> None:
    assert is_public_prefixed("NEXT_PUBLIC_CLIENT_SECRET") and is_public_prefixed("VITE_API_SECRET")
    assert is_public_prefixed("REACT_APP_REFRESH_TOKEN")
    assert not is_public_prefixed("NEXT_PUBLIC_API_URL") and not is_public_prefixed("CLIENT_SECRET")


@pytest.mark.parametrize("value", ["s2_access_control_key", "event_i0_enable", "pDischarge1",
                                   "echarge1Today", "iChargePV1", "polar_oauth2_state",
                                   "generic_10_key", "resource_metadata"])
def test_names_written_as_values_are_identifier_like(value: str) -> None:
    assert values.is_identifier_like(value)


@pytest.mark.parametrize("value", ["k6QaiQmcTm2zfaNns5L1Z8duBtJmhDOW8JawlCC3", "6zzjnumtsx136ddy",
                                   "PHES7U2RADREWAFEBUSTUBAWRASWUTUS", "a8f5f167f44f4964e6c998dee827110c",
                                   "9f3KpQ2LmX8vB7nR4tW1zY6a", "uwndz1YIfm9k78mx+mjW8qe7CX33VxRYnscDpZVkt4Y=",
                                   "x9k2_p3m7_q8z1", "Hunter2024"])
def test_generated_values_are_not_identifier_like(value: str) -> None:
    assert not values.is_identifier_like(value)


def test_rate_limits_and_dummy_names() -> None:
    assert all(values.is_rate_limit(v) for v in ("5/m/user", "20/m/ip,5/m/key", "100/day"))
    assert not values.is_rate_limit("Xk3dM9pQ/2LmX8vB")
    assert values.is_dummy_name("DUMMY_SECRET") and values.is_dummy_name("fakeToken")
    assert not values.is_dummy_name("RECOVERY_SECRET")


@pytest.mark.parametrize("value", ["[0-9A-Fa-f]{1,4}", "(?:[A-Za-z0-9]+)", r"\d+-\w{4}",
                                   "^sk_[a-z0-9]+$", "(?P<token>.+)"])
def test_regular_expressions_are_not_credentials(value: str) -> None:
    assert values.is_regex_like(value) and values.cheap_reject(value)


@pytest.mark.parametrize("value", ["k6QaiQmcTm2zfaNns5L1Z8du", "p[a-s]sw0rd!x", "Xk3{dM9}pQ*2LmX8",
                                   "uwndz1YIfm9k78mx+mjW8qe7CX33VxRYnscDpZVkt4Y="])
def test_values_with_brackets_or_pluses_are_not_read_as_regular_expressions(value: str) -> None:
    assert not values.is_regex_like(value)
