"""A stand-in for `dcgan.train -m` in race tests: it writes the run folders a launch would leave.

It reads the command the race built (its `key=choice(...)` sweeps, the seeds, the race folder)
and writes, for every job, `.hydra/overrides.yaml` as Hydra would and a `metrics.json` with the
score the test chose, without training. `stop_after` ends a launch as a kill would: the next
run is left `running` and the launch returns 143.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from dcgan.race.command import split
from dcgan.race.sweep import Setting

CHOICE = re.compile(r"^([^=]+)=choice\((.*)\)$")


def noisy(means: dict[str, float], sd: float = 5.0) -> Callable[[str, int], float]:
    """Score = the setting's mean + its own reproducible noise per seed."""

    def score(name: str, seed: int) -> float:
        return means[name] + random.Random(f"{name}/{seed}").gauss(0.0, sd)

    return score


def command(*argv: str):  # noqa: ANN201 (dcgan.race.cli.Command)
    """A race command as the CLI would split it."""
    return split(list(argv))


def write_run(
    folder: Path, name: str, overrides: list[str], score: float | None, status: str = "finished"
) -> Path:
    """One run folder as a training run leaves it (no checkpoint, no images)."""
    run = folder / name
    (run / ".hydra").mkdir(parents=True, exist_ok=True)
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (run / ".hydra" / "config.yaml").write_text(yaml.safe_dump({"logger": {"name": "csv"}}))
    info: dict = {"status": status, "monitor": "swd", "history": [], "img_per_s": 100.0}
    if score is not None:
        info["history"] = [{"iteration": 2, "swd": score + 3}, {"iteration": 4, "swd": score}]
        if status == "finished":
            info["metrics"] = {"swd": score}
    (run / "metrics.json").write_text(json.dumps(info))
    return run


class FakeTrain:
    """Called as the race calls a launch: (command, heartbeat) -> exit status."""

    def __init__(
        self,
        score: Callable[[str, int], float | None],
        stop_after: int | None = None,
        fail: set[tuple[str, int]] = frozenset(),
    ) -> None:
        self.score, self.stop_after, self.fail = score, stop_after, set(fail)
        self.commands: list[list[str]] = []
        self.trained: list[str] = []  # run folder names, in launch order

    def __call__(self, cmd: list[str], beat: Callable[[], None]) -> int:
        self.commands.append(cmd)
        args = cmd[4:]  # after python -m dcgan.train -m
        folder = Path(next(a.split("=", 1)[1] for a in args if a.startswith("hydra.sweep.dir=")))
        sweeps = {m[1]: m[2].split(",") for a in args if (m := CHOICE.match(a))}
        seeds = [int(s) for s in sweeps.pop("seed")]
        plain = [a for a in args if not CHOICE.match(a) and not a.startswith("hydra")]
        rc = 0
        for combo in itertools.product(*sweeps.values()):
            setting = Setting(tuple(f"{k}={v}" for k, v in zip(sweeps, combo, strict=True)))
            for seed in seeds:
                name = setting.folder(seed)
                overrides = [*plain, *setting.overrides, f"seed={seed}"]
                if self.stop_after is not None and len(self.trained) >= self.stop_after:
                    write_run(folder, name, overrides, None, status="running")
                    return 143
                failed = (setting.name, seed) in self.fail
                rc = 1 if failed else rc  # as Hydra ends a sweep with a failed job
                score = None if failed else self.score(setting.name, seed)
                write_run(folder, name, overrides, score, "failed" if failed else "finished")
                self.trained.append(name)
                beat()
        return rc
