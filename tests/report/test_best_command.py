"""The best setting's command reads as a user types it, the same from the race and the report."""

from __future__ import annotations

from pathlib import Path

from dcgan.race.end import race_command
from tests.report.sweep_files import write_run
from tests.tiny import run_module


def test_report_and_race_write_one_command_for_a_flag(tmp_path: Path) -> None:
    # a multirun records the user's `trainer.enable_progress_bar=false` as `...=False`
    sweep = tmp_path / "sweep"
    for num, (setting, seed, final) in enumerate(
        [("x=a", 0, 10.0), ("x=a", 1, 11.0), ("x=b", 0, 8.0), ("x=b", 1, 9.0)]
    ):
        overrides = ["data=digits", "trainer.enable_progress_bar=False", setting, f"seed={seed}"]
        write_run(sweep, num, overrides, final, [(50, final)])
    done = run_module("dcgan.report", str(sweep), "wandb=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    command = "python -m dcgan.train data=digits trainer.enable_progress_bar=false x=b"
    assert (sweep / "train_best.sh").read_text().splitlines()[-1] == command
    assert f"(train_best.sh): {command}\n" in done.stdout
    # the race keeps the words the user typed for the runs' common overrides
    assert race_command(["data=digits", "trainer.enable_progress_bar=false"], ["x=b"]) == command
    assert race_command(["data=digits"], ["data.hflip=False"]).endswith(" data.hflip=false")
