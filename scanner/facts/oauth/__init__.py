"""Facts of OAuth client code (the SH4xx rules): protocol parameters and authorization requests,
callbacks, cookies, browser storage, credentials written out, stored refresh tokens."""

from __future__ import annotations

from scanner.facts.base import Extractor
from scanner.facts.oauth.callbacks import CallbackExtractor
from scanner.facts.oauth.cookies import CookieExtractor
from scanner.facts.oauth.logs import LogExtractor
from scanner.facts.oauth.params import OAuthParamExtractor
from scanner.facts.oauth.refresh import RefreshGrantExtractor
from scanner.facts.oauth.storage import BrowserStorageExtractor
from scanner.facts.oauth.token_store import TokenStoreExtractor

OAUTH_EXTRACTORS: tuple[type[Extractor], ...] = (
    OAuthParamExtractor, CallbackExtractor, CookieExtractor, BrowserStorageExtractor, LogExtractor,
    TokenStoreExtractor, RefreshGrantExtractor)
