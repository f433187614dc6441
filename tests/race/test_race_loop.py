"""Whole races on run folders written by a stand-in for training: rounds, log, budget, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcgan.race.decide import CONTINUE
from dcgan.race.race import against_grid, run_race
from dcgan.race.sweep import RaceError
from tests.race.fake import FakeTrain, command, noisy, write_run

CLEAR = {"trick=none": 100.0, "trick=ema": 60.0, "trick=ttur": 101.0, "trick=bad": 150.0}
CLOSE = {"trick=none": 100.0, "trick=ema": 99.0, "trick=ttur": 101.0}


def race(folder: Path, *keys: str, sweep: tuple[str, ...] = ("trick=none,ema,ttur,bad",)):
    return command(*sweep, "data=digits", *keys, f"hydra.sweep.dir={folder}")


def log(folder: Path) -> dict:
    return json.loads((folder / "race.json").read_text())


def quiet(line: str) -> None:
    pass


def test_a_clear_race_ends_after_one_round_with_its_report(tmp_path: Path) -> None:
    train = FakeTrain(noisy(CLEAR, sd=2.0))
    assert run_race(race(tmp_path), launch=train, say=quiet) == 0
    assert len(train.commands) == 1  # round 1: the whole grid in one multirun
    assert len(train.trained) == 12
    data = log(tmp_path)
    (round1,) = data["rounds"]
    assert round1["runs"] == dict.fromkeys(CLEAR, [0, 1, 2])
    settings = round1["settings"]
    assert settings["trick=ema"]["decision"] == "decided better"
    assert settings["trick=bad"]["decision"] == "decided worse"
    assert settings["trick=ttur"]["decision"] == "dropped"
    assert "cannot catch the best, trick=ema" in settings["trick=ttur"]["reason"]
    assert settings["trick=none"]["decision"] == "done"
    assert settings["trick=ema"]["seeds"] == [0, 1, 2]
    assert settings["trick=ema"]["mean"] == pytest.approx(60.0, abs=4)
    assert data["end"]["reason"] == "every setting is decided"
    assert data["compared_by"] == {"metric": "swd", "score": round1["score"]}
    assert (tmp_path / "report.md").is_file() and (tmp_path / "seed=0,trick=ema").is_dir()


def test_open_settings_get_more_seeds_until_the_maximum(tmp_path: Path) -> None:
    train = FakeTrain(noisy(CLOSE, sd=5.0))
    cmd = race(tmp_path, "race.max_seeds=7", sweep=("trick=none,ema,ttur",))
    assert run_race(cmd, launch=train, say=quiet) == 0
    data = log(tmp_path)
    rounds = data["rounds"]
    assert [sorted(r["runs"]) for r in rounds][0] == sorted(CLOSE)
    for before, after in zip(rounds, rounds[1:], strict=False):
        opened = {n for n, e in before["settings"].items() if e["decision"] == CONTINUE}
        assert set(after["runs"]) <= opened  # only open settings get seeds
    seeds = {n: sorted({s for r in rounds for s in r["runs"].get(n, [])}) for n in CLOSE}
    assert max(len(s) for s in seeds.values()) <= 7
    assert data["end"]["reason"] in (
        "every setting is decided",
        "race.max_seeds=7 reached by every open setting",
    )
    assert len(train.trained) == len(set(train.trained))  # no run trained twice
    most = max(len(s) for s in seeds.values())
    assert data["end"]["runs"] == len(train.trained) == sum(len(s) for s in seeds.values())
    assert data["end"]["full_grid"] == 3 * most


def test_the_end_says_the_runs_spent_against_a_full_grid(tmp_path: Path) -> None:
    lines: list[str] = []
    assert run_race(race(tmp_path), launch=FakeTrain(noisy(CLEAR, sd=2.0)), say=lines.append) == 0
    assert "runs spent: 12, against 12 for a full grid of 4 settings x 3 seeds" in lines
    assert against_grid({"a": [0, 1, 2, 3, 4], "b": [0, 1, 2], "c": []}) == (8, 15, 5)


def test_the_runs_budget_counts_every_command_and_cuts_a_round(tmp_path: Path) -> None:
    train = FakeTrain(noisy(CLOSE, sd=5.0))
    cmd = race(tmp_path, "budget.runs=11", sweep=("trick=none,ema,ttur",))
    assert run_race(cmd, launch=train, say=quiet) == 0
    data = log(tmp_path)
    assert len(train.trained) == 11
    assert data["end"]["reason"].startswith("budget.runs=11 spent")
    assert "budget.runs left 2 of the" in data["rounds"][1]["note"]
    more = FakeTrain(noisy(CLOSE, sd=5.0))  # the same race, with more budget, another day
    cmd = race(tmp_path, "budget.runs=13", sweep=("trick=none,ema,ttur",))
    assert run_race(cmd, launch=more, say=quiet) == 0
    assert len(more.trained) == 2 and not set(more.trained) & set(train.trained)
    assert len(log(tmp_path)["invocations"]) == 2


def test_a_first_round_larger_than_the_budget_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RaceError, match="below the first round: 4 settings x 3 seeds = 12"):
        run_race(race(tmp_path / "r", "budget.runs=5"), launch=FakeTrain(noisy(CLEAR)))
    assert not (tmp_path / "r").exists()


def test_the_hours_budget_counts_earlier_commands(tmp_path: Path) -> None:
    train = FakeTrain(noisy(CLOSE, sd=5.0))
    sweep = ("trick=none,ema,ttur",)
    assert run_race(race(tmp_path, "race.max_seeds=3", sweep=sweep), launch=train, say=quiet) == 0
    data = log(tmp_path)
    data["invocations"][0]["seconds"] = 7200.0  # the first command ran two hours
    (tmp_path / "race.json").write_text(json.dumps(data))
    later = FakeTrain(noisy(CLOSE, sd=5.0))
    cmd = race(tmp_path, "budget.hours=2", "race.max_seeds=9", sweep=sweep)
    assert run_race(cmd, launch=later, say=quiet) == 0
    assert later.trained == [] and log(tmp_path)["end"]["reason"].startswith("budget.hours=2.0")


def test_a_killed_round_continues_and_trains_nothing_twice(tmp_path: Path) -> None:
    sweep = ("trick=none,ema,ttur",)
    killed = FakeTrain(noisy(CLOSE, sd=5.0), stop_after=4)
    said: list[str] = []
    cmd = race(tmp_path, "race.max_seeds=5", sweep=sweep)
    assert run_race(cmd, launch=killed, say=said.append) == 143
    # the run said its own resume command: this one continues the race, not the run
    assert said[-1] == f"the race stopped; continue the race with:\n  {cmd.resume_command()}"
    data = log(tmp_path)
    assert len(data["rounds"]) == 1 and "settings" not in data["rounds"][0]  # planned, unjudged
    running = [p.name for p in tmp_path.iterdir() if (p / "metrics.json").exists()]
    assert len(running) == 5  # 4 finished, one left running
    stamps = {n: (tmp_path / n / "metrics.json").stat().st_mtime_ns for n in killed.trained}
    again = FakeTrain(noisy(CLOSE, sd=5.0))
    assert run_race(race(tmp_path, "race.max_seeds=5", sweep=sweep), launch=again, say=quiet) == 0
    assert not set(again.trained) & set(killed.trained)
    assert len(again.trained) == 9 - 4 + sum(
        len(r["runs"].get(n, [])) for r in log(tmp_path)["rounds"][1:] for n in CLOSE
    )
    assert stamps == {n: (tmp_path / n / "metrics.json").stat().st_mtime_ns for n in stamps}
    first = again.commands[0][4:]  # the unfinished runs of round 1, not the whole grid
    assert "seed=choice(0,1,2)" not in first


def test_failed_runs_count_but_are_not_launched_again(tmp_path: Path) -> None:
    train = FakeTrain(noisy(CLEAR, sd=2.0), fail={("trick=ema", 1)})
    assert run_race(race(tmp_path), launch=train, say=quiet) == 0
    ema = log(tmp_path)["rounds"][0]["settings"]["trick=ema"]
    assert ema["seeds"] == [0, 2] and ema["no_score"] == [1]
    again = FakeTrain(noisy(CLEAR, sd=2.0))
    assert run_race(race(tmp_path), launch=again, say=quiet) == 0
    assert again.trained == []


def test_another_sweep_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    assert run_race(race(tmp_path), launch=FakeTrain(noisy(CLEAR, sd=2.0)), say=quiet) == 0
    with pytest.raises(RaceError, match="holds another race .*settings"):
        run_race(race(tmp_path, sweep=("trick=none,ema",)), launch=FakeTrain(noisy(CLEAR)))
    with pytest.raises(RaceError, match="holds another race .*overrides"):
        run_race(race(tmp_path, "image_size=32"), launch=FakeTrain(noisy(CLEAR)))
    with pytest.raises(RaceError, match="holds another race .*step"):
        run_race(race(tmp_path, "race.step=3"), launch=FakeTrain(noisy(CLEAR)))
    with pytest.raises(RaceError, match="compares swd since its first round"):
        run_race(race(tmp_path, "race.metric=fid"), launch=FakeTrain(noisy(CLEAR)))
    # launchers and budgets may change between commands
    ok = race(tmp_path, "hydra/launcher=parallel", "budget.runs=100", "race.max_seeds=4")
    assert run_race(ok, launch=FakeTrain(noisy(CLEAR)), say=quiet) == 0


def test_a_folder_of_other_runs_is_refused(tmp_path: Path) -> None:
    write_run(tmp_path, "0", ["trick=none", "seed=0"], 1.0)
    with pytest.raises(RaceError, match="no race.json"):
        run_race(race(tmp_path), launch=FakeTrain(noisy(CLEAR)))


def test_each_setting_of_a_grid_races_its_twin(tmp_path: Path) -> None:
    means = {
        "pooling=avg activation=relu": 100.0,
        "pooling=strided activation=relu": 60.0,
        "pooling=avg activation=leaky_relu": 100.0,
        "pooling=strided activation=leaky_relu": 160.0,
    }
    train = FakeTrain(noisy(means, sd=2.0))
    sweep = ("pooling=avg,strided", "activation=relu,leaky_relu")
    assert run_race(race(tmp_path, sweep=sweep), launch=train, say=quiet) == 0
    settings = log(tmp_path)["rounds"][0]["settings"]
    relu, leaky = (
        settings["pooling=strided activation=relu"],
        settings["pooling=strided activation=leaky_relu"],
    )
    assert (
        relu["baseline"] == "pooling=avg activation=relu" and relu["decision"] == "decided better"
    )
    assert leaky["baseline"] == "pooling=avg activation=leaky_relu"
    assert leaky["decision"] == "decided worse"
