"""Cost-benefit: NPV, ROI, payback and IRR on hand examples and as properties, plus the tornado."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from northstar.decisions.solve.cashflow import CashFlowProblem, irr, npv, payback, solve, tornado
from northstar.decisions.solve.common import PlanningInputError

money = st.floats(min_value=1, max_value=1e6, allow_nan=False)
rates = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)


def annuity() -> CashFlowProblem:
    return CashFlowProblem(periods=5, discount_rate=0.1, one_off_cost=1000, benefit_per_period=400)


def test_npv_roi_and_payback_match_hand_arithmetic() -> None:
    result = solve(annuity())
    assert result.npv == pytest.approx(-1000 + 400 / 1.1 + 400 / 1.21 + 400 / 1.331 + 400 / 1.4641)
    assert result.roi == pytest.approx((1600 - 1000) / 1000)
    assert result.payback == pytest.approx(2.5)
    assert result.irr == pytest.approx(0.2186, abs=1e-4)


def test_ramp_reaches_full_benefit_linearly() -> None:
    problem = CashFlowProblem(
        periods=5, discount_rate=0, benefit_per_period=300, benefit_start=1, ramp_periods=3
    )
    assert problem.benefits() == [0, 100, 200, 300, 300]


@given(st.lists(st.floats(min_value=-1e5, max_value=1e5), min_size=1, max_size=20))
def test_npv_at_zero_rate_is_the_plain_sum(flows) -> None:
    assert npv(flows, 0.0) == pytest.approx(sum(flows), abs=1e-6)


@given(money, money, rates, st.integers(min_value=2, max_value=15))
def test_npv_is_zero_at_the_irr(cost, benefit, rate, periods) -> None:
    flows = [-cost] + [benefit] * (periods - 1)
    assume(sum(flows) > 1e-3 * cost)
    found = irr(flows)
    assume(found is not None)
    assert npv(flows, found) == pytest.approx(0, abs=1e-6 * cost)


@given(money, money, st.integers(min_value=2, max_value=15))
def test_npv_falls_as_the_discount_rate_rises_for_invest_then_earn(cost, benefit, periods) -> None:
    flows = [-cost] + [benefit] * (periods - 1)
    assert npv(flows, 0.05) >= npv(flows, 0.15) - 1e-9


@given(money, money, rates, st.integers(min_value=2, max_value=15))
def test_discounted_payback_is_never_sooner_than_payback(cost, benefit, rate, periods) -> None:
    result = solve(CashFlowProblem(periods, rate, one_off_cost=cost, benefit_per_period=benefit))
    if result.discounted_payback is not None:
        assert result.payback is not None
        assert result.discounted_payback >= result.payback - 1e-9


def test_no_payback_and_no_irr_when_benefits_never_cover_cost() -> None:
    flows = [-1000.0, 10.0, 10.0]
    assert payback(flows) is None
    assert irr(flows) is not None and irr(flows) < 0
    assert irr([-1.0, 2.0, -1.5]) is None  # two sign changes: not unique


def test_bad_cash_flow_input_is_rejected() -> None:
    with pytest.raises(PlanningInputError, match="discount rate"):
        solve(CashFlowProblem(periods=3, discount_rate=-2))
    with pytest.raises(PlanningInputError, match="one off cost"):
        solve(CashFlowProblem(periods=3, discount_rate=0.1, one_off_cost=-5))


def test_tornado_sorts_assumptions_by_npv_swing() -> None:
    chart = tornado(annuity(), change=0.2)
    swings = [bar.swing for bar in chart.bars]
    assert swings == sorted(swings, reverse=True)
    assert chart.bars[0].assumption == "benefit_per_period"
    assert chart.base_npv == pytest.approx(solve(annuity()).npv)
