"""The race's sweep (as Hydra's basic sweeper reads it), its rounds and how runs are launched."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcgan.race.baseline import baselines, resolve
from dcgan.race.launch import command
from dcgan.race.plan import Launch, first_round, forms_grid, launches, next_round
from dcgan.race.sweep import RaceError, Setting, read_sweep


def test_a_preset_gives_its_grid_in_the_sweepers_order() -> None:
    sweep = read_sweep(["sweep=tricks", "data=digits"])
    assert sweep.keys == ("activation", "pooling", "optimizer", "dropout")
    assert len(sweep.settings) == 16
    assert sweep.settings[0].overrides == (
        "activation=relu",
        "pooling=strided",
        "optimizer=adam",
        "dropout=none",
    )
    assert sweep.plain == ("sweep=tricks", "data=digits")


def test_the_command_line_replaces_a_presets_key_and_globs_expand() -> None:
    sweep = read_sweep(["sweep=ganhacks", "trick=none,ema"])
    assert [s.name for s in sweep.settings] == ["trick=none", "trick=ema"]
    globbed = read_sweep(["trick=glob(*)"])
    assert "trick=none" in [s.name for s in globbed.settings] and len(globbed.settings) > 10


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["trick=none,ema", "seed=0,1"], "seed"),
        (["trick=none,ema", "seed=4"], "seed"),
        (["trick=ema"], "nothing to race"),
        (["trick=choice(ema)"], "no race"),
        (["trick=none,none"], "twice"),
        (["optimizer.generator.lr=interval(0.1,0.2)"], "intervals"),
    ],
)
def test_what_is_no_race_is_refused(args: list[str], says: str) -> None:
    with pytest.raises(RaceError, match=says):
        read_sweep(args)


def test_the_baseline_defaults_as_the_report_and_is_checked() -> None:
    tricks = read_sweep(["trick=ema,none"])
    assert resolve(tricks, None) == "trick=none"
    grid = read_sweep(["pooling=avg,strided", "activation=relu,leaky_relu"])
    assert resolve(grid, None) == "pooling=avg"
    assert baselines(grid, "pooling=avg") == {
        "pooling=strided activation=relu": "pooling=avg activation=relu",
        "pooling=strided activation=leaky_relu": "pooling=avg activation=leaky_relu",
    }
    with pytest.raises(RaceError, match="pooling has"):
        resolve(grid, "pooling=max")
    with pytest.raises(RaceError, match="not swept"):
        resolve(grid, "trick=none")


def test_first_and_next_rounds() -> None:
    sweep = read_sweep(["trick=none,ema,ttur"])
    names = ["trick=none", "trick=ema", "trick=ttur"]
    assert first_round(sweep, 3) == dict.fromkeys(names, [0, 1, 2])
    tried = {"a": [0, 1, 2], "b": [0, 1, 2, 3, 4, 5, 6, 7, 8], "c": [0, 1, 2]}
    plan, note = next_round(tried, ["a", "b", "c"], step=2, max_seeds=10, runs_left=None)
    assert plan == {"a": [3, 4], "b": [9], "c": [3, 4]} and note == ""
    plan, note = next_round(tried, ["c", "a", "b"], step=2, max_seeds=10, runs_left=3)
    assert plan == {"c": [3, 4], "a": [3]} and "3 of the 5" in note
    plan, _ = next_round({"a": list(range(10))}, ["a"], step=2, max_seeds=10, runs_left=None)
    assert plan == {}


def test_runs_that_share_seeds_and_form_a_grid_are_one_multirun() -> None:
    sweep = read_sweep(["pooling=avg,strided", "activation=relu,leaky_relu"])
    a, b, c, d = sweep.settings
    assert forms_grid([a, b, c, d], sweep.keys) and forms_grid([a, b], sweep.keys)
    assert not forms_grid([a, d], sweep.keys) and not forms_grid([a, b, c], sweep.keys)
    plan = {s.name: [3, 4] for s in (a, c, d)}
    done = {(a.name, 3)}
    got = launches(sweep, plan, lambda s, seed: (s.name, seed) not in done)
    assert got == [Launch((a,), (4,)), Launch((c, d), (3, 4))]  # c, d: strided x both
    plan = {s.name: [3] for s in (a, b, c)}
    assert len(launches(sweep, plan, lambda s, seed: True)) == 3  # no grid: one each


def test_settings_with_hashed_names_run_one_multirun_each() -> None:
    sweep = read_sweep(["data.root=a/b,c/d"])
    got = launches(sweep, first_round(sweep, 2), lambda s, seed: True)
    assert [len(lau.settings) for lau in got] == [1, 1]


def test_the_launch_command_names_every_run_and_passes_launcher_overrides() -> None:
    sweep = read_sweep(["trick=none,ema", "data=digits", "hydra/launcher=parallel"])
    cmd = command(sweep, Launch(sweep.settings, (3, 4)), Path("out/race"))
    assert cmd[1:4] == ["-m", "dcgan.train", "-m"]
    args = cmd[4:]
    assert "hydra/launcher=parallel" in args and "data=digits" in args
    assert "trick=choice(none,ema)" in args and "seed=choice(3,4)" in args
    assert "resume=auto" in args and "hydra.sweep.dir=out/race" in args
    assert "hydra.sweep.subdir=${hydra.job.override_dirname}" in args
    assert "hydra.job.config.override_dirname.exclude_keys=['data','resume']" in args


def test_a_setting_reads_its_values() -> None:
    s = Setting(("pooling=avg", "optimizer.generator.lr=0.0001"))
    assert s.values == {"pooling": "avg", "optimizer.generator.lr": "0.0001"}
    assert s.name == "pooling=avg optimizer.generator.lr=0.0001"
