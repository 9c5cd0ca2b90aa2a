"""Approved exceptions: dated, scoped, signed waivers of a rule (issue 15)."""
