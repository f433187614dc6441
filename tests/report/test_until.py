"""`until=N`: one sweep at the longest budget read as it stood at a shorter one."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcgan.report import main
from dcgan.report.runs import ReportError, collect_runs
from dcgan.report.until import as_of
from dcgan.report.write import read_report
from tests.report.sweep_files import write_run


def _sweep(tmp_path: Path) -> Path:
    # "b" is worse than "a" early (iteration 100) and better at the end (200)
    for seed in range(3):
        write_run(
            tmp_path,
            seed,
            ["x=a", f"seed={seed}"],
            50.0 + seed,
            [(100, 10.0 + seed), (200, 50.0 + seed)],
        )
        write_run(
            tmp_path,
            10 + seed,
            ["x=b", f"seed={seed}"],
            20.0 + seed,
            [(100, 30.0 + seed), (200, 20.0 + seed)],
        )
    write_run(tmp_path, 20, ["x=c", "seed=0"], None, [(100, 5.0)], status="running")
    return tmp_path


def test_a_run_as_it_stood_at_an_iteration(tmp_path: Path) -> None:
    runs = collect_runs(_sweep(tmp_path))
    early = as_of(runs[0], 100)
    assert early.status == "finished" and early.metric("swd") == 10.0
    assert [h["iteration"] for h in early.history] == [100]
    assert runs[0].metric("swd") == 50.0  # the run itself is untouched
    unreached = as_of(runs[0], 150)  # no evaluation at 150
    assert unreached.status == "not reached" and unreached.metric("swd") is None


def test_the_verdict_follows_the_budget(tmp_path: Path) -> None:
    sweep = _sweep(tmp_path)
    early = read_report(sweep, baseline="x=a", score="final", until=100)
    late = read_report(sweep, baseline="x=a", score="final")
    b_early = next(s for s in early.analysis.settings if s.label == "x=b")
    b_late = next(s for s in late.analysis.settings if s.label == "x=b")
    assert b_early.chosen.mean == pytest.approx(31.0) and b_early.difference.verdict == "worse"
    assert b_late.chosen.mean == pytest.approx(21.0) and b_late.difference.verdict == "better"
    c = next(s for s in early.analysis.settings if s.label == "x=c")
    assert c.chosen.n == 1  # the running run had reached iteration 100


def test_runs_continued_to_a_larger_budget_stay_in_their_setting(tmp_path: Path) -> None:
    """Seeds 0 and 1 of x=b continued from 200 to 400 iterations (max_steps in their last
    overrides): read as of 200, they are one setting with seed 2, as before the continuation."""
    for seed in range(3):
        write_run(tmp_path, seed, ["x=a", f"seed={seed}", "trainer.max_steps=200"], 50.0, [])
        steps = 400 if seed < 2 else 200
        overrides = ["x=b", f"seed={seed}", f"trainer.max_steps={steps}"]
        write_run(tmp_path, 10 + seed, overrides, 9.0, [(200, 20.0 + seed), (400, 9.0)])
    for seed in range(3):  # the baseline's history at 200
        write_run(tmp_path, 20 + seed, ["x=c", f"seed={seed}"], 1.0, [(200, 1.0)])
    report = read_report(tmp_path, baseline="x=c", score="final", until=200)
    labels = sorted(s.label for s in report.analysis.settings)
    assert labels == ["x=a", "x=b", "x=c"]
    b = next(s for s in report.analysis.settings if s.label == "x=b")
    assert b.chosen.n == 3 and b.chosen.mean == pytest.approx(21.0)
    assert len({s.label for s in read_report(tmp_path, baseline="x=c").analysis.settings}) == 4


def test_a_bad_until_is_one_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(ReportError, match="until=0"):
        read_report(_sweep(tmp_path), until=0)
    assert main([str(tmp_path), "until=-3", "wandb=false"]) == 2
    assert "until" in capsys.readouterr().err
