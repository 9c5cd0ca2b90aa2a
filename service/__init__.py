"""tiergate: compliance and deployment-tier policy engine for LLM workloads."""

__version__ = "0.1.0"
