"""Generate Lumen Analytics, the demo company that ``northstar demo`` seeds.

The generator is pure: it returns frozen dataclasses and touches no database, clock or network, so the
same ``seed`` and ``as_of`` always give the same company, field for field. Besides realistic data for the
demo, the feedback items carry their ground truth (``theme_key``, ``kind``, ``language``, ``has_typos``,
``duplicate_of``), which tests and benchmarks of the feedback engine score against.

All randomness comes from one ``random.Random(seed)`` (scalar choices) and one
``numpy.random.default_rng(seed)`` (distributions), drawn in a fixed order.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

import numpy as np

from northstar.demo import phrases
from northstar.demo.phrases import ThemePhrases

DEMO_AS_OF = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""The default "now" of the demo: feedback spans the 26 weeks before it, plans the quarters after it."""

SEGMENTS: tuple[str, ...] = ("enterprise", "mid_market", "smb", "startup")
SEGMENT_COUNTS: Mapping[str, int] = {"enterprise": 30, "mid_market": 78, "smb": 117, "startup": 75}
SEGMENT_ARR: Mapping[str, tuple[float, float]] = {
    "enterprise": (160_000.0, 0.55),
    "mid_market": (38_000.0, 0.5),
    "smb": (9_000.0, 0.55),
    "startup": (3_600.0, 0.6),
}
"""Median ARR in USD and the standard deviation of its logarithm, per segment (ARR is log-normal)."""

LIFECYCLE_STAGES: tuple[str, ...] = ("trial", "onboarding", "active", "at_risk", "churned")
_LIFECYCLE_WEIGHTS: Mapping[str, tuple[float, ...]] = {
    "enterprise": (0.02, 0.08, 0.76, 0.10, 0.04),
    "mid_market": (0.04, 0.10, 0.70, 0.10, 0.06),
    "smb": (0.07, 0.10, 0.65, 0.10, 0.08),
    "startup": (0.10, 0.12, 0.60, 0.09, 0.09),
}
_SEGMENT_ACTIVITY: Mapping[str, float] = {"enterprise": 2.0, "mid_market": 1.3, "smb": 0.8, "startup": 0.9}
_LIFECYCLE_ACTIVITY: Mapping[str, float] = {
    "trial": 0.6,
    "onboarding": 1.2,
    "active": 1.0,
    "at_risk": 1.5,
    "churned": 0.5,
}
_CONTACT_RANGE: Mapping[str, tuple[int, int]] = {
    "enterprise": (3, 4),
    "mid_market": (2, 4),
    "smb": (1, 3),
    "startup": (1, 2),
}

SOURCES: tuple[str, ...] = ("support", "sales", "survey", "app_review", "community", "interview", "in_app")
_SOURCE_WEIGHTS: Mapping[str, tuple[float, ...]] = {
    # support, sales, survey, app_review, community, interview, in_app
    "bug": (0.55, 0.02, 0.03, 0.07, 0.10, 0.03, 0.20),
    "feature_request": (0.20, 0.20, 0.10, 0.05, 0.20, 0.10, 0.15),
    "complaint": (0.35, 0.10, 0.20, 0.10, 0.10, 0.05, 0.10),
    "praise": (0.10, 0.05, 0.35, 0.15, 0.10, 0.10, 0.15),
    "question": (0.55, 0.10, 0.0, 0.0, 0.20, 0.0, 0.15),
    "other": (0.60, 0.30, 0.0, 0.0, 0.10, 0.0, 0.0),
}
_ANONYMOUS_SHARE: Mapping[str, float] = {"app_review": 0.75, "community": 0.3, "in_app": 0.05}

FEEDBACK_COUNT = 3000
DUPLICATE_COUNT = 60
TYPO_SHARE = 0.05
FRENCH_SHARE = 0.03
GERMAN_SHARE = 0.02
WINDOW_WEEKS = 26

IDEA_STATUSES: tuple[str, ...] = ("new", "under_review", "planned", "in_progress", "shipped", "wont_do")
_IDEA_STATUS_WEIGHTS: tuple[float, ...] = (0.30, 0.20, 0.20, 0.10, 0.12, 0.08)
_COST_PER_PERSON_WEEK = 3_800.0


# ---------------------------------------------------------------------------------------------------------
# The returned records
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProductArea:
    """A part of the product, owned by one team."""

    key: str
    name: str
    description: str
    team_key: str


@dataclass(frozen=True)
class DemoTheme:
    """A ground-truth feedback theme: what the generator wrote the items about."""

    key: str
    name: str
    area_key: str
    team_key: str
    keywords: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class DemoContact:
    """A person at a customer."""

    name: str
    email: str
    role: str


@dataclass(frozen=True)
class DemoCustomer:
    """A customer account. ``arr`` is current annual recurring revenue in USD (0 for trials and churned)."""

    external_id: str
    name: str
    segment: str
    plan: str
    arr: float
    region: str
    country: str
    lifecycle_stage: str
    domain: str
    customer_since: date
    contacts: tuple[DemoContact, ...]


@dataclass(frozen=True)
class DemoQuarterCapacity:
    """A team's delivery capacity for one quarter, after holidays, leave and hiring."""

    quarter: str
    starts_on: date
    ends_on: date
    person_weeks: float
    note: str


@dataclass(frozen=True)
class DemoTeam:
    """A product team with its disciplines and capacity for the rest of the current quarter and the next four."""

    key: str
    name: str
    mission: str
    disciplines: tuple[str, ...]
    capacity: tuple[DemoQuarterCapacity, ...]


@dataclass(frozen=True)
class DemoPerson:
    """A member of staff at Lumen."""

    name: str
    email: str
    title: str
    team_key: str
    discipline: str


@dataclass(frozen=True)
class DemoFeedback:
    """One customer message, with its ground truth (``theme_key`` to ``duplicate_of``) for benchmarks.

    ``rating`` is an NPS score 0–10 for surveys, 1–5 stars for app reviews, else None. ``duplicate_of`` is
    the ``external_ref`` of the earlier item this one repeats.
    """

    external_ref: str
    text: str
    source: str
    created_at: datetime
    customer_external_id: str | None
    contact_email: str | None
    rating: int | None
    metadata: Mapping[str, str | int]
    theme_key: str
    kind: str
    language: str
    has_typos: bool
    duplicate_of: str | None


@dataclass(frozen=True)
class DemoFeedbackLink:
    """A feedback item that supports an idea, with importance 1 (nice to have) to 3 (critical)."""

    feedback_external_ref: str
    importance: int


