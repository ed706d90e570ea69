"""The code model: Python (3.8-3.14 syntax) and JS/TS lower to the same `ir` shapes."""

from __future__ import annotations

import pytest

from scanner.code import ir, lower
from scanner.model.document import Document


def _module(code: str, grammar: str = "python") -> ir.Module:
    module = lower(grammar, code.encode())
    assert module is not None
    return module


def _calls(module: ir.Module) -> list[ir.Call]:
    return [e for _, body in ir.scopes(module) for e in ir.body_exprs(body) if isinstance(e, ir.Call)]


def test_python_312_to_314_syntax_lowers_like_the_rest() -> None:
    module = _module("type Alias = list[int]\n\n"
                     "def first[T](items: list[T]) -> T:\n    return items[0]\n\n"
                     "try:\n    pass\nexcept ValueError, TypeError:\n    verify(x)\n")
    functions = list(ir.nested_functions(module.body))
    assert [f.name for f in functions] == ["first"]
    assert [c.callee for c in _calls(module)] == ["verify"]


def test_python_and_javascript_compare_the_same_way() -> None:
    py = _module("if digest == request.headers['X-Sig']:\n    ok()\n")
    js = _module("if (digest === req.headers['x-sig']) { ok(); }\n", "javascript")
    for module in (py, js):
        statement = module.body[0]
        assert isinstance(statement, ir.If)
        assert isinstance(statement.test, ir.Compare) and statement.test.op == "=="
        assert isinstance(statement.test.left, ir.Name) and statement.test.left.name == "digest"
        assert isinstance(statement.test.right, ir.Index)
        assert ir.string_value(statement.test.right.key) in {"X-Sig", "x-sig"}


def test_python_chained_comparison_becomes_and() -> None:
    module = _module("ok = 0 < a <= 10\n")
    statement = module.body[0]
    assert isinstance(statement, ir.Assign) and isinstance(statement.value, ir.BoolOp)
    assert [c.op for c in statement.value.values if isinstance(c, ir.Compare)] == ["<", "<="]


def test_imports_and_requires() -> None:
    py = _module("from .security import verify as check\nimport hmac\nimport a.b as c\n")
    assert [(i.local, i.module, i.name, i.level) for i in py.imports] == [
        ("check", "security", "verify", 1), ("hmac", "hmac", None, 0), ("c", "a.b", None, 0)]
    js = _module('import express, { json as j } from "express";\n'
                 'const crypto = require("crypto");\nconst { verify } = require("./sig");\n',
                 "javascript")
    assert [(i.local, i.module, i.name) for i in js.imports] == [
        ("express", "express", "default"), ("j", "express", "json"),
        ("crypto", "crypto", None), ("verify", "./sig", "verify")]


def test_functions_know_their_class_decorators_and_params() -> None:
    module = _module("class Hook(View):\n    @csrf_exempt\n    def post(self, request, sig=Header(None)):\n"
                     "        return self.handle(request)\n")
    cls = module.body[0]
    assert isinstance(cls, ir.ClassDef)
    [method] = list(cls.cls.methods())
    assert method.qualname == "Hook.post" and method.cls == "Hook"
    assert [d.name for d in method.decorators if isinstance(d, ir.Name)] == ["csrf_exempt"]
    assert [p.name for p in method.params] == ["self", "request", "sig"]
    assert isinstance(method.params[2].default, ir.Call)


def test_javascript_exports_and_arrow_functions() -> None:
    module = _module("export default async function handler(req, res) {}\n"
                     "export const POST = async (request) => { return verify(request); };\n"
                     "module.exports.other = other;\n", "typescript")
    assert module.exports == {"default": "handler", "POST": "POST", "other": "other"}
    names = [f.name for f in ir.nested_functions(module.body)]
    assert names == ["handler", "POST"]


def test_strings_keep_their_value_and_interpolations() -> None:
    module = _module('a = "x\\ty"\nb = f"Bearer {token}"\nc = b"raw"\n')
    values = [s.value for s in module.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.Str)
              for s in [s.value]]
    assert values == ["x\ty", "Bearer {token}", "raw"]
    js = _module("const u = `https://x/cb?code=${code}`;\n", "javascript")
    statement = js.body[0]
    assert isinstance(statement, ir.Assign) and isinstance(statement.value, ir.Str)
    assert statement.value.value == "https://x/cb?code={code}" and not statement.value.constant


def test_spans_are_characters_not_bytes() -> None:
    document = Document("a.py", 'x = "é"; verify(y)\n')
    module = document.code
    assert module is not None
    [call] = _calls(module)
    assert document.node_span(call) == (1, 10, 1, 19)
    assert document.text[document.char_offset(call.start):document.char_offset(call.end)] == "verify(y)"


def test_deep_nesting_is_cut_not_a_crash() -> None:
    code = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n" + "f(" * 3000 + ")" * 3000 + "\n"
    document = Document("deep.py", code)
    module = document.code
    assert module is not None and module.truncated
    assert any("nested too deeply" in note for note in document.notes)


@pytest.mark.parametrize(("literal", "value", "is_bytes"), [
    ('"plain"', "plain", False),
    ("'''tri\nple'''", "tri\nple", False),
    ('r"\\""', '\\"', False),  # a raw string keeps its backslash (its children hold none)
    ('r"\\\\"', "\\\\", False),
    ('"tab\\there"', "tab\there", False),
    ('b"\\x41"', "A", True),
    ('Rb"\\d+"', "\\d+", True),
    ('f"{name}!"', "{name}!", False),  # an f-string is read from its children
])
def test_a_string_literal_is_read_as_python_reads_it(literal: str, value: str,
                                                      is_bytes: bool) -> None:
    module = lower("python", f"x = {literal}\n".encode())
    assert module is not None
    statement = module.body[0]
    assert isinstance(statement, ir.Assign) and isinstance(statement.value, ir.Str)
    assert (statement.value.value, statement.value.is_bytes) == (value, is_bytes)


def test_an_invalid_escape_in_a_scanned_string_raises_no_warning() -> None:
    """`"\\d"` is the scanned file's business: reading its value warns nobody (a SyntaxWarning
    on the user's stderr from Python 3.12), and the value is read as Python reads it."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = lower("python", b'pattern = "\\d+\\]\\n"\n')
    assert [str(w.message) for w in caught] == []
    assert module is not None
    statement = module.body[0]
    assert isinstance(statement, ir.Assign) and isinstance(statement.value, ir.Str)
    assert statement.value.value == "\\d+\\]\n"
