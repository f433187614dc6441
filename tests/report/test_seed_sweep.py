"""A real tiny multirun, 2 settings x 2 seeds: the report over seeds and what W&B wrote offline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dcgan.report import main
from tests.tiny import TINY_DIGITS, run_module

pytestmark = pytest.mark.slow

TINY = [
    *TINY_DIGITS,
    "trainer.max_steps=3",
    "callbacks.samples.every_n_steps=3",
    "callbacks.samples.num_samples=4",
    "callbacks.checkpoint.every_n_steps=3",
    "callbacks.metrics.every_n_steps=1",
    "callbacks.metrics.num_samples=16",
    "logger=wandb",
]
INTERVAL = re.compile(r"^\[-?[\d.e+-]+, -?[\d.e+-]+\]$")
VERDICTS = ("better", "worse", "not distinguishable with 2 seeds")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """trick=none,leaky_relu x seed=0,1 through the CLI: four runs in one sweep folder."""
    work = tmp_path_factory.mktemp("seeds")
    folder = work / "multirun" / "two_by_two"
    res = run_module(
        "dcgan.train",
        "-m",
        "trick=none,leaky_relu",
        "seed=0,1",
        *TINY,
        f"hydra.sweep.dir={folder}",
        cwd=work,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return folder


DETAILS = "Details per setting"


def _section(md: str, title: str) -> list[list[str]]:
    """The body rows of the table under `## title`, as cells."""
    part = md.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("| ") and line[2].isdigit()]
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]


def _rows(md: str) -> dict[str, dict[str, str]]:
    """The detailed settings table as {setting: {column: cell}}, a score's column by its name
    alone (`final swd`, `best swd`; the report adds the images it was measured on)."""
    header = md.split(f"## {DETAILS}\n", 1)[1].split("\n")[1]
    columns = [
        re.sub(r"^(\w+)( periodic)? swd \(.*images\)$", r"\1 swd", c.strip())
        for c in header.strip("|").split(" | ")
    ]
    return {row[1]: dict(zip(columns, row, strict=True)) for row in _section(md, DETAILS)}


def test_report_has_one_row_per_setting_with_interval_and_verdict(sweep: Path, capsys) -> None:
    assert main([str(sweep)]) == 0
    assert (sweep / "report_swd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (sweep / "report.md").read_text()
    score = re.search(r"ranked by the mean over seeds of the `(final|best|late)` `swd`", md)[1]
    rows = list(_rows(md).values())
    assert sorted(r["setting"] for r in rows) == ["trick=leaky_relu", "trick=none"]
    for row in rows:
        assert row["n"] == "2" and row["not counted"] == ""
        for suffix in ("", " (best)", " (late)"):
            assert INTERVAL.match(row[f"95% CI{suffix}"])
        assert re.fullmatch(r"s0: [\d.]+, s1: [\d.]+", row[f"{score} swd per seed"])
        assert float(row["img/s"]) > 0 and float(row["train s/run"]) > 0
    means = [float(r[f"{score} swd"]) for r in rows]
    assert means == sorted(means)  # ranked by the mean of the chosen score, lower first
    base = next(r for r in rows if r["setting"] == "trick=none")
    other = next(r for r in rows if r["setting"] == "trick=leaky_relu")
    assert base["vs baseline [95% CI]"] == "baseline"
    delta, low, high = map(float, re.findall(r"[-+][\d.e+-]+", other["vs baseline [95% CI]"]))
    assert low <= delta <= high
    # both settings ran seeds 0 and 1: paired, and the mean difference is the difference of means
    assert other["paired (CI / Welch's)"].startswith("yes")
    shown = float(other[f"{score} swd"]) - float(base[f"{score} swd"])  # means shown to 4 digits
    assert delta == pytest.approx(shown, abs=1e-3 * max(means))
    # one test: Holm leaves its p as it is, so the verdict follows the interval
    verdict = "better" if high < 0 else "worse" if low > 0 else VERDICTS[2]
    assert other["verdict"] == verdict
    assert float(other["P(better)"]) in (0.0, 0.5, 1.0)
    number = r"[\d.]+(e[+-]\d+)?"  # two seeds on a busy machine can give 1.3e-05
    assert re.fullmatch(
        rf"{number} \[{number}, {number}\]( \(machine spread\))?",
        other["img/s / baseline's [95% CI]"],
    )
    assert "Welch" in md and "Holm" in md and "+-1 sd over seeds" in md
    assert len(_section(md, "Runs")) == 4
    assert len(list(sweep.glob("wandb/offline-run-*"))) == 1  # the report's own W&B run


def test_baseline_key_chooses_what_the_settings_are_compared_with(sweep, tmp_path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    assert main([str(copy), "baseline=trick=leaky_relu", "score=final", "wandb=false"]) == 0
    md = (copy / "report.md").read_text()
    assert "Against the baseline `trick=leaky_relu` with the same other overrides" in md
    rows = _rows(md)
    assert rows["trick=leaky_relu"]["vs baseline [95% CI]"] == "baseline"
    delta = float(re.findall(r"[-+][\d.e+-]+", rows["trick=none"]["vs baseline [95% CI]"])[0])
    none, other = (
        float(rows["trick=none"]["final swd"]),
        float(rows["trick=leaky_relu"]["final swd"]),
    )
    assert delta == pytest.approx(none - other, abs=1e-3 * max(none, other))  # 4 digits shown
    res = run_module("dcgan.report", str(copy), "baseline=trick=dropout", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "error: baseline=trick=dropout is no setting of this sweep; "
        "it has: trick=leaky_relu, trick=none"
    )


def _leet(*args: str) -> str:
    res = subprocess.run(
        [sys.executable, "-m", "wandb", "leet", "inspect", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_wandb_files_hold_group_tags_config_and_summary(sweep: Path) -> None:
    for run in sorted(p for p in sweep.iterdir() if (p / ".hydra").is_dir()):
        overrides = (run / ".hydra" / "overrides.yaml").read_text()
        trick = re.search(r"trick=(\w+)", overrides).group(1)
        seed = int(re.search(r"seed=(\d+)", overrides).group(1))
        info = json.loads((run / "metrics.json").read_text())

        state = json.loads(_leet("--summary", "--json", str(run / "wandb")))
        assert state["state"] == "finished"
        assert state["tags"] == [f"trick={trick}"]  # the swept key only: no seed, no shared keys
        config = state["config"]
        assert config["trick"] == trick and config["pooling"] == "strided"
        assert config["setting"] == f"trick={trick}"
        assert config["cfg"]["seed"] == seed and config["cfg"]["data"]["batch_size"] == 8
        assert config["cfg"]["trainer"]["precision"] is not None
        summary = state["summary"]
        assert summary["status"] == "finished"
        assert summary["final/swd"] == pytest.approx(info["metrics"]["swd"])
        assert summary["best/swd"] == pytest.approx(info["best"]["value"])

        records = [json.loads(line) for line in _leet("--json", str(run / "wandb")).splitlines()]
        (record,) = [r["run"] for r in records if r.get("type") == "run"]
        assert record["run_group"] == "two_by_two" and record["job_type"] == "sweep"


def test_metric_in_no_run_is_refused_and_keeps_the_report(sweep: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    assert main([str(copy), "wandb=false"]) == 0
    before = (copy / "report.md").read_bytes()
    res = run_module("dcgan.report", str(copy), "--metric", "fid", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "error: metric=fid is in no run of this sweep (they have: swd, swd_16)"
    ]
    assert (copy / "report.md").read_bytes() == before
    assert not [p for p in copy.iterdir() if p.name.endswith(".tmp")]


def test_corrupted_metrics_json_shows_as_unreadable(sweep: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(sweep, copy)
    (copy / "3" / "metrics.json").write_text('{"status": "fini')  # cut short
    assert main([str(copy), "wandb=false"]) == 0
    md = (copy / "report.md").read_text()
    (run3,) = [row for row in _section(md, "Runs") if row[1] == "3"]
    assert run3[4] == "unreadable" and "metrics.json is unreadable" in run3[-2]
    settings = {row[1]: row for row in _section(md, DETAILS)}
    counted = settings["trick=leaky_relu"]
    assert counted[2] == "1" and counted[3] == "1 unreadable"
    assert "not started" not in md
