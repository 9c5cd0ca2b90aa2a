"""Alembic environment: runs on the connection service.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import service.audit.tables
import service.auth.tables
import service.decisions.tables
import service.exceptions.tables  # noqa: F401 - the tables this schema manages

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata)
with context.begin_transaction():
    context.run_migrations()