@dataclass(frozen=True)
class DemoIdea:
    """An idea with its scoring inputs (RICE, WSJF) and cash flows in USD."""

    key: str
    title: str
    description: str
    status: str
    team_key: str
    owner_email: str
    theme_key: str
    created_at: datetime
    reach: int
    impact: float
    confidence: float
    effort_person_weeks: float
    business_value: int
    time_criticality: int
    risk_reduction: int
    one_off_cost: float
    recurring_cost_per_quarter: float
    benefit_per_quarter: float
    feedback_links: tuple[DemoFeedbackLink, ...]


@dataclass(frozen=True)
class DemoCheckIn:
    """A check-in on a key result: the value then, progress 0–1 towards target, confidence 0–1."""

    checked_on: date
    value: float
    progress: float
    confidence: float
    note: str


@dataclass(frozen=True)
class DemoKeyResult:
    """A measurable key result; ``current`` equals the value of the latest check-in."""

    key: str
    name: str
    baseline: float
    target: float
    current: float
    unit: str
    check_ins: tuple[DemoCheckIn, ...]


@dataclass(frozen=True)
class DemoObjective:
    """An objective for the half-year containing ``as_of``, with its key results and supporting ideas."""

    key: str
    title: str
    description: str
    owner_email: str
    period: str
    starts_on: date
    ends_on: date
    key_results: tuple[DemoKeyResult, ...]
    idea_keys: tuple[str, ...]


@dataclass(frozen=True)
class DemoCompany:
    """Everything the demo seeds, as plain values."""

    seed: int
    as_of: datetime
    name: str
    description: str
    domain: str
    product_areas: tuple[DemoProductArea, ...]
    themes: tuple[DemoTheme, ...]
    teams: tuple[DemoTeam, ...]
    persons: tuple[DemoPerson, ...]
    customers: tuple[DemoCustomer, ...]
    feedback: tuple[DemoFeedback, ...]
    ideas: tuple[DemoIdea, ...]
    objectives: tuple[DemoObjective, ...]


# ---------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------


def generate_company(seed: int = 7, *, as_of: datetime = DEMO_AS_OF) -> DemoCompany:
    """Build the whole demo company for ``seed``; feedback covers the 26 weeks before ``as_of``.

    Pass ``as_of=datetime.now(UTC)`` for a demo that looks fresh today; the default keeps runs identical.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (for example datetime.now(UTC))")
    rand = random.Random(seed)
    rng = np.random.default_rng(seed)
    area_team = {area.key: area.team for area in phrases.AREAS}
    teams, persons = _generate_teams(as_of)
    customers = _generate_customers(rand, rng, as_of)
    feedback = _generate_feedback(rand, rng, as_of, customers, persons)
    ideas = _generate_ideas(rand, rng, as_of, area_team, persons, customers, feedback)
    return DemoCompany(
        seed=seed,
        as_of=as_of,
        name=phrases.COMPANY_NAME,
        description=phrases.COMPANY_DESCRIPTION,
        domain=phrases.COMPANY_DOMAIN,
        product_areas=tuple(DemoProductArea(a.key, a.name, a.description, a.team) for a in phrases.AREAS),
        themes=tuple(
            DemoTheme(t.key, t.name, t.area, area_team[t.area], t.keywords, t.problem) for t in phrases.THEMES
        ),
        teams=teams,
        persons=persons,
        customers=customers,
        feedback=feedback,
        ideas=ideas,
        objectives=_generate_objectives(rand, as_of, persons, ideas),
    )


# ---------------------------------------------------------------------------------------------------------
# Teams and people
# ---------------------------------------------------------------------------------------------------------

_TEAM_MEMBERS: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    # (name, title, discipline)
    "insights": (
        ("Maya Lindqvist", "Senior Product Manager", "product"),
        ("Daniel Okafor", "Engineering Manager", "engineering"),
        ("Priya Raman", "Product Designer", "design"),
        ("Tom Becker", "Senior Frontend Engineer", "engineering"),
        ("Lucia Ferreira", "Software Engineer", "engineering"),
        ("Kenji Watanabe", "Frontend Engineer", "engineering"),
    ),
    "data_platform": (
        ("Oliver Grant", "Product Manager", "product"),
        ("Sara Nowak", "Engineering Manager", "engineering"),
        ("Ravi Menon", "Staff Engineer", "engineering"),
        ("Elena Petrova", "Senior Backend Engineer", "engineering"),
        ("Marcus Hill", "Backend Engineer", "engineering"),
        ("Aisha Bello", "Data Engineer", "data"),
        ("Jonas Keller", "Site Reliability Engineer", "engineering"),
    ),
    "trust_admin": (
        ("Hannah Cole", "Product Manager", "product"),
        ("Samuel Adeyemi", "Engineering Lead", "engineering"),
        ("Ines Moreau", "Senior Security Engineer", "engineering"),
        ("Chris Park", "Backend Engineer", "engineering"),
        ("Leah Fischer", "UX Designer", "design"),
    ),
    "growth_mobile": (
        ("Nora Haddad", "Group Product Manager", "product"),
        ("Ethan Brooks", "Engineering Manager", "engineering"),
        ("Sofia Marin", "Senior Product Designer", "design"),
        ("Mei Chen", "iOS Engineer", "engineering"),
        ("Diego Alvarez", "Android Engineer", "engineering"),
        ("Julia Schmidt", "Product Analyst", "data"),
    ),
}
"""The 24 members of staff, by team; the first of each team is its product manager."""

_CAPACITY_CHANGES: Mapping[str, tuple[tuple[int, float, str], ...]] = {
    # (quarter index 0-3, person-weeks added, why)
    "data_platform": (
        (1, 6.0, "new backend engineer starts, ramping up"),
        (2, 10.0, "new backend engineer at full speed"),
    ),
    "growth_mobile": (
        (2, 5.0, "second iOS engineer starts, ramping up"),
        (3, 9.0, "second iOS engineer at full speed"),
    ),
    "trust_admin": ((0, -8.0, "parental leave (one engineer)"),),
    "insights": ((3, -4.0, "designer moves to part time"),),
}
_FOCUS_FACTOR = 0.7
"""Share of a working week that goes to roadmap work (the rest: support, meetings, maintenance)."""


def _generate_teams(as_of: datetime) -> tuple[tuple[DemoTeam, ...], tuple[DemoPerson, ...]]:
    """The four teams with capacity for the rest of the current quarter and the four after it, and their members."""
    persons: list[DemoPerson] = []
    teams: list[DemoTeam] = []
    current = _current_quarter(as_of.date())
    quarters = _next_quarters(as_of.date(), 4)
    for key, name, mission in phrases.TEAMS:
        members = _TEAM_MEMBERS[key]
        for person_name, title, discipline in members:
            persons.append(DemoPerson(person_name, _staff_email(person_name), title, key, discipline))
        delivery = sum(1 for _, _, discipline in members if discipline != "product")
        changes = _CAPACITY_CHANGES.get(key, ())
        capacity = [_rest_of_quarter(current, as_of.date(), delivery)]
        for index, (label, starts_on, ends_on) in enumerate(quarters):
            holiday_weeks = 1.5 if starts_on.month in (7, 10) else 0.5
            weeks = delivery * (13.0 - holiday_weeks) * _FOCUS_FACTOR
            notes = (
                ["summer holidays" if starts_on.month == 7 else "year-end holidays"]
                if holiday_weeks > 1
                else []
            )
            for quarter_index, delta, why in changes:
                if quarter_index == index:
                    weeks += delta
                    notes.append(why)
            capacity.append(DemoQuarterCapacity(label, starts_on, ends_on, round(weeks, 1), "; ".join(notes)))
        disciplines = tuple(sorted({discipline for _, _, discipline in members}))
        teams.append(DemoTeam(key, name, mission, disciplines, tuple(capacity)))
    return tuple(teams), tuple(persons)


def _current_quarter(today: date) -> tuple[str, date, date]:
    """Label and first/last day of the calendar quarter containing ``today``."""
    quarter = (today.month - 1) // 3
    starts_on = date(today.year, quarter * 3 + 1, 1)
    next_start = date(today.year + 1, 1, 1) if quarter == 3 else date(today.year, quarter * 3 + 4, 1)
    return f"{today.year}-Q{quarter + 1}", starts_on, next_start - timedelta(days=1)


def _rest_of_quarter(quarter: tuple[str, date, date], today: date, delivery: int) -> DemoQuarterCapacity:
    """What is left of the current quarter's capacity from ``today`` on (holidays counted in proportion)."""
    label, starts_on, ends_on = quarter
    weeks_left = ((ends_on - today).days + 1) / 7
    holiday_weeks = (1.5 if starts_on.month in (7, 10) else 0.5) * weeks_left / 13
    weeks = delivery * max(0.0, weeks_left - holiday_weeks) * _FOCUS_FACTOR
    note = f"the rest of the quarter: {weeks_left:.1f} weeks left"
    return DemoQuarterCapacity(label, starts_on, ends_on, round(weeks, 1), note)


