"""Turn a DecisionTable into Python closures, once, at deploy time.

SpiffWorkflow re-reads every cell on every evaluation; here each cell is parsed exactly once
into a closure, so evaluation is only reading inputs and calling closures.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import CasegridError, Problem, excerpt

from . import feel, sandbox_bridge
from .errors import DecisionEvaluationError
from .feel import NOT_A_LITERAL, Comparison, Endpoint, Equals, FeelSyntaxError, Interval, Literal, UnaryTests
from .model import Aggregation, DecisionTable, HitPolicy, InputClause, OutputClause, Rule
from .values import feel_compare, feel_equal, kind, read_path

Context = Mapping[str, Any]
CellTest = Callable[[Any, Context], bool]

_PATH = re.compile(r"^[^\W\d]\w*(?:\.[^\W\d]\w*)*$")
_ORDER: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TYPE_KINDS = {
    "string": {"string"},
    "number": {"number"},
    "integer": {"number"},
    "long": {"number"},
    "double": {"number"},
    "boolean": {"boolean"},
    "date": {"date"},
}


# --- cells -------------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    """A float or Decimal that orders like a plain number (not NaN, not a signalling NaN)."""
    if type(value) is float:
        return value == value
    return not value.is_nan()


def _endpoint_reader(endpoint: Endpoint) -> Callable[[Context], Any]:
    if isinstance(endpoint, Literal):
        value = endpoint.value
        return lambda _ctx: value
    path = endpoint.path
    return lambda ctx: read_path(ctx, path)


# Cells are three-valued like FEEL: a comparison between values of different kinds (or with
# null) is null, and not(null) is still null, so `not(< 0)` does not match a string or null.
# Equality is two-valued (`null = "a"` is false), so `not("a")` does match null.
TriTest = Callable[[Any, Context], bool | None]


def _compile_positive(test: feel.PositiveTest) -> TriTest:
    if isinstance(test, Equals):
        if isinstance(test.endpoint, Literal):
            expected = test.endpoint.value
            return lambda x, _ctx: feel_equal(x, expected)
        read = _endpoint_reader(test.endpoint)
        return lambda x, ctx: feel_equal(x, read(ctx))
    if isinstance(test, Comparison):
        read = _endpoint_reader(test.endpoint)
        holds = _ORDER[test.op]

        def compare(x: Any, ctx: Context) -> bool | None:
            c = feel_compare(x, read(ctx))
            return None if c is None else holds(c, 0)

        return compare
    assert isinstance(test, Interval)
    low, high = _endpoint_reader(test.low), _endpoint_reader(test.high)
    low_ok = operator.le if test.low_closed else operator.lt
    high_ok = operator.le if test.high_closed else operator.lt

    def within(x: Any, ctx: Context) -> bool | None:
        lo, hi = feel_compare(low(ctx), x), feel_compare(x, high(ctx))
        if lo is None or hi is None:
            return None
        return low_ok(lo, 0) and high_ok(hi, 0)

    return within


def _disjunction(parts: tuple[TriTest, ...]) -> TriTest:
    def any_of(x: Any, ctx: Context) -> bool | None:
        unknown = False
        for part in parts:
            result = part(x, ctx)
            if result:
                return True
            unknown = unknown or result is None
        return None if unknown else False

    return any_of


def compile_unary_tests(tests: UnaryTests) -> CellTest:
    """A closure that is True only when the cell's FEEL value is true (false and null: no match)."""
    if tests.matches_any:
        return lambda _x, _ctx: True
    parts = tuple(_compile_positive(t) for t in tests.tests)
    tri = parts[0] if len(parts) == 1 else _disjunction(parts)
    if tests.negated:
        return lambda x, ctx: tri(x, ctx) is False
    return lambda x, ctx: tri(x, ctx) is True


