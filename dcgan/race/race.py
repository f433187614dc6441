"""The race loop: plan a round, train what it lacks, judge it, log it; until it ends.

Everything the loop needs to continue is on disk: race.json holds each round's planned runs
before they start, and the run folders say which finished. A command that starts in a folder
where a round is planned but unjudged trains that round's unfinished runs (resuming from their
checkpoints) and judges it; finished and failed runs are never launched again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from dcgan.atomic import write_text_atomic
from dcgan.race import launch as launcher
from dcgan.race import record
from dcgan.race.baseline import baselines, resolve
from dcgan.race.command import Command
from dcgan.race.end import best_script, race_command, winner_lines
from dcgan.race.judge import compared_by, judge_round, summary, write_round_report
from dcgan.race.plan import first_round, launches, next_round
from dcgan.race.status import needs_training
from dcgan.race.sweep import RaceError, Setting, Sweep, read_sweep
from dcgan.report.best import BEST_SH
from dcgan.report.write import REPORT_MD
from dcgan.run import now

Launcher = Callable[[list[str], Callable[[], None]], int]
INTERRUPTED = (130, 143)


def definition(cmd: Command, sweep: Sweep, baseline: str) -> dict[str, Any]:
    """What makes two commands the same race (see record.py)."""
    return {
        "settings": [list(s.overrides) for s in sweep.settings],
        "overrides": sorted(sweep.task_overrides()),
        "seeds": cmd.race.seeds,
        "step": cmd.race.step,
        "baseline": baseline,
        "alpha": cmd.race.alpha,
    }


def run_race(
    cmd: Command, launch: Launcher = launcher.run, say: Callable[[str], None] = print
) -> int:
    """Race `cmd`'s sweep in its folder; the exit status (0 when the race ended)."""
    sweep = read_sweep(cmd.train_args)
    base = resolve(sweep, cmd.race.baseline)
    current = definition(cmd, sweep, base)
    saved = record.load(cmd.folder)
    if saved is not None:
        record.check_same_race(cmd.folder, saved["definition"], current)
        compared_by(saved, cmd.race.metric, cmd.race.score)  # refused before anything runs
    elif cmd.folder.is_dir() and any(p.is_dir() for p in cmd.folder.iterdir()):
        raise RaceError(f"{cmd.folder} holds folders but no race.json: give another folder")
    first = len(sweep.settings) * cmd.race.seeds
    if (saved is None or not saved["rounds"]) and cmd.race.runs is not None:
        if cmd.race.runs < first:
            raise RaceError(
                f"budget.runs={cmd.race.runs} is below the first round: {len(sweep.settings)} "
                f"settings x {cmd.race.seeds} seeds = {first} runs; raise it or lower race.seeds"
            )
    with record.locked(cmd.folder):
        data = record.load(cmd.folder) or {"definition": current, "invocations": [], "rounds": []}
        return Race(cmd, sweep, base, data, launch, say).run()


def against_grid(tried: dict[str, list[int]]) -> tuple[int, int, int]:
    """Runs spent, the runs of a full grid with the seeds the race reached, and that many seeds:
    what racing saved against giving every setting the seeds of the most-seeded one."""
    most = max(map(len, tried.values()), default=0)
    return sum(map(len, tried.values())), most * len(tried), most


