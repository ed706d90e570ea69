"""Refresh tokens put where they outlive the session: written to plain files, kept in database
columns (SQLAlchemy, Django, raw SQL), each with whether an encryption step is in sight."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner.code import ir
from scanner.facts.base import Extractor, Fact, Gate
from scanner.facts.oauth.code import (
    ENCRYPTION_MARKERS,
    CodeIndex,
    callee_text,
    code_index,
    leaked_name,
    positional,
    receiver_text,
    scope_has,
)
from scanner.facts.oauth.names import described, short
from scanner.lazy import compiled_on_use
from scanner.model.document import JS_KINDS, Document, FileKind

_WRITES = frozenset({"write", "write_text", "writelines"})
_DUMPS = frozenset({"json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump", "toml.dump"})
_NODE_WRITES = frozenset({"writeFileSync", "writeFile", "appendFile", "appendFileSync"})
# Writers that are not files: the process's streams, an HTTP response.
_NOT_FILES = ("stdout", "stderr", "res", "response", "resp", "reply")
_COLUMNS = frozenset({"Column", "mapped_column", "CharField", "TextField", "Field", "BinaryField",
                      "StringField"})
_CREDS_TO_JSON = compiled_on_use(r"\b(creds|credentials)\.to_json\(")
# Calls that return a whole token response (refresh token included when one was granted).
_TOKEN_SOURCES = ("fetch_token", "fetch_access_token", "authorize_access_token", "run_local_server",
                  "acquire_token", "exchange_code", "offline_access")
# Column types that hold a time, a number or a flag about the token, never the token.
_NOT_TOKEN_TYPES = compiled_on_use(r"\b(?:Integer|BigInteger|SmallInteger|DateTime|Date|Boolean|Float"
                                   r"|Numeric|Interval|\w*IntegerField|DateTimeField|DateField"
                                   r"|BooleanField|DurationField|FloatField|int|datetime|bool|float)\b")
_NOT_TOKEN_NAMES = ("expir", "_at", "revoked", "count", "issued", "ttl", "lifetime", "enabled",
                    "rotat", "_in")
# Where a field class comes from when it is not a database column: forms, serializers, API
# inputs, GraphQL types (`RefreshToken.Field()` is a graphene mutation field).
_NOT_COLUMN_MODULES = ("forms", "serializers", "inputs", "graphene", "wtforms", "marshmallow",
                       "pydantic", "strawberry", "schema")
_COLUMN_RECEIVERS = ("models", "db", "sa", "sqlalchemy", "orm", "fields", "peewee", "me",
                     "mongoengine", "ormar", "tortoise", "sqlmodel")
_SQL_WRITE = re.compile(r"\b(?:insert\s+into|update)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RefreshTokenStore(Fact):
    """A refresh token stored: `where` is `file` (a write of a value naming it), `column` (a
    model attribute named for it), or `sql` (INSERT/UPDATE of a refresh_token column)."""

    where: str
    target: str  # the writing call (`fh.write`) or the column's name ("" for sql)
    shown: str  # the write as code, or the column's declaration (never a literal)
    encrypted: bool  # an encryption step in the function around it (a column: in its type)
    inferred: bool = False  # a whole token written out, its refresh token inferred from the file


class TokenStoreExtractor(Extractor):
    name = "oauth-token-store"
    produces = (RefreshTokenStore,)
    gate = Gate(kinds=frozenset({FileKind.PYTHON, *JS_KINDS}),
                words=("refresh_token", "refreshtoken", "refresh-token", ".to_json()",
                       *_TOKEN_SOURCES),
                pattern=r"refresh|(?:creds|credentials)\.to_json\(|" + "|".join(_TOKEN_SOURCES),
                vendored=False)

    def extract(self, document: Document) -> Iterator[RefreshTokenStore]:
        index = code_index(document)
        if index is None:
            return
        # A whole token written out holds its refresh token where the file gets refresh tokens.
        whole_tokens = "refresh" in document.lower or document.has_any(_TOKEN_SOURCES)
        for call, scope, _ in index.calls:
            written = _written(document, call)
            if written is None:
                continue
            data, shown = written
            text = document.source(data)
            named = "refresh" in text.lower() or _CREDS_TO_JSON().search(text) is not None
            if named or (whole_tokens and leaked_name(document, data)):
                yield RefreshTokenStore(document.node_span(call), "file", callee_text(document, call),
                                        shown, _encrypted(document, index, scope), not named)
        field_modules = _field_modules(index)
        for statement, _, class_body in index.assigns:
            if class_body:
                yield from _columns(document, statement, field_modules)
        for string, scope in index.strings:
            last = string.value.lower().rfind("refresh_token")
            match = _SQL_WRITE.search(string.value) if last != -1 else None
            if match is not None and match.end() <= last:
                yield RefreshTokenStore(document.node_span(string), "sql", "", "",
                                        _encrypted(document, index, scope))


def _encrypted(document: Document, index: CodeIndex, scope: int) -> bool:
    return scope_has(document, index, scope, ENCRYPTION_MARKERS())


def _written(document: Document, call: ir.Call) -> tuple[ir.Expr, str] | None:
    """What a file write writes (not a literal string), and the call as shown in messages."""
    callee = short(callee_text(document, call), 30)
    args = positional(call)
    if call.method in _NODE_WRITES and len(args) >= 2:
        return args[1], f"{callee}(..., {described(document.source(args[1]))})"
    if (call.method in _WRITES or call.callee in _DUMPS) and args and ir.string_value(args[0]) is None:
        receiver = receiver_text(document, call)
        if receiver.rsplit(".", 1)[-1] in _NOT_FILES or receiver.endswith(("stdout", "stderr")):
            return None
        more = ", ..." if len(call.args) > 1 else ""
        return args[0], f"{callee}({described(document.source(args[0]))}{more})"
    return None


def _field_modules(index: CodeIndex) -> dict[str, str]:
    """Imported names -> the module they come from (`CharField` -> `django.forms`)."""
    return {item.local: f"{item.module}.{item.name}" if item.name else item.module
            for item in index.module.imports}


def _is_column(call: ir.Call, field_modules: dict[str, str]) -> bool:
    """A database column declaration, not a form, serializer or GraphQL field of that name."""
    if call.method not in _COLUMNS:
        return False
    receiver = ir.dotted(call.receiver) if call.receiver is not None else None
    if receiver:
        root = receiver.split(".")[0]
        module = field_modules.get(root, root)
        return root in _COLUMN_RECEIVERS or (
            module != root and not any(word in module for word in _NOT_COLUMN_MODULES)
            and root[:1].islower())
    module = field_modules.get(call.method, "")
    return not any(word in module for word in _NOT_COLUMN_MODULES)


def _columns(document: Document, statement: ir.Assign,
             field_modules: dict[str, str]) -> Iterator[RefreshTokenStore]:
    """A class-level attribute named for a refresh token and declared as a database column of a
    type that can hold it (not an integer `refresh_token_expires_at`)."""
    for target in statement.targets:
        if not (isinstance(target, ir.Name) and "." not in target.name
                and "refresh" in target.name.lower()):
            continue
        if any(word in target.name.lower() for word in _NOT_TOKEN_NAMES):
            continue
        value, annotation = statement.value, statement.annotation
        annotation_text = document.source(annotation) if annotation is not None else ""
        if value is None:
            if "Mapped" not in annotation_text:
                continue
            declaration = annotation_text
        elif isinstance(value, ir.Call) and _is_column(value, field_modules):
            declaration = document.source(value)
        else:
            continue
        if _NOT_TOKEN_TYPES().search(declaration + " " + annotation_text):
            continue
        encrypted = ENCRYPTION_MARKERS().search(declaration + " " + annotation_text) is not None
        yield RefreshTokenStore(document.node_span(target), "column", target.name, declaration,
                                encrypted)