def _next_quarters(today: date, count: int) -> list[tuple[str, date, date]]:
    """Labels and first/last days of the ``count`` calendar quarters after the one containing ``today``."""
    quarter = (today.month - 1) // 3
    year = today.year
    result = []
    for _ in range(count):
        quarter += 1
        if quarter == 4:
            quarter, year = 0, year + 1
        starts_on = date(year, quarter * 3 + 1, 1)
        next_start = date(year + 1, 1, 1) if quarter == 3 else date(year, quarter * 3 + 4, 1)
        result.append((f"{year}-Q{quarter + 1}", starts_on, next_start - timedelta(days=1)))
    return result


def _staff_email(name: str) -> str:
    return f"{_ascii_slug(name, '.')}@{phrases.COMPANY_DOMAIN}"


def _ascii_slug(text: str, separator: str) -> str:
    """Lower-case ASCII with accents removed, words joined by ``separator`` (for e-mails and domains)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return separator.join(words)


# ---------------------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------------------


def _generate_customers(
    rand: random.Random, rng: np.random.Generator, as_of: datetime
) -> tuple[DemoCustomer, ...]:
    """About 300 customers with unique names and domains, log-normal ARR per segment, and contacts."""
    segments = [segment for segment in SEGMENTS for _ in range(SEGMENT_COUNTS[segment])]
    rand.shuffle(segments)
    names: set[str] = set()
    domains: set[str] = set()
    customers = []
    for index, segment in enumerate(segments):
        name, stem = _unique_company_name(rand, names)
        region = _weighted(rand, phrases.REGION_WEIGHTS)
        country = _weighted(rand, dict(phrases.REGIONS[region]))
        domain = _unique_domain(rand, stem, country, domains)
        stage = rand.choices(LIFECYCLE_STAGES, weights=_LIFECYCLE_WEIGHTS[segment])[0]
        median, sigma = SEGMENT_ARR[segment]
        arr = float(max(600, round(float(rng.lognormal(np.log(median), sigma)), -2)))
        customers.append(
            DemoCustomer(
                external_id=f"CUS-{10001 + index}",
                name=name,
                segment=segment,
                plan=_weighted(rand, dict(phrases.SEGMENT_PLANS[segment])),
                arr=0.0 if stage in ("trial", "churned") else arr,
                region=region,
                country=country,
                lifecycle_stage=stage,
                domain=domain,
                customer_since=_customer_since(rand, stage, segment, as_of.date()),
                contacts=_contacts(rand, segment, country, domain),
            )
        )
    return tuple(customers)


def _unique_company_name(rand: random.Random, taken: set[str]) -> tuple[str, str]:
    """A company name like "Blueridge Logistics" not used before, and its stem ("Blueridge")."""
    while True:
        stem = rand.choice(phrases.COMPANY_NAME_FIRST) + rand.choice(phrases.COMPANY_NAME_SECOND)
        name = f"{stem} {rand.choice(phrases.COMPANY_NAME_SUFFIX)}"
        if name not in taken:
            taken.add(name)
            return name, stem


def _unique_domain(rand: random.Random, stem: str, country: str, taken: set[str]) -> str:
    """A domain from the name's stem and a country's top-level domain, made unique with a suffix."""
    base = _ascii_slug(stem, "")
    tld = rand.choice(phrases.COUNTRY_TLDS[country])
    for extra in ("", "hq", "group", "app", "global", "inc"):
        domain = f"{base}{extra}.{tld}"
        if domain not in taken:
            taken.add(domain)
            return domain
    number = 2
    while f"{base}{number}.{tld}" in taken:
        number += 1
    taken.add(f"{base}{number}.{tld}")
    return f"{base}{number}.{tld}"


def _customer_since(rand: random.Random, stage: str, segment: str, today: date) -> date:
    if stage == "trial":
        days = rand.randint(1, 20)
    elif stage == "onboarding":
        days = rand.randint(14, 70)
    else:
        days = rand.randint(200, 1900 if segment == "enterprise" else 1200)
    return today - timedelta(days=days)


def _contacts(rand: random.Random, segment: str, country: str, domain: str) -> tuple[DemoContact, ...]:
    language = _country_language(country)
    low, high = _CONTACT_RANGE[segment]
    contacts: list[DemoContact] = []
    emails: set[str] = set()
    roles = rand.sample(phrases.CONTACT_ROLES, high)
    wanted = rand.randint(low, high)
    while len(contacts) < wanted:
        name = f"{rand.choice(phrases.FIRST_NAMES[language])} {rand.choice(phrases.LAST_NAMES[language])}"
        email = f"{_ascii_slug(name, '.')}@{domain}"
        if email in emails:
            continue
        emails.add(email)
        contacts.append(DemoContact(name, email, roles[len(contacts)]))
    return tuple(contacts)


def _country_language(country: str) -> str:
    if country in phrases.FRENCH_SPEAKING:
        return "fr"
    if country in phrases.GERMAN_SPEAKING:
        return "de"
    return "en"


def _weighted(rand: random.Random, weights: Mapping[str, float]) -> str:
    return rand.choices(list(weights), weights=list(weights.values()))[0]


# ---------------------------------------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A feedback item while it is being built; it becomes a frozen DemoFeedback once refs are known."""

    theme: ThemePhrases
    kind: str
    language: str
    source: str
    created_at: datetime
    customer: DemoCustomer | None
    contact: DemoContact | None
    core: str
    text: str
    rating: int | None
    metadata: dict[str, str | int]
    has_typos: bool
    duplicate_of: _Draft | None = None
    ref: str = ""


