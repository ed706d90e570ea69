"""A small language-neutral model of code: what Python and JavaScript/TypeScript lower to.

Rules and fact extractors read this, never a syntax tree, so one decision serves both languages.
Nodes carry byte offsets into the document (`start`, `end`); the document turns them into
1-based lines and character columns. Nothing here holds a parser object."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# -- expressions --------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Expr:
    """An expression: its byte offsets into the document."""

    start: int
    end: int


@dataclass(slots=True, eq=False)
class Name(Expr):
    """An identifier or a chain of attribute accesses on identifiers: `a`, `req.headers.get`,
    `self.secret`, `process.env.X` (`this` is spelt `this`)."""

    name: str


@dataclass(slots=True, eq=False)
class Str(Expr):
    """A string literal. `value` is the text with each interpolation written as `{expr}`;
    `parts` holds the interpolated expressions; `constant` when there are none."""

    value: str
    parts: tuple[Expr, ...] = ()
    is_bytes: bool = False

    @property
    def constant(self) -> bool:
        return not self.parts


@dataclass(slots=True, eq=False)
class Num(Expr):
    """A number literal as written (`value` reads it)."""

    text: str

    @property
    def value(self) -> float | None:
        try:
            return float(int(self.text.replace("_", ""), 0))
        except ValueError:
            try:
                return float(self.text.replace("_", "").rstrip("jJnN"))
            except ValueError:
                return None


@dataclass(slots=True, eq=False)
class Const(Expr):
    """`True`/`False`/`None` (Python), `true`/`false`/`null`/`undefined` (JS)."""

    value: bool | None
    undefined: bool = False


@dataclass(slots=True, eq=False)
class Attr(Expr):
    """`obj.attr` where `obj` is not a plain name chain (then it would be a Name)."""

    obj: Expr
    attr: str


@dataclass(slots=True, eq=False)
class Index(Expr):
    """`obj[key]` (`key` None when the brackets hold no expression)."""

    obj: Expr
    key: Expr | None


@dataclass(slots=True, eq=False)
class Call(Expr):
    """A call (or a JS `new`). `callee` is the dotted name as written (`hmac.new`,
    `req.headers.get`) or "" when the function is not a name chain; `method` is the last
    attribute or the function's own name; `kwargs` are Python keyword arguments."""

    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...] = ()
    new: bool = False

    @property
    def callee(self) -> str:
        return self.func.name if isinstance(self.func, Name) else ""

    @property
    def method(self) -> str:
        if isinstance(self.func, Name):
            return self.func.name.rsplit(".", 1)[-1]
        if isinstance(self.func, Attr):
            return self.func.attr
        return ""

    @property
    def receiver(self) -> Expr | None:
        """What the method is called on (`a.b` of `a.b.c()`), None for a bare function."""
        if isinstance(self.func, Name) and "." in self.func.name:
            head = self.func.name.rsplit(".", 1)[0]
            return Name(self.func.start, self.func.end - len(self.method) - 1, head)
        if isinstance(self.func, Attr):
            return self.func.obj
        return None

    def kwarg(self, name: str) -> Expr | None:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None

    def arg(self, position: int, keyword: str | None = None) -> Expr | None:
        """The argument given by `keyword` (Python) or at `position` among the positional ones."""
        if keyword is not None:
            found = self.kwarg(keyword)
            if found is not None:
                return found
        positional = [a for a in self.args if not isinstance(a, Spread)]
        return positional[position] if 0 <= position < len(positional) else None


@dataclass(slots=True, eq=False)
class Dict(Expr):
    """A dict or object literal; a key is None for a spread entry (`**d`, `...o`)."""

    items: tuple[tuple[Expr | None, Expr], ...]

    def get(self, key: str) -> Expr | None:
        for item_key, value in self.items:
            if key_text(item_key) == key:
                return value
        return None


@dataclass(slots=True, eq=False)
class Seq(Expr):
    """A list, tuple, set or array literal."""

    items: tuple[Expr, ...]


@dataclass(slots=True, eq=False)
class Compare(Expr):
    """One comparison. `op` is normalised: `==` and `!=` (JS `===`/`!==` too), `in`, `not in`,
    `is`, `is not`, `<`, `<=`, `>`, `>=`, `instanceof`. Python chains become `BoolOp("and")`."""

    op: str
    left: Expr
    right: Expr


