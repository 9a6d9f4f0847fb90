"""feedback: merged items, dismissed duplicate pairs, kinds set by hand, the workspace's own taxonomy

Revision ID: feedback_0003
Revises: feedback_0001

* ``feedback.merged_into_id``: a merged item keeps its row (nothing is lost) and points at its survivor.
  On SQLite the column is added with a plain ``ALTER TABLE ... ADD COLUMN ... REFERENCES`` (SQLite allows a
  foreign key on an added nullable column); a batch "move and copy" would drop the full-text-search triggers
  that revision foundation_0002 put on the feedback table.
* ``feedback_duplicate_dismissals``, ``feedback_kind_overrides``: human decisions re-analysis never overwrites.
* ``feedback_categories``, ``feedback_labels``, ``feedback_taxonomy_models`` (the trained model as a blob),
  ``feedback_predictions``.
* indexes on ``feedback_analysis`` (workspace, kind) and (workspace, sentiment) for the inbox filters.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0003"
down_revision = "feedback_0001"
branch_labels = None
depends_on = None


SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS feedback_fts_insert AFTER INSERT ON feedback BEGIN "
    "INSERT INTO feedback_fts(rowid, text, title) VALUES (new.id, new.text, new.title); END",
    "CREATE TRIGGER IF NOT EXISTS feedback_fts_delete AFTER DELETE ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text, title) VALUES ('delete', old.id, old.text, old.title); END",
    "CREATE TRIGGER IF NOT EXISTS feedback_fts_update AFTER UPDATE OF text, title ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text, title) VALUES ('delete', old.id, old.text, old.title); "
    "INSERT INTO feedback_fts(rowid, text, title) VALUES (new.id, new.text, new.title); END",
)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE feedback ADD COLUMN merged_into_id INTEGER "
            "CONSTRAINT fk_feedback_merged_into_id_feedback REFERENCES feedback (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("feedback", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_feedback_merged_into_id_feedback"),
            "feedback",
            "feedback",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index(op.f("ix_feedback_merged_into_id"), "feedback", ["merged_into_id"], unique=False)
    # the inbox's kind and sentiment filters read the analysis table by workspace
    op.create_index("ix_feedback_analysis_workspace_kind", "feedback_analysis", ["workspace_id", "kind"])
    op.create_index(
        "ix_feedback_analysis_workspace_sentiment", "feedback_analysis", ["workspace_id", "sentiment"]
    )

    op.create_table(
        "feedback_duplicate_dismissals",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _workspace_fk("feedback_duplicate_dismissals"),
        _fk("feedback_duplicate_dismissals", "first_id", "feedback", "CASCADE"),
        _fk("feedback_duplicate_dismissals", "second_id", "feedback", "CASCADE"),
        _fk("feedback_duplicate_dismissals", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_duplicate_dismissals")),
        sa.UniqueConstraint("first_id", "second_id", name="uq_feedback_duplicate_dismissals_pair"),
    )
    op.create_index(
        op.f("ix_feedback_duplicate_dismissals_workspace_id"),
        "feedback_duplicate_dismissals",
        ["workspace_id"],
    )
    op.create_index(
        op.f("ix_feedback_duplicate_dismissals_second_id"), "feedback_duplicate_dismissals", ["second_id"]
    )

    op.create_table(
        "feedback_kind_overrides",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("feedback_kind_overrides"),
        _fk("feedback_kind_overrides", "feedback_id", "feedback", "CASCADE"),
        _fk("feedback_kind_overrides", "set_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_kind_overrides")),
    )
    op.create_index(
        op.f("ix_feedback_kind_overrides_workspace_id"), "feedback_kind_overrides", ["workspace_id"]
    )

    op.create_table(
        "feedback_categories",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("feedback_categories"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_categories")),
        sa.UniqueConstraint("workspace_id", "name", name="uq_feedback_categories_workspace_name"),
    )
    op.create_index(op.f("ix_feedback_categories_workspace_id"), "feedback_categories", ["workspace_id"])

    op.create_table(
        "feedback_labels",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("labelled_by", sa.Integer(), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("feedback_labels"),
        _fk("feedback_labels", "feedback_id", "feedback", "CASCADE"),
        _fk("feedback_labels", "category_id", "feedback_categories", "CASCADE"),
        _fk("feedback_labels", "labelled_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_labels")),
    )
    op.create_index(op.f("ix_feedback_labels_workspace_id"), "feedback_labels", ["workspace_id"])
    op.create_index(
        "ix_feedback_labels_workspace_category", "feedback_labels", ["workspace_id", "category_id"]
    )

    op.create_table(
        "feedback_taxonomy_models",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("labels_used", sa.Integer(), nullable=False),
        sa.Column("held_out", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("confusion", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _workspace_fk("feedback_taxonomy_models"),
        _fk("feedback_taxonomy_models", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_taxonomy_models")),
    )
    op.create_index(
        "ix_feedback_taxonomy_models_workspace_created",
        "feedback_taxonomy_models",
        ["workspace_id", "created_at"],
    )

    op.create_table(
        "feedback_predictions",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("predicted_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("feedback_predictions"),
        _fk("feedback_predictions", "feedback_id", "feedback", "CASCADE"),
        _fk("feedback_predictions", "category_id", "feedback_categories", "CASCADE"),
        _fk("feedback_predictions", "model_id", "feedback_taxonomy_models", "CASCADE"),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_predictions")),
    )
    op.create_index(
        "ix_feedback_predictions_workspace_category", "feedback_predictions", ["workspace_id", "category_id"]
    )
    op.create_index(
        "ix_feedback_predictions_workspace_confidence", "feedback_predictions", ["workspace_id", "confidence"]
    )


def downgrade() -> None:
    op.drop_table("feedback_predictions")
    op.drop_table("feedback_taxonomy_models")
    op.drop_table("feedback_labels")
    op.drop_table("feedback_categories")
    op.drop_table("feedback_kind_overrides")
    op.drop_table("feedback_duplicate_dismissals")
    op.drop_index("ix_feedback_analysis_workspace_sentiment", "feedback_analysis")
    op.drop_index("ix_feedback_analysis_workspace_kind", "feedback_analysis")
    op.drop_index(op.f("ix_feedback_merged_into_id"), "feedback")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite cannot drop a column with a foreign key in place: batch mode copies the table, which drops its
        # triggers, so the full-text-search triggers of foundation_0002 are put back afterwards
        with op.batch_alter_table("feedback", recreate="always") as batch_op:
            batch_op.drop_column("merged_into_id")
        has_fts = bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'feedback_fts'").first()
        if has_fts:
            for statement in SQLITE_FTS_TRIGGERS:
                op.execute(statement)
    else:
        op.drop_constraint(op.f("fk_feedback_merged_into_id_feedback"), "feedback", type_="foreignkey")
        op.drop_column("feedback", "merged_into_id")
