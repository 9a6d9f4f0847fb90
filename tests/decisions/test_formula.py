"""The custom formula language: hand cases, positions in errors, and a fuzzed parser."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.decisions.solve.formula import (
    FormulaError,
    FormulaField,
    evaluate,
    evaluate_fields,
    names,
    parse,
    render,
)

FIELDS = {"reach": 1000.0, "impact": 2.0, "confidence": 0.8, "effort": 4.0, "empty": None}


def value(source: str) -> float:
    return evaluate(parse(source), FIELDS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("reach * impact * confidence / effort", 400),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2", -4),
        ("10 - 4 - 3", 3),
        ("max(1, effort, 3)", 4),
        ("min(reach, 5)", 5),
        ("if(effort > 3, 1, 0)", 1),
        ("if(effort > 3 and impact < 2, 1, 0)", 0),
        ("not 0 or 0", 1),
        ("clamp(reach, 0, 100)", 100),
        ("round(2.345, 2)", 2.35),
        ("sqrt(16) + abs(-1)", 5),
        ("log(100, 10)", 2),
        ("7 % 4", 3),
        ("1e3 / .5", 2000),
    ],
)
def test_formulas_compute_the_expected_value(source, expected) -> None:
    assert value(source) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("source", "position", "message"),
    [
        ("reach * ", 8, "expected a number"),
        ("reach $ 2", 6, "unexpected character"),
        ("(reach + 1", 10, "expected '\\)'"),
        ("foo(1)", 0, "unknown function"),
        ("if(1, 2)", 0, "takes 3 arguments"),
        ("1 2", 2, "unexpected '2'"),
        ("", 0, "empty"),
        ("reach / (effort - 4)", 6, "division by zero"),
        ("unknown + 1", 0, "unknown field"),
        ("empty * 2", 0, "has no value"),
        ("sqrt(-1)", 0, "negative"),
    ],
)
def test_errors_carry_the_position_of_the_problem(source, position, message) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        value(source)
    assert caught.value.position == position


def test_error_pointer_puts_a_caret_under_the_position() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("reach $ 2")
    assert caught.value.pointer("reach $ 2").splitlines()[1] == "      ^"


def test_render_shows_the_arithmetic_with_values() -> None:
    tree = parse("reach * impact / effort")
    assert render(tree, FIELDS) == "((1000 * 2) / 4)"
    assert names(tree) == {"reach", "impact", "effort"}


def test_formula_fields_can_use_each_other_in_any_order() -> None:
    fields = [FormulaField("score", "value / effort"), FormulaField("value", "reach * impact")]
    assert evaluate_fields(fields, FIELDS) == {"value": 2000, "score": 500}


def test_formula_fields_in_a_cycle_are_named() -> None:
    fields = [FormulaField("a", "b + 1"), FormulaField("b", "a + 1")]
    with pytest.raises(FormulaError, match="cycle: a → b → a"):
        evaluate_fields(fields, {})


def test_python_code_is_not_executed() -> None:
    for attack in ["__import__('os')", "reach.__class__", "[1]", "lambda: 1", "'text'"]:
        with pytest.raises(FormulaError):
            value(attack)


def test_very_long_chains_are_refused_rather_than_crashing() -> None:
    with pytest.raises(FormulaError, match=r"too many terms|nested too deeply"):
        value("+".join(["1"] * 900))
    with pytest.raises(FormulaError, match="nested too deeply"):
        value("(" * 500 + "1" + ")" * 500)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.eE+-*/%^()<>=!, abcdfimnortx_", max_size=60))
def test_fuzzed_input_either_parses_or_raises_a_formula_error(source) -> None:
    try:
        tree = parse(source)
    except FormulaError as error:
        assert 0 <= error.position <= len(source)
        return
    try:
        result = evaluate(tree, {"a": 1.0, "b": 2.0, "x": 3.0})
    except FormulaError:
        return
    assert math.isfinite(result)


@st.composite
def expressions(draw, depth: int = 0):
    """(source text, the value Python computes for it) over small integers and + - * with parentheses."""
    if depth > 3 or draw(st.booleans()):
        number = draw(st.integers(min_value=0, max_value=50))
        return str(number), float(number)
    left_source, left_value = draw(expressions(depth + 1))
    right_source, right_value = draw(expressions(depth + 1))
    op = draw(st.sampled_from(["+", "-", "*"]))
    result = {"+": left_value + right_value, "-": left_value - right_value, "*": left_value * right_value}[op]
    return f"({left_source} {op} {right_source})", result


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_generated_expressions_compute_like_arithmetic(case) -> None:
    source, expected = case
    assert evaluate(parse(source), {}) == pytest.approx(expected)
    assert evaluate(parse(render(parse(source))), {}) == pytest.approx(expected)
