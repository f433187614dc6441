"""A seed counts once per setting: a sweeper's repeated proposal is the same run again."""

from __future__ import annotations

from pathlib import Path

from dcgan.report import analyse, collect_runs, main
from tests.report.sweep_files import md_table, write_run

FINALS = {"trick=none": [20.0, 22.0, 21.0], "trick=ema": [18.0, 21.5, 19.0]}


def _sweep(folder: Path, repeats: int) -> Path:
    num = 0
    for setting, finals in FINALS.items():
        for seed, final in enumerate(finals):
            write_run(folder, num, [setting, f"seed={seed}"], final, [(100, final)])
            num += 1
    for _ in range(repeats):  # trick=ema, seed 1 again: the same values and the same seed
        write_run(folder, num, ["trick=ema", "seed=1"], FINALS["trick=ema"][1], [(100, 21.5)])
        num += 1
    return folder


def test_a_repeated_seed_counts_once(tmp_path: Path) -> None:
    once = analyse(collect_runs(_sweep(tmp_path / "once", 0)), "swd", score="final")
    repeated = analyse(collect_runs(_sweep(tmp_path / "repeated", 3)), "swd", score="final")
    ema = next(s for s in repeated.settings if s.label == "trick=ema")
    assert len(ema.runs) == 6 and len(ema.counted) == 3 and len(ema.repeats) == 3
    assert ema.final.n == 3 and ema.not_counted == "3 repeating a seed"
    before = next(s for s in once.settings if s.label == "trick=ema")
    assert ema.difference == before.difference  # the same interval, p and verdict


def test_the_report_says_why_a_run_is_left_out(tmp_path: Path) -> None:
    sweep = _sweep(tmp_path / "repeated", 2)
    assert main([str(sweep), "wandb=false", "score=final"]) == 0
    md = (sweep / "report.md").read_text()
    assert "2 finished runs repeat a seed that its setting already has" in md
    row = md_table(md, "Details per setting")["trick=ema"]
    assert row["not counted"] == "2 repeating a seed"
    assert row["final swd per seed"].endswith("s1: 21.5, s2: 19")
