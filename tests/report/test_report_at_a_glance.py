"""What a report says at a glance: the race's alpha, until, cost, score names, console, plot."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from dcgan.report import main
from dcgan.report.cli import NO_FOLDER
from dcgan.report.plot import BASELINE_COLOUR, colours, draw
from dcgan.report.write import read_report
from tests.report.sweep_files import md_table, write_run

# x=b against x=a, paired: differences -1, -0.4, -0.1 (mean -0.5, t = -1.89, 2 df, p = 0.199)
FINALS = {"x=a": [10.0, 12.0, 11.0], "x=b": [9.0, 11.6, 10.9]}


def _sweep(folder: Path, **run) -> Path:
    num = 0
    for setting, finals in FINALS.items():
        for seed, final in enumerate(finals):
            history = [(100, final + 5.0), (200, final + 1.0)]
            overrides = ["data=digits", setting, f"seed={seed}", "resume=auto"]
            write_run(folder, num, overrides, final, history, **run)
            (folder / str(num) / "samples").mkdir()
            for it in (100, 200):
                (folder / str(num) / "samples" / f"iter_{it:06d}.png").write_bytes(b"png")
            num += 1
    return folder


def _race_log(folder: Path, alpha: float) -> None:
    """race.json as a race leaves it: its definition and what its first round chose."""
    data = {
        "definition": {"baseline": "x=a", "alpha": alpha},
        "compared_by": {"metric": "swd", "score": "final"},
        "rounds": [],
    }
    (folder / "race.json").write_text(json.dumps(data))


def test_a_race_folder_is_judged_with_the_races_alpha_and_a_key_wins(
    tmp_path: Path, capsys
) -> None:
    sweep = _sweep(tmp_path / "race")
    _race_log(sweep, alpha=0.5)
    assert main([str(sweep), "wandb=false"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "final swd (256 images), against `x=a` with the same other overrides; verdicts "
        "Holm-corrected at alpha=0.5:"
    )
    assert out[1] == "  x=b  n=3  10.5 [7.158, 13.84]  -0.5 [-1.638, +0.6384]  better"
    assert out[2] == "  x=a  n=3  11 [8.516, 13.48]  baseline"
    md = (sweep / "report.md").read_text()
    main_rows = md_table(md, "Settings")
    assert list(main_rows["x=b"]) == [
        "#",
        "setting",
        "n",
        "final swd (256 images) [95% CI]",
        "vs baseline [95% CI]",
        "P(better)",
        "verdict",
        "img/s ratio [95% CI]",
    ]
    assert main_rows["x=b"]["verdict"] == "better" and main_rows["x=b"]["P(better)"] == "1"
    assert main_rows["x=a"]["verdict"] == "baseline"
    assert "family-wise error rate of 50% (alpha=0.5, the race's race.alpha)" in md
    assert "Compared by `final`, the race's score, kept since its first round" in md
    assert "as asked" not in md and "judged by the race's metric, baseline, score, alpha" in md
    assert "Shared overrides: data=digits\n" in md  # resume=auto says how, not what, it trains
    assert "(3 finished seeds each)" in md
    # the best setting's command: its overrides, no seed, no resume
    assert (sweep / "train_best.sh").read_text().splitlines()[-1] == (
        "python -m dcgan.train data=digits x=b"
    )
    assert "budget (train_best.sh): `python -m dcgan.train data=digits x=b`" in md

    assert main([str(sweep), "alpha=0.05", "wandb=false"]) == 0
    assert "  x=b  n=3  10.5 [7.158, 13.84]  -0.5 [-1.638, +0.6384]  not distinguishable " in (
        capsys.readouterr().out
    )
    assert md_table((sweep / "report.md").read_text(), "Settings")["x=b"]["verdict"] == (
        "not distinguishable with 3 seeds"
    )


def test_until_is_named_and_links_the_grids_of_that_iteration(tmp_path: Path, capsys) -> None:
    sweep = _sweep(tmp_path / "sweep", periodic_images=128)
    assert main([str(sweep), "until=5", "wandb=false"]) == 2
    assert capsys.readouterr().err == (
        "error: until=5 is before every run's first evaluation, so no run could be read as of "
        "it: the runs were evaluated at iterations 100, 200; give one of them\n"
    )
    assert main([str(sweep), "until=150", "wandb=false"]) == 2
    assert "until=150 is at no run's evaluation" in capsys.readouterr().err
    assert not (sweep / "report.md").exists()

    assert main([str(sweep), "until=100", "score=final", "wandb=false"]) == 0
    md, page = (sweep / "report.md").read_text(), (sweep / "report.html").read_text()
    assert md.startswith("# Sweep report: sweep, as of iteration 100\n")
    assert "<h1>Sweep report: sweep, as of iteration 100</h1>" in page
    assert "Read as of iteration 100 (until=100)" in md
    assert md_table(md, "Settings")["x=b"]["final swd (128 images) [95% CI]"].startswith("15.5 [")
    runs = md_table(md, "Runs")
    assert "last samples (at iteration 100)" in runs["0"]
    assert all(
        r["last samples (at iteration 100)"].endswith("iter_000100.png)") for r in runs.values()
    )
    fig = draw(read_report(sweep, until=100, score="final").analysis, until=100)
    title = fig.axes[0].get_title()
    assert "compared by their final swd; until=100" in title and "periodic swd" in title
    assert max(fig.axes[0].get_lines()[0].get_xdata()) == 100  # the curves stop at 100 too

    # a source smaller than num_samples: the history's own count, not the configured one
    small = _sweep(tmp_path / "small", periodic_images=128, history_images=96)
    assert main([str(small), "until=100", "score=final", "wandb=false"]) == 0
    settings = md_table((small / "report.md").read_text(), "Settings")
    assert "final swd (96 images) [95% CI]" in settings["x=b"]

    for num in range(6):  # the runs trained again without periodic evaluations: no curve
        info = json.loads((sweep / str(num) / "metrics.json").read_text())
        (sweep / str(num) / "metrics.json").write_text(json.dumps({**info, "history": []}))
    assert (sweep / "report_swd.png").is_file()
    assert main([str(sweep), "wandb=false"]) == 0
    assert not (sweep / "report_swd.png").exists()  # no plot of runs that are not these
    assert "report_swd.png" not in (sweep / "report.md").read_text()


def test_cost_leaves_out_the_first_jobs_warm_up_and_scores_name_their_images(
    tmp_path: Path,
) -> None:
    # the same runs, but the first job of the process paid 30 s of start-up
    sweep = _sweep(tmp_path / "sweep", images_seen=1000, periodic_images=128, run_time_s=10.0)
    info = json.loads((sweep / "0" / "metrics.json").read_text())
    (sweep / "0" / "metrics.json").write_text(json.dumps({**info, "run_time_s": 40.0}))
    assert main([str(sweep), "score=final", "wandb=false"]) == 0
    md = (sweep / "report.md").read_text()
    details = md_table(md, "Details per setting")
    assert details["x=a"]["train s/run"] == details["x=b"]["train s/run"] == "10"
    assert md_table(md, "Settings")["x=b"]["img/s ratio [95% CI]"] == "1 [1, 1]"
    runs = md_table(md, "Runs")
    assert runs["0"]["time (s)"] == "40"  # the wall time stays in the runs table
    header = list(details["x=a"])
    assert "final swd (256 images)" in header and "best periodic swd (128 images)" in header
    assert "late periodic swd (128 images)" in header
    assert (
        "`final` is measured on 256 images and `best` and `late` on 128: the metric's value "
        "moves with the number of images"
    ) in md


def test_the_plot_marks_the_baseline_and_keeps_colours_apart(tmp_path: Path) -> None:
    fig = draw(read_report(_sweep(tmp_path / "sweep"), score="late").analysis)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    base, other = lines["x=a (n=3) (baseline)"], lines["x=b (n=3)"]
    assert base.get_color() == BASELINE_COLOUR and base.get_linestyle() == "--"
    assert other.get_linestyle() == "-" and other.get_color() != BASELINE_COLOUR
    assert "compared by their late swd, window=0.4" in fig.axes[0].get_title()
    palette = colours(10)
    closest = min(math.dist(a, b) for i, a in enumerate(palette) for b in palette[i + 1 :])
    assert closest > 0.2  # tab20's neighbours (a colour and its lighter shade) are 0.17 apart


def test_no_folder_is_said_once(capsys) -> None:
    assert main([]) == 2 and main(["score=final"]) == 2
    assert capsys.readouterr().err == f"error: {NO_FOLDER}\n" * 2
    assert NO_FOLDER == (
        "give the sweep folder: python -m dcgan.report outputs/multirun/<date>/<time>"
    )


@pytest.mark.parametrize("alpha", ["0", "1", "x"])
def test_a_bad_alpha_is_one_line(tmp_path: Path, alpha: str, capsys) -> None:
    assert main([str(tmp_path), f"alpha={alpha}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: alpha={alpha} is invalid: ")  # as typed: not 0.0, not 'x'
    assert err.count("\n") == 1
