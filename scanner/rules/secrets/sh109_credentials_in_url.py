"""SH109 credentials-in-url: a password embedded in a URL."""

from __future__ import annotations

from scanner.facts.secrets import URL_PASSWORD, SecretValue
from scanner.model.finding import Severity
from scanner.rules.base import Bad, Good
from scanner.rules.secrets.common import SecretRule


class CredentialsInUrl(SecretRule):
    """## What it does
    Finds a password embedded in a URL. It looks for `scheme://user:password@host` (database
    DSNs, broker URLs, git remotes, proxies) with detect-secrets' basic-auth detector. Templated
    passwords (`${DB_PASSWORD}`, `{password}`), placeholders, a password equal to the user name
    (`postgres:postgres`) and local development hosts (`localhost`, `127.0.0.1`) are ignored.

    ## Why is this bad?
    URLs are logged, printed in stack traces, stored in shell history and sent in `Referer`
    headers; a password inside one leaks everywhere the URL goes.

    ## References
    - [RFC 3986 §3.2.1 User Information](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1)
    - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "SH109"
    name = "credentials-in-url"
    severity = Severity.HIGH
    kinds = frozenset({URL_PASSWORD})
    examples = (
        Bad('DATABASE_URL = "postgres://app:Xk3dM9pQ2LmX@db.internal:5432/app"', line=1),
        Bad("broker_url: amqp://worker:Pq7rT2xmZ9vB@rabbit.prod.acme.io:5672//\n", path="celery.yaml",
            line=1),
        Bad("git clone https://deploy:Xk3dM9pQ2LmX8vB@git.acme.io/app.git\n", path="scripts/fetch.sh",
            line=1),
        Bad('{"proxy": "http://svc:Xk3dM9pQ2LmX@proxy.acme.io:3128"}', path="settings.json", line=1),
        Good('DATABASE_URL = "postgres://app:${DB_PASSWORD}@db.internal:5432/app"'),
        Good('DATABASE_URL = f"postgres://app:{password}@db.internal/app"'),
        Good('DATABASE_URL = "postgres://postgres:postgres@db:5432/app"'),
        Good('REDIS_URL = "redis://:devpass1234@localhost:6379/0"'),
        Good('url = "https://user:<password>@git.acme.io/app.git"'),
        Good("git clone git@github.com:acme/app.git\n", path="scripts/fetch.sh"),
    )

    def message(self, found: SecretValue) -> str:
        return (f"password embedded in a URL ({found.detail}://user:…@host); pass credentials "
                "separately, from the environment or a secret manager")
