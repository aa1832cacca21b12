"""Compile-time rules added on top of RestrictedPython's own policy.

RestrictedPython already refuses underscore names and attributes, frame/code
attributes (gi_frame, f_globals, ...), exec/eval calls, match statements,
``except*``, async code and ``nonlocal``.  It deliberately *allows* a few things
that make sense for Zope but not for a diagram uploaded from a browser; this
subclass closes those and words the refusals for analysts, so that deploy-time
validation reports them instead of a case failing later.
"""
from __future__ import annotations

import ast
import bisect

from RestrictedPython.transformer import RestrictingNodeTransformer

# Names that have no business in a condition or a script whatever they hold.
# Refused on any use so that `f = eval; f('...')` fails at deploy time too.
FORBIDDEN_NAMES: frozenset[str] = frozenset({
    "breakpoint",
    "classmethod",
    "compile",
    "delattr",
    "dir",
    "eval",
    "exec",
    "exit",
    "getattr",
    "globals",
    "hasattr",
    "locals",
    "memoryview",
    "quit",
    "setattr",
    "staticmethod",
    "super",
    "vars",
})

# Builtins refused only when called: these words are also plausible task-data
# field names (a form field "type" or "open"), which must stay readable.
FORBIDDEN_CALLS: frozenset[str] = frozenset({
    "format",
    "help",
    "input",
    "object",
    "open",
    "property",
    "type",
})

# Operators whose result can be far larger than their operands, and the budget hook that checks each
# (engine.sandbox.budget) before the C code builds it.
CHECKED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
}

# str.format / format_map resolve "{0.__class__}" inside the C formatter, past
# every attribute guard; f-strings are compiled to checked attribute access.
FORBIDDEN_ATTRIBUTES: frozenset[str] = frozenset({"format", "format_map"})


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer plus casegrid's stricter, analyst-worded rules."""

    def __init__(
        self,
        errors: list[str] | None = None,
        warnings: list[str] | None = None,
        used_names: dict[str, bool] | None = None,
    ) -> None:
        super().__init__(errors, warnings, used_names)
        self._error_positions: list[tuple[int, int]] = []

    def error(self, node: ast.AST, info: str) -> None:
        # The transformer visits `a.__class__.__mro__` outside-in; keep the
        # refusals in reading order (by where each node ends) so the first one
        # reported is the first one the analyst wrote.
        position = (getattr(node, "lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
        index = bisect.bisect_right(self._error_positions, position)
        self._error_positions.insert(index, position)
        self.errors.insert(index, f"Line {getattr(node, 'lineno', None)}: {info}")

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import is not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "import is not allowed")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        # RestrictedPython rewrites classes to use a caller-supplied metaclass;
        # task data never needs classes, so refuse rather than supply one.
        self.error(node, "class definitions are not allowed")
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in FORBIDDEN_NAMES:
            self.error(node, f"{node.id}() is not allowed")
            return node
        if node.id in ("print", "printed"):
            # RestrictedPython would route print to a collector we do not keep.
            self.error(node, "print is not available; assign the value to a variable instead")
            return node
        return super().visit_Name(node)  # type: ignore[no-any-return]

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # Checked before RestrictedPython so eval/exec get the same wording as open/type.
        if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS | FORBIDDEN_NAMES:
            self.error(node, f"{node.func.id}() is not allowed")
            return node
        return super().visit_Call(node)  # type: ignore[no-any-return]

    # --- the budget: every loop pass and call ticks, size-changing operators are checked --------------

    def visit_While(self, node: ast.While) -> ast.AST:
        node = super().visit_While(node)
        node.body.insert(0, _located(ast.Expr(_hook("_tick_", [])), node.body[0]))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _located(ast.Expr(_hook("_tick_", [])), node.body[0]))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        node.body = _located(_hook("_tick_", [node.body]), node.body)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = super().visit_BinOp(node)
        hook = CHECKED_OPERATORS.get(type(node.op))
        if hook is None:
            return node
        return _located(_hook(hook, [node.left, node.right]), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = super().visit_FormattedValue(node)
        if node.format_spec is None:
            return node
        # f"{x:>{width}}": the width reaches C code, so format through the budget's checked formatter.
        call = _hook("_format_", [node.value, ast.Constant(node.conversion), node.format_spec])
        return _located(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            # [*x, *x] doubles a list without any operator; iterate it through the counted iterator.
            node.value = _located(_hook("_getiter_", [node.value]), node.value)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.error(node, f".{node.attr}() is not allowed; use an f-string such as f\"{{x}}\" instead")
            return node
        return super().visit_Attribute(node)  # type: ignore[no-any-return]


def _hook(name: str, args: list[ast.expr]) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])


def _located(new: ast.AST, original: ast.AST) -> ast.AST:
    """Give the nodes added around user code the position of the code they guard."""
    for child in ast.walk(new):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            ast.copy_location(child, original)
    return new