# --- cells for a typed column ------------------------------------------------------------
#
# When a column declares its typeRef (string, number, boolean) and the value read for it has exactly
# that type, every FEEL rule above reduces to a plain Python comparison decided at compile time: a
# literal of another kind never equals the value and compares to null, no date alignment can happen.
# These closures give the same answers as the generic ones for such values; any other value (a
# different kind, a subclass, NaN, a date column) goes through the generic closures instead.

_EXACT_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "number": frozenset({int, float, Decimal}),
    "boolean": frozenset({bool}),
}
_ORDERED = frozenset({"string", "number"})


def _literal_fits(value: Any, column_kind: str) -> bool | None:
    """True: same kind, usable as is; False: another plain kind (never equal, compares to null);
    None: a literal the typed closures do not handle (a date, NaN), so the cell stays generic."""
    literal_kind = kind(value)
    if literal_kind in ("date", "datetime", "other"):
        return None
    if literal_kind == "number" and value != value:  # NaN
        return None
    return literal_kind == column_kind


def _typed_literal(endpoint: Any, column_kind: str) -> tuple[Any, bool] | None:
    """(the literal's value, whether it fits the column's kind), or None when the endpoint is not a literal
    the typed closures handle."""
    if not isinstance(endpoint, Literal):
        return None
    fits = _literal_fits(endpoint.value, column_kind)
    return None if fits is None else (endpoint.value, fits)


def _typed_positive(test: feel.PositiveTest, column_kind: str) -> TriTest | None:
    if isinstance(test, Equals):
        if (literal := _typed_literal(test.endpoint, column_kind)) is None:
            return None
        expected, fits = literal
        if not fits:
            return lambda _x, _ctx: False
        return lambda x, _ctx: bool(x == expected)
    if isinstance(test, Comparison):
        if (literal := _typed_literal(test.endpoint, column_kind)) is None:
            return None
        bound, fits = literal
        if not fits or column_kind not in _ORDERED:
            return lambda _x, _ctx: None
        # feel_compare's (x > b) - (x < b) against 0, for totally ordered values (NaN never gets here).
        if test.op == "<":
            return lambda x, _ctx: x < bound
        if test.op == ">":
            return lambda x, _ctx: x > bound
        if test.op == "<=":
            return lambda x, _ctx: not x > bound
        return lambda x, _ctx: not x < bound
    assert isinstance(test, Interval)
    if not (isinstance(test.low, Literal) and isinstance(test.high, Literal)):
        return None
    low, high = test.low.value, test.high.value
    fits_low, fits_high = _literal_fits(low, column_kind), _literal_fits(high, column_kind)
    if fits_low is None or fits_high is None:
        return None
    if not (fits_low and fits_high) or column_kind not in _ORDERED:
        return lambda _x, _ctx: None
    if test.low_closed and test.high_closed:
        return lambda x, _ctx: not low > x and not x > high
    if test.low_closed:
        return lambda x, _ctx: not low > x and x < high
    if test.high_closed:
        return lambda x, _ctx: low < x and not x > high
    return lambda x, _ctx: low < x and x < high


def compile_typed_unary_tests(tests: UnaryTests, column_kind: str) -> CellTest | None:
    """Like compile_unary_tests for a value known to be exactly of `column_kind`; None when some part
    of the cell needs the generic closures (a path endpoint, a date literal)."""
    if tests.matches_any:
        return lambda _x, _ctx: True
    parts: list[TriTest] = []
    for test in tests.tests:
        part = _typed_positive(test, column_kind)
        if part is None:
            return None
        parts.append(part)
    tri = parts[0] if len(parts) == 1 else _disjunction(tuple(parts))
    if tests.negated:
        return lambda x, ctx: tri(x, ctx) is False
    if len(parts) == 1:
        # The typed closures answer True, False or None only, so truthiness is `is True`: skip a call.
        return tri  # type: ignore[return-value]
    return lambda x, ctx: tri(x, ctx) is True


