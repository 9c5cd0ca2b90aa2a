"""Exception log: approved exceptions and their revocations (append-only, own hash chain).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Append-only like the decision log: a waiver that can be edited afterwards proves nothing.
_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION tiergate_refuse_exception_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'exception_entries is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER exception_entries_append_only
  BEFORE UPDATE OR DELETE ON exception_entries
  FOR EACH ROW EXECUTE FUNCTION tiergate_refuse_exception_change();
CREATE TRIGGER exception_entries_no_truncate
  BEFORE TRUNCATE ON exception_entries
  FOR EACH STATEMENT EXECUTE FUNCTION tiergate_refuse_exception_change();
"""


def upgrade() -> None:
    op.create_table(
        "exception_entries",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("exception_id", sa.String(36), nullable=False),
        sa.Column("revokes", sa.String(36), nullable=True),
        sa.Column("rule_id", sa.String(128), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_exception_entries_id", "exception_entries", ["id"], unique=True)
    op.create_index("ix_exception_entries_hash", "exception_entries", ["hash"], unique=True)
    op.create_index("ix_exception_entries_revokes", "exception_entries", ["revokes"], unique=True)
    for column in ("exception_id", "rule_id", "expires_at"):
        op.create_index(f"ix_exception_entries_{column}", "exception_entries", [column])
    op.create_table(
        "exception_chain_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(
        sa.text("INSERT INTO exception_chain_head (id, seq, hash) VALUES (1, 0, :h)").bindparams(
            h="0" * 64
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS exception_entries_no_truncate ON exception_entries")
        op.execute("DROP TRIGGER IF EXISTS exception_entries_append_only ON exception_entries")
        op.execute("DROP FUNCTION IF EXISTS tiergate_refuse_exception_change()")
    op.drop_table("exception_chain_head")
    op.drop_table("exception_entries")
