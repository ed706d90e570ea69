"""Cheap checks before libcst for the scope rules: the text must assign, pass or key something
named like scope, and the standard `ast` (about 12x faster than libcst, and nothing to import)
must find a request or constant with a static value. Kept apart from scopes_python so that a file
which fails them never imports libcst."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scanner.plugins.scopes_model import NOT_OAUTH_SCOPES

if TYPE_CHECKING:
    from scanner.model.document import ParsedFile

SCOPE_KEYS = frozenset({"scope", "scopes", "oauth_scopes", "oauth_scope", "default_scopes"})
# pytest's fixture scopes: `scope="module"` is not OAuth.
FIXTURE_SCOPES = frozenset({"function", "class", "module", "package", "session"})
# Calls that take the scopes positionally: callee name -> index of the scopes argument.
POSITIONAL_SCOPES = {
    "from_client_secrets_file": 1, "from_client_config": 1, "from_authorized_user_file": 1,
    "from_authorized_user_info": 1, "acquire_token_for_client": 0, "acquire_token_silent": 0,
    "acquire_token_interactive": 0, "get_authorization_request_url": 0,
    "acquire_token_by_authorization_code": 1, "initiate_auth_code_flow": 0, "initiate_device_flow": 0,
    "acquire_token_by_username_password": 2, "acquire_token_on_behalf_of": 1,
}
COLLECTIONS = frozenset({"list", "tuple", "sorted", "set", "frozenset"})
# Candidate patterns start with a literal so the regex engine can skip ahead (an alternation or a
# leading \b is about 50x slower on big files); word boundaries are checked by hand.
_SCOPE_ASSIGN = re.compile(r"scopes?\s*=(?!=)\s*")
_FIXTURE_VALUE = re.compile(r"""["'](?:function|class|module|package|session)["']""")
# A value that may be static: a literal, an ALL_CAPS constant, `self.SCOPES`, `" ".join(...)`.
_STATIC_START = re.compile(r"""[rRfFbBuU]{0,2}["'\[({]|[A-Z][A-Z0-9_]*\b(?!\s*\()"""
                           r"""|(?:self|cls)\.(?:[A-Z][A-Z0-9_]*|\w*scope\w*)\b|[\w.]+\.[A-Z][A-Z0-9_]*\b|\w+\.join\(""")
_SCOPE_KEY = re.compile(r"""scopes?["']\s*[:\]]""")
_SCOPE_CONSTANT_ASSIGN = re.compile(r"SCOPES?\s*(?::[^=\n]*)?\+?=(?!=)")
_POSITIONAL_NAMES = tuple(f"{name}(" for name in POSITIONAL_SCOPES)


def _text_candidate(text: str) -> bool:
    """The text assigns, passes or keys something named like scope (not pytest's fixture scopes,
    not `scope=scope`), holds a SCOPES-like constant, or calls a client taking scopes positionally."""
    if _SCOPE_CONSTANT_ASSIGN.search(text) or any(name in text for name in _POSITIONAL_NAMES):
        return True
    for match in _SCOPE_KEY.finditer(text):
        if match.start() and text[match.start() - 1] in "\"'":
            return True
    for match in _SCOPE_ASSIGN.finditer(text):
        start = match.start()
        for prefix in ("oauth_", "default_"):
            if text.endswith(prefix, 0, start):
                start -= len(prefix)
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # search_scope = ...
        if _STATIC_START.match(text, match.end()) and not _FIXTURE_VALUE.match(text, match.end()):
            return True
    return False




def is_candidate(file: ParsedFile) -> bool:
    """Cheap checks before libcst: the text assigns, passes or keys something named like scope,
    and the standard `ast` (about 12x faster) finds a request or constant with a static value."""
    if not _text_candidate(file.text):
        return False
    import ast

    try:
        tree = ast.parse(file.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True  # let libcst report the problem the usual way
    return _has_static_request(tree)


_SCOPE_CONSTANT = re.compile(r"^(?:\w*_)?scopes?$", re.IGNORECASE)


def _has_static_request(tree: object) -> bool:
    import ast

    assert isinstance(tree, ast.Module)
    # Names bound to a possibly static value: at module or class level (or imported), and anywhere.
    module_names: set[str] = set()
    any_names: set[str] = set()
    top_level = {id(n) for n in tree.body}
    top_level.update(id(n) for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)
    for node in ast.walk(tree):
        bound: list[str] = []
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, ast.Assign) and _static(node.value, None):
            bound = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None \
                and isinstance(node.target, ast.Name) and _static(node.value, None):
            bound = [node.target.id]
        any_names.update(bound)
        if id(node) in top_level or isinstance(node, (ast.Import, ast.ImportFrom)):
            module_names.update(bound)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg not in SCOPE_KEYS:
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and value.value in FIXTURE_SCOPES:
                    continue
                # `scope=scope` passes a parameter through unless the name is a module constant.
                names = module_names if (isinstance(value, ast.Name) and value.id == keyword.arg) \
                    else module_names | any_names
                if _static(value, names):
                    return True
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if method in POSITIONAL_SCOPES:
                return True
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in SCOPE_KEYS \
                        and _static(value, module_names | any_names):
                    return True
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                name = target.id if isinstance(target, ast.Name) else (
                    target.attr if isinstance(target, ast.Attribute) else None)
                if name and _SCOPE_CONSTANT.match(name) and _static(node.value, module_names | any_names):
                    return True
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                        and target.slice.value in SCOPE_KEYS and _static(node.value, module_names | any_names):
                    return True
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None
              and _SCOPE_CONSTANT.match(node.target.id) and _static(node.value, module_names | any_names)):
            return True
    return False


def _static(node: object, names: set[str] | None) -> bool:
    """Could this expression's value be known statically? (`names`: names with such values;
    None while collecting them, when only literals count.)"""
    import ast

    if isinstance(node, ast.Constant):
        # `scope="global"` (IPv6, DI containers, dependency managers) is not an OAuth scope.
        return isinstance(node.value, str) and node.value.strip().lower() not in NOT_OAUTH_SCOPES
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        # Scope lists hold strings (or names of strings), not tuples or dicts.
        return bool(node.elts) and all(
            (isinstance(e, ast.Constant) and isinstance(e.value, str))
            or isinstance(e, (ast.JoinedStr, ast.Name, ast.Attribute, ast.Starred, ast.BinOp))
            for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _static(node.left, names) or _static(node.right, names)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Constant):
            return True
        if isinstance(func, ast.Name) and func.id in COLLECTIONS and node.args:
            return _static(node.args[0], names)
        return False
    if names is None:
        return False
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        base = node.value
        while isinstance(base, ast.Attribute):
            base = base.value
        # Constants only: `settings.SCOPES`, `Config.SCOPES`, `self.SCOPES`, `self.scopes`.
        constant = node.attr.isupper() or "scope" in node.attr.lower()
        return constant and isinstance(base, ast.Name) and (
            base.id in names or base.id in {"self", "cls"} or base.id[:1].isupper())
    return False