@dataclass(slots=True, eq=False)
class BoolOp(Expr):
    """`and`, `or` (JS `&&`, `||`) and JS `??` (op "??")."""

    op: str
    values: tuple[Expr, ...]


@dataclass(slots=True, eq=False)
class Not(Expr):
    """`not operand` (Python) or `!operand` (JS)."""

    operand: Expr


@dataclass(slots=True, eq=False)
class BinOp(Expr):
    """Arithmetic, concatenation and the other binary operators (`+`, `%`, `|`, ...)."""

    op: str
    left: Expr
    right: Expr


@dataclass(slots=True, eq=False)
class Cond(Expr):
    """`body if test else orelse` / `test ? body : orelse`."""

    test: Expr
    body: Expr
    orelse: Expr


@dataclass(slots=True, eq=False)
class Func(Expr):
    """A lambda, arrow function or function expression."""

    function: Function


@dataclass(slots=True, eq=False)
class Spread(Expr):
    """`*value`, `**value` or `...value` inside a call, list or object."""

    value: Expr


@dataclass(slots=True, eq=False)
class ObjectPattern(Expr):
    """A destructuring target: `{a, b: c} = ...` -> (("a", Name a), ("b", Name c))."""

    items: tuple[tuple[str, Expr], ...]


@dataclass(slots=True, eq=False)
class Other(Expr):
    """Anything else (comprehensions, yields, JSX, type expressions ...), with the expressions
    inside it so that walks still see their calls and names. `kind` is the syntax node type."""

    kind: str
    children: tuple[Expr, ...] = ()


# -- statements ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Stmt:
    """A statement: its byte offsets into the document."""

    start: int
    end: int


@dataclass(slots=True, eq=False)
class ExprStmt(Stmt):
    """An expression on its own line (usually a call)."""

    expr: Expr


@dataclass(slots=True, eq=False)
class Assign(Stmt):
    """`targets = value` (also annotated and augmented assignments, JS declarations)."""

    targets: tuple[Expr, ...]
    value: Expr | None
    op: str = "="
    annotation: Expr | None = None


@dataclass(slots=True, eq=False)
class If(Stmt):
    """`if test: body else: orelse` (an `elif` is an If in `orelse`)."""

    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(slots=True, eq=False)
class Return(Stmt):
    """`return value` (`value` None when bare)."""

    value: Expr | None


@dataclass(slots=True, eq=False)
class Raise(Stmt):
    """`raise X` / `throw X` (value None for a bare re-raise)."""

    value: Expr | None


@dataclass(slots=True, eq=False)
class Assert(Stmt):
    """`assert test`."""

    test: Expr


@dataclass(slots=True, eq=False)
class ExceptHandler:
    """One `except types as name:` (JS `catch (name)`) clause and its body."""

    start: int
    end: int
    types: Expr | None
    name: str | None
    body: tuple[Stmt, ...]


@dataclass(slots=True, eq=False)
class Try(Stmt):
    """`try` with its handlers, `else` and `finally` bodies."""

    body: tuple[Stmt, ...]
    handlers: tuple[ExceptHandler, ...] = ()
    orelse: tuple[Stmt, ...] = ()
    final: tuple[Stmt, ...] = ()


@dataclass(slots=True, eq=False)
class Loop(Stmt):
    """`for`/`while`: `head` holds the iterated expression or the condition."""

    head: tuple[Expr, ...]
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(slots=True, eq=False)
class With(Stmt):
    """`with items: body`."""

    items: tuple[Expr, ...]
    body: tuple[Stmt, ...]


@dataclass(slots=True, eq=False)
class Block(Stmt):
    """Statements grouped by a construct the model does not name (switch, match, labels)."""

    kind: str
    head: tuple[Expr, ...]
    body: tuple[Stmt, ...]


@dataclass(slots=True, eq=False)
class Jump(Stmt):
    """`pass`, `break`, `continue` (kind says which)."""

    kind: str


@dataclass(slots=True, eq=False)
class FunctionDef(Stmt):
    """The statement that defines a function (the function itself in `function`)."""

    function: Function


@dataclass(slots=True, eq=False)
class ClassDef(Stmt):
    """The statement that defines a class (the class itself in `cls`)."""

    cls: Class


# -- definitions --------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Param:
    """One parameter of a function: its name, default and annotation."""

    name: str
    start: int
    end: int
    default: Expr | None = None
    annotation: Expr | None = None
    kind: str = "normal"  # normal, star (*args / ...rest), starstar (**kwargs), pattern


