"""Prioritization frameworks: RICE, ICE, WSJF, value/effort, Kano, weighted custom scores — each shows its arithmetic.

Definitions follow the reference sheet: RICE = reach × impact × confidence / effort (Intercom); ICE = the mean of
impact, confidence and ease on 1–10 (Ellis; ``combine="product"`` multiplies instead); WSJF = (business value +
time criticality + risk reduction) / job size (SAFe); Kano categories from the Berger et al. (1993) table with
satisfaction SI = (A+O)/(A+O+M+I) and dissatisfaction DI = −(O+M)/(A+O+M+I).

For portfolio selection use the *undivided* value (``rice_value``, ``cost_of_delay``): dividing by effort and also
limiting capacity would count effort twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from northstar.decisions.solve.common import PlanningInputError

RICE_IMPACT_SCALE = (0.25, 0.5, 1.0, 2.0, 3.0)
KanoAnswer = Literal["like", "expect", "neutral", "live_with", "dislike"]
KANO_ANSWERS: tuple[KanoAnswer, ...] = ("like", "expect", "neutral", "live_with", "dislike")
KANO_TABLE = {  # rows: functional answer; columns: dysfunctional answer (Berger et al. 1993)
    "like": "QAAAO",
    "expect": "RIIIM",
    "neutral": "RIIIM",
    "live_with": "RIIIM",
    "dislike": "RRRRQ",
}
KANO_NAMES = {
    "A": "attractive",
    "O": "one-dimensional",
    "M": "must-be",
    "I": "indifferent",
    "R": "reverse",
    "Q": "questionable",
}


@dataclass(frozen=True)
class Score:
    """A score and the arithmetic that produced it, e.g. ``"(1000 × 2 × 0.8) / 4 = 400"``."""

    framework: str
    value: float
    arithmetic: str
    inputs: dict[str, float] = field(default_factory=dict)


def _number(name: str, value: float | None, low: float | None = None, high: float | None = None) -> float:
    if value is None or not math.isfinite(value):
        raise PlanningInputError([f"{name} is missing"])
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"[{low:g}, {high:g}]" if high is not None else f"≥ {low:g}"
        raise PlanningInputError([f"{name} must be in {span}, got {value:g}"])
    return float(value)


def _shown(value: float) -> str:
    """A number as a person reads it in the arithmetic: thousands separators, at most two decimals."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def rice(reach: float, impact: float, confidence: float, effort: float) -> Score:
    """RICE = reach × impact × confidence / effort. Confidence is a fraction (0.5, 0.8, 1.0); effort > 0."""
    r, i = _number("reach", reach, 0), _number("impact", impact, 0)
    c, e = _number("confidence", confidence, 0, 1), _number("effort", effort, 0)
    if e == 0:
        raise PlanningInputError(["effort must be greater than 0"])
    value = r * i * c / e
    arithmetic = f"({_shown(r)} × {_shown(i)} × {_shown(c)}) / {_shown(e)} = {_shown(value)}"
    return Score("RICE", value, arithmetic, {"reach": r, "impact": i, "confidence": c, "effort": e})


def rice_value(reach: float, impact: float, confidence: float) -> Score:
    """The undivided RICE value reach × impact × confidence, for use as a portfolio value."""
    r, i, c = (
        _number("reach", reach, 0),
        _number("impact", impact, 0),
        _number("confidence", confidence, 0, 1),
    )
    value = r * i * c
    return Score(
        "RICE value",
        value,
        f"{_shown(r)} × {_shown(i)} × {_shown(c)} = {_shown(value)}",
        {"reach": r, "impact": i, "confidence": c},
    )


def ice(impact: float, confidence: float, ease: float, combine: Literal["mean", "product"] = "mean") -> Score:
    """ICE on 1–10 scales: the mean (Ellis) or, with ``combine="product"``, the product (1–1000)."""
    i, c, e = (
        _number(n, v, 1, 10) for n, v in (("impact", impact), ("confidence", confidence), ("ease", ease))
    )
    if combine == "product":
        value = i * c * e
        arithmetic = f"{_shown(i)} × {_shown(c)} × {_shown(e)} = {_shown(value)}"
    else:
        value = (i + c + e) / 3
        arithmetic = f"({_shown(i)} + {_shown(c)} + {_shown(e)}) / 3 = {_shown(value)}"
    return Score("ICE", value, arithmetic, {"impact": i, "confidence": c, "ease": e})


