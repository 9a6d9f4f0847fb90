"""Tests of the demo company generator: determinism, shape, realism of the feedback and consistency."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import numpy as np
import pytest

from northstar.demo import phrases
from northstar.demo.company import (
    DemoCompany,
    generate_company,
)

FRENCH_WORDS = {"le", "la", "les", "des", "nous", "pour", "est", "une", "un", "pas", "du", "je", "ne"}
FRENCH_WORDS |= {"plus", "en", "vous", "dans", "avec", "de"}
GERMAN_WORDS = {"der", "die", "das", "und", "nicht", "ist", "wir", "bitte", "ein", "mit", "zu", "sie"}
GERMAN_WORDS |= {"ich", "wie", "auch", "den", "für", "oder", "beim"}
ENGLISH_WORDS = {"the", "and", "is", "we", "please", "with", "for", "our", "this", "to"}
NEUTRAL_SLOTS = {"idp", "dashboard", "warehouse", "count", "seconds", "device", "app_version", "rate"}
NEUTRAL_SLOTS |= {"channel"}


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company(7)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿß]+", text.lower()))


def test_same_seed_gives_identical_company(company: DemoCompany) -> None:
    assert generate_company(7) == company


def test_different_seeds_give_different_companies(company: DemoCompany) -> None:
    other = generate_company(8)
    assert [c.name for c in other.customers] != [c.name for c in company.customers]
    assert [f.text for f in other.feedback] != [f.text for f in company.feedback]


def test_counts_match_the_brief(company: DemoCompany) -> None:
    assert len(company.customers) == 300
    assert len(company.feedback) == 3000
    assert len(company.ideas) == 120
    assert len(company.teams) == 4
    assert 22 <= len(company.persons) <= 26
    assert len(company.objectives) == 3
    assert all(2 <= len(objective.key_results) <= 4 for objective in company.objectives)
    assert 23 <= len(company.themes) <= 27
    assert 23 <= len(company.product_areas) <= 27


def test_customers_fall_into_four_segments_and_all_lifecycle_stages(company: DemoCompany) -> None:
    assert {c.segment for c in company.customers} == {"enterprise", "mid_market", "smb", "startup"}
    assert {c.lifecycle_stage for c in company.customers} == {
        "trial",
        "onboarding",
        "active",
        "at_risk",
        "churned",
    }


def test_customers_have_one_to_four_contacts_at_their_own_domain(company: DemoCompany) -> None:
    for customer in company.customers:
        assert 1 <= len(customer.contacts) <= 4
        assert all(contact.email.endswith("@" + customer.domain) for contact in customer.contacts)
        assert all(re.fullmatch(r"[a-z0-9.]+@[a-z0-9.]+", contact.email) for contact in customer.contacts)


def test_no_identifier_is_used_twice(company: DemoCompany) -> None:
    collections = {
        "customer external ids": [c.external_id for c in company.customers],
        "customer names": [c.name for c in company.customers],
        "customer domains": [c.domain for c in company.customers],
        "contact e-mails": [contact.email for c in company.customers for contact in c.contacts],
        "person e-mails": [p.email for p in company.persons],
        "feedback refs": [f.external_ref for f in company.feedback],
        "idea keys": [i.key for i in company.ideas],
        "idea titles": [i.title for i in company.ideas],
        "theme keys": [t.key for t in company.themes],
    }
    for label, values in collections.items():
        assert len(values) == len(set(values)), label


def test_arr_is_right_skewed_and_enterprise_pays_most(company: DemoCompany) -> None:
    arr = np.array([c.arr for c in company.customers if c.arr > 0])
    skewness = float(np.mean((arr - arr.mean()) ** 3) / arr.std() ** 3)
    assert skewness > 1.0
    assert arr.mean() > 1.5 * np.median(arr)
    median = {
        segment: np.median([c.arr for c in company.customers if c.segment == segment and c.arr > 0])
        for segment in ("enterprise", "smb")
    }
    assert median["enterprise"] > 8 * median["smb"]


def test_trials_and_churned_customers_have_no_arr(company: DemoCompany) -> None:
    for customer in company.customers:
        assert (customer.arr == 0) == (customer.lifecycle_stage in ("trial", "churned"))


def test_every_theme_has_items_of_several_kinds(company: DemoCompany) -> None:
    kinds: dict[str, set[str]] = defaultdict(set)
    for item in company.feedback:
        kinds[item.theme_key].add(item.kind)
    assert set(kinds) == {theme.key for theme in company.themes}
    assert all(len(found) >= 4 for found in kinds.values()), kinds


def test_french_and_german_items_are_present_and_written_in_those_languages(company: DemoCompany) -> None:
    by_language = Counter(item.language for item in company.feedback)
    assert 0.02 <= by_language["fr"] / 3000 <= 0.045
    assert 0.012 <= by_language["de"] / 3000 <= 0.035
    for item in company.feedback:
        words = _words(item.text)
        if item.language == "fr":
            assert words & FRENCH_WORDS or re.search("[àâçéèêëîïôûù]", item.text), item.text
        if item.language == "de":
            assert words & GERMAN_WORDS or re.search("[äöüß]", item.text), item.text
        if item.language != "en":
            assert not words & {"the", "please", "our", "we", "is"}, item.text


def test_english_items_read_as_english(company: DemoCompany) -> None:
    english = [item for item in company.feedback if item.language == "en"]
    with_english_words = sum(1 for item in english if _words(item.text) & ENGLISH_WORDS)
    assert with_english_words / len(english) > 0.9


def test_texts_have_no_unfilled_slots_or_placeholders(company: DemoCompany) -> None:
    for item in company.feedback:
        assert "{" not in item.text and "}" not in item.text, item.text
        assert not re.search(r"lorem|ipsum|todo|xxx|placeholder", item.text, re.IGNORECASE), item.text


def test_text_length_varies_from_a_few_words_to_several_sentences(company: DemoCompany) -> None:
    lengths = [len(item.text.split()) for item in company.feedback]
    assert min(lengths) >= 5
    assert np.percentile(lengths, 10) <= 12
    assert max(lengths) >= 45
    sentences = [len(re.findall(r"[.!?](\s|$)", item.text)) for item in company.feedback]
    assert sum(1 for count in sentences if count >= 3) > 200


def test_about_five_percent_of_items_have_typos(company: DemoCompany) -> None:
    share = sum(item.has_typos for item in company.feedback) / len(company.feedback)
    assert 0.03 <= share <= 0.07


def test_ratings_are_nps_for_surveys_stars_for_app_reviews_and_none_elsewhere(company: DemoCompany) -> None:
    for item in company.feedback:
        if item.source == "survey":
            assert item.rating is not None and 0 <= item.rating <= 10
        elif item.source == "app_review":
            assert item.rating is not None and 1 <= item.rating <= 5
        else:
            assert item.rating is None


def test_praise_scores_higher_than_complaints_in_surveys(company: DemoCompany) -> None:
    def mean_rating(kind: str) -> float:
        return float(np.mean([f.rating for f in company.feedback if f.source == "survey" and f.kind == kind]))

    assert mean_rating("praise") > mean_rating("complaint") + 3


def test_all_sources_appear_and_most_items_name_a_customer(company: DemoCompany) -> None:
    assert {item.source for item in company.feedback} == {
        "support",
        "sales",
        "survey",
        "app_review",
        "community",
        "interview",
        "in_app",
    }
    with_customer = sum(1 for item in company.feedback if item.customer_external_id is not None)
    assert with_customer / len(company.feedback) > 0.85


def test_items_name_existing_customers_and_their_own_contacts(company: DemoCompany) -> None:
    customers = {c.external_id: c for c in company.customers}
    for item in company.feedback:
        if item.customer_external_id is None:
            assert item.contact_email is None
            continue
        customer = customers[item.customer_external_id]
        assert item.created_at.date() >= customer.customer_since
        if item.contact_email is not None:
            assert item.contact_email in {contact.email for contact in customer.contacts}


def test_items_lie_in_the_26_weeks_before_as_of(company: DemoCompany) -> None:
    start = company.as_of - timedelta(weeks=26)
    assert all(start <= item.created_at < company.as_of for item in company.feedback)
    assert [item.created_at for item in company.feedback] == sorted(
        item.created_at for item in company.feedback
    )


def test_rising_themes_rise_and_falling_themes_fall(company: DemoCompany) -> None:
    middle = company.as_of - timedelta(weeks=13)

    def late_share(theme_key: str) -> float:
        items = [item for item in company.feedback if item.theme_key == theme_key]
        return sum(1 for item in items if item.created_at >= middle) / len(items)

    assert late_share("dashboard_speed") > 0.6
    assert late_share("onboarding_confusion") < 0.4


def test_enterprise_customers_dominate_enterprise_themes(company: DemoCompany) -> None:
    segment_of = {c.external_id: c.segment for c in company.customers}

    def enterprise_share(theme_key: str) -> float:
        segments = [
            segment_of[item.customer_external_id]
            for item in company.feedback
            if item.theme_key == theme_key and item.customer_external_id
        ]
        return segments.count("enterprise") / len(segments)

    assert enterprise_share("sso_saml") > 2 * enterprise_share("dark_mode")
    assert enterprise_share("audit_log") > 2 * enterprise_share("onboarding_confusion")


def test_duplicates_repeat_an_earlier_item_of_the_same_customer(company: DemoCompany) -> None:
    by_ref = {item.external_ref: item for item in company.feedback}
    duplicates = [item for item in company.feedback if item.duplicate_of is not None]
    assert len(duplicates) >= 30
    for item in duplicates:
        original = by_ref[str(item.duplicate_of)]
        assert original.created_at < item.created_at
        assert original.customer_external_id == item.customer_external_id
        assert (original.theme_key, original.kind) == (item.theme_key, item.kind)


def test_each_idea_links_existing_feedback_of_its_theme(company: DemoCompany) -> None:
    by_ref = {item.external_ref: item for item in company.feedback}
    for idea in company.ideas:
        refs = [link.feedback_external_ref for link in idea.feedback_links]
        assert 1 <= len(refs) <= 40
        assert len(refs) == len(set(refs))
        for link in idea.feedback_links:
            assert by_ref[link.feedback_external_ref].theme_key == idea.theme_key
            assert link.importance in (1, 2, 3)


def _tokens(text: str) -> set[str]:
    """Words and numbers of two characters or more, as TF-IDF's default tokenizer reads them ("4.12" has "12")."""
    return set(re.findall(r"\b\w\w+\b", text.lower()))


