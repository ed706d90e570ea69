"""URL classifiers shared by the fact extractors: hosts, loopback, reserved example names."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_PLACEHOLDER_CHARS = set("{}<>$%*[]")
_RESERVED_SUFFIXES = (".localhost", ".example", ".invalid", ".test")
_EXAMPLE_HOSTS = ("example.com", "example.org", "example.net")


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(url: str) -> str | None:
    """The host of an absolute URL, or None when the host is templated or absent."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if not netloc or _PLACEHOLDER_CHARS & set(netloc.replace("[::1]", "")):
        return None
    host = netloc[1:].split("]", 1)[0] if netloc.startswith("[") else netloc.split(":", 1)[0]
    return host.lower() or None


def insecure_redirect_host(url: str) -> str | None:
    """The host of an `http://` URL that is neither loopback nor a placeholder/reserved name."""
    if not url.strip().lower().startswith("http://"):
        return None
    host = url_host(url)
    if host is None or is_loopback_host(host):
        return None
    if host.endswith(_RESERVED_SUFFIXES) or host in _EXAMPLE_HOSTS or host.endswith(
            tuple("." + h for h in _EXAMPLE_HOSTS)):
        return None
    return host


def is_loopback_url(url: str) -> bool:
    host = url_host(url)
    return host is not None and is_loopback_host(host)
