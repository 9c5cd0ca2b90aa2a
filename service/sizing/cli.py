"""`tiergate size …`: the sizing engine on the command line, as rich tables (or JSON)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from service.errors import TiergateError
from service.settings import get_settings
from service.sizing.catalog import load_catalog
from service.sizing.memory import Accounting, Offload
from service.sizing.models import MemoryBreakdown, Plan, SizingResult
from service.sizing.service import size
from service.workloads.models import Optimizer, Precision, Recomputation, Task, Workload


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1e6:
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def _breakdown_table(job: MemoryBreakdown, device: MemoryBreakdown) -> Table:
    table = Table(title="Memory (GB = 10^9 bytes)")
    table.add_column("component")
    table.add_column("whole job", justify="right")
    table.add_column("per device", justify="right")
    for name in ("weights", "gradients", "optimizer_states", "activations", "kv_cache", "overhead"):
        table.add_row(name, _fmt(getattr(job, name), 2), _fmt(getattr(device, name), 2))
    table.add_row("[bold]total[/bold]", _fmt(job.total, 2), _fmt(device.total, 2))
    return table


def _options_table(result: SizingResult, top: int) -> Table:
    table = Table(title=f"Plans ({len(result.options)} feasible, cheapest first)")
    for col in (
        "accelerator",
        "count",
        "nodes",
        "dp×tp×pp",
        "ZeRO",
        "offload",
        "GB/device",
        "hours",
        "GPU-hours",
        "USD",
        "tok/s",
        "TPOT ms",
        "bound by",
    ):
        table.add_column(col, justify="left" if col == "accelerator" else "right")
    for option in result.options[:top]:
        par = option.parallelism
        table.add_row(
            option.accelerator,
            str(option.count),
            str(option.nodes),
            f"{par.dp}×{par.tp}×{par.pp}",
            str(par.zero_stage),
            option.offload.value,
            f"{option.memory_per_device_gb:.1f}/{option.device_memory_gb:g}",
            _fmt(option.estimated_hours),
            _fmt(option.gpu_hours, 0),
            _fmt(option.cost_usd, 0),
            _fmt(option.decode_tokens_per_s, 0),
            _fmt(option.tpot_ms, 2),
            option.binding_constraint.value if option.binding_constraint else "—",
        )
    return table


def _assumption_lines(result: SizingResult) -> list[str]:
    a = result.assumptions
    bpp = a.bytes_per_param
    arch = a.architecture
    lines = [
        f"accounting: {a.accounting.value}; bytes/param trainable: weights {bpp.weights:g} + "
        f"grads {bpp.fp32_gradients or bpp.gradients:g} + optimizer {bpp.optimizer_states:g} "
        f"= {bpp.trainable_total:g}; frozen weights {bpp.frozen_weights:g}",
        f"recomputation: {a.recomputation}; seq_len {a.seq_len}; micro-batch {a.micro_batch_size}",
        f"architecture ({arch.source}): L={arch.layers} h={arch.hidden_size} "
        f"heads={arch.attention_heads}/{arch.kv_heads} kv, vocab={arch.vocab_size}"
        + (f"; derived: {', '.join(arch.derived_fields)}" if arch.derived else ""),
        f"MFU: {_fmt(a.mfu, 3) if a.mfu is not None else '—'}, HFU: "
        f"{_fmt(a.hfu, 3) if a.hfu is not None else '—'} ({a.mfu_source}); "
        f"train FLOPs: {_fmt(result.train_flops)}",
    ]
    return lines + a.notes[:6]


def size_command(
    params_b: Annotated[float | None, typer.Option(help="Total parameters, billions.")] = None,
    model: Annotated[str | None, typer.Option(help="Known model name, e.g. qwen2.5-7b.")] = None,
    task: Annotated[Task, typer.Option(help="What to do with the model.")] = Task.lora,
    precision: Annotated[Precision, typer.Option()] = Precision.bf16,
    quantization_bits: Annotated[int | None, typer.Option()] = None,
    optimizer: Annotated[Optimizer, typer.Option()] = Optimizer.adamw,
    master_weights: Annotated[bool, typer.Option()] = True,
    checkpointing: Annotated[Recomputation | None, typer.Option()] = None,
    seq_len: Annotated[int | None, typer.Option()] = None,
    micro_batch_size: Annotated[int, typer.Option()] = 1,
    train_tokens: Annotated[float | None, typer.Option(help="e.g. 2e9")] = None,
    lora_rank: Annotated[int, typer.Option()] = 8,
    concurrent_sequences: Annotated[int, typer.Option()] = 1,
    context_len: Annotated[int, typer.Option()] = 4096,
    deadline_hours: Annotated[float | None, typer.Option()] = None,
    accelerator: Annotated[str | None, typer.Option(help="Fix a plan on this accelerator.")] = None,
    count: Annotated[
        int | None, typer.Option(help="Fixed plan: device count (searched when omitted).")
    ] = None,
    tp: Annotated[int, typer.Option()] = 1,
    pp: Annotated[int, typer.Option()] = 1,
    zero_stage: Annotated[int, typer.Option()] = 0,
    offload: Annotated[Offload, typer.Option()] = Offload.none,
    mfu: Annotated[float | None, typer.Option()] = None,
    accounting: Annotated[Accounting, typer.Option()] = Accounting.framework,
    top: Annotated[int, typer.Option(help="Options to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON result.")] = False,
) -> None:
    """Size a workload: memory breakdown, time and the cheapest plans per accelerator."""
    console = Console()
    body: dict[str, Any] = {
        "model": {"name": model, "params_b": params_b},
        "task": task,
        "precision": precision,
        "quantization_bits": quantization_bits,
        "optimizer": optimizer,
        "master_weights": master_weights,
        "activation_checkpointing": checkpointing,
        "seq_len": seq_len,
        "micro_batch_size": micro_batch_size,
        "train_tokens": train_tokens,
        "lora_rank": lora_rank,
        "serving": {"concurrent_sequences": concurrent_sequences, "context_len": context_len},
        "deadline_hours": deadline_hours,
    }
    try:
        workload = Workload.model_validate(body)
        plan = None
        if accelerator is not None or count is not None:
            degrees: dict[str, Any] = {"tp": tp, "pp": pp, "zero_stage": zero_stage}
            degrees["offload"] = offload
            if count is None and accelerator is not None:
                # Count searched: pin only the degrees given on the command line.
                defaults = {"tp": 1, "pp": 1, "zero_stage": 0, "offload": Offload.none}
                degrees = {k: v for k, v in degrees.items() if v != defaults[k]}
            plan = Plan(
                accelerator=accelerator,
                count=count if count is not None or accelerator is not None else tp * pp,
                mfu=mfu,
                **degrees,
            )
        result = size(
            workload,
            plan,
            catalog=load_catalog(get_settings().policies_dir),
            accounting=accounting,
        )
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            console.print(f"[red]invalid input[/red] {loc}: {err['msg']}")
        raise typer.Exit(2) from None
    except TiergateError as exc:
        console.print(f"[red]{exc.code}[/red] {exc.field or ''}: {exc.message}")
        raise typer.Exit(2) from None

    if as_json:
        console.print_json(result.model_dump_json())
        return
    console.print(_breakdown_table(result.memory_gb, result.per_device_gb))
    if result.options:
        console.print(_options_table(result, top))
    verdict = {True: "[green]fits[/green]", False: "[red]does not fit[/red]", None: "—"}
    console.print(f"{verdict[result.fits]}: {result.reason}")
    if result.host_memory_gb is not None:
        console.print(f"host RAM per node: {result.host_memory_gb:,.1f} GB")
    for line in _assumption_lines(result):
        console.print(f"• {line}")
    if result.fits is False:
        raise typer.Exit(1)
