"""Facts: the language-neutral records rules decide from, and the extractors that find them.

Every extractor is listed here once; the scan plan picks those the selected rules need."""

from __future__ import annotations

from scanner.facts.base import Extractor
from scanner.facts.oauth import OAUTH_EXTRACTORS
from scanner.facts.scopes import ApiUseExtractor, ClientCallExtractor, ScopeExtractor
from scanner.facts.secrets import SecretsExtractor
from scanner.facts.tls import TlsEnvironmentExtractor, TlsExtractor
from scanner.facts.webhooks import EXTRACTORS as WEBHOOK_EXTRACTORS

EXTRACTORS: tuple[type[Extractor], ...] = (SecretsExtractor, TlsExtractor, TlsEnvironmentExtractor,
                                           *OAUTH_EXTRACTORS,
                                           ScopeExtractor, ApiUseExtractor, ClientCallExtractor,
                                           *WEBHOOK_EXTRACTORS)