# A cell of a typed column that no value of the column's type can satisfy (`"a"` in a number column).
NEVER: Any = object()
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    # Same as `not x > b` / `not x < b` (feel_compare's answer) for totally ordered values; NaN and
    # values of another type never take the typed path.
    "<=": operator.le,
    ">=": operator.ge,
}


def typed_check(tests: UnaryTests, column_kind: str) -> tuple[Callable[[Any, Any], Any], Any] | None:
    """For a value exactly of `column_kind`: (test, argument) with `test(value, argument)` truthy when
    the cell holds, NEVER when it cannot hold, None when the cell needs the generic closures."""
    if len(tests.tests) == 1 and not tests.negated:
        (test,) = tests.tests
        if isinstance(test, Equals | Comparison) and isinstance(test.endpoint, Literal):
            literal = test.endpoint.value
            fits = _literal_fits(literal, column_kind)
            if fits is None:
                return None
            if isinstance(test, Equals):
                return (operator.eq, literal) if fits else NEVER
            return (_OPERATORS[test.op], literal) if fits and column_kind in _ORDERED else NEVER
    closure = compile_typed_unary_tests(tests, column_kind)
    return None if closure is None else (closure, None)


@dataclass(frozen=True)
class CompiledCell:
    text: str
    tests: UnaryTests
    matches: CellTest
    # The same test for a value exactly of the column's typeRef, when the cell allows one: as a
    # closure (value, context), and as (test, argument) for tables typed throughout.
    typed: CellTest | None = None
    typed_check: Any = None


def column_kind(clause: InputClause) -> str | None:
    """The kind a typed column's values are checked against for the typed closures, or None."""
    kinds = _TYPE_KINDS.get((clause.type_ref or "").lower())
    if not kinds or len(kinds) != 1:
        return None
    (only,) = kinds
    return only if only in _EXACT_TYPES else None


def compile_cell(text: str, kind_of_column: str | None = None) -> CompiledCell:
    """Parse and compile one input entry; raises FeelSyntaxError."""
    tests = feel.parse_unary_tests(text)
    if kind_of_column is None or tests.matches_any:
        return CompiledCell(text, tests, compile_unary_tests(tests))
    return CompiledCell(text, tests, compile_unary_tests(tests), compile_typed_unary_tests(tests, kind_of_column),
                        typed_check(tests, kind_of_column))


@dataclass(frozen=True)
class OutputCell:
    text: str
    literal: Any  # NOT_A_LITERAL when the cell is an expression for the sandbox
    produce: Callable[[Context], Any]


def compile_output_cell(text: str) -> OutputCell:
    value = feel.parse_literal(text)
    if value is not NOT_A_LITERAL:
        return OutputCell(text, value, lambda _ctx: value)
    expression = text.strip()
    return OutputCell(text, NOT_A_LITERAL, lambda ctx: sandbox_bridge.evaluate(expression, ctx))


# --- table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledInput:
    clause: InputClause
    read: Callable[[Context], Any]
    allowed: CompiledCell | None

    @property
    def domain(self) -> list[Any] | None:
        """The finite list of allowed values, when inputValues enumerates literals."""
        return self.allowed.tests.enumeration() if self.allowed is not None else None


@dataclass(frozen=True)
class CompiledOutput:
    clause: OutputClause
    priority: tuple[Any, ...] | None  # outputValues in declared order, highest priority first

    @property
    def name(self) -> str:
        return self.clause.name


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    cells: tuple[CompiledCell, ...]
    outputs: tuple[OutputCell, ...]

    def matches(self, values: list[Any], context: Context) -> bool:
        return all(cell.matches(v, context) for cell, v in zip(self.cells, values, strict=True))


