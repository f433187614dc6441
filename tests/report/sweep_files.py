"""Sweep folders written by hand: run folders with the files the report reads, and no training."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import yaml


def write_run(
    sweep: Path,
    num: int,
    overrides: Sequence[str],
    final: float | None,
    history: Sequence[tuple[int, float]] = (),
    img_per_s: float | None = 100.0,
    status: str = "finished",
    metric: str = "swd",
    logger: dict | None = None,
    run_time_s: float = 10.0,
    images_seen: int | None = None,
    periodic_images: int | None = None,
    history_images: int | None = None,
) -> Path:
    """One run folder `sweep/num` with .hydra/ overrides and config and a metrics.json."""
    run = sweep / str(num)
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(list(overrides)))
    config: dict = {"logger": logger or {"name": "wandb", "project": "dcgan", "group": None}}
    if periodic_images is not None:
        config["callbacks"] = {"metrics": {"num_samples": periodic_images}}
    (run / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config))
    info: dict = {
        "status": status,
        "monitor": metric,
        "history": [
            {"iteration": it, metric: v}
            | ({} if history_images is None else {"num_samples": history_images})
            for it, v in history
        ],
        "run_time_s": run_time_s,
    }
    if images_seen is not None:
        info["images_seen"] = images_seen
    if final is not None:
        info["metrics"] = {metric: final, "num_samples": 256}
    if img_per_s is not None:
        info["img_per_s"] = img_per_s
    (run / "metrics.json").write_text(json.dumps(info))
    return run


def write_sweep(
    sweep: Path, settings: dict[str, Sequence[float]], seeds: Sequence[int] | None = None
) -> Path:
    """Each setting (one override) with one finished run per final value, seeds 0, 1, ..."""
    num = 0
    for setting, finals in settings.items():
        for i, final in enumerate(finals):
            seed = seeds[i] if seeds is not None else i
            history = [(50, final + 5.0), (100, final + 1.0), (150, final)]
            write_run(sweep, num, [setting, f"seed={seed}"], final, history)
            num += 1
    return sweep


def md_table(md: str, heading: str) -> dict[str, dict[str, str]]:
    """The rows of the first Markdown table under `## heading`, keyed by their second cell."""
    part = md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines: list[str] = []
    for line in part.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break  # the end of the first table
    header = [c.strip() for c in lines[0].strip("|").split(" | ")]
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows}


def written(out: str) -> list[Path]:
    """The paths the report printed (one a line, after its verdict lines)."""
    return [Path(line) for line in out.splitlines() if line.startswith("/")]
