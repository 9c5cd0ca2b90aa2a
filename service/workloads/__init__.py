"""The workload request model shared by sizing and decisions."""

from service.workloads.models import (
    KNOWN_MODELS,
    Architecture,
    KnownModel,
    ModelSpec,
    MoE,
    Optimizer,
    Precision,
    Recomputation,
    Serving,
    Task,
    Workload,
    known_model,
)

__all__ = [
    "KNOWN_MODELS",
    "Architecture",
    "KnownModel",
    "MoE",
    "ModelSpec",
    "Optimizer",
    "Precision",
    "Recomputation",
    "Serving",
    "Task",
    "Workload",
    "known_model",
]