class CompiledDecision:
    """A decision table as closures; evaluate() is what a business rule task calls."""

    def __init__(
        self,
        table: DecisionTable,
        inputs: tuple[CompiledInput, ...],
        outputs: tuple[CompiledOutput, ...],
        rules: tuple[CompiledRule, ...],
    ) -> None:
        self.table = table
        self.inputs = inputs
        self.outputs = outputs
        self.rules = rules
        # Per rule, the cells that test something (a "-" matches anything and is skipped), as
        # (input index, test) pairs: generic, and with the typed closures for typed columns.
        self._generic_checks = tuple(
            (tuple((i, cell.matches) for i, cell in enumerate(rule.cells) if not cell.tests.matches_any), rule)
            for rule in rules
        )
        kinds = [column_kind(compiled.clause) for compiled in inputs]
        self._typed_columns = tuple(
            (i, _EXACT_TYPES[k], k == "number") for i, k in enumerate(kinds) if k is not None
        )
        self._typed_checks = tuple(
            (
                tuple(
                    (i, cell.typed if kinds[i] is not None and cell.typed is not None else cell.matches)
                    for i, cell in enumerate(rule.cells)
                    if not cell.tests.matches_any
                ),
                rule,
            )
            for rule in rules
        ) if self._typed_columns else self._generic_checks
        # Every column typed and every cell specialised: (input index, test, argument) triples that do
        # not need the context, mostly C comparisons; rules with a cell that cannot hold are left out.
        self._fully_typed: tuple[tuple[tuple[tuple[int, Callable[[Any, Any], Any], Any], ...], CompiledRule], ...] | None
        self._fully_typed = None
        if inputs and all(k is not None for k in kinds) and all(
            cell.typed_check is not None for rule in rules for cell in rule.cells if not cell.tests.matches_any
        ):
            self._fully_typed = tuple(
                (tuple((i, *cell.typed_check) for i, cell in enumerate(rule.cells) if not cell.tests.matches_any), rule)
                for rule in rules
                if not any(cell.typed_check is NEVER for cell in rule.cells)
            )
        self._first = table.hit_policy is HitPolicy.FIRST

    @property
    def id(self) -> str:
        return self.table.id

    def _checks_for(self, values: list[Any]) -> tuple[tuple[tuple[tuple[int, CellTest], ...], CompiledRule], ...]:
        """The typed checks when every typed column holds a value exactly of its type, else the generic ones."""
        for i, types, is_number in self._typed_columns:
            value = values[i]
            if type(value) not in types:
                return self._generic_checks
            if is_number and type(value) is not int and not _finite(value):
                return self._generic_checks
        return self._typed_checks

    def _matching(self, values: list[Any], context: Context) -> Iterator[CompiledRule]:
        """The rules whose cells all hold, in table order, found as they are asked for: FIRST takes the first
        and later rules are not looked at."""
        plan = self._checks_for(values)
        if plan is self._typed_checks and self._fully_typed is not None:
            for triples, rule in self._fully_typed:
                for i, test, argument in triples:
                    if not test(values[i], argument):
                        break
                else:
                    yield rule
            return
        for checks, rule in plan:
            for i, test in checks:
                if not test(values[i], context):
                    break
            else:
                yield rule

    def _first_match(self, values: list[Any], context: Context) -> CompiledRule | None:
        return next(self._matching(values, context), None)

    def read_inputs(self, context: Context) -> list[Any]:
        values: list[Any] = []
        for compiled in self.inputs:
            try:
                value = compiled.read(context)
            except CasegridError:
                raise
            except Exception as exc:
                column = compiled.clause.title
                raise DecisionEvaluationError(
                    f"{self.table.ref}: input '{column}' ({compiled.clause.expression}) failed: {exc}",
                    self.id,
                    column=column,
                ) from exc
            if compiled.allowed is not None and not compiled.allowed.matches(value, context):
                column = compiled.clause.title
                raise DecisionEvaluationError(
                    f"{self.table.ref}: input '{column}' is {feel.format_value(value)}, "
                    f"not one of its allowed values {compiled.allowed.text}",
                    self.id,
                    column=column,
                )
            values.append(value)
        return values

    def matching_rules(self, context: Context) -> list[CompiledRule]:
        values = self.read_inputs(context)
        if self._first:
            first = self._first_match(values, context)
            return [] if first is None else [first]
        return list(self._matching(values, context))

    def rule_result(self, rule: CompiledRule, context: Context) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for output, cell in zip(self.outputs, rule.outputs, strict=True):
            try:
                result[output.clause.name] = cell.produce(context)
            except CasegridError:
                raise
            except Exception as exc:
                raise DecisionEvaluationError(
                    f"{self.table.ref} {rule.rule.ref}: output '{output.name}' ({cell.text}) failed: {exc}",
                    self.id,
                    rule=rule.rule.id,
                ) from exc
        return result

    def evaluate(self, context: Context) -> Any:
        if self._first:
            # FIRST: the outputs of the first matching rule, None when none matches (hit_policies._first).
            rule = self._first_match(self.read_inputs(context), context)
            return None if rule is None else self.rule_result(rule, context)
        return apply_hit_policy(self, self.matching_rules(context), context)

    def evaluate_with_rule(self, context: Context) -> tuple[Any, Rule | None]:
        matched = self.matching_rules(context)
        result = apply_hit_policy(self, matched, context)
        return result, winning_rule(self, matched, context)


