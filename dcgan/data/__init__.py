"""Data pipeline: decode images once into a uint8 array, serve uint8 batches, float on device."""

from .datamodule import ImageDataModule
from .sources import DataError, load_images

__all__ = ["DataError", "ImageDataModule", "load_images"]