@dataclass(slots=True, eq=False)
class Function:
    """A function, method, lambda or arrow function. `name` is "" for anonymous ones; `qualname`
    is dotted within the module (`View.post`, `handler.<locals>.inner`, `<lambda@12>`)."""

    name: str
    qualname: str
    start: int
    end: int
    name_start: int
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    decorators: tuple[Expr, ...] = ()
    is_async: bool = False
    cls: str | None = None  # the qualname of the class a method belongs to
    expression_body: bool = False  # a lambda or `=> expr`: body is one Return

    def param(self, name: str) -> Param | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


@dataclass(slots=True, eq=False)
class Class:
    """A class: its name, bases and keywords, decorators and body."""

    name: str
    qualname: str
    start: int
    end: int
    name_start: int
    bases: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...]
    decorators: tuple[Expr, ...]
    body: tuple[Stmt, ...]

    def methods(self) -> Iterator[Function]:
        for statement in self.body:
            if isinstance(statement, FunctionDef):
                yield statement.function

    def attributes(self) -> Iterator[tuple[str, Expr]]:
        """Class-level `name = value` assignments (Python) and fields (JS)."""
        for statement in self.body:
            if isinstance(statement, Assign) and statement.value is not None:
                for target in statement.targets:
                    if isinstance(target, Name) and "." not in target.name:
                        yield target.name, statement.value


@dataclass(slots=True, eq=False)
class Import:
    """One imported binding. Python `from a.b import c as d`: local "d", module "a.b", name "c",
    level 0; `import x.y as z`: local "z", module "x.y", name None; `import x.y`: local "x",
    module "x". JS `import d, {c as e} from "m"`: ("d", "m", "default"), ("e", "m", "c");
    `import * as n from "m"` and `const n = require("m")`: name None."""

    local: str
    module: str
    name: str | None
    level: int
    start: int
    end: int


@dataclass(slots=True, eq=False)
class Module:
    """A lowered file. `exports` maps exported names to local names (JS; Python: empty)."""

    language: str  # "python" or "javascript"
    body: tuple[Stmt, ...]
    imports: tuple[Import, ...]
    exports: dict[str, str] = field(default_factory=dict)
    truncated: bool = False  # nesting beyond the model's depth limit was cut
    _functions: tuple[Function, ...] | None = field(default=None, init=False, repr=False)

    @property
    def functions(self) -> tuple[Function, ...]:
        """`nested_functions(body)`, walked once: every function of the module, outermost first
        (several extractors of a file ask for them all)."""
        if self._functions is None:
            self._functions = tuple(nested_functions(self.body))
        return self._functions


# -- helpers ------------------------------------------------------------------------------------


def key_text(key: Expr | None) -> str | None:
    """The text of a dict/object key that is a constant string or a bare JS property name."""
    if isinstance(key, Str) and key.constant:
        return key.value
    if isinstance(key, Name) and "." not in key.name:
        return key.name
    return None


def string_value(expr: Expr | None) -> str | None:
    """The value of a constant string (no interpolation), else None."""
    if isinstance(expr, Str) and expr.constant:
        return expr.value
    return None


