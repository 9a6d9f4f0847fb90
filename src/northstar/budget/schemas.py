"""Input and output shapes for the budget. Money crosses every face as integer cents plus its currency code."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from northstar.budget.engine import CATEGORIES, PeriodError, parse_amount, parse_period

#: the fields of an actual-spend row, and whether a file must have them
ACTUAL_FIELDS: tuple[tuple[str, bool], ...] = (
    ("date", True),
    ("amount", True),
    ("team", True),
    ("category", False),
    ("vendor", False),
    ("memo", False),
    ("idea", False),
    ("row_key", False),
)


class BudgetLineCreate(BaseModel):
    """A plan line. ``amount`` is typed money ("25,000" or "1234.56"), stored as cents."""

    team_id: int
    period: str = Field(description="A month (2026-11) or a quarter (2026-Q4).")
    category: str = Field(description="One of " + ", ".join(CATEGORIES) + ".")
    amount: str = Field(description="Planned spend in the workspace's currency, e.g. 25000 or 1234.56.")
    idea_id: int | None = None
    note: str | None = Field(default=None, max_length=500)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        try:
            return parse_period(value).label
        except PeriodError as error:
            raise ValueError(str(error))

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in CATEGORIES:
            raise ValueError("choose one of " + ", ".join(CATEGORIES))
        return value

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> str:
        text = str(value)
        cents = parse_amount(text)
        if cents == 0:
            raise ValueError("must be more than 0")
        return text

    @property
    def amount_cents(self) -> int:
        return parse_amount(self.amount)


class BudgetLineUpdate(BaseModel):
    """The fields of a plan line to change; a field left out stays as it is (``idea_id: null`` unlinks the idea)."""

    team_id: int | None = None
    period: str | None = Field(default=None, description="A month (2026-11) or a quarter (2026-Q4).")
    category: str | None = Field(default=None, description="One of " + ", ".join(CATEGORIES) + ".")
    amount: str | None = Field(default=None, description="Planned spend, e.g. 25000 or 1234.56.")
    idea_id: int | None = None
    note: str | None = Field(default=None, max_length=500)

    _period = field_validator("period")(lambda cls, v: None if v is None else BudgetLineCreate._period(v))
    _category = field_validator("category")(
        lambda cls, v: None if v is None else BudgetLineCreate._category(v)
    )
    _amount = field_validator("amount", mode="before")(
        lambda cls, v: None if v is None else BudgetLineCreate._amount(v)
    )

    @property
    def amount_cents(self) -> int | None:
        return None if self.amount is None else parse_amount(self.amount)


class CommitmentCreate(BaseModel):
    """Spend signed but not yet invoiced: a contract or purchase order expected on ``due_on``."""

    team_id: int
    category: str = Field(description="One of " + ", ".join(CATEGORIES) + ".")
    amount: str = Field(description="The committed amount, e.g. 40000 or 1234.56.")
    due_on: dt.date = Field(description="When the invoice is expected (the day the spend lands).")
    vendor: str | None = Field(default=None, max_length=300)
    reference: str | None = Field(default=None, max_length=200, description="PO or contract number.")
    idea_id: int | None = None

    _category = field_validator("category")(lambda cls, v: BudgetLineCreate._category(v))
    _amount = field_validator("amount", mode="before")(lambda cls, v: BudgetLineCreate._amount(v))

    @property
    def amount_cents(self) -> int:
        return parse_amount(self.amount)


class CommitmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    team_id: int
    team: str = ""
    idea_id: int | None
    category: str
    amount_cents: int
    due_on: dt.date
    vendor: str | None
    reference: str | None
    currency: str = ""


class BudgetLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    team_id: int
    team: str = ""
    idea_id: int | None
    idea: str | None = None
    period: str
    category: str
    amount_cents: int
    currency: str = ""
    note: str | None


class ActualRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    team_id: int
    spent_on: dt.date
    amount_cents: int
    category: str
    vendor: str | None
    memo: str | None
    row_key: str
    source: str | None
    idea_id: int | None = None


class RowError(BaseModel):
    row: int = Field(description="The row in the file, counting the header as row 1.")
    field: str
    message: str


class ImportReport(BaseModel):
    source: str
    rows: int = Field(description="Rows read from the file.")
    imported: int = Field(description="New rows saved.")
    already_imported: int = Field(description="Rows whose key an earlier import saved (left as they were).")
    amount_cents: int = Field(description="The sum of the new rows.")
    currency: str


class BudgetSettingsRead(BaseModel):
    currency: str
    alert_threshold_percent: int
    column_mapping: dict[str, str] = Field(
        description="The file's column name per field, e.g. {'team': 'Cost centre'}."
    )
    plan_id: int | None = Field(
        default=None, description="The decisions plan people cost follows; null: the latest scheduled plan."
    )
    replan_plan_id: int | None = Field(default=None, description="The plan the last re-plan made.")


class BudgetSettingsUpdate(BaseModel):
    alert_threshold_percent: int | None = Field(default=None, ge=0, le=1000)
    column_mapping: dict[str, str] | None = None
    plan_id: int | None = Field(default=None, description="Follow this decisions plan's schedule.")


RateUnit = Literal["person_month", "person_day"]


class CostRateSet(BaseModel):
    """A team's cost per person: per month (salary, benefits, overhead) or per day (contractors)."""

    team_id: int
    unit: RateUnit = "person_month"
    amount: str = Field(description="Cents are exact: 14500 or 14,500.00 per person and unit.")

    _amount = field_validator("amount", mode="before")(lambda cls, v: BudgetLineCreate._amount(v))

    @property
    def amount_cents(self) -> int:
        return parse_amount(self.amount)


