"""A one-row scratch table for /readyz: the probe commits a write the size of a record here,
so a full or read-only disk shows in readiness as it would in a decision (a rolled-back write
never reaches the disk).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storage_probe",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("storage_probe")
