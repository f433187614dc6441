"""Data pipeline: decode images once into a uint8 array, serve uint8 batches, float on device."""

from __future__ import annotations

from typing import Any

from .files import DataError, check_data

__all__ = ["DataError", "ImageDataModule", "check_data", "load_images"]


def __getattr__(name: str) -> Any:
    """Import the heavy parts (torch, Lightning) only when used: checks stay fast."""
    if name == "ImageDataModule":
        from .datamodule import ImageDataModule

        return ImageDataModule
    if name == "load_images":
        from .sources import load_images

        return load_images
    raise AttributeError(name)
