"""`python -m dcgan.race <sweep> [race.*=...] [budget.*=...]`: the race's keys and its train args.

The race's own keys start with `race.` or `budget.`: the training config has neither, so a race
key can never be read as an override of the runs, and a misspelt one is caught here. Every other
argument goes to `dcgan.train -m` as in any sweep (checked as dcgan.train checks it), launcher
overrides included; the race owns `seed`, `resume`, `ckpt_path`, `hydra.sweep.subdir` and
`hydra.job.config.*`.
"""

from __future__ import annotations

import contextlib
import signal
import sys

from dcgan.cli import CliError, error_lines, help_text, show
from dcgan.race.command import RaceConfig, sort_args, split

USAGE = (
    "python -m dcgan.race <sweep: trick=a,b | sweep=NAME> [train overrides] [race.*=...] "
    "[budget.*=...] [hydra.sweep.dir=...]   (also dcgan-race)"
)


def main(argv: list[str] | None = None) -> int:
    """Race the settings; a bad argument or folder ends with one line and exit code 2.

    The help and the race's own keys are checked before anything heavy is imported (torch,
    lightning, the report's plotting and W&B): a typo answers at once.
    """
    argv = sys.argv[1:] if argv is None else argv
    if {"-h", "--help", "help"} & set(argv):
        show(help_text(RaceConfig, USAGE))
        return 0
    from dcgan.train_args import check_train_args

    try:
        cmd = split(argv)
    except CliError as err:
        print(error_lines(err), end="", file=sys.stderr)
        with contextlib.suppress(CliError, SystemExit):  # the train values' lines too, at once
            check_train_args(["-m", *sort_args(argv)[1]])
        return 2
    from dcgan.race.record import FILENAME

    if not (cmd.folder / FILENAME).exists():  # a race that goes on was checked at its start
        check_train_args(["-m", *cmd.train_args])  # one line and exit 2, as dcgan.train says it
    from dcgan.race.race import run_race
    from dcgan.race.sweep import RaceError

    previous = signal.signal(signal.SIGTERM, _terminated)  # by default: gone without a line
    try:
        return run_race(cmd)
    except RaceError as err:
        print(error_lines(err), end="", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print(
            f"the race stopped; continue the race with:\n  {cmd.resume_command()}", file=sys.stderr
        )
        return 143 if isinstance(err, Terminated) else 130
    finally:
        signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM to the race outside a launch (which passes it on to its runs)."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated
