"""The report of a sweep folder written by hand: score choice, pairing, Holm, cost, keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dcgan.report import analyse, collect_runs, main
from dcgan.report.scores import WINDOW
from tests.report.sweep_files import md_table, write_run, written

SEED_EFFECT = [0.0, 3.0, -2.0, 1.0]  # what a seed does to every setting alike
JITTER = [5.0, -6.0, 4.0, -3.0]  # the final evaluation's own noise, larger than the late mean's


def _run(sweep: Path, num: int, trick: str, seed: int, level: float, img_per_s: float) -> None:
    """Periodic values settle at `level` from iteration 300; the final value is noisier."""
    effect = SEED_EFFECT[seed % 4]
    late = level + effect
    history = [(100, 60.0), (200, 45.0), (300, late + 0.2), (400, late - 0.2)]
    final = late + JITTER[seed % 4]
    write_run(sweep, num, [f"trick={trick}", f"seed={seed}"], final, history, img_per_s)


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """none (4 seeds + 1 failed), ema (better by 1 on every seed), dropout (raw p 0.033, worse
    by ~0.8), smooth (its own seeds 10-12: no pairing)."""
    folder = tmp_path / "multirun" / "tricks_seeds"
    ema_wiggle, dropout_wiggle = [0.1, -0.1, 0.05, -0.05], [0.6, -0.3, 0.5, 0.0]
    num = 0
    for seed in range(4):
        _run(folder, num, "none", seed, 20.0, 100.0)
        _run(folder, num + 1, "ema", seed, 19.0 + ema_wiggle[seed], 95.0 + seed % 2)
        _run(
            folder, num + 2, "dropout", seed, 20.6 + dropout_wiggle[seed], [100, 60, 130, 90][seed]
        )
        num += 3
    for i, seed in enumerate((10, 11, 12)):
        _run(folder, num + i, "smooth", seed, [22.0, 21.0, 19.0][i], 100.0)
    write_run(folder, 99, ["trick=none", "seed=4"], None, status="failed")
    return folder


def test_analyse_compares_by_the_quietest_score_paired_and_corrected(sweep: Path) -> None:
    a = analyse(collect_runs(sweep), "swd")
    assert a.score == "late"  # the final values carry the evaluation's jitter
    assert a.spreads["late"].sd < a.spreads["final"].sd
    assert "`late`, whose seed-to-seed sd is the smallest relative to its mean" in a.why
    by = {s.label: s for s in a.settings}
    assert [s.label for s in a.settings][0] == "trick=ema"  # ranked by the late mean
    assert by["trick=none"].is_baseline and by["trick=none"].per_seed == pytest.approx(
        {0: 20.0, 1: 23.0, 2: 18.0, 3: 21.0}
    )
    ema, dropout = by["trick=ema"].difference, by["trick=dropout"].difference
    smooth = by["trick=smooth"].difference
    assert ema.paired and ema.delta == pytest.approx(-1.0) and ema.verdict == "better"
    assert ema.narrowing < 0.1 and ema.prob_improvement == 1.0
    # raw p 0.033 is below 5%, but it is one of 3 tests: Holm multiplies it by 2
    assert dropout.p == pytest.approx(0.0326, abs=1e-4) and dropout.low > 0
    assert dropout.adjusted_p == pytest.approx(2 * dropout.p)
    assert dropout.verdict == "not distinguishable with 4 seeds"
    assert not smooth.paired and smooth.n == 3 and smooth.n_baseline == 4
    assert smooth.verdict == "not distinguishable with 3 and 4 seeds"
    # 20, 22, 19 against 20, 23, 18, 21: 2 + 0.5 (a tie) + 1 + 3 of 12 pairs
    assert smooth.prob_improvement == pytest.approx(6.5 / 12)
    assert by["trick=ema"].cost.ratio == pytest.approx((95 * 96 * 95 * 96) ** 0.25 / 100)
    assert by["trick=dropout"].cost.noisy and not by["trick=ema"].cost.noisy


def test_score_key_chooses_what_is_compared(sweep: Path) -> None:
    a = analyse(collect_runs(sweep), "swd", score="final")
    assert a.score == "final" and "as asked" in a.why
    assert a.settings[0].per_seed == {s: v for s, v in a.settings[0].scores["final"].items()}
    wide = analyse(collect_runs(sweep), "swd", score="late", window=1.0)  # all 4 values
    base = next(s for s in wide.settings if s.is_baseline)
    assert base.per_seed[0] == pytest.approx((60 + 45 + 20.2 + 19.8) / 4)


def test_report_shows_pairing_holm_and_cost(sweep: Path, capsys) -> None:
    assert main([str(sweep), "wandb=false"]) == 0
    assert [p.name for p in written(capsys.readouterr().out)] == [
        "report.md",
        "report.html",
        "report_swd.png",
        "train_best.sh",
    ]
    md = (sweep / "report.md").read_text()
    rows = md_table(md, "Details per setting")
    assert list(rows) == ["trick=ema", "trick=smooth", "trick=none", "trick=dropout"]
    ema, none, dropout = rows["trick=ema"], rows["trick=none"], rows["trick=dropout"]
    assert none["n"] == "4" and none["not counted"] == "1 failed"
    assert none["late swd per seed"] == "s0: 20, s1: 23, s2: 18, s3: 21, s4: failed"
    assert re.fullmatch(r"yes, x0\.0\d", ema["paired (CI / Welch's)"])
    assert rows["trick=smooth"]["paired (CI / Welch's)"] == "no (Welch)"
    assert ema["verdict"] == "better" and ema["P(better)"] == "1" and float(ema["p (Holm)"]) < 0.001
    assert dropout["vs baseline [95% CI]"].startswith("+0.8 [+0.")  # interval excludes 0 ...
    assert dropout["verdict"] == "not distinguishable with 4 seeds"  # ... Holm does not
    assert dropout["p (Holm)"] == "0.065"
    assert ema["img/s / baseline's [95% CI]"].startswith("0.955 [")
    assert dropout["img/s / baseline's [95% CI]"].endswith("(machine spread)")
    assert none["img/s / baseline's [95% CI]"] == "baseline"
    assert "Compared by `late`, whose seed-to-seed sd is the smallest" in md
    assert re.search(r"final sd [\d.]+ = [\d.]+ of its mean; best sd", md)
    assert "Holm's step-down method at a family-wise error rate of 5%" in md
    assert "corrected for the 3 tests" in md
    pairing = r"Pairing: 2 of 3 comparisons paired by seed; their intervals are x0\.\d\d \(median, "
    assert re.search(pairing, md)
    assert "+-10% for trick=dropout" in md and "speaks more about the machine" in md
    assert not (sweep / "wandb").exists()


def test_bad_score_and_window_keys_stop_with_one_line(sweep: Path, capsys) -> None:
    assert main([str(sweep), "score=median"]) == 2
    assert "score=median is invalid; choices: auto, final, best, late" in (capsys.readouterr().err)
    assert main([str(sweep), "window=0"]) == 2
    assert "window=0 is invalid: give a fraction 0 < window <= 1" in capsys.readouterr().err
    assert main([str(sweep), "wandb=maybe"]) == 2
    assert not (sweep / "report.md").exists()


def test_help_lists_every_key_with_its_default(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for shown in (
        "metric=null",
        "baseline=null",
        "score=auto",
        f"window={WINDOW}",
        "wandb=offline",
    ):
        assert f"  {shown} " in out
