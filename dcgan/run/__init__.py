"""A run's folder as one object: every path in it and every read of it.

`RunFolder` (folder.py) names each file of a run once; `info.py` reads and writes metrics.json;
`checkpoint.py` is the one checkpoint reader, with one error type. Nothing here imports torch
at import time, so a command line can refuse a wrong path at once.
"""

from dcgan.run.checkpoint import EMA_CHOICES, CheckpointError, find_checkpoint, read_checkpoint
from dcgan.run.folder import RunFolder
from dcgan.run.info import RunTime, now

__all__ = [
    "EMA_CHOICES",
    "CheckpointError",
    "RunFolder",
    "RunTime",
    "find_checkpoint",
    "now",
    "read_checkpoint",
]
