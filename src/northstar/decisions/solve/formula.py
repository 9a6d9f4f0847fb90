"""A small, safe expression language for custom score fields — never Python ``eval``.

Grammar (lowest precedence first)::

    expression  := or
    or          := and ("or" and)*
    and         := not ("and" not)*
    not         := "not" not | comparison
    comparison  := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/" | "%") unary)*
    unary       := ("-" | "+") unary | power
    power       := atom ("^" unary)?
    atom        := NUMBER | NAME | NAME "(" arguments ")" | "(" expression ")"

Names refer to idea fields (``reach``, ``impact``…) or to other formula fields. Functions: min, max, if, abs,
round, sqrt, log, clamp. Every error carries the character position where it was found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_TREE_DEPTH = 200


class FormulaError(ValueError):
    """A formula that cannot be read or computed; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{message} (at position {position})")

    def pointer(self, source: str) -> str:
        """The formula with a caret under the failing position, for display."""
        return f"{source}\n{' ' * self.position}^"


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, op, lparen, rparen, comma, end
    text: str
    position: int


_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[-+*/%^<>])|(?P<lparen>\()|(?P<rparen>\))|(?P<comma>,))"
)


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens; an unknown character raises :class:`FormulaError` at its position."""
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            offset = position + len(source[position:]) - len(source[position:].lstrip())
            raise FormulaError(f"unexpected character {source[offset]!r}", offset)
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


@dataclass(frozen=True)
class Number:
    value: float
    position: int


@dataclass(frozen=True)
class Name:
    name: str
    position: int


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node
    position: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    position: int


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    position: int


Node = Number | Name | Unary | Binary | Call

FUNCTIONS: dict[str, tuple[int, int]] = {
    "min": (1, 50),
    "max": (1, 50),
    "if": (3, 3),
    "abs": (1, 1),
    "round": (1, 2),
    "sqrt": (1, 1),
    "log": (1, 2),
    "clamp": (3, 3),
}
KEYWORDS = {"and", "or", "not"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            found = self.current.text or "the end"
            raise FormulaError(f"expected {what} but found {found!r}", self.current.position)
        return self.advance()

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise FormulaError("the formula is empty", 0)
        node = self.expression()
        if self.current.kind != "end":
            raise FormulaError(f"unexpected {self.current.text!r}", self.current.position)
        return node

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("the formula is nested too deeply", self.current.position)
        node = self.binary_chain(self.and_, {"or"}, keyword=True)
        self.depth -= 1
        return node

    def and_(self) -> Node:
        return self.binary_chain(self.not_, {"and"}, keyword=True)

    def not_(self) -> Node:
        if self.current.kind == "name" and self.current.text == "not":
            token = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError("the formula is nested too deeply", token.position)
            operand = self.not_()
            self.depth -= 1
            return Unary("not", operand, token.position)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.current.kind == "op" and self.current.text in {"<", "<=", ">", ">=", "==", "!="}:
            token = self.advance()
            return Binary(token.text, left, self.sum(), token.position)
        return left

    def sum(self) -> Node:
        return self.binary_chain(self.product, {"+", "-"})

    def product(self) -> Node:
        return self.binary_chain(self.unary, {"*", "/", "%"})

    def binary_chain(self, operand: Callable[[], Node], ops: set[str], keyword: bool = False) -> Node:
        node = operand()
        kind = "name" if keyword else "op"
        while self.current.kind == kind and self.current.text in ops:
            token = self.advance()
            node = Binary(token.text, node, operand(), token.position)
        return node

    def unary(self) -> Node:
        if self.current.kind == "op" and self.current.text in {"-", "+"}:
            token = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError("the formula is nested too deeply", token.position)
            operand = self.unary()
            self.depth -= 1
            return Unary(token.text, operand, token.position)
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.current.kind == "op" and self.current.text == "^":
            token = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError("the formula is nested too deeply", token.position)
            exponent = self.unary()
            self.depth -= 1
            return Binary("^", base, exponent, token.position)
        return base

    def atom(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Number(float(token.text), token.position)
        if token.kind == "name":
            if token.text in KEYWORDS:
                raise FormulaError(f"unexpected {token.text!r}", token.position)
            self.advance()
            if self.current.kind == "lparen":
                return self.call(token)
            return Name(token.text, token.position)
        if token.kind == "lparen":
            self.advance()
            node = self.expression()
            self.expect("rparen", "')'")
            return node
        found = token.text or "the end of the formula"
        raise FormulaError(f"expected a number, a field or '(' but found {found!r}", token.position)

    def call(self, name: Token) -> Node:
        if name.text not in FUNCTIONS:
            raise FormulaError(f"unknown function {name.text!r}", name.position)
        self.advance()
        arguments: list[Node] = []
        if self.current.kind != "rparen":
            arguments.append(self.expression())
            while self.current.kind == "comma":
                self.advance()
                arguments.append(self.expression())
        self.expect("rparen", "')' or ','")
        low, high = FUNCTIONS[name.text]
        if not low <= len(arguments) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise FormulaError(
                f"{name.text}() takes {expected} arguments, got {len(arguments)}", name.position
            )
        return Call(name.text, tuple(arguments), name.position)


def parse(source: str) -> Node:
    """Parse ``source`` into a syntax tree, or raise :class:`FormulaError` with the position of the problem."""
    tree = _Parser(source).parse()
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise FormulaError("the formula has too many terms in a row; split it into fields", node.position)
        if isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Binary):
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Call):
            stack += [(argument, depth + 1) for argument in node.arguments]
    return tree


def names(node: Node) -> set[str]:
    """Every field name a formula refers to."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Unary):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) | names(node.right)
    if isinstance(node, Call):
        return set().union(*(names(a) for a in node.arguments)) if node.arguments else set()
    return set()


