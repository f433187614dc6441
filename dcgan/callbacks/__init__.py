"""Callbacks that write what a run earns: sample grids and checkpoints, named by iteration."""

from dcgan.callbacks.checkpoint import IterationCheckpoint
from dcgan.callbacks.samples import SampleGrid

__all__ = ["IterationCheckpoint", "SampleGrid"]
