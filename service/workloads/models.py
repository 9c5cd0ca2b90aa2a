"""The workload request model (public contract: openapi/openapi.json; docs/architecture.md).

`Workload` is the public request shape shared by `POST /v1/sizing` and `POST /v1/decisions`.
Only `model.params_b` (or a known `model.name`, see `service.workloads.registry`) and `task` are
required; every other field has a documented default. Bad input fails validation with a 422 that
names the field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from service.workloads.architecture import STRICT, Architecture
from service.workloads.registry import known_model, known_models


class Task(StrEnum):
    inference = "inference"
    lora = "lora"
    qlora = "qlora"
    freeze = "freeze"
    full_finetune = "full_finetune"
    pretrain = "pretrain"


class Precision(StrEnum):
    fp32 = "fp32"
    bf16 = "bf16"
    fp16 = "fp16"
    fp8 = "fp8"
    int8 = "int8"
    int4 = "int4"


class Optimizer(StrEnum):
    adamw = "adamw"
    adamw_8bit = "adamw_8bit"
    paged_adamw_32bit = "paged_adamw_32bit"
    paged_adamw_8bit = "paged_adamw_8bit"
    sgd = "sgd"
    adafactor = "adafactor"
    lion = "lion"


class QuantMethod(StrEnum):
    """How a frozen or served base is quantised; decides the bits of constants per weight."""

    bnb_nf4 = "bnb_nf4"
    bnb_fp4 = "bnb_fp4"
    bnb_int8 = "bnb_int8"
    gptq = "gptq"
    awq = "awq"
    fp8 = "fp8"
    mlc_group = "mlc_group"  # MLC LLM q{3,4}f16_1: one fp16 scale per group, no zero point


class QuantScope(StrEnum):
    """Which weights a quantised base stores at k bits; the rest stay 16-bit.

    blocks: the transformer blocks' linear layers only — the input embedding and the output
      head stay 16-bit (Hugging Face transformers' bitsandbytes/GPTQ/AWQ integrations skip the
      head: `get_keys_to_not_convert`; vLLM/SGLang FP8 checkpoints).
    blocks_and_head: every nn.Linear, the output head included (Lightning
      `BitsandbytesPrecision`, which LitGPT uses, replaces each Linear unless `ignore_modules`).
    all: the embedding too (MLC LLM q4f16_1: `quantize_embedding=True, quantize_final_fc=True`).
    """

    blocks = "blocks"
    blocks_and_head = "blocks_and_head"
    all = "all"


class Attention(StrEnum):
    """flash and sdpa (PyTorch's fused kernels) never materialise the s×s scores; eager does."""

    flash = "flash"
    sdpa = "sdpa"
    eager = "eager"


class Recomputation(StrEnum):
    none = "none"
    selective = "selective"
    full = "full"


class ModelSpec(BaseModel):
    model_config = STRICT

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Model name; a known name (GET /v1/sizing/models) fills params_b and "
        "architecture.",
    )
    params_b: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Total parameters in billions (MoE: all experts). Required unless the name "
        "is known.",
    )
    architecture: Architecture | None = Field(
        default=None, description="Transformer shape; derived from params_b when absent."
    )

    @model_validator(mode="after")
    def _params_or_known_name(self) -> Self:
        if self.params_b is None and (self.name is None or known_model(self.name) is None):
            raise ValueError(
                "model.params_b is required unless model.name is a known model "
                f"({', '.join(sorted(known_models()))})"
            )
        moe = self.architecture.moe if self.architecture else None
        total = self.params_b
        if total is None and self.name is not None:
            found = known_model(self.name)
            total = found.params_b if found else None
        active = moe.active_params_b if moe else None
        if active is not None and total is not None and active > total:
            raise ValueError("architecture.moe.active_params_b must not exceed params_b")
        return self


