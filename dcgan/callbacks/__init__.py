"""Callbacks that write what a run earns: sample grids and checkpoints, named by iteration."""

from dcgan.callbacks.checkpoint import IterationCheckpoint
from dcgan.callbacks.health import TrainingDiverged, TrainingHealth
from dcgan.callbacks.metrics import ImageMetrics
from dcgan.callbacks.samples import SampleGrid

__all__ = [
    "ImageMetrics",
    "IterationCheckpoint",
    "SampleGrid",
    "TrainingDiverged",
    "TrainingHealth",
]
