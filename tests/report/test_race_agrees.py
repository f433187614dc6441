"""The race and `dcgan.report` on the same folder give every setting the same verdict.

Run folders are written as training writes them (`.hydra/`, metrics.json with its history),
with random scores, seeds, failures, alpha and baseline; the race judges them (`judge_round`,
saving race.json) and the report reads the same folder. With `until`, the report reads the
full runs as of an iteration, and the race judges runs that stopped there.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dcgan.race import record
from dcgan.race.baseline import baselines
from dcgan.race.judge import judge_round
from dcgan.race.sweep import Setting, Sweep
from dcgan.report.write import read_report

ITERATIONS = (10, 20, 30)
PLAIN = ("data=digits",)


def _write(folder: Path, name: str, overrides: list[str], history: list[dict], end: dict | None):
    """A run folder as training leaves it: finished with its end-of-run value, or failed."""
    run = folder / name
    (run / ".hydra").mkdir(parents=True)
    # JSON is YAML: Hydra's files read back the same, and write fast
    (run / ".hydra" / "overrides.yaml").write_text(json.dumps(overrides))
    (run / ".hydra" / "config.yaml").write_text(json.dumps({"logger": {"name": "csv"}}))
    info = {"status": "finished" if end else "failed", "monitor": "swd", "history": history}
    info |= {"img_per_s": 100.0, "images_seen": 1000}
    if end:
        info["metrics"] = end
    else:
        info["error"] = "RuntimeError: the run failed"
    (run / "metrics.json").write_text(json.dumps(info))


def _runs(sweep: Sweep, seeds: dict[str, int], rng: random.Random, fail: float):
    """Each run's history and end (None: it failed, after the evaluations it had made)."""
    effect = {s: rng.gauss(0, 3) for s in range(8)}  # what a seed does to every setting
    level = {s.name: rng.uniform(40, 50) for s in sweep.settings}
    out = {}
    for setting in sweep.settings:
        for seed in range(seeds[setting.name]):
            base = level[setting.name] + effect[seed]
            history = [
                {"iteration": it, "swd": base + 30 / it + rng.gauss(0, 1)} for it in ITERATIONS
            ]
            end = {"iteration": 30, "swd": base + rng.gauss(0, 1.5), "num_samples": 256}
            if rng.random() < fail:
                history, end = history[: rng.randrange(len(ITERATIONS))], None
            out[setting, seed] = history, end
    return out


def _race_verdicts(folder: Path, sweep: Sweep, base: str, alpha: float, tried) -> dict:
    """Judge the folder as the race does after a round; race.json saved as the race saves it."""
    data = {
        "definition": {"baseline": base, "alpha": alpha, "settings": []},
        "invocations": [],
        "rounds": [{"round": 1, "runs": tried}],
    }
    against = baselines(sweep, base)
    judge_round(data, data["rounds"][0], folder, sweep, base, against, tried, (None, "auto", alpha))
    record.save(folder, data)
    return data


@settings(max_examples=20, deadline=None)
@given(
    values=st.integers(2, 3),
    two_keys=st.booleans(),
    seeds=st.lists(st.integers(2, 4), min_size=8, max_size=8),
    alpha=st.sampled_from([0.01, 0.05, 0.2, 0.5]),
    fail=st.sampled_from([0.0, 0.15, 0.4]),
    until=st.sampled_from([None, 10, 20, 30]),
    base_at=st.integers(0, 3),
    noise=st.integers(0, 2**32),
)
def test_the_race_and_its_report_give_the_same_verdicts(
    values, two_keys, seeds, alpha, fail, until, base_at, noise
) -> None:
    grid = [[f"x=v{i}" for i in range(values)]] + ([["y=p", "y=q"]] if two_keys else [])
    combos = [(a,) for a in grid[0]] if not two_keys else [(a, b) for a in grid[0] for b in grid[1]]
    sweep = Sweep(tuple(Setting(c) for c in combos), ("x", "y")[: len(grid)], PLAIN)
    base = grid[0][base_at % values]
    tried = {s.name: list(range(seeds[i % 8])) for i, s in enumerate(sweep.settings)}
    runs = _runs(sweep, {n: len(t) for n, t in tried.items()}, random.Random(noise), fail)
    with tempfile.TemporaryDirectory() as tmp:
        full, stopped = Path(tmp, "full"), Path(tmp, "stopped")
        for (setting, seed), (history, end) in runs.items():
            overrides = [*PLAIN, *setting.overrides, f"seed={seed}", "resume=auto"]
            name = setting.folder(seed)
            _write(full, name, overrides, history, end)
            if until is not None:  # the same run, had it stopped at `until`
                at = next((h for h in history if h["iteration"] == until), None)
                short = [h for h in history if h["iteration"] <= until]
                _write(stopped, name, overrides, short, at and {**at, "num_samples": 128})
        judged = stopped if until is not None else full
        if not any(e is not None for _, e in runs.values()) and until is None:
            return  # nothing finished: both refuse alike (no metric to compare)
        try:
            data = _race_verdicts(judged, sweep, base, alpha, tried)
        except Exception as err:  # noqa: BLE001 - a refusal: the report must refuse too
            assert "metric" in str(err) or "no run" in str(err), err
            return
        race = data["rounds"][0]["settings"]
        if until is not None:
            (full / "race.json").write_text((judged / "race.json").read_text())
        report = read_report(full, until=until)
        assert report.analysis.alpha == alpha and report.from_race
        assert report.analysis.score == data["compared_by"]["score"]
        folders = {s.folder(k): s.name for s in sweep.settings for k in tried[s.name]}
        seen = set()
        for s in report.settings:
            (name,) = {folders[r.name] for r in s.runs}
            seen.add(name)
            mine = None if s.difference is None or s.is_baseline else s.difference.verdict
            assert race[name]["verdict"] == mine, (name, race[name], s.difference)
            assert s.is_baseline == (race[name]["baseline"] is None)
        assert seen == set(race)
