"""Masker.mask: configured fields digested in a copy; the request itself never changes."""

from __future__ import annotations

import copy

from service.decisions.masking import Masker

MASKER = Masker(
    salt=b"s" * 32, paths=("context.organization", "workload.name", "workload.model.name")
)


def _request() -> dict[str, object]:
    return {
        "workload": {"name": "legal-qa", "model": {"name": "qwen2.5-7b", "params_b": 7.6}},
        "context": {"organization": "example-bank", "sector": "finance", "tags": ["a"]},
        "extra": {"organization": "not a masked path"},
    }


def test_masked_fields_are_digests_and_the_request_is_left_as_it_was() -> None:
    request = _request()
    before = copy.deepcopy(request)
    masked, done = MASKER.mask(request)
    assert request == before
    assert done == ["context.organization", "workload.name", "workload.model.name"]
    assert masked == {
        "workload": {
            "name": MASKER.digest("legal-qa"),
            "model": {"name": MASKER.digest("qwen2.5-7b"), "params_b": 7.6},
        },
        "context": {
            "organization": MASKER.digest("example-bank"),
            "sector": "finance",
            "tags": ["a"],
        },
        "extra": {"organization": "not a masked path"},
    }


def test_absent_empty_and_non_text_fields_are_left_alone() -> None:
    request = {"workload": {"name": ""}, "context": {"organization": 7}}
    masked, done = MASKER.mask(request)
    assert (masked, done) == ({"workload": {"name": ""}, "context": {"organization": 7}}, [])
    assert MASKER.mask({"context": None}) == ({"context": None}, [])
