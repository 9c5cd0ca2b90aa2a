"""The registry of known models: published configs read from `known_models.json`.

Each entry is a name, its total parameter count, an `Architecture` (the same model a caller
sends) and the source of every figure (Hugging Face `config.json` or the paper). It fills what a
caller leaves out; it is not a table of sizing results.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from service.workloads.architecture import Architecture

REGISTRY_PATH = Path(__file__).with_name("known_models.json")


class KnownModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    params_b: float = Field(gt=0)
    architecture: Architecture
    source: str = Field(min_length=1, description="Where the config is published.")
    family: str = Field(
        default="decoder",
        description="decoder, or encoder_decoder (T5: layers = encoder + decoder blocks).",
    )


@cache
def known_models() -> dict[str, KnownModel]:
    entries = TypeAdapter(list[KnownModel]).validate_json(REGISTRY_PATH.read_bytes())
    return {entry.name: entry for entry in entries}


_SUFFIXES = re.compile(r"-(instruct|chat|hf|base|it)$")


def normalize_model_name(name: str) -> str:
    """`Qwen/Qwen2.5-7B-Instruct` → `qwen2.5-7b`; `bigscience/T0_3B` → `t0-3b`."""
    short = name.strip().lower().rsplit("/", 1)[-1].replace("_", "-").replace("meta-", "")
    while True:
        trimmed = _SUFFIXES.sub("", short)
        if trimmed == short:
            return short
        short = trimmed


def known_model(name: str) -> KnownModel | None:
    return known_models().get(normalize_model_name(name))
