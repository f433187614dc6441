"""A real 3-run sweep through the CLI, one run diverging, then the report of it."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from dcgan.report import collect_runs, main, sort_runs
from tests.report.sweep_files import written
from tests.tiny import TINY_DIGITS, heavy_imports, run_module

pytestmark = pytest.mark.slow

TINY = [
    *TINY_DIGITS,
    "trainer.max_steps=3",
    "callbacks.samples.every_n_steps=1",
    "callbacks.samples.num_samples=4",
    "callbacks.checkpoint.every_n_steps=3",
    "callbacks.metrics.every_n_steps=1",
    "callbacks.metrics.num_samples=16",
    "logger=none",
]
SCRIPT = "'<script>alert(1)</script>'"  # a user text the HTML must show, not run


@pytest.fixture(scope="module")
def sweep_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """Three runs through the real CLI: two that train, one with an absurd D learning rate that
    diverges (job 1); the sweep folder and what the command said."""
    work = tmp_path_factory.mktemp("sweep")
    folder = work / "outputs" / "multirun"
    res = run_module(
        "dcgan.train",
        "-m",
        *TINY,
        f"logger.project={SCRIPT}",
        "optimizer.discriminator.lr=0.0002,1e30,0.001",
        f"hydra.sweep.dir={folder}",
        cwd=work,
    )
    return folder, res


@pytest.fixture(scope="module")
def sweep(sweep_run: tuple[Path, subprocess.CompletedProcess]) -> Path:
    return sweep_run[0]


def test_a_failed_job_does_not_stop_the_sweep(sweep_run) -> None:
    """A NaN found late fails its job: no traceback, the other jobs run, one line at the end."""
    sweep, res = sweep_run
    assert res.returncode == 1, res.stderr[-3000:]
    assert "Traceback" not in res.stderr + res.stdout
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: 1 run(s) of the sweep failed: {sweep / '1'}: training diverged")
    status = {
        d.name: json.loads((d / "metrics.json").read_text())["status"]
        for d in sweep.iterdir()
        if d.is_dir()
    }
    assert status == {"0": "finished", "1": "failed", "2": "finished"}
    assert list((sweep / "1" / "checkpoints").glob("nan_iter_*.ckpt"))


def test_each_job_has_its_own_folder_and_config(sweep: Path) -> None:
    for num, lr in ((0, "0.0002"), (1, "1.0e+30"), (2, "0.001")):
        config = yaml.safe_load((sweep / str(num) / ".hydra" / "config.yaml").read_text())
        assert float(config["optimizer"]["discriminator"]["lr"]) == float(lr)
    for num in (0, 2):  # the job after the failed one ran too
        assert (sweep / str(num) / "checkpoints" / "last.ckpt").stat().st_size > 0


def test_report_lists_every_run_sorted_failed_last(sweep: Path, capsys) -> None:
    # W&B refuses the project name this sweep was given; the report's own W&B run is tested apart
    assert main([str(sweep), "wandb=false"]) == 0
    out = capsys.readouterr().out
    paths = written(out)
    assert [p.name for p in paths] == [
        "report.md",
        "report.html",
        "report_swd.png",
        "train_best.sh",
    ]
    assert len(out.splitlines()) == len(paths) + 5  # the scale, 3 settings, the best's command
    assert (sweep / "report_swd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    runs = sort_runs(collect_runs(sweep), "swd")
    assert [r.name for r in runs][-1] == "1"
    finished = [r.metric("swd") for r in runs[:2]]
    assert finished == sorted(finished)

    md = (sweep / "report.md").read_text()
    settings_part, runs_part = md.split("## Details per setting\n", 1)[1].split("## Runs\n", 1)
    rows = [line for line in runs_part.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 3
    assert [row.split(" | ")[1] for row in rows] == [r.name for r in runs]
    # one seed per setting: three settings, the failed one counted apart, no interval claimed
    settings = [
        line for line in settings_part.splitlines() if line.startswith("| ") and line[2].isdigit()
    ]
    assert len(settings) == 3 and "| 0 | 1 failed |" in settings[-1]
    assert sum("not distinguishable with 1 seed |" in row for row in settings) == 1
    assert "| failed |" in rows[-1] and "TrainingDiverged" in rows[-1]
    assert "training diverged at iteration" in rows[-1]
    assert rows[0].count("| finished |") == 1 and "samples/iter_000003.png" in rows[0]
    assert "optimizer.discriminator.lr=1e+30" in rows[-1]  # as Hydra records it

    page = (sweep / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('<tr class="finished">') == 2 and page.count('<tr class="failed">') == 1
    assert page.count('<tr class="setting">') == 3
    assert "<script>" not in md


def test_report_of_a_wrong_folder_says_why(tmp_path: Path) -> None:
    res = run_module("dcgan.report", str(tmp_path), cwd=tmp_path)
    assert res.returncode == 2
    assert "holds no run folders" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize(
    "argv,rc",
    [(["--help"], 0), ([], 2), (["x", "score=bogus"], 2), (["x", "window=2"], 2), (["x", "y"], 2)],
)
def test_help_and_argument_refusals_import_nothing_heavy(
    argv: list[str], rc: int, tmp_path: Path
) -> None:
    # they answer at once: no torch, lightning, W&B or plotting before the arguments are checked
    assert heavy_imports("dcgan.report.cli:main", argv, cwd=tmp_path) == (rc, [])


def test_the_help_names_every_headline_metric(capsys: pytest.CaptureFixture) -> None:
    from dcgan.metrics.registry import headline_names

    assert main(["--help"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("metric="))
    assert all(re.search(rf"\b{name}\b", line) for name in headline_names())


@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_optuna_sweeper") is None,
    reason="hydra-optuna-sweeper is not installed (pip install -e '.[sweep]')",
)
def test_optuna_minimises_the_returned_metric(tmp_path: Path) -> None:
    folder = tmp_path / "optuna"
    res = run_module(
        "dcgan.train",
        "hparams_search=optuna_swd",
        "hydra.sweeper.n_trials=2",
        *TINY,
        f"hydra.sweep.dir={folder}",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    best = yaml.safe_load((folder / "optimization_results.yaml").read_text())["best_value"]
    finals = [json.loads((folder / n / "metrics.json").read_text())["metrics"]["swd"] for n in "01"]
    assert best == pytest.approx(min(finals))
