"""The run folders of a sweep as the report sees them: overrides, seed, status, metrics."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dcgan.metrics.run_scores import is_number
from dcgan.report.errors import ReportError
from dcgan.run import RunFolder
from dcgan.run.folder import HYDRA
from dcgan.tracking import is_seed_override

# The metrics registry (and with it torch) loads where a direction is needed: reading the runs
# and refusing a wrong folder, metric or baseline stays light (`dcgan.report.cli`).


def __getattr__(name: str) -> tuple[str, ...]:
    """HIGHER_IS_BETTER: the registry's higher-is-better metrics, for membership tests."""
    if name == "HIGHER_IS_BETTER":
        from dcgan.metrics.registry import ordered

        return tuple(m.name for m in ordered() if m.higher_is_better)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Run:
    """One run folder of a sweep, as read from its files."""

    path: Path
    overrides: list[str]
    info: dict[str, Any] = field(default_factory=dict)
    unreadable: str | None = None  # why metrics.json could not be read, when it could not
    until: int | None = None  # read as it stood at this iteration (`until=`); None: the whole run

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> RunFolder:
        return RunFolder(self.path)

    @property
    def status(self) -> str:
        if self.unreadable:
            return "unreadable"
        return str(self.info.get("status", "not started"))

    @property
    def error(self) -> str:
        return self.unreadable or str(self.info.get("error") or "")

    @property
    def seed(self) -> int | None:
        """The seed from the overrides, else from the run's saved config."""
        for o in self.overrides:
            if is_seed_override(o):
                value = o.split("=", 1)[1]
                return int(value) if value.isdigit() else None
        seed = self.folder.read_config().get("seed")
        return seed if isinstance(seed, int) else None

    def metric(self, name: str) -> float | None:
        """The metric at the end of the run (finite numbers only)."""
        value = (self.info.get("metrics") or {}).get(name)
        return float(value) if is_number(value) else None

    def best(self, name: str) -> float | None:
        """The best periodic evaluation of the metric over the run."""
        from dcgan.metrics.registry import lower_is_better

        values = [float(h[name]) for h in self.history if is_number(h.get(name))]
        if not values:
            return None
        return min(values) if lower_is_better(name) else max(values)

    @property
    def history(self) -> list[dict[str, Any]]:
        history = self.info.get("history")
        return [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []

    def number(self, key: str) -> float | None:
        value = self.info.get(key)
        return float(value) if is_number(value) else None

    @property
    def last_grid(self) -> Path | None:
        """Its latest sample grid (up to `until` when it is read as of an iteration)."""
        if self.until is None:
            return self.folder.last_grid()
        grids = [g for g in self.folder.grids() if _grid_iteration(g) <= self.until]
        return grids[-1] if grids else None

    def metric_names(self) -> set[str]:
        names = set((self.info.get("metrics") or {}).keys())
        for h in self.history:
            names.update(h.keys())
        return names - {"iteration", "num_samples"}


def _grid_iteration(grid: Path) -> int:
    """The iteration of a sample grid `iter_NNNNNN.png` (its folder lists only such names)."""
    return int(grid.stem.split("_", 1)[1])


def _run_order(path: Path) -> tuple[int, str]:
    return (int(path.name), "") if path.name.isdigit() else (sys.maxsize, path.name)


def collect_runs(sweep_dir: str | Path) -> list[Run]:
    """Every run folder (one Hydra started) directly under the sweep folder, in job order."""
    sweep = Path(sweep_dir)
    if not sweep.is_dir():
        raise ReportError(f"{str(sweep)!r} is not a folder: give outputs/multirun/<date>/<time>")
    dirs = sorted((p for p in sweep.iterdir() if RunFolder(p).is_run()), key=_run_order)
    if not dirs:
        raise ReportError(
            f"{str(sweep)!r} holds no run folders (sub-folders with {HYDRA}/): give the folder of "
            "a multirun, e.g. outputs/multirun/<date>/<time>"
        )
    runs = [RunFolder(d) for d in dirs]
    return [Run(r.path, r.read_overrides(), *r.info_or_why()) for r in runs]


def sort_runs(runs: list[Run], metric: str) -> list[Run]:
    """Finished runs with the metric first, best first; the rest after, in job order."""
    from dcgan.metrics.registry import lower_is_better

    sign = 1.0 if lower_is_better(metric) else -1.0

    def key(run: Run) -> tuple[int, float]:
        value = run.metric(metric)
        if run.status != "finished" or value is None:
            return (1, 0.0)
        return (0, sign * value)

    return sorted(runs, key=key)  # stable: ties and unfinished runs keep job order


def check_metric(runs: list[Run], metric: str) -> None:
    """A metric asked for must be in some run's metrics.json."""
    available = sorted(set().union(*(r.metric_names() for r in runs)))
    if metric not in available:
        have = ", ".join(available) if available else "no metric yet"
        raise ReportError(f"metric={metric} is in no run of this sweep (they have: {have})")


def check_baseline(settings: Iterable[Iterable[str]], baseline: str) -> None:
    """A baseline asked for must be one override of some setting (seed aside), and not of all.

    `settings`: the overrides of each setting (or of each run: runs of one setting repeat them).
    An override every setting has compares nothing with nothing: each would be a baseline.
    """
    if "=" not in baseline:
        raise ReportError(f"baseline={baseline} is not one override: give key=value (augment=none)")
    groups = {frozenset(s) for s in settings}
    overrides = set().union(*groups)
    if baseline not in overrides:
        name = _name(baseline)
        values = sorted(o for o in overrides if _name(o) == name)
        raise ReportError(
            f"baseline={baseline} is no setting of this sweep; "
            + (f"it has: {', '.join(values)}" if values else f"no setting sets {name}")
        )
    if len(groups) > 1 and all(baseline in g for g in groups):
        raise ReportError(
            f"baseline={baseline} is set by every setting of this sweep, so none is compared; "
            "give an override only the baseline's runs have, or leave baseline= out to compare "
            "with the first setting"
        )


def setting_overrides(run: Run) -> set[str]:
    """The overrides a run sets, its seed aside: its setting."""
    return {o for o in run.overrides if not is_seed_override(o)}


def _name(override: str) -> str:
    """The key an override sets (`data.limit` of `data.limit=100`)."""
    return override.split("=", 1)[0].lstrip("+~")
