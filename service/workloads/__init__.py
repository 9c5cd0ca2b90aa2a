"""The workload request model shared by sizing and decisions, and the known-model registry."""

from service.workloads.architecture import Architecture, MoE
from service.workloads.models import (
    Attention,
    ModelSpec,
    Optimizer,
    Precision,
    QuantMethod,
    QuantScope,
    Recomputation,
    Serving,
    Task,
    Workload,
)
from service.workloads.registry import KnownModel, known_model, known_models

__all__ = [
    "Architecture",
    "Attention",
    "KnownModel",
    "MoE",
    "ModelSpec",
    "Optimizer",
    "Precision",
    "QuantMethod",
    "QuantScope",
    "Recomputation",
    "Serving",
    "Task",
    "Workload",
    "known_model",
    "known_models",
]