# --- compiling with problems ---------------------------------------------------------------


def _path_reader(path: tuple[str, ...]) -> Callable[[Context], Any]:
    if len(path) == 1:
        (name,) = path
        # Task data is a plain dict; anything else reads as read_path does.
        return lambda ctx: ctx.get(name) if type(ctx) is dict else read_path(ctx, path)
    return lambda ctx: read_path(ctx, path)


class _Compiler:
    def __init__(self, table: DecisionTable) -> None:
        self.table = table
        self.problems: list[Problem] = []

    def problem(self, element: str, message: str, line: int | None = None, *, key: str,
                params: dict[str, Any] | None = None) -> None:
        if line:
            message = f"{message} (line {line})"
        self.problems.append(Problem(self.table.file, element, message, key=key,
                                     params={**(params or {}), "line": line}))

    def compile(self) -> CompiledDecision | None:
        inputs = tuple(self.input(i) for i in self.table.inputs)
        outputs = tuple(self.output(o) for o in self.table.outputs)
        rules = tuple(self.rule(r, outputs) for r in self.table.rules)
        self.check_policy(outputs, rules)
        if self.problems:
            return None
        return CompiledDecision(self.table, inputs, outputs, rules)  # type: ignore[arg-type]

    def column_ref(self, clause: InputClause) -> str:
        return f"{self.table.ref} column '{clause.title}'"

    def input(self, clause: InputClause) -> CompiledInput | None:
        expression = clause.expression.strip()
        if _PATH.match(expression):
            path = tuple(expression.split("."))
            read: Callable[[Context], Any] = _path_reader(path)
        else:
            error = sandbox_bridge.check_syntax(expression)
            if error:
                self.problem(self.column_ref(clause), f"cannot read input expression {excerpt(expression)}: {error}", clause.line,
                             key="decision.input_expression_refused", params={"expression": excerpt(expression), "reason": error})
            read = lambda ctx: sandbox_bridge.evaluate(expression, ctx)  # noqa: E731
        allowed = None
        if clause.allowed_values:
            try:
                allowed = compile_cell(clause.allowed_values)
            except FeelSyntaxError as exc:
                self.problem(self.column_ref(clause), f"cannot read inputValues: {exc}", clause.line,
                             key="decision.input_values_unreadable", params={"reason": str(exc)})
        return CompiledInput(clause, read, allowed)

    def output(self, clause: OutputClause) -> CompiledOutput | None:
        priority = None
        if clause.output_values:
            element = f"{self.table.ref} output '{clause.name}'"
            try:
                values = feel.parse_unary_tests(clause.output_values).enumeration()
            except FeelSyntaxError as exc:
                self.problem(element, f"cannot read outputValues: {exc}", clause.line, key="decision.output_values_unreadable",
                             params={"reason": str(exc)})
                return None
            if values is None:
                self.problem(element, "outputValues must be a list of literals, e.g. \"high\",\"low\"", clause.line,
                             key="decision.output_values_not_literals")
                return None
            priority = tuple(values)
        return CompiledOutput(clause, priority)

    def rule(self, rule: Rule, outputs: tuple[CompiledOutput | None, ...]) -> CompiledRule | None:
        cells: list[CompiledCell] = []
        for clause, text in zip(self.table.inputs, rule.input_entries, strict=True):
            try:
                cells.append(compile_cell(text, column_kind(clause)))
            except FeelSyntaxError as exc:
                self.problem(
                    f"{self.table.ref} {rule.ref} column '{clause.title}'",
                    f"cannot read input entry: {exc}",
                    rule.line, key="decision.input_entry_unreadable", params={"reason": str(exc)},
                )
        produced: list[OutputCell] = []
        for output, clause, text in zip(outputs, self.table.outputs, rule.output_entries, strict=True):
            cell = compile_output_cell(text)
            produced.append(cell)
            element = f"{self.table.ref} {rule.ref} output '{clause.name}'"
            if cell.literal is NOT_A_LITERAL:
                error = sandbox_bridge.check_syntax(cell.text.strip())
                if error:
                    self.problem(element, f"cannot read output entry {excerpt(cell.text)}: {error}", rule.line,
                                 key="decision.output_entry_refused", params={"expression": excerpt(cell.text), "reason": error})
                continue
            expected = _TYPE_KINDS.get((clause.type_ref or "").lower())
            if expected and cell.literal is not None and kind(cell.literal) not in expected:
                self.problem(
                    element,
                    f"{feel.format_value(cell.literal)} is not a {clause.type_ref} (the output's typeRef)",
                    rule.line, key="decision.output_wrong_type",
                    params={"value": feel.format_value(cell.literal), "type": str(clause.type_ref)},
                )
            if output is not None and output.priority is not None and not any(
                feel_equal(cell.literal, v) for v in output.priority
            ):
                self.problem(element, f"{feel.format_value(cell.literal)} is not one of the outputValues", rule.line,
                             key="decision.output_not_in_values", params={"value": feel.format_value(cell.literal)})
        if len(cells) != len(rule.input_entries):
            return None
        return CompiledRule(rule, tuple(cells), tuple(produced))

    def check_policy(self, outputs: tuple[CompiledOutput | None, ...], rules: tuple[CompiledRule | None, ...]) -> None:
        table = self.table
        if table.hit_policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not any(
            o is not None and o.priority for o in outputs
        ):
            self.problem(table.ref, f"hit policy {table.hit_policy} needs outputValues on an output to rank by", table.line,
                         key="decision.priority_needs_values", params={"hit_policy": str(table.hit_policy)})
        if table.aggregation is None:
            return
        if len(table.outputs) != 1:
            self.problem(table.ref, f"aggregation {table.aggregation} needs exactly one output column", table.line,
                         key="decision.aggregation_one_output", params={"value": str(table.aggregation)})
        if table.aggregation is Aggregation.SUM:
            for rule in rules:
                if rule is None:
                    continue
                for cell in rule.outputs:
                    if cell.literal is not NOT_A_LITERAL and cell.literal is not None and kind(cell.literal) != "number":
                        self.problem(
                            f"{table.ref} {rule.rule.ref}",
                            f"SUM needs numbers, the output is {feel.format_value(cell.literal)}",
                            rule.rule.line, key="decision.sum_needs_numbers",
                            params={"value": feel.format_value(cell.literal)},
                        )


def compile_table(table: DecisionTable) -> tuple[CompiledDecision | None, list[Problem]]:
    compiler = _Compiler(table)
    compiled = compiler.compile()
    return compiled, compiler.problems


# hit_policies imports this module's types, so it is imported last (an import inside evaluate() cost
# more than a whole FIRST decision).
from .hit_policies import apply_hit_policy, winning_rule  # noqa: E402