def cost_of_delay(business_value: float, time_criticality: float, risk_reduction: float) -> Score:
    """SAFe cost of delay = user-business value + time criticality + risk reduction / opportunity enablement."""
    b = _number("business value", business_value, 0)
    t = _number("time criticality", time_criticality, 0)
    r = _number("risk reduction", risk_reduction, 0)
    value = b + t + r
    inputs = {"business_value": b, "time_criticality": t, "risk_reduction": r}
    return Score("Cost of delay", value, f"{_shown(b)} + {_shown(t)} + {_shown(r)} = {_shown(value)}", inputs)


def wsjf(business_value: float, time_criticality: float, risk_reduction: float, job_size: float) -> Score:
    """WSJF = cost of delay / job size."""
    delay = cost_of_delay(business_value, time_criticality, risk_reduction)
    size = _number("job size", job_size, 0)
    if size == 0:
        raise PlanningInputError(["job size must be greater than 0"])
    value = delay.value / size
    b, t, r = delay.inputs.values()
    arithmetic = f"({_shown(b)} + {_shown(t)} + {_shown(r)}) / {_shown(size)} = {_shown(value)}"
    return Score("WSJF", value, arithmetic, {**delay.inputs, "job_size": size})


def value_effort(value: float, effort: float) -> Score:
    """Value per unit of effort."""
    v, e = _number("value", value), _number("effort", effort, 0)
    if e == 0:
        raise PlanningInputError(["effort must be greater than 0"])
    return Score(
        "Value/effort", v / e, f"{_shown(v)} / {_shown(e)} = {_shown(v / e)}", {"value": v, "effort": e}
    )


def kano_category(functional: KanoAnswer, dysfunctional: KanoAnswer) -> str:
    """The Kano letter (A, O, M, I, R, Q) for one respondent's answer pair."""
    if functional not in KANO_TABLE or dysfunctional not in KANO_ANSWERS:
        raise PlanningInputError([f"unknown Kano answer pair ({functional!r}, {dysfunctional!r})"])
    return KANO_TABLE[functional][KANO_ANSWERS.index(dysfunctional)]


@dataclass(frozen=True)
class KanoResult:
    """Counts per category, the modal category and the Berger satisfaction / dissatisfaction coefficients."""

    counts: dict[str, int]
    category: str
    satisfaction: float | None
    dissatisfaction: float | None
    arithmetic: str

    @property
    def category_name(self) -> str:
        return KANO_NAMES.get(self.category, self.category)


_KANO_TIE_ORDER = (
    "MOAIRQ"  # on ties prefer must-be > one-dimensional > attractive > indifferent (common practice)
)


def kano(answers: Iterable[tuple[KanoAnswer, KanoAnswer]]) -> KanoResult:
    """Classify a feature from paired (functional, dysfunctional) answers: modal category, SI and DI."""
    counts = Counter(kano_category(f, d) for f, d in answers)
    full = {letter: counts.get(letter, 0) for letter in "AOMIRQ"}
    if not counts:
        return KanoResult(full, "I", None, None, "no answers")
    top = max(full.values())
    category = next(letter for letter in _KANO_TIE_ORDER if full[letter] == top)
    a, o, m, i = full["A"], full["O"], full["M"], full["I"]
    base = a + o + m + i
    if base == 0:
        return KanoResult(full, category, None, None, "only reverse or questionable answers")
    si, di = (a + o) / base, -(o + m) / base
    arithmetic = f"SI = ({a} + {o}) / {base} = {si:.3f}; DI = −({o} + {m}) / {base} = {di:.3f}"
    return KanoResult(full, category, si, di, arithmetic)


Normalization = Literal["none", "min_max", "z_score", "rank"]


