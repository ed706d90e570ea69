"""SH407 tls-verification-disabled: certificate checks turned off where credentials travel."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.facts.base import FileFacts
from scanner.facts.tls import TlsCheckOff, TlsSwitchInEnvironment
from scanner.model.finding import Finding, Severity
from scanner.rules.base import Bad, Good, Rule, RuleContext
from scanner.rules.oauth.common import NOT_IN_TESTS

_MESSAGES = {
    "call": "`{target}(..., {how})` sends credentials without checking the server certificate",
    "session": "`{how}` turns off certificate checks for every request this session sends "
               "with credentials",
    "context": "{how} turns off certificate checks next to credential-bearing calls",
    "process": "{how} turns off certificate checks for every request of the process, token "
               "calls included",
}


class TlsVerificationDisabled(Rule):
    """## What it does
    Finds TLS certificate verification turned off where credentials are sent. It looks at calls
    that carry credentials or go to token or API URLs: `verify=False` (requests, httpx,
    OAuth2Session), `session.verify = False`, `ssl._create_unverified_context`,
    `rejectUnauthorized: false`, and the process-wide `NODE_TLS_REJECT_UNAUTHORIZED=0` /
    `PYTHONHTTPSVERIFY=0`.

    ## Why is this bad?
    Without certificate checks, anyone on the network path can impersonate the token endpoint
    or API and collect the client secret, the authorization code, the tokens. Calls to loopback
    URLs and test code talking to a local server are not flagged.

    ## References
    - RFC 9700 §2.6 (Other Recommendations: end-to-end TLS per BCP 195)
    - RFC 6749 §10.9 (Ensuring Endpoint Authenticity)
    - CWE-295 (Improper Certificate Validation)
    """

    id = "SH407"
    name = "tls-verification-disabled"
    family = "oauth"
    severity = Severity.HIGH
    cwe = ("CWE-295",)
    needs = (TlsCheckOff, TlsSwitchInEnvironment)
    contexts = NOT_IN_TESTS  # tests talk to local servers with fake certificates on purpose
    examples = (
        Bad('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code}, verify=False)\n',
            line=1),
        Bad("const agent = new https.Agent({ rejectUnauthorized: false });\n"
            "fetch(tokenUrl, { agent, headers: { Authorization: `Bearer ${token}` } });\n",
            path="server/client.js", line=1),
        Bad("NODE_TLS_REJECT_UNAUTHORIZED=0\n", path=".env", line=1),
        Bad('import requests\n\nsession = requests.Session()\nsession.verify = False\n'
            'session.post(TOKEN_URL, data={"client_secret": SECRET})\n', line=4),
        Good('requests.post(TOKEN_URL, data={"client_secret": SECRET, "code": code})\n'),
        Good('requests.get("https://127.0.0.1:8443/token", verify=False)\n'),
        Good('def test_token(server):\n    httpx.post(server.url + "/token", verify=False)\n',
             path="tests/test_client.py"),
        Good('requests.get("https://status.acme.io/health", verify=False)\n'),
        Good("PYTHONHTTPSVERIFY=0\n", path=".env.test"),
        Good('jwt.decode(token, options={"verify_signature": False}, verify=False)\n'
             'print("no network here")\n', path="scripts/inspect.py"),
        Good('claims = jwt_decode(access_token, settings.SECRET_KEY, verify=False)\n'),
        # The function's own comment says it is for local development.
        Good('// Send mail through a local SMTP catcher (for local development)\n'
             'export const sendViaSmtp = async ({ to, text }) => {\n'
             '  const transport = nodemailer.createTransport({ host: process.env.SMTP_HOST,\n'
             '    auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASSWORD },\n'
             '    tls: { rejectUnauthorized: false } });\n'
             '  return transport.sendMail({ to, text });\n};\n', path="packages/email/smtp.ts"),
    )

    def check(self, facts: FileFacts, context: RuleContext) -> Iterator[Finding]:
        test_environment = _is_test_environment(context.path)
        for switch in (*facts.of(TlsCheckOff), *facts.of(TlsSwitchInEnvironment)):
            if switch.loopback or switch.development or not switch.credentials_nearby:
                continue
            if test_environment and not switch.in_code:
                continue
            if _not_tls(switch.target):
                continue
            message = _MESSAGES[switch.scope].format(target=switch.target or "call",
                                                     how=switch.how)
            yield context.report(self, switch.span, message,
                                 construct=f"tls-off:{switch.scope}:{switch.target}:{switch.how}")


def _is_test_environment(path: str) -> bool:
    """`.env.test`, `ci.env.testing`, `app.test.env`: settings for test runs."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((".test", ".testing", ".ci")) or ".test." in name


# `verify=` of these is not about TLS (PyJWT's decode took `verify=False` to skip the signature;
# `jwt_decode(token, key, verify=False)`, `decode_token(...)` wrap it).
_NOT_TLS = frozenset({"decode", "decode_complete", "get_unverified_header"})
_NOT_TLS_WORDS = ("jwt", "jws", "jose", "decode", "signature")


def _not_tls(target: str) -> bool:
    """A call whose `verify=` is about a signature or a token, not a certificate."""
    last = target.rsplit(".", 1)[-1].lower()
    return last in _NOT_TLS or any(word in last for word in _NOT_TLS_WORDS) or \
        target.lower().split(".", 1)[0] in {"jwt", "jws", "jose"}
