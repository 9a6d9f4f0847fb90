"""foundation: indexes for large listings (idea sorts, feedback text search)

Revision ID: foundation_0002
Revises: 0001_foundation

* ideas: (workspace_id, feedback_count, id) and (workspace_id, title, id), so the idea list's default sort
  and the title sort read 50 rows from an index instead of sorting every idea of the workspace.
* feedback text search (the inbox ``q``), a case-insensitive substring match:
  - PostgreSQL: pg_trgm GIN indexes on text and title; ``ILIKE '%term%'`` uses them as is.
  - SQLite: an FTS5 table with the trigram tokenizer over text and title (external content, kept in step
    by triggers); ``core.listing`` matches terms of 3+ characters through it.
"""

from __future__ import annotations

from alembic import op

revision = "foundation_0002"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE feedback_fts USING fts5("
    "text, title, content='feedback', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER feedback_fts_insert AFTER INSERT ON feedback BEGIN "
    "INSERT INTO feedback_fts(rowid, text, title) VALUES (new.id, new.text, new.title); END",
    "CREATE TRIGGER feedback_fts_delete AFTER DELETE ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text, title) VALUES ('delete', old.id, old.text, old.title); END",
    "CREATE TRIGGER feedback_fts_update AFTER UPDATE OF text, title ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text, title) VALUES ('delete', old.id, old.text, old.title); "
    "INSERT INTO feedback_fts(rowid, text, title) VALUES (new.id, new.text, new.title); END",
    "INSERT INTO feedback_fts(feedback_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    op.create_index("ix_ideas_workspace_feedback_count", "ideas", ["workspace_id", "feedback_count", "id"])
    op.create_index("ix_ideas_workspace_title", "ideas", ["workspace_id", "title", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_feedback_text_trgm ON feedback USING gin (text gin_trgm_ops)")
        op.execute("CREATE INDEX ix_feedback_title_trgm ON feedback USING gin (title gin_trgm_ops)")
    elif dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_feedback_title_trgm")
        op.execute("DROP INDEX IF EXISTS ix_feedback_text_trgm")
    elif dialect == "sqlite":
        for trigger in ("feedback_fts_insert", "feedback_fts_delete", "feedback_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS feedback_fts")
    op.drop_index("ix_ideas_workspace_title", "ideas")
    op.drop_index("ix_ideas_workspace_feedback_count", "ideas")
