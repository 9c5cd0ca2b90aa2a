"""Request bodies and project facts the tests build on."""

from __future__ import annotations

from service.settings import PROJECT_ROOT

POLICIES_DIR = PROJECT_ROOT / "policies"
# The pinned OPA version has one definition: the OPA_VERSION file (read by
# scripts/install-tools.sh; tests/test_opa_version.py holds the Dockerfile and README to it).
OPA_VERSION = (PROJECT_ROOT / "OPA_VERSION").read_text(encoding="utf-8").strip()


def decision_request(**context: object) -> dict[str, object]:
    """A small valid POST /v1/decisions body; keyword arguments override context fields."""
    return {
        "workload": {
            "name": "legal-qa",
            "model": {"name": "qwen2.5-7b", "params_b": 7.6},
            "task": "lora",
        },
        "context": {"organization": "example-bank", "sector": "finance", **context},
    }
