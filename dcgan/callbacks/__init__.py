"""Callbacks that write what a run earns: sample grids and checkpoints, named by iteration."""

from dcgan.callbacks.checkpoint import AtomicCheckpointIO, IterationCheckpoint, OutputError
from dcgan.callbacks.clock import RunClock
from dcgan.callbacks.health import TrainingDiverged, TrainingHealth
from dcgan.callbacks.interrupt import StopOnSignal, TrainingInterrupted
from dcgan.callbacks.memory_format import ChannelsLast
from dcgan.callbacks.metrics import ImageMetrics
from dcgan.callbacks.rng import RandomState
from dcgan.callbacks.samples import SampleGrid

__all__ = [
    "ChannelsLast",
    "AtomicCheckpointIO",
    "ImageMetrics",
    "IterationCheckpoint",
    "OutputError",
    "RandomState",
    "RunClock",
    "SampleGrid",
    "StopOnSignal",
    "TrainingDiverged",
    "TrainingHealth",
    "TrainingInterrupted",
]
