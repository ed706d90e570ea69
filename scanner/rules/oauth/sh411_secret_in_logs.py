"""SH411 secret-in-logs: secrets, tokens and Authorization headers written to logs."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.oauth.logs import LoggedCredential
from scanner.facts.oauth.names import is_generic_credential, short
from scanner.model.finding import Confidence, Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS


class SecretInLogs(Rule):
    """## What it does
    Finds secrets, tokens and Authorization headers written to logs. That covers values passed to
    logging calls, `print`, `console.log` and friends, or into exception messages, and the body,
    headers or response of a token request logged whole (`log.debug("body %s", r.request.body)`).
    A credential word that is only a name is not flagged: a field name mapped to an error
    (`ValidationError({"refresh_token": err})`), an argument the exception's `__init__` only
    stores, a file name (`TOKEN_FILE = "token.json"`), an LLM usage count (`total_tokens`), a
    nonce; nor is a name the file only gives a flag, a number or an id (`self.manual_token =
    data.get(KEY, False)`, `token = self.id`) or declares as a WWW-Authenticate challenge, a
    value the format string places as a file name (`"in files %s and %s"`), or an answer raised
    where it is known to lack the token (`if "oauth_token" not in token: raise ...`). A value
    that holds a credential by where it came from is flagged whatever its name: a URL built
    with `?token={...}`, what a call minting a code or token returns (`grant =
    {"code": generate_token()}`). Findings on generic names (`token`, `secret`), on such values
    and on logged token requests are of medium confidence: the value's meaning is inferred.
    A token printed by a command that prompts the person at the terminal (`input()`,
    `getpass`, `click.prompt`) is shown to the one who authorised it, often on purpose (to
    pass back with `--token`): low confidence.

    Nor is a value the code itself calls an id or a nonce: logged under a key, keyword or
    placeholder text that says so (`extra={"session_token_id": token}`, `nonce=token`,
    `"token id %s"`), or under the key the same file logs that value as an id elsewhere. A
    webhook payload's own nonce is not our secret: a value the file signs in an HMAC message
    together with a timestamp (`hmac.new(key, f"{timestamp}{token}".encode(), sha256)`: it
    travels in the clear beside its signature), or Amazon SNS's one-time `Token` in a file
    that handles its SubscriptionConfirmation. An HMAC over a token alone (a stored token's
    keyed hash) is no such message. A raise reached only when an object matched none of the
    types it was tested for (`for kind in KINDS: if isinstance(token, kind): break` / `else:
    raise`, or the `else` of an `isinstance` chain) is a programming-error guard; `if not
    isinstance(token, str): raise TypeError(f"{token!r}")` is still reported (it may print
    the token), and `type(token)` or `token.__class__` is no value.

    ## Why is this bad?
    Logs are shipped, indexed, retained and read by far more people and systems than the token
    store. A token in a log line is a leaked token. Logging a token's length, expiry, type, a
    hash/fingerprint or a short prefix is fine and not flagged.

    ## Example
        logger.info("got token %s", token["access_token"])

    ## Use instead
        logger.info("got token expiring at %s", token["expires_at"])

    ## References
    - RFC 9700 §4.10 (Misuse of Stolen Access Tokens), §4.14 (Refresh Token Protection)
    - CWE-532 (Insertion of Sensitive Information into Log File)
    """

    id = "SH411"
    name = "secret-in-logs"
    family = "oauth"
    severity = Severity.MEDIUM
    cwe = ("CWE-532",)
    needs = (LoggedCredential,)
    contexts = NOT_IN_TESTS
    examples = (
        Bad('logger.info("got token %s", token["access_token"])\n', line=1),
        Bad('print(f"refresh token: {refresh_token}")\n', line=1),
        Bad('raise RuntimeError(f"token call failed with secret {client_secret}")\n', line=1),
        Bad("console.log('auth header', req.headers.authorization);\n", path="server/app.js", line=1),
        Bad("if (!res.ok) {\n  throw new Error(`refresh failed for ${refreshToken}`);\n}\n",
            path="src/auth.ts", line=2),
        Good('logger.info("got token expiring at %s", token["expires_at"])\n'),
        Good('logger.debug("token length %d", len(access_token))\n'),
        Good('print(f"token url: {token_url}")\n'),
        Good("console.log('token expires in', tokens.expiresIn);\n", path="src/auth.js"),
        Good('raise ValidationError({"refresh_token": ValidationError("Missing token.")})\n'),
        Good('log.info("LLM call used %d tokens", response.usage.total_tokens)\n'),
        Good('self.manual_token = entry.get("manual_token", False)\n'
             'log.debug("manual token mode=%s", self.manual_token)\n'),
        Bad('url = f"{base}/notify?token={self.api_token}"\nlog.debug("Registering %s", url)\n',
            line=2),
        Good('logger.info("elevated", extra={"session_token_id": session_token})\n'),
        Good('import hmac\n'
             'def signed(key, timestamp, webhook_token):\n'
             '    return hmac.new(key, f"{timestamp}{webhook_token}".encode(), "sha256")\n'
             'log.info("bad signature for %s", webhook_token)\n'),
        Bad('log.info("elevated", extra={"session_token": session_token})\n', line=1),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        for leak in facts.of(LoggedCredential):
            shown = short(leak.name, 50)
            confidence = Confidence.MEDIUM if leak.wire or leak.inferred or \
                is_generic_credential(leak.name) else Confidence.HIGH
            if leak.sink == "raise":
                yield context.report(self, leak.span, f"`{shown}` is put into the message of "
                                     f"`{leak.call}`, which ends up in logs and error pages",
                                     construct=f"raise:{leak.call}:{leak.name}",
                                     confidence=confidence)
            elif leak.wire:
                yield context.report(self, leak.span, f"`{shown}` of a token request is written "
                                     f"out by `{leak.call}(...)`: it carries secrets or tokens; "
                                     "log the status code instead",
                                     construct=f"wire:{leak.call}:{leak.name}",
                                     confidence=confidence)
            elif leak.shown:
                # Maybe on purpose (a token to pass back with `--token`): unsure, so low.
                yield context.report(self, leak.span, f"`{shown}` is printed by `{leak.call}(...)` "
                                     "in an interactive command: scrollback, screen sharing and "
                                     "session recordings keep it; show a fingerprint or write it "
                                     "to a file only its owner can read",
                                     construct=f"log:{leak.call}:{leak.name}",
                                     confidence=Confidence.LOW)
            else:
                yield context.report(self, leak.span, f"`{shown}` is written out by "
                                     f"`{leak.call}(...)`; log a fingerprint, its length or its "
                                     "expiry instead", construct=f"log:{leak.call}:{leak.name}",
                                     confidence=confidence)
