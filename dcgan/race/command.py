"""A race's command line, read: the race's keys (`race.*`, `budget.*`), the runs' overrides and
the race folder, and the command that continues the race."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dcgan.cli import CliError, key, parse
from dcgan.report.scores import CHOICES

PREFIXES = ("race.", "budget.")
OWNED = ("hydra.sweep.subdir", "hydra.job.config")
RUN_KEYS = ("seed", "resume", "ckpt_path")  # the race chooses the seeds and resumes its runs
SWEEP_DIR = "hydra.sweep.dir"


@dataclass
class RaceConfig:
    seeds: int = key(
        3,
        "seeds of every setting in the first round (seeds 0..n-1)",
        check=lambda n: n >= 2,
        rule="give 2 or more: a verdict needs a spread",
        name="race.seeds",
    )
    step: int = key(
        2,
        "seeds added to each open setting per round (the next unused ones)",
        check=lambda n: n >= 1,
        rule="give 1 or more",
        name="race.step",
    )
    max_seeds: int = key(
        10,
        "no setting gets more seeds than this; the race ends when every open setting has them",
        check=lambda n: n >= 2,
        rule="give 2 or more (and at least race.seeds)",
        name="race.max_seeds",
    )
    baseline: str | None = key(
        None,
        "one override, e.g. trick=none: each setting is compared with the setting that has the "
        "same other values and this one; null: trick=none, else the first value of the first "
        "swept key",
        name="race.baseline",
    )
    metric: str | None = key(
        None,
        "the metric compared (swd, fid, kid, is, swd_32, ...); null: the runs' monitor",
        name="race.metric",
    )
    score: str = key(
        "auto",
        "final, best or late value of a run (see dcgan.report --help); auto: chosen as the "
        "report chooses it after the first round, then kept",
        choices=CHOICES,
        name="race.score",
    )
    alpha: float = key(
        0.05,
        "family-wise error level of the verdicts (Holm's correction over the settings)",
        check=lambda a: 0 < a < 1,
        rule="give 0 < alpha < 1",
        name="race.alpha",
    )
    runs: int | None = key(
        None,
        "runs the whole race may train (every invocation together); null: no limit",
        check=lambda n: n >= 1,
        rule="give 1 or more",
        name="budget.runs",
    )
    hours: float | None = key(
        None,
        "wall-clock hours of the race's commands together; checked before a round starts "
        "(a round that started runs to its end); null: no limit",
        check=lambda h: h > 0,
        rule="give a number of hours > 0",
        name="budget.hours",
    )


@dataclass
class Command:
    """One race command line, split: the race's keys, the runs' overrides, the race folder."""

    race: RaceConfig
    train_args: list[str]
    folder: Path
    given: list[str]  # the arguments as typed, for the command that continues the race

    def resume_command(self) -> str:
        """The command that continues this race in its folder."""
        args = [a for a in self.given if not a.startswith(f"{SWEEP_DIR}=")]
        args.append(f"{SWEEP_DIR}={self.folder}")
        return " ".join(["python -m dcgan.race", *map(shlex.quote, args)])


def default_folder() -> Path:
    """A new race's folder when none is given: outputs/race/<date>/<time>."""
    started = datetime.now()
    return Path("outputs", "race", started.strftime("%Y-%m-%d"), started.strftime("%H-%M-%S"))


def sort_args(argv: list[str]) -> tuple[list[str], list[str], str | None]:
    """The race's key=value arguments, the train overrides and the race folder, as given."""
    ours, train, folder = [], [], None
    for arg in argv:
        name = arg.split("=", 1)[0]
        if arg in ("-m", "--multirun"):
            continue  # a race is always a multirun
        if arg.startswith("-"):
            raise CliError(f"{arg}: give overrides and race keys as key=value (see --help)")
        if name.startswith(PREFIXES):
            ours.append(arg)
        elif name == SWEEP_DIR:
            folder = arg.split("=", 1)[1]
        elif name.lstrip("+~").startswith(OWNED):
            raise CliError(f"{name} is the race's: each run folder is named by setting and seed")
        elif name.lstrip("+~") in RUN_KEYS:
            raise CliError(
                f"{name} is the race's: it gives each setting seeds 0, 1, ... (race.seeds, "
                "race.step) and continues a stopped run from its checkpoint"
            )
        else:
            train.append(arg)
    return ours, train, folder


def split(argv: list[str]) -> Command:
    """The race's keys, the train overrides and the race folder of a command line."""
    ours, train, folder = sort_args(argv)
    if folder is not None and "${" in folder:
        raise CliError(f"{SWEEP_DIR}={folder}: give a fixed folder, so the race can be continued")
    race = parse(RaceConfig, ours)
    if race.max_seeds < race.seeds:
        raise CliError(f"race.max_seeds={race.max_seeds} is below race.seeds={race.seeds}")
    path = Path(folder) if folder is not None else default_folder()
    return Command(race, train, path, list(argv))
