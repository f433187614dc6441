"""What each setting of a race is compared with, as the report compares: one `key=value`.

Each setting is compared with the setting that has that value and the same other values (its
twin), so a sweep over two keys compares along one of them within each value of the other.
Without one: `trick=none` when a setting has it, else the first value of the sweep's first key
(in a sweep of one key, the first setting). The report is given the same override.
"""

from __future__ import annotations

from dcgan.race.sweep import RaceError, Sweep

DEFAULT = "trick=none"


def resolve(sweep: Sweep, baseline: str | None) -> str:
    """The baseline override of this race, checked against its settings."""
    if baseline is None:
        if any(DEFAULT in s.overrides for s in sweep.settings):
            return DEFAULT
        return sweep.settings[0].overrides[0]
    key, sep, value = baseline.partition("=")
    if not sep:
        raise RaceError(f"race.baseline={baseline} is not one override: give key=value")
    if key not in sweep.keys:
        raise RaceError(
            f"race.baseline={baseline}: {key} is not swept; the race sweeps {', '.join(sweep.keys)}"
        )
    values = list(dict.fromkeys(s.values[key] for s in sweep.settings))
    if value not in values:
        raise RaceError(f"race.baseline={baseline} is no setting of the race; {key} has: {values}")
    return baseline


def baselines(sweep: Sweep, baseline: str) -> dict[str, str]:
    """Each compared setting's name -> its baseline's name (a baseline is no key)."""
    key, value = baseline.split("=", 1)
    names = {s.overrides: s.name for s in sweep.settings}
    out = {}
    for setting in sweep.settings:
        if setting.values[key] == value:
            continue
        twin = tuple(baseline if o.split("=", 1)[0] == key else o for o in setting.overrides)
        if twin in names:
            out[setting.name] = names[twin]
    return out
