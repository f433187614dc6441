"""After a round: each setting's scores from the report's analysis, the decisions, the report.

The scores are those of `dcgan.report.analyse` (the same score per seed the report ranks by),
so the race and its report read the runs alike. The metric and the score are chosen at the first
judgement (the runs' monitor; `auto` as the report chooses it) and then kept in race.json, so
every round of a race is judged by the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dcgan.metrics.registry import lower_is_better
from dcgan.race.decide import CLOSED, DONE, Decision, best_setting, decide
from dcgan.race.sweep import RaceError, Sweep
from dcgan.report import ReportError, collect_runs, write_report
from dcgan.report.settings import analyse
from dcgan.report.stats import Difference
from dcgan.report.write import choose_metric
from dcgan.run import now


def compared_by(data: Mapping[str, Any], metric: str | None, score: str) -> tuple[str | None, str]:
    """The metric and score of this race: those it was judged by, refused when asked otherwise."""
    kept = data.get("compared_by")
    if not kept:
        return metric, score
    if metric is not None and metric != kept["metric"]:
        raise RaceError(
            f"race.metric={metric}: this race compares {kept['metric']} since its first round; "
            f"give race.metric={kept['metric']} or leave it out"
        )
    if score != "auto" and score != kept["score"]:
        raise RaceError(
            f"race.score={score}: this race compares the {kept['score']} score since its first "
            f"round; give race.score={kept['score']} or leave it out"
        )
    return kept["metric"], kept["score"]


def seed_scores(
    folder: Path,
    sweep: Sweep,
    tried: Mapping[str, list[int]],
    metric: str,
    baseline: str,
    score: str,
) -> tuple[dict[str, dict[int, float]], dict[str, list[int]], str]:
    """Each setting's seed -> score over its tried seeds, its seeds without one, the score used."""
    analysis = analyse(collect_runs(folder), metric, baseline, score)
    per_run: dict[str, tuple[float | None, str]] = {}
    for setting in analysis.settings:
        for run in setting.runs:
            per_run[run.name] = (setting.value_of(run), run.status)
    scores: dict[str, dict[int, float]] = {}
    missing: dict[str, list[int]] = {}
    for s in sweep.settings:
        scores[s.name], missing[s.name] = {}, []
        for seed in tried[s.name]:
            value, _ = per_run.get(s.folder(seed), (None, ""))
            if value is None:
                missing[s.name].append(seed)
            else:
                scores[s.name][seed] = value
    return scores, missing, analysis.score


def _difference(d: Difference | None) -> dict[str, Any] | None:
    if d is None:
        return None
    keys = ("delta", "low", "high", "p", "adjusted_p", "paired", "prob_improvement", "verdict", "n")
    return {k: getattr(d, k) for k in keys}


def _entry(d: Decision, missing: list[int]) -> dict[str, Any]:
    return {
        "seeds": list(d.seeds),
        "no_score": missing,
        "mean": d.mean,
        "baseline": d.baseline,
        "verdict": d.vs_baseline.verdict if d.vs_baseline is not None else None,
        "vs_baseline": _difference(d.vs_baseline),
        "vs_best": _difference(d.vs_best),
        "decision": d.decision,
        "reason": d.reason,
    }


def judge_round(
    data: dict[str, Any],
    rnd: dict[str, Any],
    folder: Path,
    sweep: Sweep,
    baseline: str,
    against: Mapping[str, str],
    tried: Mapping[str, list[int]],
    asked: tuple[str | None, str, float],
) -> list[Decision]:
    """Decide every setting after `rnd` and write it into the round's log entry."""
    metric, score = compared_by(data, asked[0], asked[1])
    try:
        metric = choose_metric(collect_runs(folder), metric)
        scores, missing, score = seed_scores(folder, sweep, tried, metric, baseline, score)
    except ReportError as err:
        raise RaceError(str(err)) from err
    data.setdefault("compared_by", {"metric": metric, "score": score})
    lower = lower_is_better(metric)
    previous = data["rounds"][-2]["settings"] if len(data["rounds"]) > 1 else {}
    settled = {
        n: (e["decision"], e["reason"])
        for n, e in previous.items()
        if e["decision"] in CLOSED and e["decision"] != DONE
    }
    decisions = decide(scores, dict(against), lower, asked[2], settled)
    entries = {d.setting: _entry(d, missing[d.setting]) for d in decisions}
    for name, entry in entries.items():
        if entry["decision"] in CLOSED:
            entry["decided_in"] = previous.get(name, {}).get("decided_in", rnd["round"])
    rnd.update(
        finished=now(),
        metric=metric,
        score=score,
        lower_is_better=lower,
        best=best_setting(scores, lower),
        settings=entries,
    )
    return decisions


def write_round_report(folder: Path) -> str:
    """Write the report of the race folder; a line saying where, or why it could not.

    The report reads the race's metric, score, baseline and alpha from race.json (saved before
    this), so it judges every setting as the race did.
    """
    try:
        _, written = write_report(folder, wandb="false")
    except (ReportError, OSError) as err:
        return f"report not written: {err}"
    return f"report: {written[0]}"


def summary(rnd: Mapping[str, Any]) -> list[str]:
    """One console line per setting: seeds, mean, decision and why."""
    lines = [f"round {rnd['round']} judged by {rnd['metric']} ({rnd['score']} score):"]
    rows = rnd["settings"]
    width = max(len(n) for n in rows)
    for name, e in rows.items():
        mean = f"{e['mean']:.4g}" if e["mean"] is not None else "-"
        since = (
            f" (round {e['decided_in']})"
            if e.get("decided_in", rnd["round"]) < rnd["round"]
            else ""
        )
        lines.append(
            f"  {name:<{width}}  n={len(e['seeds']):<2} mean={mean:<8} {e['decision']}{since}: "
            f"{e['reason']}"
        )
    if rnd.get("best"):
        lines.append(f"  best mean so far: {rnd['best']}")
    return lines
