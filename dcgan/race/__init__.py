"""Race the settings of a sweep over seeds: `python -m dcgan.race sweep=ganhacks budget.runs=60`.

Round 1 trains every setting with a few seeds; each later round gives more seeds only to the
settings whose comparison is still open: not yet better or worse than the baseline (Holm-corrected,
as the report says it), and not already behind the best setting. The race folder holds every run,
the report after each round and `race.json`, its definition and log; the same command continues
a race that was stopped, and trains no finished run again.
"""

from dcgan.race.cli import main

__all__ = ["main"]