@dataclass(frozen=True)
class _FeedbackContext:
    """What every item's generation needs to look up, built once."""

    as_of: datetime
    window_start: datetime
    templates: Mapping[tuple[str, str, str], tuple[str, ...]]
    pools: Mapping[tuple[str, str], tuple[list[DemoCustomer], list[float]]]
    interviewers: Mapping[str, str]
    area_team: Mapping[str, str] = field(default_factory=dict)


_NPS_RANGES: Mapping[str, tuple[int, int]] = {
    "praise": (9, 10),
    "feature_request": (6, 9),
    "question": (7, 9),
    "bug": (3, 8),
    "complaint": (0, 6),
    "other": (7, 9),
}
_STAR_RANGES: Mapping[str, tuple[int, int]] = {
    "praise": (4, 5),
    "feature_request": (3, 5),
    "question": (3, 4),
    "bug": (1, 3),
    "complaint": (1, 2),
    "other": (3, 5),
}
_SALES_PREFIXES: tuple[str, ...] = (
    "Notes from the renewal call: ",
    "From the QBR: ",
    "Customer call notes: ",
    "Champion says: ",
    "Feedback from the expansion call: ",
    "From the account review: ",
)
_DUPLICATE_PREFIXES: tuple[str, ...] = (
    "Following up on my earlier ticket: ",
    "Posting this here too: ",
    "Raising this again: ",
    "Still waiting on this one. ",
    "Bumping this: ",
)
_SLOT = re.compile(r"\{(\w+)\}")


def _generate_feedback(
    rand: random.Random,
    rng: np.random.Generator,
    as_of: datetime,
    customers: Sequence[DemoCustomer],
    persons: Sequence[DemoPerson],
) -> tuple[DemoFeedback, ...]:
    """About 3,000 items over 26 weeks, with trends per theme, typos, other languages and duplicates."""
    context = _FeedbackContext(
        as_of=as_of,
        window_start=as_of - timedelta(weeks=WINDOW_WEEKS),
        templates=_template_index(),
        pools=_customer_pools(rng, customers),
        interviewers={p.team_key: p.email for p in reversed(persons) if p.discipline == "product"},
        area_team={area.key: area.team for area in phrases.AREAS},
    )
    weights = np.array([theme.weight for theme in phrases.THEMES])
    counts = rng.multinomial(FEEDBACK_COUNT - DUPLICATE_COUNT, weights / weights.sum())
    drafts: list[_Draft] = []
    for theme, count in zip(phrases.THEMES, counts, strict=True):
        for fraction in _trend_fractions(rng, theme, int(count)):
            drafts.append(_draft_item(rand, context, theme, float(fraction)))
    drafts.extend(_duplicates(rand, context, drafts))
    drafts.sort(key=lambda draft: draft.created_at)
    _assign_refs(drafts)
    return tuple(_freeze(draft) for draft in drafts)


def _template_index() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Templates by (theme key, language, kind)."""
    index: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for theme in phrases.THEMES:
        for kind, templates in theme.templates.items():
            index[(theme.key, "en", kind)] = templates
        for language, pairs in (("fr", theme.french), ("de", theme.german)):
            for kind, template in pairs:
                index[(theme.key, language, kind)] = (*index.get((theme.key, language, kind), ()), template)
    return index


def _customer_pools(
    rng: np.random.Generator, customers: Sequence[DemoCustomer]
) -> dict[tuple[str, str], tuple[list[DemoCustomer], list[float]]]:
    """Customers and cumulative weights per (theme, language): big, active and at-risk accounts talk more."""
    chattiness = rng.lognormal(0.0, 0.6, size=len(customers))
    activity = [
        float(chattiness[index])
        * _SEGMENT_ACTIVITY[customer.segment]
        * _LIFECYCLE_ACTIVITY[customer.lifecycle_stage]
        * (1 + 0.3 * len(customer.contacts))
        for index, customer in enumerate(customers)
    ]
    pools: dict[tuple[str, str], tuple[list[DemoCustomer], list[float]]] = {}
    for theme in phrases.THEMES:
        affinity = dict(zip(SEGMENTS, theme.segment_affinity, strict=True))
        for language in ("en", "fr", "de"):
            members: list[DemoCustomer] = []
            member_weights: list[float] = []
            for customer, weight in zip(customers, activity, strict=True):
                native = _country_language(customer.country)
                if language != "en" and native != language:
                    continue
                factor = 0.5 if language == "en" and native != "en" else 1.0
                members.append(customer)
                member_weights.append(weight * affinity[customer.segment] * factor)
            pools[(theme.key, language)] = (members, list(accumulate(member_weights)))
    return pools


def _trend_fractions(rng: np.random.Generator, theme: ThemePhrases, count: int) -> np.ndarray:
    """Positions 0–1 in the window: uniform mixed with a linear density (the trend), plus a spike."""
    linear = np.sqrt(rng.random(count))
    if theme.trend_slope < 0:
        linear = 1.0 - linear
    fractions = np.where(rng.random(count) < abs(theme.trend_slope), linear, rng.random(count))
    spike = np.clip(rng.normal(theme.spike_at or 0.0, 0.025, count), 0.0, 0.999)
    in_spike = rng.random(count) < theme.spike_share
    return np.where(in_spike, spike, fractions)


def _draft_item(
    rand: random.Random, context: _FeedbackContext, theme: ThemePhrases, fraction: float
) -> _Draft:
    language = _draw_language(rand)
    kind = _draw_kind(rand, context, theme, language)
    source = _draw_source(rand, theme, kind)
    created_at = _timestamp(rand, context, fraction, source)
    customer = _draw_customer(rand, context, theme, language, source, created_at.date())
    contact = None
    if customer is not None and rand.random() < (0.6 if source in ("sales", "interview") else 0.85):
        contact = rand.choice(customer.contacts)
    core = _core_text(rand, context, theme, language, kind, source)
    has_typos = rand.random() < TYPO_SHARE
    if has_typos:
        core = _add_typos(rand, core)
    text = _frame(rand, core, source, language, contact, kind)
    return _Draft(
        theme=theme,
        kind=kind,
        language=language,
        source=source,
        created_at=created_at,
        customer=customer,
        contact=contact,
        core=core,
        text=text,
        rating=_rating(rand, source, kind, customer),
        metadata=_metadata(rand, context, theme, kind, source, customer),
        has_typos=has_typos,
    )


def _draw_language(rand: random.Random) -> str:
    roll = rand.random()
    if roll < FRENCH_SHARE:
        return "fr"
    if roll < FRENCH_SHARE + GERMAN_SHARE:
        return "de"
    return "en"


def _draw_kind(rand: random.Random, context: _FeedbackContext, theme: ThemePhrases, language: str) -> str:
    """English follows the theme's kind mix; French and German follow the templates written for them."""
    if language != "en":
        return rand.choice(theme.french if language == "fr" else theme.german)[0]
    weights = {**phrases.DEFAULT_KIND_WEIGHTS, **theme.kind_weights}
    kinds = [kind for kind in phrases.KINDS if (theme.key, "en", kind) in context.templates]
    return rand.choices(kinds, weights=[weights[kind] for kind in kinds])[0]