def test_ideas_link_the_feedback_that_is_about_them(company: DemoCompany) -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    by_ref = {item.external_ref: item for item in company.feedback}
    for idea in company.ideas:
        subject = _tokens(f"{idea.title} {idea.description.split('. ')[0]}") - ENGLISH_STOP_WORDS
        for link in idea.feedback_links:
            assert _tokens(by_ref[link.feedback_external_ref].text) & subject, (idea.title, link)
    clickhouse = next(idea for idea in company.ideas if idea.title == "ClickHouse connector")
    assert all(
        "clickhouse" in by_ref[link.feedback_external_ref].text.lower() for link in clickhouse.feedback_links
    )


def test_idea_scoring_inputs_lie_in_their_ranges(company: DemoCompany) -> None:
    persons = {p.email: p for p in company.persons}
    team_keys = {t.key for t in company.teams}
    for idea in company.ideas:
        assert idea.status in ("new", "under_review", "planned", "in_progress", "shipped", "wont_do")
        assert 0.25 <= idea.impact <= 3 and 0.5 <= idea.confidence <= 1
        assert idea.reach > 0 and idea.effort_person_weeks > 0
        assert min(idea.business_value, idea.time_criticality, idea.risk_reduction) >= 1
        assert (
            idea.one_off_cost > 0 and idea.recurring_cost_per_quarter >= 0 and idea.benefit_per_quarter >= 0
        )
        assert idea.team_key in team_keys and persons[idea.owner_email].team_key == idea.team_key
    assert len({idea.status for idea in company.ideas}) == 6


