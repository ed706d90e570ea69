"""SH412 long-lived-token-storage: refresh tokens stored without encryption."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.cookies import CookieWrite
from scanner.facts.oauth.names import short
from scanner.facts.oauth.token_store import RefreshTokenStore
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS

# Cookies a server sets (a signed cookie is not readable as is, so it is not plain storage).
_SERVER_COOKIES = frozenset({"set_cookie", "res.cookie"})


class LongLivedTokenStorage(Rule):
    """## What it does
    Finds refresh tokens stored without encryption. That covers tokens written to plain files (`json.dump(token, f)`, `f.write(creds.to_json())`,
    `fs.writeFileSync`), kept in unencrypted database columns (SQLAlchemy, Django, raw SQL
    `INSERT`/`UPDATE`), or put in cookies, with no encryption step in sight (Fernet, KMS,
    keyring, `EncryptedType`...). The message says what was seen. A whole token response
    (`json.dump(token, f)` after `fetch_token()`) counts: it holds the refresh token. Not
    flagged: a refresh token in an `HttpOnly` + `Secure` cookie (where a browser client should
    keep it), integer or date columns about the token (`refresh_token_expires_at`), and form,
    serializer or GraphQL fields named like one.

    ## Why is this bad?
    A refresh token lives for weeks or months and mints new access tokens. A backup, a leaked
    database dump or a stolen laptop turns every stored refresh token into long-term account
    access. Store them encrypted (or in the OS keychain), and rotate them.

    ## Example
        with open("token.json", "w") as fh:
            fh.write(creds.to_json())

    ## Use instead
        keyring.set_password("my-cli", user, creds.to_json())

    ## References
    - RFC 9700 §4.14 (Refresh Token Protection), §2.2.2 (Refresh Tokens)
    - CWE-312 (Cleartext Storage of Sensitive Information)
    """

    id = "SH412"
    name = "long-lived-token-storage"
    family = "oauth"
    severity = Severity.MEDIUM
    cwe = ("CWE-312",)
    needs = (RefreshTokenStore, CookieWrite)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('with open("token.json", "w") as fh:\n    fh.write(creds.to_json())\n', line=2),
        Bad("class Account(Base):\n    refresh_token = Column(String(512))\n", path="models.py",
            line=2),
        Bad("fs.writeFileSync(TOKEN_PATH, JSON.stringify({ refresh_token: tokens.refresh_token }));\n",
            path="cli/store.js", line=1),
        Bad('cursor.execute("INSERT INTO accounts (user_id, refresh_token) VALUES (%s, %s)", row)\n',
            line=1),
        Bad('resp.set_cookie("refresh_token", tokens["refresh_token"])\n', line=1),
        Bad('token = oauth.fetch_token(TOKEN_URL, code=code)\nwith open("token.json", "w") as fh:\n'
            '    json.dump(token, fh)\n', line=3),
        Good('keyring.set_password("my-cli", user, creds.to_json())\n'),
        Good("class Account(Base):\n    refresh_token = Column(EncryptedType(String, KEY))\n",
             path="models.py"),
        Good('with open("token.json", "w") as fh:\n    fh.write(fernet.encrypt(creds.to_json().encode()))\n'),
        Good('resp.set_signed_cookie("refresh_token", tokens["refresh_token"], httponly=True, '
             'secure=True)\n'),
        Good('response.write(json.dumps({"refresh_token": tokens["refresh_token"]}))\n',
             path="api/views.py"),
        Good('resp.set_cookie("refresh_token", tokens["refresh_token"], httponly=True, secure=True)\n'),
        Good("class Account(Base):\n    refresh_token_expires_at = Column(Integer, nullable=True)\n",
             path="models.py"),
        Good("class Mutation(graphene.ObjectType):\n    token_refresh = RefreshToken.Field()\n",
             path="schema.py"),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for store in facts.of(RefreshTokenStore):
            if store.encrypted:
                continue
            if store.where == "file":
                yield context.report(self, store.span, "refresh token written to a plain file by "
                                     f"`{store.shown}` with no encryption step in sight",
                                     construct=f"file-write:{store.target}",
                                     confidence=Confidence.MEDIUM if store.inferred else None)
            elif store.where == "column":
                yield context.report(self, store.span, f"database column `{store.target}` stores "
                                     f"refresh tokens unencrypted (`{short(store.shown, 50)}`)",
                                     construct=f"column:{store.target}")
            else:
                yield context.report(self, store.span, "SQL writes refresh_token into a table "
                                     "with no encryption step in sight",
                                     construct="sql:refresh_token")
        for cookie in facts.of(CookieWrite):
            if cookie.api in _SERVER_COOKIES and cookie.refresh and not cookie.encrypted \
                    and cookie.missing != ():  # HttpOnly + Secure: out of script's and the wire's reach
                label = cookie.name or cookie.value_shown
                yield context.report(self, cookie.span, f"refresh token stored in cookie `{label}` "
                                     "as is, with no encryption step", construct=f"cookie:{label}")