def _draw_source(rand: random.Random, theme: ThemePhrases, kind: str) -> str:
    weights = list(_SOURCE_WEIGHTS[kind])
    app_review = SOURCES.index("app_review")
    weights[app_review] *= 4.0 if theme.area == "mobile_app" else 0.5
    return rand.choices(SOURCES, weights=weights)[0]


def _draw_customer(
    rand: random.Random,
    context: _FeedbackContext,
    theme: ThemePhrases,
    language: str,
    source: str,
    day: date,
) -> DemoCustomer | None:
    """A customer weighted by the theme's pool who was already a customer on ``day``, or None."""
    if rand.random() < _ANONYMOUS_SHARE.get(source, 0.0):
        return None
    members, cumulative = context.pools[(theme.key, language)]
    if not members:
        return None
    for _ in range(8):
        customer = rand.choices(members, cum_weights=cumulative)[0]
        if customer.customer_since <= day:
            return customer
    return None


def _core_text(
    rand: random.Random, context: _FeedbackContext, theme: ThemePhrases, language: str, kind: str, source: str
) -> str:
    """The message itself: one template, shortened for ratings, lengthened with context sentences."""
    main = _fill(rand, rand.choice(context.templates[(theme.key, language, kind)]), theme)
    if source in ("survey", "app_review") and rand.random() < 0.4:
        main = _first_sentence(main)
    if language != "en":
        return main
    extra = rand.choices((0, 1, 2, 3), weights=(0.45, 0.33, 0.17, 0.05))[0] + (source == "interview")
    sentences = [main]
    for sentence in rand.sample(phrases.CONTEXT_EN[kind], min(extra, len(phrases.CONTEXT_EN[kind]))):
        filled = _fill(rand, sentence, theme)
        sentences.append(filled[:1].upper() + filled[1:])
    return " ".join(sentences)


def _fill(rand: random.Random, template: str, theme: ThemePhrases) -> str:
    """Replace every ``{slot}`` with a filler from the theme's slots, else the global ones."""

    def pick(match: re.Match[str]) -> str:
        name = match.group(1)
        return rand.choice(theme.slots.get(name) or phrases.GLOBAL_SLOTS[name])

    return _SLOT.sub(pick, template)


def _first_sentence(text: str) -> str:
    """The first sentence if it has at least five words, else the whole text (short ratings comments)."""
    match = re.match(r"(.+?[.!?])\s", text)
    if match and len(match.group(1).split()) >= 5:
        return match.group(1)
    return text


def _frame(
    rand: random.Random, core: str, source: str, language: str, contact: DemoContact | None, kind: str
) -> str:
    """Wrap the message as its channel would: greetings in tickets, prefixes on sales and interview notes."""
    if language == "en" and source == "sales" and kind != "other":
        return rand.choice(_SALES_PREFIXES) + core
    if language == "en" and source == "interview":
        return "Interview notes: " + core
    if source in ("app_review", "survey"):
        return core
    if language == "en" and source in ("in_app", "community") and rand.random() < 0.12:
        return core.lower()
    openers, closers = {
        "en": (phrases.OPENERS_EN, phrases.CLOSERS_EN),
        "fr": (phrases.OPENERS_FR, phrases.CLOSERS_FR),
        "de": (phrases.OPENERS_DE, phrases.CLOSERS_DE),
    }[language]
    greeting_odds = 0.55 if source == "support" else 0.15
    parts = []
    if rand.random() < greeting_odds:
        parts.append(rand.choice(openers))
    parts.append(core)
    if rand.random() < greeting_odds:
        closer = rand.choice(closers)
        if contact is not None and source == "support" and rand.random() < 0.5:
            closer += "\n" + contact.name.split()[0]
        parts.append(closer)
    return "\n\n".join(parts) if source == "support" else " ".join(parts)


def _add_typos(rand: random.Random, text: str) -> str:
    """One to three realistic slips in words of five letters or more: swapped, dropped or doubled letters."""
    words = list(re.finditer(r"[^\W\d_]{5,}", text))
    if not words:
        return text
    chosen = sorted(rand.sample(words, min(len(words), rand.choice((1, 1, 2, 3)))), key=lambda m: -m.start())
    for match in chosen:
        word = match.group(0)
        position = rand.randrange(1, len(word) - 1)
        operation = rand.choice(("swap", "drop", "double"))
        if operation == "swap" and word[position] != word[position + 1]:
            typo = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        elif operation == "double":
            typo = word[: position + 1] + word[position:]
        else:
            typo = word[:position] + word[position + 1 :]
        text = text[: match.start()] + typo + text[match.end() :]
    return text