class CostRateRead(BaseModel):
    team_id: int
    team: str
    unit: RateUnit
    amount_cents: int
    currency: str


class PeopleCostRow(BaseModel):
    team: str
    idea_id: int
    idea: str
    month: str
    person_days: int = Field(description="Working days × people the schedule gives the initiative.")
    amount_cents: int


class PeopleCostReport(BaseModel):
    """People cost of a plan's schedule in a period: each team's rate × the time it spends per initiative."""

    period: str
    plan_id: int | None
    plan_name: str | None
    week_zero: dt.date | None = Field(description="The date week 0 of the schedule starts on.")
    currency: str
    rows: list[PeopleCostRow]
    by_team: dict[str, int]
    total_cents: int
    teams_without_rate: list[str] = Field(
        default_factory=list, description="Scheduled teams with no cost rate: not costed."
    )
    reason: str = Field(default="", description="Why there is nothing to show, when there is nothing.")


class VarianceRow(BaseModel):
    team: str = Field(description="Empty on the workspace total.")
    category: str = Field(description="Empty on a team's or the workspace's total.")
    planned_cents: int
    actual_cents: int
    variance_cents: int = Field(description="Actual minus plan; more than 0 is over plan.")
    forecast_cents: int = Field(
        description="Spend at the end of the period: the run rate so far plus committed spend still to come."
    )
    committed_cents: int = Field(
        default=0, description="Signed contracts and purchase orders due after today, inside the forecast."
    )
    forecast_variance_cents: int
    forecast_over_percent: float | None = Field(
        description="Forecast over plan in percent; null without a plan."
    )
    burn_rate_monthly_cents: int = Field(description="Spend per month at the rate so far.")
    alert: bool = Field(description="The forecast overspends by more than the threshold.")
    note: str = Field(description="'not started' or 'closed' when the forecast is just the spend so far.")


class MonthPoint(BaseModel):
    team: str
    month: str
    planned_cents: int
    actual_cents: int


class BudgetReport(BaseModel):
    """Plan against actual for one period, as of a day."""

    period: str
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.date
    elapsed_days: int
    days: int
    currency: str
    alert_threshold_percent: int
    total: VarianceRow
    teams: list[VarianceRow]
    rows: list[VarianceRow]
    alerts: list[VarianceRow]
    monthly: list[MonthPoint]


class FundingRead(BaseModel):
    """The snapshot of an idea's business case when a plan first funded it."""

    model_config = ConfigDict(from_attributes=True)
    idea_id: int
    plan_id: int | None
    plan_name: str
    funded_at: dt.datetime
    team_id: int | None
    planned_cost_cents: int
    planned_people_cents: int
    effort_person_weeks: float | None
    business_case: dict[str, float | int | None]


class OutcomeSet(BaseModel):
    """What a shipped idea took and returned, entered by hand. A benefit needs its source."""

    actual_effort_person_weeks: float | None = Field(default=None, gt=0, le=10_000)
    benefit: str | None = Field(default=None, description="A year's benefit in money, e.g. 120000.")
    benefit_source: str | None = Field(default=None, max_length=500)

    _benefit = field_validator("benefit", mode="before")(
        lambda cls, v: None if v in (None, "") else BudgetLineCreate._amount(v)
    )

    @property
    def benefit_cents(self) -> int | None:
        return None if self.benefit is None else parse_amount(self.benefit)


class InitiativeRow(BaseModel):
    idea_id: int
    title: str
    status: str
    team: str
    plan_name: str = Field(description="The decision (plan) that funded it.")
    funded_at: dt.datetime
    planned_cost_cents: int = Field(description="One-off cost plus planned people cost, from the snapshot.")
    actual_spend_cents: int = Field(description="Actual spend tagged with the initiative.")
    actual_people_cents: int = Field(description="People cost of the scheduled time up to today.")
    actual_cost_cents: int
    cost_variance_cents: int = Field(description="Actual minus planned cost; more than 0 is over.")
    npv_cents: int | None = Field(description="The business case's NPV when funded.")
    roi_percent: float | None = Field(description="The business case's ROI when funded.")
    benefit_cents: int | None = Field(description="Realized benefit for a year, for shipped ideas.")
    benefit_source: str | None
    realized_roi_percent: float | None = Field(description="(benefit − actual cost) ÷ actual cost.")
    estimated_effort_person_weeks: float | None
    actual_effort_person_weeks: float | None


class InitiativeReport(BaseModel):
    as_of: dt.date
    currency: str
    rows: list[InitiativeRow]
    planned_cents: int
    actual_cents: int


class RatioRead(BaseModel):
    team: str = Field(description="Empty for all teams together.")
    count: int
    median: float | None
    p10: float | None
    p90: float | None
    mean_absolute_error_percent: float | None
    ratios: list[float]


class EstimateHistoryRead(BaseModel):
    """How far estimates have been off: actual ÷ estimated effort and cost per team, over shipped initiatives."""

    effort: list[RatioRead]
    cost: list[RatioRead]