class Serving(BaseModel):
    model_config = STRICT

    concurrent_sequences: int = Field(
        default=1, ge=1, le=1_000_000, description="Sequences decoded at once (KV cache)."
    )
    context_len: int = Field(
        default=4096, ge=1, le=10_000_000, description="Tokens per sequence (prompt + output)."
    )
    prompt_len: int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description="Prompt tokens prefilled per request (TTFT). Default: context_len − "
        "output_len, else half the context.",
    )
    output_len: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Tokens generated per request."
    )
    prefill_chunk_tokens: int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description="Prompt tokens run in one prefill forward (vLLM max_num_batched_tokens, "
        "SGLang chunked_prefill_size); the prompt length for an unchunked prefill (Hugging "
        "Face generate). Default 8192.",
    )
    kv_cache_precision: Precision | None = Field(
        default=None,
        description="KV cache dtype (vLLM --kv-cache-dtype, SGLang --kv-cache-dtype). Default "
        "'auto' as both engines read it: the activation dtype — bf16 (fp16, fp32 when the "
        "workload's precision is that), also for fp8/int8/int4 weight-quantised models.",
    )
    ttft_ms: float | None = Field(
        default=None, gt=0, le=1e7, description="Target time to first token; plans must meet it."
    )
    tpot_ms: float | None = Field(
        default=None,
        gt=0,
        le=1e7,
        description="Target time per output token (decode step); plans must meet it.",
    )

    @model_validator(mode="after")
    def _lengths_fit_context(self) -> Self:
        used = (self.prompt_len or 0) + (self.output_len or 0)
        if used > self.context_len:
            raise ValueError(
                f"prompt_len + output_len = {used} exceeds context_len {self.context_len}"
            )
        return self

    @property
    def prefill_tokens(self) -> int:
        if self.prompt_len is not None:
            return self.prompt_len
        if self.output_len is not None:
            return max(1, self.context_len - self.output_len)
        return max(1, self.context_len // 2)


Name = Annotated[str, Field(min_length=1, max_length=200)]
LoraModule = Literal["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# Other frameworks' names for the same linears (LitGPT lora_query/key/value/projection/mlp).
LORA_MODULE_ALIASES: dict[str, tuple[str, ...]] = {
    "query": ("q_proj",),
    "key": ("k_proj",),
    "value": ("v_proj",),
    "projection": ("o_proj",),
    "mlp": ("gate_proj", "up_proj", "down_proj"),
}


def _lora_aliases(value: object) -> object:
    if isinstance(value, list):
        return [m for item in value for m in LORA_MODULE_ALIASES.get(str(item), (item,))]
    return value


LoraTargets = Annotated[
    Literal["attention", "all_linear"] | list[LoraModule] | None, BeforeValidator(_lora_aliases)
]
ATTENTION_MODULES: tuple[LoraModule, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
ALL_LINEAR_MODULES: tuple[LoraModule, ...] = (
    *ATTENTION_MODULES,
    "gate_proj",
    "up_proj",
    "down_proj",
)


class Workload(BaseModel):
    """What will be trained or served (the request shape in openapi/openapi.json)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name | None = Field(default=None, description="Free-text workload name.")
    model: ModelSpec = Field(description="The model: params_b or a known name is required.")
    task: Task = Field(description="inference, lora, qlora, freeze, full_finetune or pretrain.")
    precision: Precision = Field(
        default=Precision.bf16,
        description="Compute/storage dtype of the weights. int8/int4 only for inference.",
    )
    quantization_bits: int | None = Field(
        default=None,
        ge=2,
        le=8,
        description="Bits of the quantised frozen base (qlora default 4; inference: implied by "
        "int8/int4 precision, or weight-only quantisation of a bf16/fp16 model).",
    )
    quantization_method: QuantMethod | None = Field(
        default=None,
        description="Quantisation method of the base (decides the constants stored per weight). "
        "Default: bnb_nf4 for qlora (bnb_int8 at 8 bits), awq for int4 inference, bnb_int8 for "
        "int8 inference, fp8 for fp8 inference. mlc_group: MLC LLM group quantisation "
        "(q4f16_1, q3f16_1): one fp16 scale per group, no zero point.",
    )
    quantization_group_size: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Weights per quantisation block/group. Default: bitsandbytes 64, GPTQ/AWQ "
        "128, MLC 32.",
    )
    quantization_scope: QuantScope | None = Field(
        default=None,
        description="Which weights are quantised: blocks (the transformer blocks' linears; "
        "embedding and output head stay 16-bit — Hugging Face transformers, PEFT, vLLM), "
        "blocks_and_head (every linear layer, the output head too — LitGPT/Lightning "
        "bitsandbytes), all (the embedding too — MLC LLM). Default: all for mlc_group, else "
        "blocks.",
    )
    double_quant: StrictBool | None = Field(
        default=None,
        description="bitsandbytes 4-bit double quantisation of the constants (QLoRA §3). "
        "Default true for qlora (the QLoRA recipe), false otherwise.",
    )
    dequant_dtype: Precision | None = Field(
        default=None,
        description="bitsandbytes 4-bit: the dtype the base was quantised from, which the quant "
        "state keeps and dequantize_4bit returns (fp16 under Lightning/LitGPT's "
        "BitsandbytesPrecision; the load torch_dtype under Hugging Face). A multi-token matmul "
        "dequantises one weight to it and casts to the compute dtype when they differ. Default: "
        "the compute dtype.",
    )
    attention: Attention = Field(
        default=Attention.flash,
        description="Attention kernel: flash/sdpa keep no s×s scores; eager stores them "
        "(Korthikanti et al. 2022, the 5as/h term).",
    )
    optimizer: Optimizer = Field(default=Optimizer.adamw, description="Optimizer (training).")
    optimizer_in_backward: StrictBool = Field(
        default=False,
        description="Step the optimizer inside backward (per parameter, as gradients appear): "
        "no whole gradient buffer is held (LOMO / torchtune optimizer_in_bwd).",
    )
    master_weights: StrictBool = Field(
        default=True,
        description="Keep an fp32 master copy (mixed precision). False = pure bf16/fp16 training.",
    )
    activation_checkpointing: Recomputation | None = Field(
        default=None,
        description="Activation recomputation (Korthikanti et al. 2022). Default: full for "
        "fine-tuning (LLaMA-Factory/PEFT default), selective for pretraining (Megatron-LM).",
    )
    seq_len: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Training sequence length. Default 2048."
    )
    loss_chunks: int | None = Field(
        default=None,
        ge=1,
        le=65_536,
        description="Cross-entropy computed over this many sequence chunks (torchtune "
        "CEWithChunkedOutputLoss, 8 chunks, with torch.compile): the logits stay in the compute "
        "dtype and one chunk at a time is upcast to fp32. Default: one fp32 logits tensor "
        "(4·s·b·V bytes).",
    )
    micro_batch_size: int = Field(
        default=1, ge=1, le=65_536, description="Sequences per device per step."
    )
    global_batch_size: int | None = Field(
        default=None, ge=1, le=100_000_000, description="Sequences per optimizer step."
    )
    train_tokens: float | None = Field(
        default=None,
        gt=0,
        le=1e16,
        description="Tokens processed in training (all epochs). Without it no time is estimated.",
    )
    lora_rank: int = Field(default=8, ge=1, le=65_536, description="LoRA rank (lora/qlora).")
    lora_target_modules: LoraTargets = Field(
        default=None,
        description="Adapted linears: attention (q,k,v,o), all_linear, or a list of q_proj, "
        "k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (LitGPT's query, key, value, "
        "projection, mlp are read as those). Default all_linear (LLaMA-Factory lora_target: "
        "all).",
    )
    serving: Serving = Field(default_factory=Serving, description="Serving shape (inference).")
    deadline_hours: float | None = Field(
        default=None,
        gt=0,
        le=100_000,
        description="Wall-clock target; plans scale out to meet it when they can.",
    )

    @field_validator("quantization_scope")
    @classmethod
    def _scope_needs_a_quantised_base(
        cls, scope: QuantScope | None, info: ValidationInfo
    ) -> QuantScope | None:
        """Validated here, after the fields it reads, so the 422 names quantization_scope."""
        if scope is None:
            return scope
        task, precision = info.data.get("task"), info.data.get("precision")
        quantised = task is Task.qlora or (
            task is Task.inference
            and (
                info.data.get("quantization_bits") is not None
                or info.data.get("quantization_method") is not None
                or precision in (Precision.int8, Precision.int4, Precision.fp8)
            )
        )
        if not quantised:
            raise ValueError(
                "applies to a quantised base only (qlora, or inference with quantization_bits, "
                "quantization_method or an int8/int4/fp8 precision)"
            )
        return scope

    @field_validator("dequant_dtype")
    @classmethod
    def _dequant_dtype_is_bnb_4bit(
        cls, dtype: Precision | None, info: ValidationInfo
    ) -> Precision | None:
        if dtype is None:
            return dtype
        if dtype not in (Precision.fp32, Precision.bf16, Precision.fp16):
            raise ValueError("must be fp32, bf16 or fp16 (a dtype a weight is quantised from)")
        method = info.data.get("quantization_method")
        bnb_4bit = (QuantMethod.bnb_nf4, QuantMethod.bnb_fp4)
        if method not in bnb_4bit and not (method is None and info.data.get("task") is Task.qlora):
            raise ValueError(
                "applies to bitsandbytes 4-bit bases only (quantization_method bnb_nf4 or "
                "bnb_fp4, or qlora's default)"
            )
        return dtype

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        quantised = self.precision in (Precision.int8, Precision.int4)
        if quantised and self.task is not Task.inference:
            raise ValueError(
                "precision int8/int4 is for inference; use task qlora with quantization_bits "
                "to fine-tune a quantised base"
            )
        implied = {Precision.int8: 8, Precision.int4: 4}.get(self.precision)
        if implied is not None and self.quantization_bits not in (None, implied):
            raise ValueError(
                f"quantization_bits={self.quantization_bits} contradicts precision "
                f"{self.precision.value}"
            )
        method = self.quantization_method
        if method is not None and self.task not in (Task.qlora, Task.inference):
            raise ValueError("quantization_method applies to qlora and inference only")
        if method is QuantMethod.fp8 and self.task is Task.qlora:
            raise ValueError("quantization_method fp8 is for inference; qlora uses bitsandbytes")
        if self.double_quant and method not in (None, QuantMethod.bnb_nf4, QuantMethod.bnb_fp4):
            raise ValueError("double_quant applies to bitsandbytes 4-bit (bnb_nf4, bnb_fp4) only")
        if method is QuantMethod.mlc_group and self.task is Task.qlora:
            raise ValueError("quantization_method mlc_group is for inference (MLC LLM)")
        return self

    @property
    def lora_modules(self) -> tuple[LoraModule, ...]:
        target = self.lora_target_modules
        if target is None or target == "all_linear":
            return ALL_LINEAR_MODULES
        if target == "attention":
            return ATTENTION_MODULES
        return tuple(dict.fromkeys(target))