def _timestamp(rand: random.Random, context: _FeedbackContext, fraction: float, source: str) -> datetime:
    """A moment in the window: mostly office hours on weekdays for people-driven channels."""
    moment = context.window_start + (context.as_of - context.window_start) * fraction
    office = source in ("support", "sales", "interview", "survey")
    if office and moment.weekday() >= 5 and rand.random() < 0.85:
        moment += timedelta(days=7 - moment.weekday())
    hour = min(22, max(6, round(rand.gauss(13, 2.5)))) if office else rand.randrange(24)
    moment = moment.replace(hour=hour, minute=rand.randrange(60), second=rand.randrange(60), microsecond=0)
    if moment >= context.as_of:
        moment = context.as_of - timedelta(minutes=rand.randint(5, 600))
    return max(moment, context.window_start)


def _rating(rand: random.Random, source: str, kind: str, customer: DemoCustomer | None) -> int | None:
    """NPS for surveys, stars for app reviews, else None; at-risk accounts score lower."""
    if source == "survey":
        low, high = _NPS_RANGES[kind]
        penalty = 2 if customer is not None and customer.lifecycle_stage == "at_risk" else 0
        return max(0, rand.randint(low, high) - penalty)
    if source == "app_review":
        low, high = _STAR_RANGES[kind]
        return rand.randint(low, high)
    return None


def _metadata(
    rand: random.Random,
    context: _FeedbackContext,
    theme: ThemePhrases,
    kind: str,
    source: str,
    customer: DemoCustomer | None,
) -> dict[str, str | int]:
    """Fields a real source would attach: ticket priority, app store and version, survey name, votes."""
    if source == "support":
        urgent = kind in ("bug", "complaint")
        return {
            "channel": rand.choice(("email", "email", "chat", "phone")),
            "priority": rand.choice(("high", "urgent", "normal") if urgent else ("low", "normal")),
            "status": rand.choice(("solved", "solved", "open", "pending")),
        }
    if source == "sales":
        stage = rand.choice(("renewal", "expansion", "new_business"))
        amount = int(customer.arr * rand.uniform(0.2, 1.0)) if customer and customer.arr else 0
        return {"deal_stage": stage, "opportunity_amount": round(amount, -2)}
    if source == "app_review":
        device = rand.choice(phrases.GLOBAL_SLOTS["device"])
        store = "app_store" if device.startswith(("iPhone", "iPad")) else "google_play"
        return {
            "store": store,
            "device": device,
            "app_version": rand.choice(phrases.GLOBAL_SLOTS["app_version"]),
        }
    if source == "community":
        category = {"bug": "Bugs", "feature_request": "Ideas", "question": "Questions"}.get(kind, "General")
        votes = int(rand.paretovariate(1.3)) * (3 if kind == "feature_request" else 1)
        return {"category": category, "votes": votes}
    if source == "interview":
        team = context.area_team[theme.area]
        return {"interviewer": context.interviewers[team], "study": "Customer discovery interviews"}
    if source == "in_app":
        return {"page": "/" + theme.area.replace("_", "-"), "widget": "feedback_button"}
    return {"survey": "Relationship NPS", "question": "What is the main reason for your score?"}


def _duplicates(rand: random.Random, context: _FeedbackContext, drafts: Sequence[_Draft]) -> list[_Draft]:
    """Customers repeating themselves on another channel a few days later: ground-truth duplicates."""
    candidates = [
        draft
        for draft in drafts
        if draft.customer is not None
        and draft.language == "en"
        and draft.kind in ("bug", "feature_request", "complaint")
    ]
    copies = []
    for original in rand.sample(candidates, DUPLICATE_COUNT):
        source = rand.choice([s for s in ("support", "community", "in_app", "sales") if s != original.source])
        created_at = min(
            original.created_at + timedelta(days=rand.uniform(0.5, 12)),
            context.as_of - timedelta(minutes=rand.randint(5, 600)),
        )
        copies.append(
            _Draft(
                theme=original.theme,
                kind=original.kind,
                language=original.language,
                source=source,
                created_at=max(created_at, original.created_at + timedelta(minutes=1)),
                customer=original.customer,
                contact=original.contact,
                core=original.core,
                text=rand.choice(_DUPLICATE_PREFIXES) + original.core,
                rating=None,
                metadata=_metadata(rand, context, original.theme, original.kind, source, original.customer),
                has_typos=original.has_typos,
                duplicate_of=original,
            )
        )
    return copies


def _assign_refs(drafts: Sequence[_Draft]) -> None:
    """Give each item the id its source system would use, numbered in time order per source."""
    counters: dict[str, int] = {}
    for draft in drafts:
        channel = str(draft.metadata.get("store", draft.source))
        number = counters.get(channel, 0) + 1
        counters[channel] = number
        quarter = (draft.created_at.month - 1) // 3 + 1
        draft.ref = {
            "support": f"ZD-{48210 + number}",
            "sales": f"SFDC-NOTE-{number:05d}",
            "survey": f"NPS-{draft.created_at.year}Q{quarter}-{number:04d}",
            "app_store": f"IOS-REVIEW-{number:06d}",
            "google_play": f"GPLAY-REVIEW-{number:06d}",
            "community": f"COMMUNITY-{1200 + number}",
            "interview": f"INT-{draft.created_at.year}-{number:03d}",
            "in_app": f"INAPP-{number:06d}",
        }[channel]


def _freeze(draft: _Draft) -> DemoFeedback:
    return DemoFeedback(
        external_ref=draft.ref,
        text=draft.text,
        source=draft.source,
        created_at=draft.created_at,
        customer_external_id=draft.customer.external_id if draft.customer else None,
        contact_email=draft.contact.email if draft.contact else None,
        rating=draft.rating,
        metadata=draft.metadata,
        theme_key=draft.theme.key,
        kind=draft.kind,
        language=draft.language,
        has_typos=draft.has_typos,
        duplicate_of=draft.duplicate_of.ref if draft.duplicate_of else None,
    )


# ---------------------------------------------------------------------------------------------------------
# Ideas
# ---------------------------------------------------------------------------------------------------------

_LINK_KIND_WEIGHTS: Mapping[str, float] = {
    "feature_request": 3.0,
    "bug": 2.0,
    "complaint": 2.0,
    "question": 1.0,
    "praise": 0.3,
    "other": 0.0,
}
#: an item is linked to an idea when it is at least this relevant, relative to the theme's most relevant item
RELEVANT_SHARE = 0.5
_WSJF_SCALE: tuple[int, ...] = (1, 2, 3, 5, 8, 13, 20)
_WSJF_WEIGHTS: tuple[float, ...] = (0.1, 0.2, 0.25, 0.2, 0.13, 0.08, 0.04)


