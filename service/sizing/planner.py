"""Stage 4, plan search: per usable accelerator, the smallest layout that fits with a safety margin
(and meets the serving targets), scaled out for a deadline.

Search order (why): device count ascending (the question is "how many"); within a count, no
offload before offload (CPU optimizer steps are slow), fewer model-parallel ways first and tensor
before pipeline parallel (TP stays inside a node on NVLink-class links), and the lowest ZeRO stage
that fits (less communication). With `deadline_hours`, data parallelism then scales the fitting
layout out until the estimate meets the deadline. Degrees the caller fixes (a plan with an
accelerator but no count) are kept; only the rest is searched.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from service.sizing import footprint
from service.sizing.catalog import Accelerator
from service.sizing.job import Job
from service.sizing.memory import GB, DeviceMemory, Layout, Offload
from service.sizing.timing import Timing, timing

SAFETY_MARGIN_FRACTION = 0.05
MAX_DEVICES = 16_384
# Nodes per job tried in order: whole nodes, in steps of about ×1.5.
_NODE_MULTIPLES: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192)
_NODE_MULTIPLES += (256, 384, 512, 768, 1024, 1536, 2048)


@dataclass(frozen=True, slots=True)
class Fixed:
    """Degrees the caller pinned (None: searched)."""

    tp: int | None = None
    pp: int | None = None
    dp: int | None = None
    cp: int = 1
    ep: int = 1
    zero_stage: int | None = None
    offload: Offload | None = None

    @property
    def count_multiple(self) -> int:
        return (self.tp or 1) * (self.pp or 1) * self.cp * (self.dp or 1)


class Candidate(NamedTuple):
    """A layout on an accelerator with its memory and time (the search's hand-off)."""

    accelerator: Accelerator
    layout: Layout
    memory: DeviceMemory
    timing: Timing


@dataclass(slots=True)
class Rung:
    """The layouts of one (offload, device count) in preference order; `bound`
    (footprint.least_total) is below every one of their totals."""

    offload: Offload
    count: int
    bound: float
    layouts: list[Layout] | None = None  # listed when a part first gets past the bound
    sized: list[DeviceMemory] = field(default_factory=list)  # of the first len(sized) layouts
    floor: float = 0.0  # the smallest total, once a search has sized every layout (0 until then)


class Ladder:
    """The search's rungs in search order (offload, then count), built as far as a part needs
    and shared by every accelerator with the same node size: layouts and their memory do not
    depend on the part, only which of them fit does. A rung whose lower bound exceeds a part's
    memory is passed over without sizing a layout, and within a rung layouts are sized only up
    to the first that fits (a 175B pretraining search sized ~700 layouts, most of them on counts
    too small to hold the model states; now ~360)."""

    def __init__(self, job: Job, node: int, fixed: Fixed, cache: SearchCache) -> None:
        self._job, self._node, self._fixed, self._cache = job, node, fixed, cache
        self._pending = (
            (offload, count)
            for offload in _offloads(job, fixed)
            for count in candidate_counts(node, fixed)
        )
        self._rungs: list[Rung] = []
        self._first: dict[float, tuple[Layout, DeviceMemory] | None] = {}

    def _rung(self, i: int) -> Rung | None:
        while i >= len(self._rungs):
            step = next(self._pending, None)
            if step is None:
                return None
            offload, count = step
            job, fixed = self._job, self._fixed
            tps = [fixed.tp] if fixed.tp else _powers_of_two(min(count // fixed.cp, self._node))
            bound = footprint.least_total(
                job, count=count, tps=tps, offload=offload, cp=fixed.cp, ep=fixed.ep
            )
            self._rungs.append(Rung(offload, count, bound))
        return self._rungs[i]

    def fitting(self, capacity: float) -> Iterator[tuple[Layout, DeviceMemory]]:
        """The layouts whose total is within `capacity`, in search order."""
        job, cache = self._job, self._cache
        i = 0
        while (rung := self._rung(i)) is not None:
            i += 1
            if rung.bound > capacity or rung.floor > capacity:
                continue
            if rung.layouts is None:
                rung.layouts = layouts_for(job, rung.count, self._node, rung.offload, self._fixed)
            smallest = math.inf
            sized = rung.sized
            for j, layout in enumerate(rung.layouts):
                if j < len(sized):
                    mem = sized[j]
                else:
                    mem = memory_of(job, layout, cache)
                    sized.append(mem)
                smallest = min(smallest, mem.total)
                if mem.total <= capacity:
                    yield layout, mem
            rung.floor = smallest

    def first_fitting(self, capacity: float) -> tuple[Layout, DeviceMemory] | None:
        """The first of `fitting(capacity)`, memoised by capacity: parts of the same memory share
        it (the benchmark request's 29 usable parts have 13 capacities: 4.96 -> 4.87 M
        instructions a size())."""
        if capacity in self._first:
            return self._first[capacity]
        found = self._first[capacity] = next(self.fitting(capacity), None)
        return found


@dataclass(slots=True)
class SearchCache:
    """Per-request memo: memory per layout, the search's ladder per (node size, fixed degrees)."""

    memory: dict[Layout, DeviceMemory] = field(default_factory=dict)
    ladders: dict[tuple[int, Fixed], Ladder] = field(default_factory=dict)


def usable_bytes(acc: Accelerator) -> float:
    return (acc.memory_gb or 0.0) * (1.0 - SAFETY_MARGIN_FRACTION) * GB


def memory_of(job: Job, layout: Layout, cache: SearchCache) -> DeviceMemory:
    found = cache.memory.get(layout)
    if found is None:
        found = cache.memory[layout] = footprint.device_memory(job, layout)
    return found


def _powers_of_two(limit: int) -> list[int]:
    out, v = [], 1
    while v <= limit:
        out.append(v)
        v *= 2
    return out


def candidate_counts(devices_per_node: int, fixed: Fixed = Fixed()) -> tuple[int, ...]:
    return _counts(devices_per_node, fixed, MAX_DEVICES)


@lru_cache(maxsize=256)
def _counts(devices_per_node: int, fixed: Fixed, max_devices: int) -> tuple[int, ...]:
    multiple = fixed.count_multiple
    if fixed.dp is not None:
        return (multiple,)
    small = [c for c in (1, 2, 4) if c < devices_per_node]
    counts = small + [
        devices_per_node * k for k in _NODE_MULTIPLES if devices_per_node * k <= max_devices
    ]
    return tuple(c for c in counts if c % multiple == 0)


def layouts_for(job: Job, count: int, node: int, offload: Offload, fixed: Fixed) -> list[Layout]:
    """Layouts of `count` devices in preference order (see module docstring)."""
    pairs: list[tuple[int, int]] = []
    per_cp = count // fixed.cp
    tps = [fixed.tp] if fixed.tp else _powers_of_two(min(per_cp, node))
    for tp in tps:
        if per_cp % tp:
            continue
        pps = [fixed.pp] if fixed.pp else _powers_of_two(min(per_cp // tp, job.arch.layers))
        for pp in pps:
            if (per_cp // tp) % pp == 0:
                pairs.append((tp, pp))
    pairs.sort(key=lambda p: (p[0] * p[1], p[1]))
    out: list[Layout] = []
    for tp, pp in pairs:
        dp = per_cp // (tp * pp)
        if fixed.dp is not None and dp != fixed.dp:
            continue
        if (dp * fixed.cp) % fixed.ep:
            continue
        if not job.training:
            if offload is Offload.none:
                out.append(Layout(dp, tp, pp, 0, offload, fixed.cp, fixed.ep))
            continue
        stages: tuple[int, ...]
        if offload is Offload.none:
            # ZeRO-2/3 do not combine with pipeline parallelism (DeepSpeed pipeline docs;
            # Megatron shards only the optimizer): with pp > 1 stages 0 and 1.
            stages = (0, 1, 2, 3) if dp * fixed.cp > 1 else (0,)
            if pp > 1:
                stages = tuple(z for z in stages if z <= 1)
        elif offload is Offload.optimizer:
            stages = (0, 1, 2, 3) if pp == 1 else ()
        else:
            stages = (3,) if pp == 1 else ()
        if fixed.zero_stage is not None:
            stages = tuple(z for z in stages if z == fixed.zero_stage)
        out.extend(Layout(dp, tp, pp, z, offload, fixed.cp, fixed.ep) for z in stages)
    return out


def _offloads(job: Job, fixed: Fixed) -> tuple[Offload, ...]:
    if fixed.offload is not None:
        return (fixed.offload,)
    if job.training:
        return (Offload.none, Offload.optimizer, Offload.full)
    return (Offload.none,)


def _ladder(job: Job, acc: Accelerator, fixed: Fixed, cache: SearchCache) -> Ladder:
    key = (acc.devices_per_node, fixed)
    ladder = cache.ladders.get(key)
    if ladder is None:
        ladder = cache.ladders[key] = Ladder(job, acc.devices_per_node, fixed, cache)
    return ladder


def fit_at_count(
    job: Job,
    acc: Accelerator,
    count: int,
    *,
    fixed: Fixed,
    cache: SearchCache | None = None,
    mfu: float | None = None,
) -> Candidate | None:
    """A plan that pins the count: the first fitting layout of exactly `count` devices in search
    order, the degrees the caller gave kept. Offload is taken as given, never searched: moving
    states to host RAM changes the job asked about. None when no layout of that count fits."""
    cache = cache if cache is not None else SearchCache()
    capacity = usable_bytes(acc)
    offload = fixed.offload or Offload.none
    for layout in layouts_for(job, count, acc.devices_per_node, offload, fixed):
        mem = memory_of(job, layout, cache)
        if mem.total > capacity:
            continue
        found = timing(job, acc, layout, mem, mfu)
        if job.training or found.meets_serving_targets(job):
            return Candidate(acc, layout, mem, found)
    return None


def smallest_fit(
    job: Job,
    acc: Accelerator,
    *,
    fixed: Fixed = Fixed(),
    cache: SearchCache | None = None,
    mfu: float | None = None,
) -> Candidate | None:
    """The first fitting layout in search order that meets the serving targets (`mfu`: the
    caller's override of the utilisation prior)."""
    cache = cache if cache is not None else SearchCache()
    ladder, capacity = _ladder(job, acc, fixed, cache), usable_bytes(acc)
    if job.training:  # no serving targets: the first fitting layout is the one
        first = ladder.first_fitting(capacity)
        if first is None:
            return None
        layout, mem = first
        found = timing(job, acc, layout, mem, mfu)
        return scale_for_deadline(job, Candidate(acc, layout, mem, found), cache, mfu)
    for layout, mem in ladder.fitting(capacity):
        found = timing(job, acc, layout, mem, mfu)
        if found.meets_serving_targets(job):
            return scale_for_deadline(job, Candidate(acc, layout, mem, found), cache, mfu)
    return None


def scale_for_deadline(
    job: Job, best: Candidate, cache: SearchCache, mfu: float | None = None
) -> Candidate:
    """Grow data parallelism over the candidate counts until the deadline is met (if ever)."""
    deadline = job.workload.deadline_hours
    hours = best.timing.hours
    if deadline is None or hours is None or hours <= deadline:
        return best
    layout, acc = best.layout, best.accelerator
    mp = layout.tp * layout.pp * layout.cp
    capacity = usable_bytes(acc)
    for count in candidate_counts(acc.devices_per_node):
        if count <= layout.count or count % mp:
            continue
        dp = count // mp
        if (dp * layout.cp) % layout.ep:
            continue
        candidate = Layout(
            dp, layout.tp, layout.pp, layout.zero_stage, layout.offload, layout.cp, layout.ep
        )
        mem = memory_of(job, candidate, cache)
        if mem.total > capacity:
            continue
        found = timing(job, acc, candidate, mem, mfu)
        if found.hours is not None and found.hours <= deadline:
            return Candidate(acc, candidate, mem, found)
    return best
