"""SH106 provider-api-key: API keys and tokens of known providers, found by their format."""

from __future__ import annotations

from scanner.facts.secrets import PROVIDER_KEY, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import SecretRule


class ProviderApiKey(SecretRule):
    """## What it does
    Finds API keys and tokens of known providers by their format. The variable holding them
    may be called anything: the provider catalogue (`secret-hygiene providers` lists it: about 180
    formats of HubSpot, Google, Azure, Slack, GitHub, GitLab, Atlassian, Salesforce, Shopify,
    Stripe, OpenAI, Anthropic, Hugging Face, AWS and many more), plus detect-secrets' detectors
    for JFrog Artifactory, IBM Cloud and npm `_authToken` lines. The message names the provider,
    the kind of credential and where to revoke it. A client secret or a refresh token found by
    its format is reported by SH101 or SH103 instead (SH105 in browser code), an OAuth access
    token by SH102.

    Formats with a distinctive prefix (`ghp_`, `xoxb-`, `pat-na1-`, `hf_`, `sk-ant-api03-` ...)
    are found anywhere; so are matches of the team's own rules (`rules` and `rules-file`, a
    gitleaks or betterleaks rules file, in `[tool.secret-hygiene.secrets]`); formats without one (a bare UUID, 32 hex characters) only right after
    the provider's name on the same line (`HUBSPOT_API_KEY = "..."`). Documented example keys
    (`AKIAIOSFODNN7EXAMPLE`), RFC sample tokens, placeholders (`RANDOMSTRINGHERE`, `xxxx`),
    counting sequences (`12345`, `abcde`), alternating `1a2b3c4d` dummies and tokens below the
    format's entropy floor are not reported. Browser keys that are public by design (Google
    `AIza...` keys in frontend code) are not reported there.

    ## Why is this bad?
    Provider keys are scanned for by attackers within minutes of a push to a public repository,
    and they usually carry broad account rights and billing.

    ## References
    - [detect-secrets plugins](https://github.com/Yelp/detect-secrets#currently-supported-plugins)
    - [GitHub secret scanning patterns](https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH106"
    name = "provider-api-key"
    severity = Severity.HIGH
    kinds = frozenset({PROVIDER_KEY})
    examples = (
        Bad('s3 = boto3.client("s3", aws_access_key_id="AKIAZ7Q3M5K2P8R4T6W1")', line=1),
        Bad("GITHUB_TOKEN = 'ghp_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL'", line=1),
        Bad("stripe.api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", path="billing.py", line=1),
        Bad("slack:\n  webhook: https://hooks.slack.com/services/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\n",
            path="alerts.yaml", line=2),
        Bad("//registry.npmjs.org/:_authToken=npm_9f3KpQ2LmX8vB7nR4tW1zY6aBc3DeFgHiJkL\n", path=".npmrc",
            line=1),
        Bad('const sendgridKey = "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";',
            path="server/mail.js", line=1),
        Good('s3 = boto3.client("s3", aws_access_key_id="AKIAIOSFODNN7EXAMPLE")'),
        Good('GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]'),
        Good("stripe.api_key = os.environ['STRIPE_SECRET_KEY']  # sk_live_... in prod", path="billing.py"),
        Good("slack:\n  webhook: ${SLACK_WEBHOOK_URL}\n", path="alerts.yaml"),
        Good("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", path=".npmrc"),
        Good('bot_token = "xoxb-your-token-here"'),
        Bad('HUBSPOT = "pat-na1-3ebcae6b-c536-8147-0326-ddb7b14c3558"', line=1),
        Bad('hf = "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"', line=1),
        Good('token = "xoxb-12345-abcd234"'),
        Good('token = "xoxe.xoxp-1-RANDOMSTRINGHERE"'),
    )

    def message(self, found: SecretValue) -> str:
        if found.via == "rule":
            return (f"{found.provider} (your rule {found.detail}) hardcoded; revoke it and load it "
                    "from the environment or a secret manager")
        if found.revoke:
            return (f"{found.credential} ({found.detail}) hardcoded; revoke it ({found.revoke}) "
                    "and load it from the environment or a secret manager")
        return (f"{found.provider} credential ({found.detail}) hardcoded; revoke it at "
                f"{found.provider} and load it from the environment or a secret manager")
