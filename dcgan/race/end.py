"""What the end of a race says: its best setting, how its winners compare, the command to train.

A race names the setting with the best mean. That setting may never have been tested against
the other winners (each was decided against its baseline, perhaps in another round with other
seeds), or may still be open when a budget ends the race. So the end says, for every setting
decided better and for the best, its difference to the best with the interval and verdict of
the last round (Holm-corrected over every setting against the best), or plainly that it was not
compared. A verdict that rests on a paired test over 2 seeds has 1 degree of freedom: said too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dcgan.race.decide import BETTER, CONTINUE
from dcgan.report.best import script, train_command

ONE_DF = "a paired test over 2 seeds: 1 degree of freedom"


def one_df(difference: Mapping[str, Any] | None) -> bool:
    """Whether a logged difference rests on a paired test over 2 seeds (1 degree of freedom)."""
    return bool(difference and difference.get("paired") and difference.get("n") == 2)


def _difference(d: Mapping[str, Any]) -> str:
    interval = (
        f" [{d['low']:+.4g}, {d['high']:+.4g}]"
        if d.get("low") is not None and d.get("high") is not None
        else ""
    )
    kind = f"paired over {d.get('n')} seeds" if d.get("paired") else "Welch"
    p = f", Holm p={d['adjusted_p']:.3g}" if d.get("adjusted_p") is not None else ""
    df = f"; {ONE_DF}" if one_df(d) else ""
    return f"{d['delta']:+.4g}{interval} ({kind}{p}{df}): {d['verdict']}"


def winner_lines(last: Mapping[str, Mapping[str, Any]], best: str | None) -> list[str]:
    """How the best setting and the settings decided better compare, in words."""
    if best is None:
        return ["no setting has a score: no best setting"]
    winners = [n for n, e in last.items() if e["decision"] == BETTER]
    state = last[best]
    if best in winners:
        lines = [f"best mean: {best} (decided better than its baseline)"]
    elif state.get("baseline") is None:  # the best is a baseline: nothing beat it
        lines = [f"best mean: {best} (the baseline)"]
    else:
        open_ = state["decision"] == CONTINUE  # the race ended: it is not going on
        lines = [
            f"best mean: {best} ({'still open' if open_ else state['decision']})",
            f"  {best} was not shown better than its baseline ({state['reason']}); "
            "its rank rests on the means alone",
        ]
    others = [n for n in winners if n != best]
    if not others:
        lines.append(
            f"  {winners[0]} is the only setting decided better: no other winner to compare it with"
            if winners
            else "  no setting was decided better than its baseline"
        )
    for name in others:
        d = last[name].get("vs_best")
        if d is None:
            lines.append(f"  {name} (decided better) was not compared with {best}: no scores")
        else:
            lines.append(f"  {name} (decided better) against {best}: {_difference(d)}")
    still = [n for n, e in last.items() if e["decision"] == CONTINUE and n != best]
    if still:
        lines.append(f"  still open when the race ended: {', '.join(still)}")
    return lines


def race_command(plain: Sequence[str], overrides: Sequence[str]) -> str:
    """The command that trains a setting with the race's overrides, on the race's budget."""
    return train_command([*plain, *overrides])


def best_script(command: str, best: str, folder: str) -> str:
    """train_best.sh of a race: its best setting's command."""
    return script(command, f"{best}: the best mean of the race in {folder}; trained here alone")
