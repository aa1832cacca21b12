"""A hand-written parser for the FEEL subset casegrid accepts in decision tables.

Decision tables come from the studio, so their cells are untrusted text: nothing here
evaluates Python.  The parser turns a cell into a small immutable syntax tree that the
compiler closes over once; analysis (overlaps, gaps) walks the same tree.

Grammar (FEEL 1.3 "simple unary tests", plus date literals):

    unary_tests := "-" | "" | "not" "(" positive ("," positive)* ")" | positive ("," positive)*
    positive    := ("<" | "<=" | ">" | ">=") endpoint
                 | ("[" | "(" | "]") endpoint ".." endpoint ("]" | ")" | "[")
                 | endpoint
    endpoint    := string | ["-"] number | true | false | null | date("YYYY-MM-DD") | name("." name)*
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import excerpt


class FeelSyntaxError(ValueError):
    """A cell that is not in the supported FEEL subset; the message says where it stopped."""

    def __init__(self, message: str, text: str, position: int) -> None:
        super().__init__(f"{message} at position {position + 1} in {excerpt(text)}")
        self.reason = message
        self.text = text
        self.position = position


# --- syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Name:
    """A variable or dotted path read from the evaluation context (``case.category``)."""

    path: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.path)


Endpoint = Literal | Name


@dataclass(frozen=True)
class Equals:
    endpoint: Endpoint


@dataclass(frozen=True)
class Comparison:
    op: str  # one of < <= > >=
    endpoint: Endpoint


@dataclass(frozen=True)
class Interval:
    low: Endpoint
    low_closed: bool
    high: Endpoint
    high_closed: bool


PositiveTest = Equals | Comparison | Interval


@dataclass(frozen=True)
class UnaryTests:
    """A whole cell: ``matches_any`` for ``-``/empty, else a disjunction, optionally negated."""

    tests: tuple[PositiveTest, ...]
    negated: bool = False
    matches_any: bool = False

    def endpoints(self) -> list[Endpoint]:
        found: list[Endpoint] = []
        for test in self.tests:
            if isinstance(test, Interval):
                found.extend((test.low, test.high))
            else:
                found.append(test.endpoint)
        return found

    @property
    def is_static(self) -> bool:
        """True when the cell refers to no variable, so analysis can decide it without a context."""
        return all(isinstance(e, Literal) for e in self.endpoints())

    def literal_values(self) -> list[Any]:
        return [e.value for e in self.endpoints() if isinstance(e, Literal)]

    def enumeration(self) -> list[Any] | None:
        """The listed values if the cell is a plain list of literals (``"a","b",3``), else None."""
        if self.matches_any or self.negated:
            return None
        values: list[Any] = []
        for test in self.tests:
            if not (isinstance(test, Equals) and isinstance(test.endpoint, Literal)):
                return None
            values.append(test.endpoint.value)
        return values


ANY = UnaryTests(tests=(), matches_any=True)

# --- tokenizer ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<range>\.\.)
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<op><=|>=|<|>|\(|\)|\[|\]|,|-)
  | (?P<name>[^\W\d]\w*(?:\.[^\W\d]\w*)*)
    """,
    re.VERBOSE,
)

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}
_KEYWORDS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FeelSyntaxError(f"unexpected character {text[pos]!r}", text, pos)
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _unquote(token: _Token, text: str) -> str:
    body = token.text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u":
            digits = body[i + 2 : i + 6]
            if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                raise FeelSyntaxError("bad \\u escape", text, token.pos + i + 1)
            out.append(chr(int(digits, 16)))
            i += 6
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            raise FeelSyntaxError(f"unknown escape \\{nxt}", text, token.pos + i + 1)
    return "".join(out)


def _number(raw: str, negative: bool) -> int | float:
    # ints stay ints so that outputs like 4 (working hours) do not turn into 4.0 in task data.
    value: int | float = float(raw) if "." in raw else int(raw)
    return -value if negative else value


