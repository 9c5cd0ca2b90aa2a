"""Policy revision archive: the files behind every revision the service served (append-only).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Append-only like the decision log: the archive is what proves which policy decided a record.
_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION tiergate_refuse_revision_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'policy_revisions is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER policy_revisions_append_only
  BEFORE UPDATE OR DELETE ON policy_revisions
  FOR EACH ROW EXECUTE FUNCTION tiergate_refuse_revision_change();
CREATE TRIGGER policy_revisions_no_truncate
  BEFORE TRUNCATE ON policy_revisions
  FOR EACH STATEMENT EXECUTE FUNCTION tiergate_refuse_revision_change();
"""


def upgrade() -> None:
    op.create_table(
        "policy_revisions",
        sa.Column("revision", sa.String(64), primary_key=True),
        sa.Column("first_served_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rule_count", sa.Integer(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
    )
    op.create_index("ix_policy_revisions_first_served_at", "policy_revisions", ["first_served_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS policy_revisions_no_truncate ON policy_revisions")
        op.execute("DROP TRIGGER IF EXISTS policy_revisions_append_only ON policy_revisions")
        op.execute("DROP FUNCTION IF EXISTS tiergate_refuse_revision_change()")
    op.drop_index("ix_policy_revisions_first_served_at", table_name="policy_revisions")
    op.drop_table("policy_revisions")
