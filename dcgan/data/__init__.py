"""Data pipeline: decode images once into a uint8 array, serve uint8 batches, float on device."""

from .datamodule import ImageDataModule
from .sources import DataError, check_data, load_images

__all__ = ["DataError", "ImageDataModule", "check_data", "load_images"]
