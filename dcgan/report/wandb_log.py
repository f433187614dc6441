"""The report's verdicts in W&B: its settings table and plot, logged to a run in the sweep's group.

The run joins the group the sweep's runs log to (`logger.group` of their saved config, else the
sweep folder's name, as `dcgan.tracking` names it) in their project, with `job_type` "report",
and writes its files under `<sweep>/wandb/`. Offline by default, like every run; `wandb sync`
uploads it. A sweep has one report run: its id follows from the sweep folder, a later report
replaces the offline files of the earlier one and, online, updates the same run.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dcgan.report.errors import ReportError

if TYPE_CHECKING:
    from dcgan.report.content import Report

MODES = ("offline", "online", "false")
COLUMNS = [
    "setting",
    "n",
    "mean",
    "interval",
    "difference",
    "difference interval",
    "paired",
    "verdict",
    "adjusted p",
    "probability of improvement",
    "img/s ratio",
    "score",
]


def _logger_config(report: Report) -> dict[str, Any]:
    """The `logger` part of the first run's saved config that has one."""
    for run in report.runs:
        logger = run.folder.read_config().get("logger")
        if isinstance(logger, dict):
            return logger
    return {}


def _pair(low: float | None, high: float | None) -> str | None:
    return None if low is None or high is None else f"[{low:.6g}, {high:.6g}]"


def table_rows(report: Report) -> list[list[Any]]:
    """One row per setting, in rank order, with the columns of `COLUMNS`."""
    rows = []
    for s in report.settings:
        d, chosen = s.difference, s.chosen
        rows.append(
            [
                s.label,
                chosen.n,
                chosen.mean,
                _pair(chosen.low, chosen.high),
                None if d is None else d.delta,
                None if d is None else _pair(d.low, d.high),
                None if d is None else d.paired,
                "baseline" if s.is_baseline else (d.verdict if d else None),
                None if d is None else d.adjusted_p,
                None if d is None else d.prob_improvement,
                None if s.cost is None else s.cost.ratio,
                report.analysis.score,
            ]
        )
    return rows


def report_run_id(sweep: Path) -> str:
    """The W&B id of a sweep's report run: the same on every call for the same folder."""
    digest = hashlib.sha256(str(sweep.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"report-{digest}"


def _drop_earlier(sweep: Path, run_id: str) -> None:
    """Remove the offline files of this sweep's earlier report run: the new one replaces it."""
    for old in (sweep / "wandb").glob(f"*-{run_id}"):
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def log_report(report: Report, png: bytes | None, mode: str = "offline") -> Path | None:
    """Log the settings table and plot to the "report" run of the sweep's group; its folder."""
    if mode == "false":
        return None
    import wandb
    from PIL import Image

    from dcgan.loggers import LoggerConfig
    from dcgan.tracking import sweep_group_name

    logger = _logger_config(report)
    run_id = report_run_id(report.sweep)
    if mode == "offline":
        _drop_earlier(report.sweep, run_id)
    try:
        run = wandb.init(
            id=run_id,
            resume="allow" if mode == "online" else None,
            project=logger.get("project") or LoggerConfig.project,
            entity=logger.get("entity"),
            group=logger.get("group") or sweep_group_name(report.sweep),
            job_type="report",
            name=f"report-{report.metric}",
            dir=str(report.sweep),
            mode=mode,  # type: ignore[arg-type]
            config={
                "metric": report.metric,
                "score": report.analysis.score,
                "window": report.analysis.window,
                "baseline": report.baseline,
                "alpha": report.analysis.alpha,
                "until": report.until,
            },
            # silent: the console keeps the report's own lines; no stats or code to collect
            settings=wandb.Settings(
                console="off",
                silent=True,
                x_disable_stats=True,
                x_save_requirements=False,
                save_code=False,
            ),
            reinit="create_new",
        )
    except Exception as err:  # noqa: BLE001 - W&B raises many kinds; the report is written
        raise ReportError(f"the report is written but W&B refused its run: {err}") from err
    try:
        logged: dict[str, Any] = {"settings": wandb.Table(columns=COLUMNS, data=table_rows(report))}
        if png is not None:
            logged["plot"] = wandb.Image(Image.open(io.BytesIO(png)), caption=report.plot)
        run.log(logged)
        run.summary.update(
            {"score": report.analysis.score, "why": report.analysis.why, "metric": report.metric}
        )
        folder = Path(run.dir).parent
    finally:
        run.finish()
    return folder
