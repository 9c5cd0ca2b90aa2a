"""Every public key that has signed decisions, so records stay verifiable after a key rotation
and when several replicas (each with its own key) share one log.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Append-only like the decisions table: a key that signed records is never edited or dropped.
_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION tiergate_refuse_key_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'signing_keys is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER signing_keys_append_only
  BEFORE UPDATE OR DELETE ON signing_keys
  FOR EACH ROW EXECUTE FUNCTION tiergate_refuse_key_change();
CREATE TRIGGER signing_keys_no_truncate
  BEFORE TRUNCATE ON signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION tiergate_refuse_key_change();
"""


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(128), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS signing_keys_no_truncate ON signing_keys")
        op.execute("DROP TRIGGER IF EXISTS signing_keys_append_only ON signing_keys")
        op.execute("DROP FUNCTION IF EXISTS tiergate_refuse_key_change()")
    op.drop_table("signing_keys")
