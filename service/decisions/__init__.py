"""Decisions: evaluate a workload against the policies, size it, and keep an auditable record."""