class Race:
    """One command's part of a race: its rounds, its clock, its console lines."""

    def __init__(
        self,
        cmd: Command,
        sweep: Sweep,
        baseline: str,
        data: dict[str, Any],
        launch: Launcher,
        say: Callable[[str], None],
    ) -> None:
        self.cmd, self.sweep, self.baseline, self.data = cmd, sweep, baseline, data
        self.folder, self.cfg, self.launch, self.say = cmd.folder, cmd.race, launch, say
        self.by_name = {s.name: s for s in sweep.settings}
        self.against = baselines(sweep, baseline)
        self.started = time.monotonic()
        self.reported = False  # a report was written (and said) by this command
        data["invocations"].append(
            {"started": now(), "seconds": 0.0, "command": cmd.resume_command()}
        )
        data.pop("end", None)
        self.beat()

    def beat(self) -> None:
        """Save race.json with this command's wall time so far (budget.hours counts it)."""
        self.data["invocations"][-1]["seconds"] = round(time.monotonic() - self.started, 1)
        record.save(self.folder, self.data)

    def run(self) -> int:
        """Rounds until the race ends; 130/143 when a launch was interrupted."""
        self.say(f"race folder: {self.folder}")
        self.say(f"continue it after an interruption with:\n  {self.cmd.resume_command()}")
        if self.cfg.seeds == 2:
            self.say(
                "race.seeds=2: a verdict after the first round rests on a paired t-test over 2 "
                "seeds, 1 degree of freedom (its 95% interval is 12.7 standard errors wide "
                "each side): only large, steady differences are decided; race.seeds=3 or more "
                "for smaller ones"
            )
        while True:
            rounds = self.data["rounds"]
            if not rounds or "settings" in rounds[-1]:
                plan, note, end = self.next_plan()
                if end:
                    return self.finish(end)
                rounds.append({"round": len(rounds) + 1, "started": now(), "runs": plan})
                if note:
                    rounds[-1]["note"] = note
                self.beat()
            rc = self.train(rounds[-1])
            if rc is not None:
                return rc
            self.judge(rounds[-1])

    def tried(self) -> dict[str, list[int]]:
        """Every setting's seeds planned so far, over all rounds."""
        seeds: dict[str, set[int]] = {s.name: set() for s in self.sweep.settings}
        for rnd in self.data["rounds"]:
            for name, planned in rnd["runs"].items():
                seeds[name].update(planned)
        return {name: sorted(s) for name, s in seeds.items()}

    def next_plan(self) -> tuple[dict[str, list[int]], str, str]:
        """The next round's runs and a note, or why the race ends."""
        rounds = self.data["rounds"]
        if not rounds:
            return first_round(self.sweep, self.cfg.seeds), "", ""
        last = rounds[-1]["settings"]
        open_ = [n for n in self.by_name if last[n]["decision"] == "continue"]
        if not open_:
            return {}, "", "every setting is decided"
        spent = sum(map(len, self.tried().values()))
        if self.cfg.hours is not None and record.hours_spent(self.data) >= self.cfg.hours:
            return {}, "", f"budget.hours={self.cfg.hours} spent ({spent} runs)"
        left = None if self.cfg.runs is None else self.cfg.runs - spent
        if left is not None and left <= 0:
            return {}, "", f"budget.runs={self.cfg.runs} spent ({spent} runs)"
        sign = 1.0 if rounds[-1].get("lower_is_better", True) else -1.0

        def priority(name: str) -> tuple[int, float]:
            mean = last[name].get("mean")
            return (name in self.against, sign * mean if mean is not None else float("inf"))

        order = sorted(open_, key=priority)
        tried = self.tried()
        plan, note = next_round(tried, order, self.cfg.step, self.cfg.max_seeds, left)
        if not plan:
            return {}, "", f"race.max_seeds={self.cfg.max_seeds} reached by every open setting"
        return plan, note, ""

    def pending(self, setting: Setting, seed: int) -> bool:
        """Whether this run must be trained (it neither finished nor failed)."""
        return needs_training(self.folder, setting.folder(seed))

    def train(self, rnd: dict[str, Any]) -> int | None:
        """Launch the round's unfinished runs; an exit status when interrupted, else None."""
        todo = launches(self.sweep, rnd["runs"], self.pending)
        planned = sum(map(len, rnd["runs"].values()))
        left = sum(lau.size for lau in todo)
        if left < planned:
            self.say(f"round {rnd['round']}: {planned - left} of {planned} runs already done")
        for lau in todo:
            names = ", ".join(s.name for s in lau.settings)
            seeds = ",".join(map(str, lau.seeds))
            self.say(f"round {rnd['round']}: {lau.size} runs: {names} with seeds {seeds}")
            rc = self.launch(launcher.command(self.sweep, lau, self.folder), self.beat)
            if rc in INTERRUPTED or rc < 0:
                self.say(
                    f"the race stopped; continue the race with:\n  {self.cmd.resume_command()}"
                )
                return rc if rc > 0 else 128 - rc
        missing = [
            self.by_name[n].folder(s)
            for n, seeds in rnd["runs"].items()
            for s in seeds
            if self.pending(self.by_name[n], s)
        ]
        if missing:
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            print(
                f"error: {len(missing)} runs of round {rnd['round']} did not finish ({shown}); "
                f"see above; the same command tries them again:\n  {self.cmd.resume_command()}",
                file=sys.stderr,
            )
            return 1
        return None

    def judge(self, rnd: dict[str, Any]) -> None:
        """Decide the round, log it, write the report, show the decisions."""
        asked = (self.cfg.metric, self.cfg.score, self.cfg.alpha)
        args = (self.folder, self.sweep, self.baseline, self.against, self.tried(), asked)
        judge_round(self.data, rnd, *args)
        self.beat()
        for line in summary(rnd):
            self.say(line)
        self.say(write_round_report(self.folder))
        self.reported = True

    def finish(self, reason: str) -> int:
        """Log why the race ended and say where its report is."""
        rounds = self.data["rounds"]
        best = rounds[-1].get("best") if rounds else None
        spent, grid, most = against_grid(self.tried())
        self.data["end"] = {
            "reason": reason,
            "at": now(),
            "best": best,
            "runs": spent,
            "full_grid": grid,  # every setting with as many seeds as the most-seeded one
        }
        self.say(f"race ended: {reason}")
        if rounds and "settings" in rounds[-1]:
            self.data["end"]["winners"] = winner_lines(rounds[-1]["settings"], best)
            for line in self.data["end"]["winners"]:
                self.say(line)
        if best is not None:
            command = race_command(self.sweep.task_overrides(), self.by_name[best].overrides)
            write_text_atomic(self.folder / BEST_SH, best_script(command, best, str(self.folder)))
            self.data["end"]["command"] = command
            self.say(f"train the best on the full budget ({self.folder / BEST_SH}):\n  {command}")
        self.beat()
        self.say(
            f"runs spent: {spent}, against {grid} for a full grid of {len(self.by_name)} "
            f"settings x {most} seeds"
        )
        if not self.reported and (self.folder / REPORT_MD).exists():
            self.say(f"report: {self.folder / REPORT_MD}")
        return 0
