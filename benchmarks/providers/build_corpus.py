"""Build the provider corpus from the catalogue: every format's positive examples bare, in Python
under a neutral name, in YAML, .env, XML, JSON and a URL, plus its negatives, and expected.json.

Run by hand: `python benchmarks/providers/build_corpus.py [OUT]` (default: benchmarks/providers/corpus,
git-ignored and excluded from the self-scan); then score it with `benchmarks/providers/score.py`."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from scanner.facts.providers import ProviderFormat, catalogue

HERE = Path(__file__).resolve().parent
# Characters a URL may carry unencoded in a query value; anything else is percent-encoded.
URL_SAFE = "-._~!$&'()*+,;=:@/?%"


def _python(token: str) -> tuple[str, int]:
    # As a user writes it: the token's own backslash escapes (a JSON-escaped PEM) stay as they are.
    return (f'value = "{token}"\n' if '"' not in token else f"value = {json.dumps(token)}\n"), 1


def _yaml(token: str) -> tuple[str, int]:
    return "value: '" + token.replace("'", "''") + "'\n", 1


def _env(token: str) -> tuple[str, int]:
    return f"VALUE={token}\n", 1


def _xml(token: str) -> tuple[str, int]:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<config>\n  <value>{escape(token)}</value>\n</config>\n', 3


def _json(token: str) -> tuple[str, int]:
    # Written as is: a token's backslash escapes (a JSON-escaped PEM) stay what they are.
    return '{\n  "value": "' + token + '"\n}\n', 2


def _url(token: str) -> tuple[str, int]:
    return f'curl "https://api.example.com/v1/items?value={quote(token, safe=URL_SAFE)}"\n', 1


def _bare(token: str) -> tuple[str, int]:
    return token + "\n", 1


# context -> (file name suffix, writer returning the text and the token's line)
CONTEXTS: dict[str, tuple[str, Callable[[str], tuple[str, int]]]] = {
    "bare": (".txt", _bare), "code": (".py", _python), "yaml": (".yaml", _yaml), "env": (".env", _env),
    "xml": (".xml", _xml), "json": (".json", _json), "url": (".txt", _url),
}


def build(out: Path) -> dict[str, list[dict[str, object]]]:
    """Write the corpus into `out` (emptied first) and return what expected.json holds."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # An empty config of its own: the scan must not pick up a parent project's excludes.
    (out / ".secret-hygiene.toml").write_text("# provider corpus: default settings\n", encoding="utf-8")
    positives: list[dict[str, object]] = []
    negatives: list[dict[str, object]] = []
    for item in catalogue().formats:
        for number, token in enumerate(item.examples.positive, 1):
            for context, (suffix, write) in CONTEXTS.items():
                text, line = write(token)
                if item.context_words:
                    text = _named_after(item, context, text)
                name = f"{context}/{item.id}__{number}{suffix}"
                _put(out / name, text)
                literal = context != "url" or quote(token, safe=URL_SAFE) == token
                positives.append({"file": name, "line": line, "format": item.id, "context": context,
                                  "needs_context": bool(item.context_words), "literal": literal})
        for number, text in enumerate(item.examples.negative, 1):
            for context, (suffix, write) in (("bare", CONTEXTS["bare"]), ("code", CONTEXTS["code"])):
                name = f"negatives/{context}/{item.id}__{number}{suffix}"
                _put(out / name, write(text)[0])
                negatives.append({"file": name, "format": item.id, "context": context})
    expected = {"formats": [_describe(f) for f in catalogue().formats], "positives": positives,
                "negatives": negatives}
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    return expected


def _named_after(item: ProviderFormat, context: str, text: str) -> str:
    """A format that needs a context word is only a token next to its provider's name: the
    neutral name `value` becomes `<context word>_value` (bare tokens get the word before them)."""
    word = next((w for w in item.context_words if re.fullmatch(r"[a-z0-9_]+", w)), item.context_words[0])
    if context == "bare":
        return f"{word} {text}"
    name = re.sub(r"[^A-Za-z0-9_.]", "_", word) + "_value"
    return text.replace("VALUE=", name.upper() + "=").replace("value", name)


def _describe(item: ProviderFormat) -> dict[str, object]:
    return {"id": item.id, "provider": item.provider, "kind": item.kind, "distinctive": item.distinctive,
            "needs_context": not item.keywords}


def _put(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=HERE / "corpus")
    args = parser.parse_args(argv)
    expected = build(args.out)
    counts = ", ".join(f"{len(expected[key])} {key}" for key in ("formats", "positives", "negatives"))
    print(f"{counts} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
