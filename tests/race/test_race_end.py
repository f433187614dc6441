"""The end of a race: how its winners compare, the command of its best, the 1-df warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcgan.race import record
from dcgan.race.race import run_race
from dcgan.race.sweep import RaceError
from tests.race.fake import FakeTrain, command, noisy

TWO_WINNERS = {"trick=none": 100.0, "trick=ema": 60.0, "trick=ttur": 70.0}


def race(folder: Path, *keys: str, sweep: str = "trick=none,ema,ttur"):
    return command(sweep, "data=digits", *keys, f"hydra.sweep.dir={folder}")


def test_the_end_compares_the_winners_and_saves_the_best_command(tmp_path: Path) -> None:
    score = noisy(TWO_WINNERS, sd=2.0)
    lines: list[str] = []
    assert run_race(race(tmp_path), launch=FakeTrain(score), say=lines.append) == 0
    delta = sum(score("trick=ttur", s) - score("trick=ema", s) for s in range(3)) / 3
    end = json.loads((tmp_path / "race.json").read_text())["end"]
    assert end["winners"][0] == "best mean: trick=ema (decided better than its baseline)"
    ttur = end["winners"][1]
    assert ttur.startswith(f"  trick=ttur (decided better) against trick=ema: {delta:+.4g} [")
    # both beat the baseline; against each other, 3 seeds cannot tell them apart
    assert "(paired over 3 seeds, Holm p=" in ttur
    assert ttur.endswith("): not distinguishable with 3 seeds")
    assert all(line in lines for line in end["winners"])
    assert end["command"] == "python -m dcgan.train data=digits trick=ema"
    assert (tmp_path / "train_best.sh").read_text().splitlines()[-1] == end["command"]
    said = f"train the best on the full budget ({tmp_path / 'train_best.sh'}):\n  {end['command']}"
    assert said in lines
    assert sum(line.startswith("report: ") for line in lines) == 1  # said once


def test_a_best_that_was_not_shown_better_is_said_plainly(tmp_path: Path) -> None:
    close = {"trick=none": 100.0, "trick=ema": 99.0, "trick=ttur": 101.0}
    lines: list[str] = []
    cmd = race(tmp_path, "budget.runs=9")  # the first round only: every setting still open
    assert run_race(cmd, launch=FakeTrain(noisy(close, sd=5.0)), say=lines.append) == 0
    end = json.loads((tmp_path / "race.json").read_text())["end"]
    best = end["best"]
    assert best == "trick=ema"  # open against trick=none when the budget ended the race
    assert end["winners"][0] == f"best mean: {best} (still open)"
    assert end["winners"][1].startswith(f"  {best} was not shown better than its baseline (vs ")
    assert "  no setting was decided better than its baseline" in end["winners"]
    assert end["winners"][-1].startswith("  still open when the race ended: ")


def test_a_baseline_with_the_best_mean_is_named_as_the_baseline(tmp_path: Path) -> None:
    close = {"trick=none": 99.0, "trick=ema": 100.0, "trick=ttur": 101.0}
    cmd = race(tmp_path, "budget.runs=9")  # the first round only
    assert run_race(cmd, launch=FakeTrain(noisy(close, sd=0.1)), say=[].append) == 0
    end = json.loads((tmp_path / "race.json").read_text())["end"]
    assert end["best"] == "trick=none"
    assert end["winners"][0] == "best mean: trick=none (the baseline)"
    assert not any("(continue)" in line or "not shown better" in line for line in end["winners"])


def test_two_seeds_say_their_one_degree_of_freedom(tmp_path: Path) -> None:
    lines: list[str] = []
    cmd = race(tmp_path, "race.seeds=2", sweep="trick=none,ema")
    clear = {"trick=none": 100.0, "trick=ema": 60.0}
    assert run_race(cmd, launch=FakeTrain(noisy(clear, sd=0.5)), say=lines.append) == 0
    assert any(line.startswith("race.seeds=2: a verdict after the first round") for line in lines)
    settings = json.loads((tmp_path / "race.json").read_text())["rounds"][0]["settings"]
    ema = settings["trick=ema"]
    assert ema["decision"] == "decided better"  # in round 1, on 2 seeds
    assert "(paired over 2 seeds, 1 degree of freedom, Holm p=" in ema["reason"]
    end = json.loads((tmp_path / "race.json").read_text())["end"]
    assert end["winners"] == [
        "best mean: trick=ema (decided better than its baseline)",
        "  trick=ema is the only setting decided better: no other winner to compare it with",
    ]
    said = "1 over 2 shared seeds: a paired t-test with 1 degree of freedom"
    assert said in (tmp_path / "report.md").read_text()  # and its report


def test_another_race_in_the_folder_is_said_in_words(tmp_path: Path) -> None:
    saved = {
        "settings": [["trick=none"], ["trick=ema"], ["trick=ttur"]],
        "overrides": ["data=digits"],
        "seeds": 3,
        "step": 2,
        "baseline": "trick=none",
        "alpha": 0.05,
    }
    asked = {
        **saved,
        "settings": [["trick=none"], ["trick=ema"], ["trick=bad"]],
        "overrides": ["data=digits", "image_size=32"],
        "step": 3,
    }
    with pytest.raises(RaceError) as err:
        record.check_same_race(tmp_path, saved, asked)
    said = str(err.value)
    assert "[" not in said and "..." not in said
    assert (
        "its settings are trick=none, trick=ema, trick=ttur; this command adds trick=bad and "
        "leaves out trick=ttur" in said
    )
    assert "its runs get the overrides data=digits; this command adds image_size=32" in said
    assert "it has race.step=2, this command 3" in said