def _generate_ideas(
    rand: random.Random,
    rng: np.random.Generator,
    as_of: datetime,
    area_team: Mapping[str, str],
    persons: Sequence[DemoPerson],
    customers: Sequence[DemoCustomer],
    feedback: Sequence[DemoFeedback],
) -> tuple[DemoIdea, ...]:
    """120 ideas, each linked to 3–40 items of its theme, with RICE and WSJF inputs and cash flows."""
    themes = {theme.key: theme for theme in phrases.THEMES}
    specs = [(theme.key, title, summary) for theme in phrases.THEMES for title, summary in theme.ideas]
    specs.extend(phrases.MORE_IDEAS)
    by_theme: dict[str, list[DemoFeedback]] = {}
    for item in feedback:
        if _LINK_KIND_WEIGHTS[item.kind] > 0:
            by_theme.setdefault(item.theme_key, []).append(item)
    arr_by_customer = {customer.external_id: customer for customer in customers}
    by_ref = {item.external_ref: item for item in feedback}
    ideas = []
    for index, (theme_key, title, summary) in enumerate(specs):
        team_key = area_team[themes[theme_key].area]
        links = _idea_links(rand, rng, f"{title}. {summary}", by_theme[theme_key], arr_by_customer)
        linked = {
            by_ref[link.feedback_external_ref].customer_external_id
            for link in links
            if by_ref[link.feedback_external_ref].customer_external_id
        }
        linked_arr = sum(arr_by_customer[str(external_id)].arr for external_id in linked)
        effort = round(float(np.clip(rng.lognormal(np.log(6.0), 0.7), 0.5, 40.0)), 1)
        ideas.append(
            DemoIdea(
                key=f"IDEA-{index + 1:03d}",
                title=title,
                description=f"{summary} {themes[theme_key].problem}",
                status=rand.choices(IDEA_STATUSES, weights=_IDEA_STATUS_WEIGHTS)[0],
                team_key=team_key,
                owner_email=_idea_owner(rand, persons, team_key),
                theme_key=theme_key,
                created_at=(as_of - timedelta(days=rand.uniform(7, 300))).replace(microsecond=0),
                reach=_reach(len(linked), rand.randint(20, 120)),
                impact=rand.choices((0.25, 0.5, 1.0, 2.0, 3.0), weights=(0.1, 0.25, 0.35, 0.2, 0.1))[0],
                confidence=rand.choices((0.5, 0.8, 1.0), weights=(0.3, 0.5, 0.2))[0],
                effort_person_weeks=effort,
                business_value=rand.choices(_WSJF_SCALE, weights=_WSJF_WEIGHTS)[0],
                time_criticality=rand.choices(_WSJF_SCALE, weights=_WSJF_WEIGHTS)[0],
                risk_reduction=rand.choices(_WSJF_SCALE, weights=_WSJF_WEIGHTS)[0],
                one_off_cost=round(effort * _COST_PER_PERSON_WEEK * rng.uniform(0.9, 1.25), -2),
                recurring_cost_per_quarter=0.0
                if rand.random() < 0.5
                else round(rng.uniform(500, 12_000), -2),
                benefit_per_quarter=round(linked_arr * rng.uniform(0.005, 0.03) + rng.uniform(0, 4_000), -2),
                feedback_links=links,
            )
        )
    return tuple(ideas)


def _reach(customers_who_asked: int, draw: int) -> int:
    """Accounts an idea reaches a quarter: the customers who asked and 0.5–3 times as many who did not write in.

    ``draw`` (20–120) is the generator's draw for it, kept so the rest of the company stays the same; reach is
    then never below the suggestion the idea page makes from the linked feedback.
    """
    return round(max(1, customers_who_asked) * (1 + draw / 40))


def _idea_links(
    rand: random.Random,
    rng: np.random.Generator,
    idea_text: str,
    pool: Sequence[DemoFeedback],
    customers: Mapping[str, DemoCustomer],
) -> tuple[DemoFeedbackLink, ...]:
    """Up to 3–40 items of the idea's theme that are about the idea; enterprise accounts and complaints matter more.

    An item is about the idea when its TF-IDF cosine with the idea's title and summary (IDF over the theme's items,
    so a word every item of the theme uses counts for little) is at least ``RELEVANT_SHARE`` of the best item's:
    of the 40 items once linked
    to "ClickHouse connector" by theme alone, two or three mentioned ClickHouse. The most relevant come first,
    feature requests before praise; an idea few items are about gets only those. The random draws are made as
    before, so the rest of the company stays the same.
    """
    count = int(np.clip(round(float(rng.lognormal(np.log(12.0), 0.6))), 3, min(40, len(pool))))
    weights = np.array([_LINK_KIND_WEIGHTS[item.kind] for item in pool])
    rng.choice(len(pool), size=count, replace=False, p=weights / weights.sum())
    relevance = _relevance(idea_text, [item.text for item in pool]) * weights
    threshold = RELEVANT_SHARE * float(relevance.max(initial=0.0))
    ranked = [
        int(position)
        for position in np.argsort(-relevance, kind="stable")
        if relevance[position] > 0 and relevance[position] >= threshold
    ]
    links = []
    for rank in range(count):
        position = ranked[rank] if rank < len(ranked) else None
        item = pool[position if position is not None else 0]
        customer = customers.get(item.customer_external_id or "")
        big = customer is not None and customer.segment == "enterprise"
        urgent = item.kind in ("complaint", "bug")
        importance = rand.choices((1, 2, 3), weights=(0.3, 0.4, 0.3) if big or urgent else (0.55, 0.35, 0.1))[
            0
        ]
        if position is not None:
            links.append((position, DemoFeedbackLink(item.external_ref, importance)))
    return tuple(link for _position, link in sorted(links))


