"""What a race folder's `race.json` says its report must judge by: metric, score, baseline, alpha.

The race writes its report after every round with the values it judged by; `dcgan.report` on the
same folder reads them here, so that both give the same verdict for every setting. A key given
on the report's command line wins, and the report says which values came from the race.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RACE_LOG = "race.json"  # in the race folder, beside its runs


@dataclass(frozen=True)
class RaceChoices:
    """The race's metric and score (None before its first judgement), baseline and alpha."""

    metric: str | None
    score: str | None
    baseline: str | None
    alpha: float | None


def race_choices(sweep: Path) -> RaceChoices | None:
    """The choices of the race in `sweep`; None when it holds no readable race log."""
    try:
        data = json.loads((sweep / RACE_LOG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("definition"), dict):
        return None
    kept: dict[str, Any] = data.get("compared_by") or {}
    definition = data["definition"]
    alpha = definition.get("alpha")
    return RaceChoices(
        metric=kept.get("metric") if isinstance(kept.get("metric"), str) else None,
        score=kept.get("score") if isinstance(kept.get("score"), str) else None,
        baseline=definition.get("baseline")
        if isinstance(definition.get("baseline"), str)
        else None,
        alpha=float(alpha) if isinstance(alpha, (int, float)) and 0 < alpha < 1 else None,
    )
