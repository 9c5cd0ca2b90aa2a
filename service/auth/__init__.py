"""API keys with roles: who may call what (see access.py for the one table of rules)."""
