"""The auditor's web UI under /ui/: server-rendered (Jinja2), no scripts, Chinese by default."""