def dotted(expr: Expr | None) -> str | None:
    """`a.b.c` for a name chain, `a.b["c"]` spelt `a.b.c` too; None otherwise."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Index):
        base = dotted(expr.obj)
        key = string_value(expr.key)
        return f"{base}.{key}" if base is not None and key is not None else None
    return None


def children(expr: Expr) -> tuple[Expr, ...]:
    """The expressions directly inside `expr` (function bodies are not entered)."""
    get = _CHILDREN.get(type(expr))
    if get is not None:
        return get(expr)
    return _children_of_subclass(expr)


def _children_of_subclass(expr: Expr) -> tuple[Expr, ...]:
    for kind, get in _CHILDREN.items():
        if isinstance(expr, kind):
            return get(expr)
    return ()


def _no_children(expr: Any) -> tuple[Expr, ...]:
    return ()


def _dict_children(expr: Any) -> tuple[Expr, ...]:
    return tuple(part for key, value in expr.items for part in (key, value) if part is not None)


# The expressions inside each kind of expression, by its exact type (looked up once a node).
_CHILDREN: dict[type, Callable[[Any], tuple[Expr, ...]]] = {
    Name: _no_children, Num: _no_children, Const: _no_children, Func: _no_children,
    Str: lambda e: e.parts,
    Call: lambda e: (e.func, *e.args, *(value for _, value in e.kwargs)),
    Attr: lambda e: (e.obj,),
    Index: lambda e: (e.obj,) if e.key is None else (e.obj, e.key),
    Dict: _dict_children,
    Seq: lambda e: e.items,
    Compare: lambda e: (e.left, e.right), BinOp: lambda e: (e.left, e.right),
    BoolOp: lambda e: e.values,
    Not: lambda e: (e.operand,),
    Cond: lambda e: (e.test, e.body, e.orelse),
    Spread: lambda e: (e.value,),
    ObjectPattern: lambda e: tuple(value for _, value in e.items),
    Other: lambda e: e.children,
}


def walk_expr(expr: Expr) -> Iterator[Expr]:
    """`expr` and every expression inside it, pre-order (lambdas' bodies are not entered)."""
    stack = [expr]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def statement_exprs(statement: Stmt) -> tuple[Expr, ...]:
    """The expressions a statement holds itself (not those of nested statements)."""
    if isinstance(statement, ExprStmt):
        return (statement.expr,)
    if isinstance(statement, Assign):
        extra = (statement.value,) if statement.value is not None else ()
        return (*statement.targets, *extra)
    if isinstance(statement, If):
        return (statement.test,)
    if isinstance(statement, (Return, Raise)):
        return (statement.value,) if statement.value is not None else ()
    if isinstance(statement, Assert):
        return (statement.test,)
    if isinstance(statement, (Loop, Block)):
        return statement.head
    if isinstance(statement, With):
        return statement.items
    return ()


def nested_blocks(statement: Stmt) -> tuple[tuple[Stmt, ...], ...]:
    """The statement lists inside a compound statement (function and class bodies excluded)."""
    if isinstance(statement, If):
        return (statement.body, statement.orelse)
    if isinstance(statement, Try):
        return (statement.body, *(h.body for h in statement.handlers), statement.orelse,
                statement.final)
    if isinstance(statement, (Loop,)):
        return (statement.body, statement.orelse)
    if isinstance(statement, (With, Block)):
        return (statement.body,)
    return ()


def walk_statements(body: tuple[Stmt, ...]) -> Iterator[Stmt]:
    """Every statement of a body, nested blocks included, in source order; nested function and
    class definitions are yielded but not entered."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        for block in reversed(nested_blocks(statement)):
            stack.extend(reversed(block))


def body_exprs(body: tuple[Stmt, ...]) -> Iterator[Expr]:
    """Every expression of a body (nested statements included, nested functions not)."""
    for statement in walk_statements(body):
        for expr in statement_exprs(statement):
            yield from walk_expr(expr)


def calls_in(body: tuple[Stmt, ...]) -> Iterator[Call]:
    for expr in body_exprs(body):
        if isinstance(expr, Call):
            yield expr


def nested_functions(body: tuple[Stmt, ...]) -> Iterator[Function]:
    """Functions defined or written as expressions anywhere in `body`, outermost first (their
    own nested functions included)."""
    pending: list[tuple[Stmt, ...]] = [body]
    while pending:
        current = pending.pop(0)
        for statement in walk_statements(current):
            if isinstance(statement, FunctionDef):
                yield statement.function
                pending.append(statement.function.body)
            elif isinstance(statement, ClassDef):
                for method in statement.cls.methods():
                    yield method
                    pending.append(method.body)
            for expr in statement_exprs(statement):
                for inner in walk_expr(expr):
                    if isinstance(inner, Func):
                        yield inner.function
                        pending.append(inner.function.body)


def scopes(module: Module) -> Iterator[tuple[Function | Class | None, tuple[Stmt, ...]]]:
    """Every body of the module once: the module's own statements (None), each class body and
    each function body (nested ones included). Together they hold every statement exactly once,
    so a walk over `body_exprs` of each sees every expression once."""
    pending: list[tuple[Function | Class | None, tuple[Stmt, ...]]] = [(None, module.body)]
    while pending:
        owner, body = pending.pop(0)
        yield owner, body
        for statement in walk_statements(body):
            if isinstance(statement, FunctionDef):
                pending.append((statement.function, statement.function.body))
            elif isinstance(statement, ClassDef):
                pending.append((statement.cls, statement.cls.body))
            for expr in statement_exprs(statement):
                for inner in walk_expr(expr):
                    if isinstance(inner, Func):
                        pending.append((inner.function, inner.function.body))