# --- parser ------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def error(self, message: str) -> FeelSyntaxError:
        token = self.peek()
        return FeelSyntaxError(message, self.text, token.pos if token else len(self.text))

    def take(self, kind: str, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind or (text is not None and token.text != text):
            found = "end of text" if token is None else repr(token.text)
            raise self.error(f"expected {text or kind}, found {found}")
        self.i += 1
        return token

    def at(self, kind: str, text: str | None = None, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == kind and (text is None or token.text == text)

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    # unary_tests
    def unary_tests(self) -> UnaryTests:
        if self.at_end():
            return ANY
        if len(self.tokens) == 1 and self.at("op", "-"):
            return ANY
        if self.at("name", "not") and self.at("op", "(", offset=1):
            self.i += 2
            tests = self.positive_list()
            self.take("op", ")")
            self.expect_end()
            return UnaryTests(tests=tests, negated=True)
        tests = self.positive_list()
        self.expect_end()
        return UnaryTests(tests=tests)

    def expect_end(self) -> None:
        if not self.at_end():
            raise self.error(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]

    def positive_list(self) -> tuple[PositiveTest, ...]:
        tests = [self.positive()]
        while self.at("op", ","):
            self.i += 1
            tests.append(self.positive())
        return tuple(tests)

    def positive(self) -> PositiveTest:
        token = self.peek()
        if token is None:
            raise self.error("expected a test")
        if token.kind == "op" and token.text in ("<", "<=", ">", ">="):
            self.i += 1
            return Comparison(token.text, self.endpoint())
        if token.kind == "op" and token.text in ("[", "(", "]"):
            self.i += 1
            low = self.endpoint()
            self.take("range")
            high = self.endpoint()
            closing = self.peek()
            if closing is None or closing.kind != "op" or closing.text not in ("]", ")", "["):
                raise self.error("expected ']', ')' or '[' to close the range")
            self.i += 1
            return Interval(low, token.text == "[", high, closing.text == "]")
        return Equals(self.endpoint())

    def endpoint(self) -> Endpoint:
        token = self.peek()
        if token is None:
            raise self.error("expected a value")
        if token.kind == "string":
            self.i += 1
            return Literal(_unquote(token, self.text))
        if token.kind == "number":
            self.i += 1
            return Literal(_number(token.text, negative=False))
        if token.kind == "op" and token.text == "-" and self.at("number", offset=1):
            self.i += 2
            return Literal(_number(self.tokens[self.i - 1].text, negative=True))
        if token.kind == "name":
            if token.text in _KEYWORDS:
                self.i += 1
                return Literal(_KEYWORDS[token.text])
            if token.text == "date" and self.at("op", "(", offset=1):
                return Literal(self.date_literal())
            if token.text == "not":
                raise self.error("not(...) must enclose the whole cell")
            self.i += 1
            return Name(tuple(token.text.split(".")))
        raise self.error(f"expected a value, found {token.text!r}")

    def date_literal(self) -> dt.date:
        self.i += 2  # date (
        token = self.take("string")
        self.take("op", ")")
        raw = _unquote(token, self.text)
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise FeelSyntaxError(f"not a date {raw!r} (want YYYY-MM-DD)", self.text, token.pos) from None


def parse_unary_tests(text: str | None) -> UnaryTests:
    """Parse one input entry (or an inputValues/outputValues list); raise FeelSyntaxError."""
    return _Parser((text or "").strip()).unary_tests()


_NO_LITERAL = object()


def parse_literal(text: str | None) -> Any:
    """The value of ``text`` if it is exactly one FEEL literal, else the ``NOT_A_LITERAL`` marker.

    Empty text is FEEL null: an empty output cell means "no value".
    """
    stripped = (text or "").strip()
    if stripped == "":
        return None
    try:
        parser = _Parser(stripped)
        endpoint = parser.endpoint()
        parser.expect_end()
    except FeelSyntaxError:
        return _NO_LITERAL
    return endpoint.value if isinstance(endpoint, Literal) else _NO_LITERAL


NOT_A_LITERAL: Any = _NO_LITERAL


def format_value(value: Any) -> str:
    """Render a value the way it would be written in a cell, for error messages and examples."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\u0000")
        return f'"{escaped}"'
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f'date("{value.isoformat()}")'
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)
