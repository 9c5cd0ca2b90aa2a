"""Decision log: decisions (append-only) and the chain head.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# On PostgreSQL the table itself refuses UPDATE and DELETE (append-only audit log); the
# chain head is the one row that moves.
_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION tiergate_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'decisions is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER decisions_append_only
  BEFORE UPDATE OR DELETE ON decisions
  FOR EACH ROW EXECUTE FUNCTION tiergate_refuse_change();
CREATE TRIGGER decisions_no_truncate
  BEFORE TRUNCATE ON decisions
  FOR EACH STATEMENT EXECUTE FUNCTION tiergate_refuse_change();
"""


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sector", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.Column("rule_ids", sa.Text(), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
    )
    op.create_index("ix_decisions_idempotency_key", "decisions", ["idempotency_key"], unique=True)
    op.create_index("ix_decisions_id", "decisions", ["id"], unique=True)
    op.create_index("ix_decisions_hash", "decisions", ["hash"], unique=True)
    for column in ("created_at", "sector", "verdict", "tier", "organization"):
        op.create_index(f"ix_decisions_{column}", "decisions", [column])
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(
        sa.text("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, :h)").bindparams(h="0" * 64)
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decisions_no_truncate ON decisions")
        op.execute("DROP TRIGGER IF EXISTS decisions_append_only ON decisions")
        op.execute("DROP FUNCTION IF EXISTS tiergate_refuse_change()")
    op.drop_table("chain_head")
    op.drop_table("decisions")
