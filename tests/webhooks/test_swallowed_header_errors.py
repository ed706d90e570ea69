"""SH304: a signature check inside `try` whose `except` for a missing header neither rejects nor
returns lets an unsigned request through, whether the clause names one lookup error or a tuple of
them; a getter that answers None for a missing header leaves the decision to its caller."""

from __future__ import annotations

from tests.support import scan_files

HANDLER = '''import hmac
import logging

from django.http import HttpResponse

logger = logging.getLogger(__name__)


def enterprise_webhook(request, secret):
    body = request.body
    try:
        method, signature = request.META["HTTP_X_HUB_SIGNATURE"].split("=", 1)
        if not hmac.compare_digest(sign(secret, body), signature):
            return HttpResponse(status=401)
    except {caught} as error:
        logger.info("webhook without a signature: %s", error)
    process(body)
    return HttpResponse(status=204)
'''


def sh304_lines(code: str) -> list[int]:
    return [f.line for f in scan_files({"hooks/enterprise.py": code}, select=["SH304"]).findings]


def test_a_tuple_of_lookup_errors_caught_and_logged_lets_the_request_through() -> None:
    assert sh304_lines(HANDLER.format(caught="(KeyError, IndexError)")) == [15]
    assert sh304_lines(HANDLER.format(caught="KeyError")) == [15]


def test_an_except_that_rejects_or_catches_something_else_is_fine() -> None:
    rejecting = HANDLER.format(caught="(KeyError, IndexError)").replace(
        '        logger.info("webhook without a signature: %s", error)\n',
        '        logger.info("webhook without a signature: %s", error)\n'
        "        return HttpResponse(status=401)\n")
    assert sh304_lines(rejecting) == []
    assert sh304_lines(HANDLER.format(caught="(ValueError, TypeError)")) == []


def test_a_getter_answering_none_for_a_missing_header_is_not_the_handler() -> None:
    getter = ('import hmac\n\n\n'
              'def relay_signature(request):\n'
              '    try:\n'
              '        return str(request.META["HTTP_X_HUB_SIGNATURE"])\n'
              '    except (LookupError, ValueError):\n'
              '        pass\n\n\n'
              'def verify(request, secret):\n'
              '    signature = relay_signature(request)\n'
              '    if signature is None or not hmac.compare_digest(signature, secret):\n'
              '        raise PermissionError("unsigned")\n')
    assert sh304_lines(getter) == []