def test_teams_have_capacity_from_the_current_quarter_on_that_changes(company: DemoCompany) -> None:
    team_keys = {t.key for t in company.teams}
    assert all(p.team_key in team_keys for p in company.persons)
    today = company.as_of.date()
    for team in company.teams:
        assert len(team.capacity) == 5
        assert all(quarter.person_weeks > 0 for quarter in team.capacity)
        assert len({quarter.person_weeks for quarter in team.capacity}) > 1
        current, following = team.capacity[0], team.capacity[1]
        assert current.starts_on <= today <= current.ends_on, "the current quarter comes first"
        assert current.person_weeks < following.person_weeks, "only the rest of the current quarter is left"
        assert following.starts_on > today


def test_key_results_end_at_their_latest_check_in(company: DemoCompany) -> None:
    for objective in company.objectives:
        assert objective.starts_on <= company.as_of.date() <= objective.ends_on
        for key_result in objective.key_results:
            assert key_result.check_ins
            assert key_result.current == key_result.check_ins[-1].value
            for check_in in key_result.check_ins:
                assert 0 <= check_in.progress <= 1 and 0 <= check_in.confidence <= 1
                assert objective.starts_on <= check_in.checked_on <= company.as_of.date()


def test_every_template_slot_has_fillers_and_other_languages_use_neutral_slots() -> None:
    for theme in phrases.THEMES:
        english = [template for templates in theme.templates.values() for template in templates]
        for template in english + [template for _, template in theme.french + theme.german]:
            for slot in re.findall(r"\{(\w+)\}", template):
                assert slot in theme.slots or slot in phrases.GLOBAL_SLOTS, (theme.key, slot)
        for _, template in theme.french + theme.german:
            assert set(re.findall(r"\{(\w+)\}", template)) <= NEUTRAL_SLOTS, template


def test_as_of_moves_the_window_and_naive_datetimes_are_refused() -> None:
    as_of = datetime.fromisoformat("2027-03-01T12:00:00+00:00")
    moved = generate_company(7, as_of=as_of)
    assert max(item.created_at for item in moved.feedback) < as_of
    assert min(item.created_at for item in moved.feedback) >= as_of - timedelta(weeks=26)
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_company(7, as_of=datetime(2027, 3, 1))


@pytest.mark.parametrize("seed", [1, 2])
def test_invariants_hold_for_other_seeds(seed: int) -> None:
    other = generate_company(seed)
    by_ref = {item.external_ref for item in other.feedback}
    assert len(by_ref) == len(other.feedback) == 3000
    assert all(link.feedback_external_ref in by_ref for idea in other.ideas for link in idea.feedback_links)
    assert {item.language for item in other.feedback} == {"en", "fr", "de"}
    assert all("{" not in item.text for item in other.feedback)