def _relevance(query: str, texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine of each text with ``query`` (English stop words out, IDF from the texts themselves)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit([*texts, query])
    matrix = vectorizer.transform(texts)
    return np.asarray(matrix @ vectorizer.transform([query]).T.toarray()).ravel()


def _idea_owner(rand: random.Random, persons: Sequence[DemoPerson], team_key: str) -> str:
    """Mostly the team's product manager; sometimes its engineering lead or designer."""
    members = [person for person in persons if person.team_key == team_key]
    product = [person for person in members if person.discipline == "product"]
    others = [person for person in members if person.discipline in ("engineering", "design")][:2]
    return (product[0] if rand.random() < 0.7 or not others else rand.choice(others)).email


# ---------------------------------------------------------------------------------------------------------
# Objectives
# ---------------------------------------------------------------------------------------------------------

_OBJECTIVES: tuple[
    tuple[str, str, str, tuple[str, ...], tuple[tuple[str, float, float, str, float], ...]], ...
] = (
    (
        "Win and keep enterprise accounts",
        "Close the security and administration gaps that stall enterprise deals and renewals.",
        "trust_admin",
        ("sso_saml", "permissions_roles", "audit_log", "data_retention", "salesforce_sync"),
        (
            ("Enterprise net revenue retention", 104.0, 115.0, "%", 0.6),
            ("Enterprise workspaces with SSO enforced", 12.0, 60.0, "%", 0.9),
            ("Median security review time", 21.0, 7.0, "days", 0.4),
            ("Weekly active workspace admins", 120.0, 200.0, "admins", 0.7),
        ),
    ),
    (
        "Make Lumen fast and dependable",
        "Dashboards that open in seconds, a mobile app that does not crash, syncs that do not fail silently.",
        "data_platform",
        ("dashboard_speed", "mobile_app_crashes", "warehouse_connectors", "metric_alerts"),
        (
            ("p95 dashboard load time", 8.5, 3.0, "s", 0.5),
            ("Crash-free mobile sessions", 97.1, 99.5, "%", 0.3),
            ("Connector sync failures per week", 140.0, 30.0, "failures", 1.0),
            ("Dashboards shared per week", 300.0, 600.0, "dashboards", 0.4),
        ),
    ),
    (
        "Get new teams to value in their first week",
        "Every new workspace builds and shares a useful dashboard within seven days.",
        "growth_mobile",
        ("onboarding_confusion", "search_relevance", "slack_integration", "scheduled_reports"),
        (
            ("Trial workspaces with a dashboard built in 7 days", 31.0, 50.0, "%", 0.8),
            ("Median time to first dashboard", 95.0, 30.0, "minutes", 1.1),
            ("Onboarding tickets per new workspace", 2.4, 1.0, "tickets", 0.7),
            ("Invited teammates active in week one", 38.0, 55.0, "%", 0.5),
        ),
    ),
)
"""(title, description, owning team, themes served, key results as (name, baseline, target, unit, pace))."""

DEMO_METRICS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("weekly-active-admins", "Weekly active workspace admins", "admin_console_viewed", "wau", 7,
     "Weekly active workspace admins"),
    ("connector-sync-failures-weekly", "Connector sync failures per week", "connector_sync_failed", "total", 7,
     "Connector sync failures per week"),
    ("dashboards-shared-weekly", "Dashboards shared per week", "dashboard_shared", "total", 7,
     "Dashboards shared per week"),
)  # fmt: skip
"""Analytics metrics the demo binds key results to: (key, name, event, math, window in days, key result's name).

The strategy demo creates them (unless a metric with the key exists), writes the product events behind them and
checks the key results in from them, so that their pace reads on track, behind and at risk."""

_CHECK_IN_NOTES: Mapping[str, tuple[str, ...]] = {
    "on_track": (
        "On track; the last release moved the number as expected.",
        "Good progress this cycle, no blockers.",
        "Ahead of plan thanks to the early-access accounts.",
    ),
    "behind": (
        "Slightly behind; two planned items slipped to the next sprint.",
        "Behind plan while we wait on a dependency from another team.",
        "Moving, but slower than hoped; reviewing scope with the team.",
    ),
    "at_risk": (
        "At risk: the main initiative has not started yet.",
        "At risk; capacity went to incident work this cycle.",
        "Unlikely to reach the target without more capacity.",
    ),
}


def _generate_objectives(
    rand: random.Random, as_of: datetime, persons: Sequence[DemoPerson], ideas: Sequence[DemoIdea]
) -> tuple[DemoObjective, ...]:
    """Three objectives for the half-year containing ``as_of``, with check-ins every three weeks."""
    today = as_of.date()
    half = 1 if today.month <= 6 else 2
    starts_on = date(today.year, 1 if half == 1 else 7, 1)
    ends_on = date(today.year, 6, 30) if half == 1 else date(today.year, 12, 31)
    check_dates = [starts_on + timedelta(days=21 * k) for k in range(1, 10)]
    check_dates = [day for day in check_dates if day <= today] or [max(starts_on, today - timedelta(days=1))]
    objectives = []
    for number, (title, description, team_key, theme_keys, key_results) in enumerate(_OBJECTIVES, start=1):
        owner = next(p for p in persons if p.team_key == team_key and p.discipline == "product")
        results = tuple(
            _key_result(rand, f"KR-{number}.{index}", spec, starts_on, ends_on, check_dates)
            for index, spec in enumerate(key_results, start=1)
        )
        supporting = tuple(
            idea.key
            for idea in ideas
            if idea.theme_key in theme_keys
            and idea.status in ("under_review", "planned", "in_progress", "shipped")
        )
        objectives.append(
            DemoObjective(
                key=f"OBJ-{number}",
                title=title,
                description=description,
                owner_email=owner.email,
                period=f"{today.year}-H{half}",
                starts_on=starts_on,
                ends_on=ends_on,
                key_results=results,
                idea_keys=supporting,
            )
        )
    return tuple(objectives)


def _key_result(
    rand: random.Random,
    key: str,
    spec: tuple[str, float, float, str, float],
    starts_on: date,
    ends_on: date,
    check_dates: Sequence[date],
) -> DemoKeyResult:
    """A key result whose check-ins move towards the target at its own pace (1 = on plan)."""
    name, baseline, target, unit, pace = spec
    span = (ends_on - starts_on).days
    check_ins = []
    for day in check_dates:
        elapsed = (day - starts_on).days / span
        progress = min(1.0, max(0.0, pace * elapsed + rand.uniform(-0.04, 0.04)))
        value = round(baseline + progress * (target - baseline), 1)
        progress = round((value - baseline) / (target - baseline), 3)
        status = (
            "on_track" if progress >= 0.9 * elapsed else "behind" if progress >= 0.6 * elapsed else "at_risk"
        )
        confidence = min(0.95, max(0.05, 0.7 + (progress - elapsed) * 1.5 + rand.uniform(-0.05, 0.05)))
        note = rand.choice(_CHECK_IN_NOTES[status])
        check_ins.append(DemoCheckIn(day, value, progress, round(confidence, 2), note))
    current = check_ins[-1].value if check_ins else baseline
    return DemoKeyResult(key, name, baseline, target, current, unit, tuple(check_ins))
