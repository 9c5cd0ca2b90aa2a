"""Audit events: who read or changed what in the log (append-only)."""