def evaluate(node: Node, fields: Mapping[str, float | None]) -> float:
    """Compute the formula over ``fields``; a missing field or an impossible operation raises FormulaError."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        value = fields.get(node.name)
        if node.name not in fields:
            raise FormulaError(f"unknown field {node.name!r}", node.position)
        if value is None:
            raise FormulaError(f"field {node.name!r} has no value", node.position)
        return float(value)
    if isinstance(node, Unary):
        operand = evaluate(node.operand, fields)
        if node.op == "not":
            return float(not operand)
        return -operand if node.op == "-" else operand
    if isinstance(node, Binary):
        return _binary(node, fields)
    return _call(node, fields)


def _binary(node: Binary, fields: Mapping[str, float | None]) -> float:
    left = evaluate(node.left, fields)
    if node.op == "and":
        return float(bool(left) and bool(evaluate(node.right, fields)))
    if node.op == "or":
        return float(bool(left) or bool(evaluate(node.right, fields)))
    right = evaluate(node.right, fields)
    if node.op in ("/", "%") and right == 0:
        raise FormulaError("division by zero", node.position)
    try:
        result = {
            "+": lambda: left + right,
            "-": lambda: left - right,
            "*": lambda: left * right,
            "/": lambda: left / right,
            "%": lambda: math.fmod(left, right),
            "^": lambda: math.pow(left, right),
            "<": lambda: float(left < right),
            "<=": lambda: float(left <= right),
            ">": lambda: float(left > right),
            ">=": lambda: float(left >= right),
            "==": lambda: float(left == right),
            "!=": lambda: float(left != right),
        }[node.op]()
    except (OverflowError, ValueError):
        raise FormulaError(f"cannot compute {left:g} {node.op} {right:g}", node.position)
    if isinstance(result, complex) or not math.isfinite(result):
        raise FormulaError(f"{left:g} {node.op} {right:g} is not a finite number", node.position)
    return float(result)


def _call(node: Call, fields: Mapping[str, float | None]) -> float:
    if node.function == "if":
        condition = evaluate(node.arguments[0], fields)
        return evaluate(node.arguments[1] if condition else node.arguments[2], fields)
    values = [evaluate(argument, fields) for argument in node.arguments]
    if node.function == "min":
        return min(values)
    if node.function == "max":
        return max(values)
    if node.function == "abs":
        return abs(values[0])
    if node.function == "round":
        digits = int(values[1]) if len(values) > 1 else 0
        if not -10 <= digits <= 10:
            raise FormulaError("round() keeps between -10 and 10 digits", node.position)
        return float(round(values[0], digits))
    if node.function == "clamp":
        return min(max(values[0], values[1]), values[2])
    if node.function == "sqrt":
        if values[0] < 0:
            raise FormulaError("sqrt() of a negative number", node.position)
        return math.sqrt(values[0])
    base = values[1] if len(values) > 1 else math.e
    if values[0] <= 0 or base <= 0 or base == 1:
        raise FormulaError("log() needs a positive number and a positive base other than 1", node.position)
    return math.log(values[0], base)


def render(node: Node, fields: Mapping[str, float | None] | None = None) -> str:
    """The formula as text, with field values substituted when ``fields`` is given: the score's arithmetic."""
    if isinstance(node, Number):
        return f"{node.value:g}"
    if isinstance(node, Name):
        if fields is not None and fields.get(node.name) is not None:
            return f"{float(fields[node.name]):g}"  # type: ignore[arg-type]
        return node.name
    if isinstance(node, Unary):
        return (
            f"{node.op} {render(node.operand, fields)}"
            if node.op == "not"
            else node.op + render(node.operand, fields)
        )
    if isinstance(node, Binary):
        return f"({render(node.left, fields)} {node.op} {render(node.right, fields)})"
    return f"{node.function}({', '.join(render(a, fields) for a in node.arguments)})"


@dataclass(frozen=True)
class FormulaField:
    name: str
    source: str


def evaluate_fields(formulas: list[FormulaField], fields: Mapping[str, float | None]) -> dict[str, float]:
    """Evaluate formula fields that may refer to each other, in dependency order; a cycle is a FormulaError."""
    trees = {formula.name: parse(formula.source) for formula in formulas}
    values: dict[str, float | None] = dict(fields)
    results: dict[str, float] = {}
    visiting: list[str] = []

    def compute(name: str) -> float:
        if name in results:
            return results[name]
        if name in visiting:
            cycle = " → ".join([*visiting[visiting.index(name) :], name])
            raise FormulaError(f"formula fields refer to each other in a cycle: {cycle}", 0)
        visiting.append(name)
        for dependency in names(trees[name]):
            if dependency in trees:
                values[dependency] = compute(dependency)
        visiting.pop()
        results[name] = evaluate(trees[name], values)
        values[name] = results[name]
        return results[name]

    for formula in formulas:
        compute(formula.name)
    return results
