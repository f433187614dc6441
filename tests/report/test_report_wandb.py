"""The report's settings table and plot in a W&B offline run of the sweep's group, read back."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dcgan.report import main
from dcgan.report.wandb_log import COLUMNS, report_run_id
from tests.report.sweep_files import write_run, write_sweep, written


def _records(run_dir: Path) -> list[dict]:
    """Every record of the run's .wandb log, as W&B's own reader prints them."""
    res = subprocess.run(
        [sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


def _report_run(sweep: Path, capsys) -> Path:
    paths = written(capsys.readouterr().out)
    assert [p.name for p in paths[:2]] == ["report.md", "report.html"]
    (run_dir,) = sweep.glob("wandb/offline-run-*")
    assert paths[-1] == run_dir  # the W&B run's folder is printed last
    assert run_dir.name.endswith(report_run_id(sweep))  # one id per sweep
    return run_dir


def test_settings_table_and_plot_are_logged_to_a_report_run_of_the_group(
    tmp_path: Path, capsys
) -> None:
    sweep = write_sweep(
        tmp_path / "multirun" / "2026-11-30" / "10-00-00",
        {"trick=none": [10.0, 12.0, 11.0], "trick=ema": [9.0, 11.1, 10.0]},
    )
    # the report run of an earlier call, as W&B names its offline folder: replaced, not added to
    earlier = sweep / "wandb" / f"offline-run-20261130_100500-{report_run_id(sweep)}"
    (earlier / "files").mkdir(parents=True)
    assert main([str(sweep), "score=final"]) == 0
    run_dir = _report_run(sweep, capsys)
    assert not earlier.exists()
    assert (sweep / "report_swd.png").is_file()
    records = _records(run_dir)

    (run,) = [r["run"] for r in records if r.get("type") == "run"]
    assert run["run_group"] == "2026-11-30_10-00-00"  # as the sweep's runs name their group
    assert run["job_type"] == "report" and run["project"] == "dcgan"
    assert run["config"]["update"]["score"] == "final"
    assert run["config"]["update"]["alpha"] == 0.05 and run["run_id"] == report_run_id(sweep)

    (history,) = [r["history"]["item"] for r in records if r.get("type") == "history"]
    assert history["settings._type"] == "table-file" and history["settings.nrows"] == 2
    table_file = run_dir / "files" / history["settings.path"]
    assert hashlib.sha256(table_file.read_bytes()).hexdigest() == history["settings.sha256"]
    table = json.loads(table_file.read_text())
    assert table["columns"] == COLUMNS
    rows = [dict(zip(table["columns"], row, strict=True)) for row in table["data"]]
    assert [r["setting"] for r in rows] == ["trick=ema", "trick=none"]  # ranked
    ema, none = rows
    assert ema["n"] == 3 and ema["mean"] == pytest.approx(10.0333, abs=1e-4)
    assert ema["paired"] is True and ema["difference"] == pytest.approx(-0.9667, abs=1e-4)
    assert ema["verdict"] == "better" and ema["adjusted p"] < 0.05  # the same 1 lower, nearly
    assert ema["probability of improvement"] == 1.0 and ema["score"] == "final"
    assert ema["interval"].startswith("[") and ema["img/s ratio"] == pytest.approx(1.0)
    assert none["verdict"] == "baseline" and none["difference"] is None

    plot = run_dir / "files" / history["plot.path"]
    assert history["plot._type"] == "image-file"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_runs_group_is_the_report_group_and_wandb_false_logs_nothing(
    tmp_path: Path, capsys
) -> None:
    sweep = tmp_path / "named"
    for num, seed in enumerate((0, 1)):
        logger = {"name": "wandb", "project": "gans", "group": "my_group"}
        write_run(sweep, num, ["trick=none", f"seed={seed}"], 10.0 + seed, logger=logger)
    assert main([str(sweep), "wandb=false"]) == 0
    assert not (sweep / "wandb").exists()
    capsys.readouterr()
    assert main([str(sweep), "wandb=offline"]) == 0
    (run,) = [r["run"] for r in _records(_report_run(sweep, capsys)) if r.get("type") == "run"]
    assert (run["run_group"], run["project"], run["job_type"]) == ("my_group", "gans", "report")


def test_a_run_w_and_b_refuses_is_one_line_after_the_report_is_written(
    tmp_path: Path, capsys
) -> None:
    sweep = tmp_path / "odd"
    write_run(sweep, 0, ["seed=0"], 10.0, logger={"name": "wandb", "project": "a/b"})
    assert main([str(sweep)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the report is written but W&B refused its run: ")
    assert "\n" not in err and (sweep / "report.md").is_file()
