"""Experiment use cases on SQLite and PostgreSQL: definitions, summary uploads, results and permissions."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.listing import ListParams
from northstar.core.permissions import Role
from northstar.experiments import service
from northstar.experiments.schemas import ExperimentCreate, ExperimentUpdate, SummaryUpload
from tests.factories import make_idea, make_world

MEAN_CSV = (
    "variation,users,main_sum,main_sum_squares\n"
    "control,3407,1396.87,52377.9767\n"
    "treatment,3461,2422.7,134698.29\n"
)
PROPORTION_CSV = "variation,users,main_sum\ncontrol,100,49\ntreatment,100,51\n"


def definition(key: str = "onboarding", **changes: object) -> ExperimentCreate:
    data: dict[str, object] = {
        "key": key,
        "name": "New onboarding",
        "variants": [{"key": "control"}, {"key": "treatment"}],
        "metrics": [
            {"key": "revenue", "type": "mean", "role": "goal"},
            {"key": "signup", "type": "proportion", "role": "guardrail"},
        ],
    }
    data.update(changes)
    return ExperimentCreate.model_validate(data)


def test_results_match_gbstats_vector_after_upload(session: Session) -> None:
    world = make_world(session)
    actor = world.actor(Role.PRODUCT_MANAGER)
    experiment = service.create_experiment(session, actor, definition())
    uploaded = service.upload_summaries(
        session, actor, experiment.id, SummaryUpload(metric_key="revenue", csv=MEAN_CSV)
    )
    session.commit()
    assert uploaded.variants == 2
    results = service.experiment_results(session, world.actor(Role.VIEWER), experiment.id)
    revenue, signup = results.metrics
    assert revenue.baseline == "control" and revenue.missing is None
    (treatment,) = revenue.variants
    assert round(treatment.expected or 0, 5) == 0.70732
    assert [round(x or 0, 5) for x in treatment.ci] == [-0.03526, 1.44989]
    assert round(treatment.p_value or 0, 5) == 0.06191
    assert signup.missing is not None and "control" in signup.missing
    assert results.srm_p_value is not None and not results.srm_warning


def test_bayesian_settings_give_chance_to_win_and_inverse_metric_flips_it(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    metrics = [{"key": "errors", "type": "proportion", "inverse": True}]
    experiment = service.create_experiment(
        session, actor, definition(metrics=metrics, settings={"engine": "bayesian"})
    )
    service.upload_summaries(
        session, actor, experiment.id, SummaryUpload(metric_key="errors", csv=PROPORTION_CSV)
    )
    (errors,) = service.experiment_results(session, actor, experiment.id).metrics
    (treatment,) = errors.variants
    assert treatment.p_value is None
    assert round(treatment.chance_to_win or 0, 5) == round(1 - 0.60918, 5)


def test_upload_replaces_previous_summaries_of_the_metric(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    experiment = service.create_experiment(session, actor, definition())
    service.upload_summaries(
        session, actor, experiment.id, SummaryUpload(metric_key="signup", csv=PROPORTION_CSV)
    )
    service.upload_summaries(
        session,
        actor,
        experiment.id,
        SummaryUpload(metric_key="signup", csv=PROPORTION_CSV.replace("100,51", "100,60")),
    )
    rows = service.list_summaries(session, actor, experiment.id)
    assert sorted((r.variation, r.main_sum) for r in rows) == [("control", 49.0), ("treatment", 60.0)]


BAD_UPLOADS = [
    (MEAN_CSV.replace("2422.7", "x"), "row 3, column main_sum"),
    (MEAN_CSV.replace("treatment", "variant_b"), "unknown variants variant_b; missing variants treatment"),
    ("variation,users,main_sum\ncontrol,10,5\ntreatment,10,4\n", "main_sum_squares: required column"),
]


def test_bad_uploads_are_rejected_and_keep_the_previous_data(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    experiment = service.create_experiment(session, actor, definition())
    service.upload_summaries(session, actor, experiment.id, SummaryUpload(metric_key="revenue", csv=MEAN_CSV))
    session.commit()
    for csv, fragment in BAD_UPLOADS:
        with pytest.raises(ValidationFailed, match=fragment):
            service.upload_summaries(
                session, actor, experiment.id, SummaryUpload(metric_key="revenue", csv=csv)
            )
        session.rollback()
        assert len(service.list_summaries(session, actor, experiment.id)) == 2


def test_upload_error_names_the_row_for_the_api(session: Session) -> None:
    world = make_world(session)
    experiment = service.create_experiment(session, world.actor(), definition())
    with pytest.raises(ValidationFailed) as caught:
        service.upload_summaries(
            session,
            world.actor(),
            experiment.id,
            SummaryUpload(metric_key="revenue", csv=MEAN_CSV.replace("2422.7", "x")),
        )
    (error,) = caught.value.errors
    assert (error.field, error.row) == ("main_sum", 3)


def test_unknown_metric_upload_is_rejected(session: Session) -> None:
    world = make_world(session)
    experiment = service.create_experiment(session, world.actor(), definition())
    with pytest.raises(ValidationFailed, match="no metric 'nope'"):
        service.upload_summaries(
            session, world.actor(), experiment.id, SummaryUpload(metric_key="nope", csv=MEAN_CSV)
        )


def test_cuped_experiment_requires_covariates_and_uses_them(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    experiment = service.create_experiment(
        session, actor, definition(settings={"cuped": True, "sequential": True})
    )
    with pytest.raises(ValidationFailed, match="covariate_sum"):
        service.upload_summaries(
            session, actor, experiment.id, SummaryUpload(metric_key="revenue", csv=MEAN_CSV)
        )
    cuped_csv = (
        "variation,users,main_sum,main_sum_squares,covariate_sum,covariate_sum_squares,main_covariate_sum_product\n"
        "control,3000,1396.87,52377.9767,16.87,527.9767,1\n"
        "treatment,3461,2422.7,134698.29,22.7,1348.29,1\n"
    )
    service.upload_summaries(
        session, actor, experiment.id, SummaryUpload(metric_key="revenue", csv=cuped_csv)
    )
    (treatment,) = service.experiment_results(session, actor, experiment.id).metrics[0].variants
    assert [round(x or 0, 5) for x in treatment.ci] == [-0.50969, 1.51646]


def test_srm_warning_when_traffic_split_is_off(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    experiment = service.create_experiment(session, actor, definition())
    lopsided = "variation,users,main_sum\ncontrol,5000,2500\ntreatment,6000,3000\n"
    service.upload_summaries(session, actor, experiment.id, SummaryUpload(metric_key="signup", csv=lopsided))
    results = service.experiment_results(session, actor, experiment.id)
    assert results.srm_warning and (results.srm_p_value or 1) < 0.001


def test_weights_of_variants_set_the_expected_split(session: Session) -> None:
    world = make_world(session)
    actor = world.actor()
    weighted = definition(variants=[{"key": "control", "weight": 5}, {"key": "treatment", "weight": 6}])
    experiment = service.create_experiment(session, actor, weighted)
    lopsided = "variation,users,main_sum\ncontrol,5000,2500\ntreatment,6000,3000\n"
    service.upload_summaries(session, actor, experiment.id, SummaryUpload(metric_key="signup", csv=lopsided))
    assert service.experiment_results(session, actor, experiment.id).srm_p_value == pytest.approx(1.0)


def test_duplicate_key_conflicts_and_definitions_are_validated(session: Session) -> None:
    world = make_world(session)
    service.create_experiment(session, world.actor(), definition())
    with pytest.raises(Conflict):
        service.create_experiment(session, world.actor(), definition())
    with pytest.raises(ValueError, match="variant keys must be unique"):
        definition(key="x", variants=[{"key": "a"}, {"key": "a"}])
    with pytest.raises(ValueError):
        definition(key="y", variants=[{"key": "only"}])


def test_status_changes_stamp_start_and_end(session: Session) -> None:
    world = make_world(session)
    experiment = service.create_experiment(session, world.actor(), definition())
    assert experiment.started_at is None
    service.update_experiment(session, world.actor(), experiment.id, ExperimentUpdate(status="running"))
    assert experiment.started_at is not None and experiment.ended_at is None
    service.update_experiment(session, world.actor(), experiment.id, ExperimentUpdate(status="concluded"))
    assert experiment.ended_at is not None


def test_idea_link_must_be_in_the_workspace(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    idea = make_idea(session, world)
    foreign = make_idea(session, other)
    made = service.create_experiment(session, world.actor(), definition(idea_id=idea.id))
    assert made.idea_id == idea.id
    with pytest.raises(ValidationFailed, match="no idea"):
        service.create_experiment(session, world.actor(), definition(key="other", idea_id=foreign.id))


def test_viewer_cannot_write_and_other_workspaces_see_nothing(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    with pytest.raises(PermissionDenied):
        service.create_experiment(session, world.actor(Role.VIEWER), definition())
    experiment = service.create_experiment(session, world.actor(), definition())
    session.commit()
    with pytest.raises(NotFound):
        service.get_experiment(session, other.actor(), experiment.id)
    with pytest.raises(NotFound):
        service.experiment_results(session, other.actor(), experiment.id)
    assert service.list_experiments(session, other.actor(), ListParams()).total == 0
    assert service.list_experiments(session, world.actor(Role.VIEWER), ListParams(q="onboard")).total == 1


def test_delete_removes_the_experiment_and_its_summaries(session: Session) -> None:
    world = make_world(session)
    experiment = service.create_experiment(session, world.actor(), definition())
    service.upload_summaries(
        session, world.actor(), experiment.id, SummaryUpload(metric_key="signup", csv=PROPORTION_CSV)
    )
    session.commit()
    service.delete_experiment(session, world.actor(), experiment.id)
    session.commit()
    with pytest.raises(NotFound):
        service.get_experiment(session, world.actor(), experiment.id)


def test_demo_experiments_seed_and_report(session: Session) -> None:
    from types import SimpleNamespace

    from northstar.experiments.demo import seed_demo

    world = make_world(session)
    idea = make_idea(session, world)
    seed_demo(session, world.actor(), SimpleNamespace(idea_ids={"dark-mode": idea.id}))
    session.commit()
    page = service.list_experiments(session, world.actor(), ListParams())
    assert {e.key for e in page.items} == {"onboarding-checklist", "pricing-page"}
    onboarding = next(e for e in page.items if e.key == "onboarding-checklist")
    assert onboarding.idea_id == idea.id
    pricing = next(e for e in page.items if e.key == "pricing-page")
    results = service.experiment_results(session, world.actor(), pricing.id)
    assert results.srm_warning
    assert all(v.chance_to_win is not None for v in results.metrics[0].variants)
