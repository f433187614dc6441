"""A real 3-run sweep through the CLI, one run diverging, then the report of it."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

from dcgan.report import collect_runs, main, sort_runs
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
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runs: two that train, one with an absurd D learning rate that diverges (job 1)."""
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
    # every job ran although job 1 failed; the sweep then exits non-zero naming the failure
    assert res.returncode != 0
    assert "training diverged at iteration" in res.stderr + res.stdout
    return folder


def test_failed_job_does_not_stop_the_sweep(sweep: Path) -> None:
    status = {
        d.name: json.loads((d / "metrics.json").read_text())["status"]
        for d in sweep.iterdir()
        if d.is_dir()
    }
    assert status == {"0": "finished", "1": "failed", "2": "finished"}
    assert list((sweep / "1" / "checkpoints").glob("nan_iter_*.ckpt"))


def test_report_lists_every_run_sorted_failed_last(sweep: Path, capsys) -> None:
    # W&B refuses the project name this sweep was given; the report's own W&B run is tested apart
    assert main([str(sweep), "wandb=false"]) == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).name for p in written] == ["report.md", "report.html", "report_swd.png"]
    assert (sweep / "report_swd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    runs = sort_runs(collect_runs(sweep), "swd")
    assert [r.name for r in runs][-1] == "1"
    finished = [r.metric("swd") for r in runs[:2]]
    assert finished == sorted(finished)

    md = (sweep / "report.md").read_text()
    settings_part, runs_part = md.split("## Settings\n", 1)[1].split("## Runs\n", 1)
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
