"""people: ladder, assessments, growth plans, 1:1s and 360 reviews

Revision ID: people_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "people_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people_ladders",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_ladders_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_ladders")),
        sa.UniqueConstraint("workspace_id", name="uq_people_ladders_workspace"),
    )
    with op.batch_alter_table("people_ladders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_ladders_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "reviews_cycles",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("questionnaire", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_reviews_cycles_owner_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_reviews_cycles_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_cycles")),
    )
    with op.batch_alter_table("reviews_cycles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_cycles_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "people_assessments",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assessor_person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("met_behaviours", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessor_person_id"],
            ["persons.id"],
            name=op.f("fk_people_assessments_assessor_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_people_assessments_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_assessments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_assessments")),
    )
    with op.batch_alter_table("people_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_assessments_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_people_assessments_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "people_checkin_series",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("manager_person_id", sa.Integer(), nullable=False),
        sa.Column("report_person_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_person_id"],
            ["persons.id"],
            name=op.f("fk_people_checkin_series_manager_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_person_id"],
            ["persons.id"],
            name=op.f("fk_people_checkin_series_report_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_checkin_series_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_checkin_series")),
        sa.UniqueConstraint("manager_person_id", "report_person_id", name="uq_people_checkin_pair"),
    )
    with op.batch_alter_table("people_checkin_series", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_checkin_series_report_person_id"), ["report_person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_people_checkin_series_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "people_growth_plans",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("target_level_code", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_people_growth_plans_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_growth_plans_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_growth_plans")),
        sa.UniqueConstraint("person_id", name="uq_people_growth_plans_person"),
    )
    with op.batch_alter_table("people_growth_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_growth_plans_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "people_ladder_levels",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("level_code", sa.String(length=64), nullable=False),
        sa.Column("target_level_code", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_people_ladder_levels_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_ladder_levels_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_ladder_levels")),
        sa.UniqueConstraint("person_id", name="uq_people_ladder_levels_person"),
    )
    with op.batch_alter_table("people_ladder_levels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_ladder_levels_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "reviews_participants",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("subject_person_id", sa.Integer(), nullable=False),
        sa.Column("manager_person_id", sa.Integer(), nullable=True),
        sa.Column("performance", sa.String(length=16), nullable=True),
        sa.Column("potential", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["reviews_cycles.id"],
            name=op.f("fk_reviews_participants_cycle_id_reviews_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["manager_person_id"],
            ["persons.id"],
            name=op.f("fk_reviews_participants_manager_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_person_id"],
            ["persons.id"],
            name=op.f("fk_reviews_participants_subject_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_reviews_participants_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_participants")),
        sa.UniqueConstraint("cycle_id", "subject_person_id", name="uq_reviews_participant"),
    )
    with op.batch_alter_table("reviews_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_participants_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reviews_participants_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "people_checkin_meetings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("shared_notes", sa.Text(), nullable=False),
        sa.Column("manager_private_notes", sa.Text(), nullable=False),
        sa.Column("report_private_notes", sa.Text(), nullable=False),
        sa.Column("action_items", sa.JSON(), nullable=False),
        sa.Column("pulse", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["people_checkin_series.id"],
            name=op.f("fk_people_checkin_meetings_series_id_people_checkin_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_checkin_meetings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_checkin_meetings")),
    )
    with op.batch_alter_table("people_checkin_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_checkin_meetings_series_id"), ["series_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_people_checkin_meetings_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "people_growth_items",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("competency_id", sa.String(length=64), nullable=False),
        sa.Column("behaviour_id", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["people_growth_plans.id"],
            name=op.f("fk_people_growth_items_plan_id_people_growth_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_people_growth_items_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_growth_items")),
    )
    with op.batch_alter_table("people_growth_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_growth_items_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_people_growth_items_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "reviews_requests",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("rater_person_id", sa.Integer(), nullable=False),
        sa.Column("rater_group", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["reviews_participants.id"],
            name=op.f("fk_reviews_requests_participant_id_reviews_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_person_id"],
            ["persons.id"],
            name=op.f("fk_reviews_requests_rater_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_reviews_requests_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_requests")),
        sa.UniqueConstraint("participant_id", "rater_person_id", name="uq_reviews_request_rater"),
    )
    with op.batch_alter_table("reviews_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_requests_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reviews_requests_rater_person_id"), ["rater_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reviews_requests_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "reviews_responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("rater_group", sa.String(length=32), nullable=False),
        sa.Column("named_rater_person_id", sa.Integer(), nullable=True),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["named_rater_person_id"],
            ["persons.id"],
            name=op.f("fk_reviews_responses_named_rater_person_id_persons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["reviews_participants.id"],
            name=op.f("fk_reviews_responses_participant_id_reviews_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_reviews_responses_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_responses")),
    )
    with op.batch_alter_table("reviews_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviews_responses_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reviews_responses_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviews_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_responses_participant_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_responses_workspace_id"))
    op.drop_table("reviews_responses")
    with op.batch_alter_table("reviews_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_requests_participant_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_requests_rater_person_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_requests_workspace_id"))
    op.drop_table("reviews_requests")
    with op.batch_alter_table("people_growth_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_growth_items_plan_id"))
        batch_op.drop_index(batch_op.f("ix_people_growth_items_workspace_id"))
    op.drop_table("people_growth_items")
    with op.batch_alter_table("people_checkin_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_checkin_meetings_series_id"))
        batch_op.drop_index(batch_op.f("ix_people_checkin_meetings_workspace_id"))
    op.drop_table("people_checkin_meetings")
    with op.batch_alter_table("reviews_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_participants_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_participants_workspace_id"))
    op.drop_table("reviews_participants")
    with op.batch_alter_table("people_ladder_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_ladder_levels_workspace_id"))
    op.drop_table("people_ladder_levels")
    with op.batch_alter_table("people_growth_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_growth_plans_workspace_id"))
    op.drop_table("people_growth_plans")
    with op.batch_alter_table("people_checkin_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_checkin_series_report_person_id"))
        batch_op.drop_index(batch_op.f("ix_people_checkin_series_workspace_id"))
    op.drop_table("people_checkin_series")
    with op.batch_alter_table("people_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_assessments_person_id"))
        batch_op.drop_index(batch_op.f("ix_people_assessments_workspace_id"))
    op.drop_table("people_assessments")
    with op.batch_alter_table("reviews_cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_cycles_workspace_id"))
    op.drop_table("reviews_cycles")
    with op.batch_alter_table("people_ladders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_ladders_workspace_id"))
    op.drop_table("people_ladders")
