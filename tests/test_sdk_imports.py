"""SH204's "the component also calls through the provider's SDK" (then an untouched scope of that
provider is not judged: its calls go through the SDK, unseen) is read from the files' import
lines, without parsing the component (a monorepo's component is thousands of modules)."""

from __future__ import annotations

import pytest

from scanner.rules.scopes.components import imported_modules
from tests.support import scan_files

REQUEST = ('OAuth2Session("i", scope=["https://www.googleapis.com/auth/drive.readonly",\n'
           '                         "https://www.googleapis.com/auth/photoslibrary.readonly"])\n'
           'requests.get("https://www.googleapis.com/drive/v3/files")\n')


def confidence(files: dict[str, str]) -> list[tuple[int, str]]:
    result = scan_files(files, select=["SH204"])
    return [(f.line, f.confidence.value) for f in result.findings]


@pytest.mark.parametrize("other", [
    # A module of the component that does not parse still names its imports.
    "import google_photos_library_api as photos\ndef broken(:\n",
    "from google_photos_library_api.api import Client  # the SDK\n",
    'const photos = require("google-photos-client");\n',
    'import { Client } from "@google/photos-sdk";\n',
])
def test_an_sdk_imported_by_another_module_of_the_component_silences_it(other: str) -> None:
    suffix = ".js" if "require" in other or "{" in other else ".py"
    assert confidence({"app.py": REQUEST, "photos" + suffix: other}) == []


@pytest.mark.parametrize("other", [
    'message = "import google_photos_library_api"\n',  # text, not an import line
    "from . import google_photos\n",  # relative: the project's own module
    "import google_photos_helpers\n",  # the project's own module, a file of the tree
    "import google_photos_library_api\n",  # only a test imports it
])
def test_no_sdk_import_of_the_component_keeps_medium(other: str) -> None:
    files = {"app.py": REQUEST, "google_photos_helpers.py": "X = 1\n"}
    files["tests/test_photos.py" if "library_api" in other and "message" not in other
          else "other.py"] = other
    assert confidence(files) == [(2, "medium")]


def test_import_lines_read() -> None:
    python = ("import os, sys as system\n"
              "  from a.b import c\n"
              "import googleapiclient.discovery as discovery  # build()\n"
              "x = 'import nothing'\n")
    assert list(imported_modules(python, python=True)) == ["os", "sys", "a.b",
                                                           "googleapiclient.discovery"]
    javascript = ("import { a } from '@googleapis/drive';\n"
                  'const s = require("slack-sdk");\n'
                  "await import('yoto-api');\n"
                  "const note = 'imports nothing';\n")
    assert list(imported_modules(javascript, python=False)) == ["@googleapis/drive", "slack-sdk",
                                                                "yoto-api"]
