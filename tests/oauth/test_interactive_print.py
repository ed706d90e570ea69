"""SH411: an interactive command that asks the person at the terminal for a code and prints the
token it obtained (to pass back with `--token`) shows it to them, maybe on purpose: low
confidence. A log call in the same command, or a print in code that prompts nobody, writes a
token out: medium or high."""

from __future__ import annotations

from tests.support import scan_files

COMMAND = '''import logging

import requests
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)
TOKEN_URL = "https://trello.example.com/oauth/token"


class Command(BaseCommand):
    def handle(self, *args, **options):
        print("Open https://trello.example.com/authorize and come back with the code")
        verifier = input("Code: ")
        access_token = requests.post(TOKEN_URL, data={"code": verifier}).json()["access_token"]
        print("Access token: {}".format(access_token))
        logger.info("importing with %s", access_token)


def on_login(access_token):
    print("logged in with", access_token)
'''


def test_a_token_shown_in_an_interactive_command_is_low_confidence_a_log_call_is_not() -> None:
    lines = COMMAND.splitlines()
    logged = next(i for i, line in enumerate(lines, 1) if "logger.info(" in line)
    printed = next(i for i, line in enumerate(lines, 1) if 'print("logged in with"' in line)
    shown = next(i for i, line in enumerate(lines, 1) if 'print("Access token' in line)
    found = sorted((f.line, f.confidence.value if f.confidence else "") for f in scan_files(
        {"importers/management/commands/imp.py": COMMAND}, select=["SH411"]).findings)
    assert found == [(shown, "low"), (logged, "high"), (printed, "high")]
