"""Callbacks that write what a run earns: sample grids and checkpoints, named by iteration.

Each callback loads on first use (`from dcgan.callbacks import SampleGrid`): the package's own
config (`callbacks/config.py`) is read by the command line before Lightning loads.
"""

from importlib import import_module
from typing import Any

# Each callback (or error) and the module of this package that defines it.
_WHERE = {
    "AtomicCheckpointIO": "checkpoint",
    "IterationCheckpoint": "checkpoint",
    "OutputError": "checkpoint",
    "RunClock": "clock",
    "TrainingDiverged": "health",
    "TrainingHealth": "health",
    "StopOnSignal": "interrupt",
    "TrainingInterrupted": "interrupt",
    "ChannelsLast": "memory_format",
    "ImageMetrics": "metrics",
    "IterationProgress": "progress",
    "RandomState": "rng",
    "SampleGrid": "samples",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """The named callback, its module imported now."""
    if name not in _WHERE:
        raise AttributeError(f"module 'dcgan.callbacks' has no attribute {name!r}")
    return getattr(import_module(f"dcgan.callbacks.{_WHERE[name]}"), name)
