"""Which runs a round trains, and how they are grouped into `dcgan.train -m` launches.

Round 1 gives every setting the seeds 0..race.seeds-1. Each later round gives every open
setting race.step more seeds (the next unused ones), up to race.max_seeds. A round that does
not fit what is left of budget.runs gives its seeds to the open settings in order: baselines
first, then the best mean first. Runs that share their seeds and whose settings form a grid
(all combinations of their values) go into one multirun; any other setting runs in its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dcgan.race.naming import is_plain
from dcgan.race.sweep import Setting, Sweep


@dataclass(frozen=True)
class Launch:
    """One multirun: these settings, each with these seeds."""

    settings: tuple[Setting, ...]
    seeds: tuple[int, ...]

    @property
    def size(self) -> int:
        """How many runs it trains."""
        return len(self.settings) * len(self.seeds)


def first_round(sweep: Sweep, seeds: int) -> dict[str, list[int]]:
    """Every setting with seeds 0..seeds-1."""
    return {s.name: list(range(seeds)) for s in sweep.settings}


def next_round(
    tried: Mapping[str, Sequence[int]],
    order: Sequence[str],
    step: int,
    max_seeds: int,
    runs_left: int | None,
) -> tuple[dict[str, list[int]], str]:
    """The next seeds of each open setting, in `order` of priority, and a note when cut short.

    `tried`: every open setting and the seeds it has run; `runs_left`: None for no budget.
    """
    plan: dict[str, list[int]] = {}
    wanted = 0
    for name in order:
        have = list(tried[name])
        start = max(have, default=-1) + 1
        more = list(range(start, start + max(0, min(step, max_seeds - len(have)))))
        wanted += len(more)
        if runs_left is not None:
            more = more[: max(0, runs_left - sum(map(len, plan.values())))]
        if more:
            plan[name] = more
    given = sum(map(len, plan.values()))
    note = "" if given == wanted else f"budget.runs left {given} of the {wanted} runs of a round"
    return plan, note


def forms_grid(settings: Sequence[Setting], keys: Sequence[str]) -> bool:
    """Whether the settings are every combination of the values they use, each once."""
    values = [list(dict.fromkeys(s.values[k] for s in settings)) for k in keys]
    combos = {tuple(f"{k}={v}" for k, v in zip(keys, c, strict=True)) for c in _product(values)}
    return len(settings) == len(combos) and combos == {s.overrides for s in settings}


def _product(values: list[list[str]]) -> list[tuple[str, ...]]:
    return list(itertools.product(*values))


def launches(
    sweep: Sweep, plan: Mapping[str, Sequence[int]], pending: Callable[[Setting, int], bool]
) -> list[Launch]:
    """The multiruns that train the `pending` runs of `plan`, in sweep order."""
    by_seeds: dict[tuple[int, ...], list[Setting]] = {}
    for setting in sweep.settings:
        seeds = tuple(s for s in plan.get(setting.name, ()) if pending(setting, s))
        if seeds:
            by_seeds.setdefault(seeds, []).append(setting)
    out: list[Launch] = []
    for seeds, settings in by_seeds.items():
        if len(settings) > 1 and forms_grid(settings, sweep.keys):
            if all(is_plain(s.overrides) for s in settings):
                out.append(Launch(tuple(settings), seeds))
                continue
        out.extend(Launch((s,), seeds) for s in settings)
    return out
