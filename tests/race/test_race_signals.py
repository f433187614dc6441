"""A race stopped by SIGINT or SIGTERM, to its PID or to its group, continues to the same verdicts.

Races of two settings on the digits are started from a pre-imported parent (their launches are
forked from the race: tests/reliability/forked.py) and signalled at a random moment; each says
how to continue, and that command ends the race with the verdicts and means of a race never
stopped. DCGAN_TORTURE_SEED picks the moments (printed).
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.race.test_race_real import RACE as REAL_RACE
from tests.reliability.forked import Server, served, wait_until

pytestmark = pytest.mark.slow

RACE = [a for a in REAL_RACE if a != "callbacks.checkpoint.every_n_steps=1"]  # saves less
TRIALS = 2


server = pytest.fixture(scope="module")(served)


def _verdicts(folder: Path) -> dict:
    data = json.loads((folder / "race.json").read_text())
    last = data["rounds"][-1]
    settings = {
        name: (s["decision"], round(s["mean"], 6) if s.get("mean") is not None else None)
        for name, s in last["settings"].items()
    }
    return {"rounds": len(data["rounds"]), "settings": settings, "end": data["end"]["reason"]}


def _training(folder: Path) -> bool:
    return any(folder.glob("*/checkpoints/*.ckpt"))


def test_a_signalled_race_continues_to_the_verdicts_of_an_unstopped_one(
    server: Server, tmp_path: Path, tally: Counter
) -> None:
    seed = int(os.environ.get("DCGAN_TORTURE_SEED", "2026"))
    print(f"race signals: DCGAN_TORTURE_SEED={seed}")
    rng = random.Random(seed)
    straight = server.start("dcgan.race", [*RACE, f"hydra.sweep.dir={tmp_path / 'straight'}"])
    assert straight.wait() == 0, straight.stderr()[-3000:]
    expected = _verdicts(tmp_path / "straight")

    for trial in range(TRIALS):
        folder = tmp_path / f"race{trial}"
        args = [*RACE, f"hydra.sweep.dir={folder}"]
        name = rng.choice(("SIGINT", "SIGTERM"))
        group = trial % 2 == 1  # the PID (a script, `timeout`), then the group (a terminal)
        start = server.start("dcgan.race", args)
        if wait_until(start, lambda f=folder: _training(f)):
            time.sleep(rng.uniform(0.0, 1.0))
        start.signal(getattr(signal, name), group=group)
        code = start.wait()
        said = start.out.read_text() + start.stderr()
        assert "Traceback" not in said, said[-3000:]
        if code != 0:  # it ended before the signal otherwise
            assert code in (130, 143), said[-3000:]
            assert "continue the race with:\n  python -m dcgan.race" in said, said[-3000:]
            again = server.start("dcgan.race", args)
            assert again.wait() == 0, again.stderr()[-3000:]
            tally[f"race signals ({name} to the {'group' if group else 'PID'})"] += 1
        assert _verdicts(folder) == expected, f"race {trial} (DCGAN_TORTURE_SEED={seed})"
