"""TypeScript/JavaScript import aliases: `compilerOptions.paths` of the nearest `tsconfig.json`
or `jsconfig.json` (`"@/lib/*": ["lib/*"]`, what every Next.js app imports its own modules
through), so that `import { verify } from "@/lib/verify"` leads to `apps/web/lib/verify.ts`.

Read as TypeScript reads them: the config nearest the importing file (walking up its
directories) decides; `paths` are relative to `baseUrl` when given, else to the config's own
directory; an `extends` of a relative file is followed (a few hops) for the options the config
lacks; a pattern holds at most one `*`, the longest matching prefix wins. A config that does not
parse (JSON with comments and trailing commas is fine: `json5`), or is over 256 KB, gives no
aliases."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
_MAX_CONFIG = 256 * 1024
_MAX_EXTENDS = 4


class PathAliases:
    """The alias tables of a project's configs, read on first need (`read` gives a file's
    text, `exists` whether a path is a file of the project)."""

    def __init__(self, read: Callable[[str], str | None], exists: Callable[[str], bool]) -> None:
        self._read = read
        self._exists = exists
        self._by_dir: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        self._configs: dict[str, dict[str, Any] | None] = {}

    def candidates(self, specifier: str, importer: str) -> Iterator[str]:
        """The project paths (without extension) an aliased import of `importer` may name, the
        first pattern's targets first; nothing when no alias matches."""
        table = self._table(posixpath.dirname(importer))
        best: tuple[int, str, tuple[str, ...]] | None = None
        for pattern, targets in table:
            star = pattern.find("*")
            if star < 0:
                if specifier == pattern and (best is None or len(pattern) > best[0]):
                    best = (len(pattern), "", targets)
                continue
            prefix, suffix = pattern[:star], pattern[star + 1:]
            if specifier.startswith(prefix) and specifier.endswith(suffix) \
                    and len(specifier) >= len(prefix) + len(suffix) \
                    and (best is None or len(prefix) > best[0]):
                best = (len(prefix), specifier[len(prefix):len(specifier) - len(suffix)], targets)
        if best is None:
            return
        for target in best[2]:
            yield posixpath.normpath(target.replace("*", best[1], 1)).lstrip("/")

    def _table(self, directory: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(pattern, targets relative to the project) of the config nearest `directory`."""
        known = self._by_dir.get(directory)
        if known is not None:
            return known
        table: tuple[tuple[str, tuple[str, ...]], ...] = ()
        for name in _CONFIG_NAMES:
            path = posixpath.join(directory, name) if directory else name
            if self._exists(path):
                table = self._paths_of(path)
                break
        else:
            if directory:
                table = self._table(posixpath.dirname(directory))
        self._by_dir[directory] = table
        return table

    def _paths_of(self, path: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A config's `paths`, made relative to the project, following relative `extends`."""
        base_url: str | None = None
        paths: dict[str, Any] | None = None
        paths_dir = ""
        seen: set[str] = set()
        current: str | None = path
        for _ in range(_MAX_EXTENDS):
            if current is None or current in seen:
                break
            seen.add(current)
            config = self._config(current)
            if config is None:
                break
            options = config.get("compilerOptions")
            here = posixpath.dirname(current)
            if isinstance(options, dict):
                if base_url is None and isinstance(options.get("baseUrl"), str):
                    base_url = posixpath.normpath(posixpath.join(here, options["baseUrl"]))
                if paths is None and isinstance(options.get("paths"), dict):
                    paths, paths_dir = options["paths"], here
            if paths is not None and base_url is not None:
                break
            current = _relative_extends(config.get("extends"), here)
        if paths is None:
            return ()
        root = base_url if base_url is not None else paths_dir
        root = "" if root == "." else root
        return tuple(
            (pattern, tuple(posixpath.join(root, t) if root else t
                            for t in targets if isinstance(t, str)))
            for pattern, targets in paths.items()
            if isinstance(pattern, str) and pattern.count("*") <= 1 and isinstance(targets, list))

    def _config(self, path: str) -> dict[str, Any] | None:
        if path not in self._configs:
            self._configs[path] = _parse(self._read(path))
        return self._configs[path]


def _relative_extends(extends: object, here: str) -> str | None:
    """The file a config extends when it is one of the project's (`./base.json`, `../tsconfig`);
    a package's shared config (`tsconfig/nextjs.json`) is not read."""
    if isinstance(extends, list):
        extends = extends[0] if extends else None
    if not isinstance(extends, str) or not extends.startswith("."):
        return None
    target = posixpath.normpath(posixpath.join(here, extends))
    return target if target.endswith(".json") else f"{target}.json"


def _parse(text: str | None) -> dict[str, Any] | None:
    if not text or len(text) > _MAX_CONFIG:
        return None  # a real tsconfig is a few kilobytes; json5 reads a huge one slowly
    import json5

    try:
        found = json5.loads(text)
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def existing(candidates: Iterable[str], is_file: Callable[[str], bool],
             extensions: tuple[str, ...]) -> str | None:
    """The first candidate (a path without extension) that is a file with one of `extensions`
    or a directory's `index` file."""
    for candidate in candidates:
        if any(is_file(candidate + ext) for ext in extensions) or any(
                is_file(f"{candidate}/index{ext}") for ext in extensions[:2]):
            return candidate
    return None