def normalize(values: Sequence[float], method: Normalization = "min_max") -> list[float]:
    """Put scores from different frameworks on one scale: min–max to [0, 1], z-scores, or rank fraction."""
    if method == "none" or not values:
        return [float(v) for v in values]
    if method == "min_max":
        low, high = min(values), max(values)
        return [0.5 if high == low else (v - low) / (high - low) for v in values]
    if method == "z_score":
        mean = sum(values) / len(values)
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        return [0.0 if spread == 0 else (v - mean) / spread for v in values]
    ordered = sorted(values)
    n = len(values)
    return [1.0 if n == 1 else sum(1 for o in ordered if o < v) / (n - 1) for v in values]


def weighted_scores(
    criteria: Mapping[str, Sequence[float]],
    weights: Mapping[str, float],
    method: Normalization = "min_max",
) -> list[Score]:
    """Combine several criteria (each a column of raw values) by normalized, weighted sum, with the arithmetic."""
    lengths = {len(column) for column in criteria.values()}
    if len(lengths) > 1:
        raise PlanningInputError(["every criterion needs one value per idea"])
    unknown = [name for name in weights if name not in criteria]
    if unknown:
        raise PlanningInputError([f"weight for unknown criterion {name!r}" for name in unknown])
    total = sum(abs(w) for w in weights.values())
    if total == 0:
        raise PlanningInputError(["at least one weight must be non-zero"])
    normalized = {name: normalize(list(criteria[name]), method) for name in weights}
    count = lengths.pop() if lengths else 0
    scores = []
    for k in range(count):
        parts = [(name, weights[name] / total, normalized[name][k]) for name in weights]
        value = sum(w * x for _, w, x in parts)
        arithmetic = " + ".join(f"{w:.3g} × {x:.3g} ({name})" for name, w, x in parts) + f" = {value:.4g}"
        scores.append(Score("Weighted", value, arithmetic, {name: x for name, _, x in parts}))
    return scores


_ANSWER_WORDS: dict[str, KanoAnswer] = {
    "like": "like",
    "i like it": "like",
    "expect": "expect",
    "must-be": "expect",
    "must be": "expect",
    "i expect it": "expect",
    "neutral": "neutral",
    "i am neutral": "neutral",
    "i'm neutral": "neutral",
    "live with": "live_with",
    "live_with": "live_with",
    "i can live with it": "live_with",
    "tolerate": "live_with",
    "dislike": "dislike",
    "i dislike it": "dislike",
}


def kano_answer(text: str) -> KanoAnswer:
    """Normalize a survey answer ("I like it", "Must-be", "live with"…, or 1–5 in table order) to a Kano answer."""
    cleaned = " ".join(str(text).strip().lower().replace("’", "'").split())
    if cleaned in _ANSWER_WORDS:
        return _ANSWER_WORDS[cleaned]
    if cleaned in {"1", "2", "3", "4", "5"}:
        return KANO_ANSWERS[int(cleaned) - 1]
    raise PlanningInputError([f"unknown Kano answer {text!r}"])


def kano_survey(
    rows: Iterable[Mapping[str, str]],
    feature: str = "feature",
    functional: str = "functional",
    dysfunctional: str = "dysfunctional",
) -> dict[str, KanoResult]:
    """Classify every feature of an imported paired-question survey (one row per respondent and feature).

    Rows with an unreadable answer are reported together, with their 1-based row numbers, and nothing is classified.
    """
    pairs: dict[str, list[tuple[KanoAnswer, KanoAnswer]]] = {}
    problems = []
    for number, row in enumerate(rows, start=1):
        try:
            name = str(row[feature]).strip()
            pair = (kano_answer(row[functional]), kano_answer(row[dysfunctional]))
        except KeyError as missing:
            problems.append(f"row {number}: missing column {missing}")
            continue
        except PlanningInputError as error:
            problems.append(f"row {number}: {error}")
            continue
        pairs.setdefault(name, []).append(pair)
    if problems:
        raise PlanningInputError(problems)
    return {name: kano(answers) for name, answers in pairs.items()}
