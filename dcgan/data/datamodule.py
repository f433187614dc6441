"""LightningDataModule serving a pre-decoded uint8 image array; floats are made on the device."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

import lightning
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from .cache import decoded
from .files import check_batch_size, held_out
from .labels import class_counts, load_labeled
from .order import ResumableLoader
from .sources import DataError, check_data, load_images

if TYPE_CHECKING:
    from dcgan.data.files import DataConfig

log = logging.getLogger(__name__)


class UInt8Images(Dataset):
    """Wraps the uint8 array without copying; a whole batch is one fancy-index gather."""

    def __init__(self, images: np.ndarray) -> None:
        if not images.flags.writeable:
            images = images.copy()  # torch.from_numpy warns on read-only memory
        self.images = torch.from_numpy(images)

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.images[index]

    def __getitems__(self, indices: list[int]) -> torch.Tensor:
        return self.images[torch.as_tensor(indices, dtype=torch.long)]


class LabeledUInt8Images(UInt8Images):
    """The uint8 images with their class indices: a batch is (images, labels)."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        super().__init__(images)
        self.labels = torch.from_numpy(np.ascontiguousarray(labels, dtype=np.int64))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        return self.images[index], self.labels[index]

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        idx = torch.as_tensor(indices, dtype=torch.long)
        return self.images[idx], self.labels[idx]


def plain_data(data: DataConfig) -> dict[str, Any]:
    """The `data` values as a plain dict, from a DataConfig or the run config's node."""
    if dataclasses.is_dataclass(data):
        return dataclasses.asdict(data)
    from omegaconf import OmegaConf

    return OmegaConf.to_container(data, resolve=True)


def return_batch(batch: Any) -> Any:
    """Collate nothing: __getitems__ already built the batch tensor."""
    return batch


class ImageDataModule(lightning.LightningDataModule):
    """Decodes the dataset once at setup and feeds uint8 batches; the device does the float math."""

    def __init__(
        self,
        data: DataConfig,
        image_size: int,
        labels: bool = False,
        holdout: int = 0,
        drop_last: bool = True,
        pin_memory: bool = False,
    ) -> None:
        """`data`: the run's `data` node (or a `DataConfig`), its images decoded at `image_size`;
        `labels`: batches carry classes; `holdout`: images kept out of training (for a trick)."""
        super().__init__()
        values = plain_data(data)
        check_data(**values)
        # plain values, the same keys as ever: a checkpoint keeps them and loads weights-only
        self.save_hyperparameters(
            {
                **values,
                "image_size": image_size,
                "drop_last": drop_last,
                "pin_memory": pin_memory,
                "labels": labels,
                "holdout": holdout,
            }
        )
        self.source, self.root, self.split = data.source, data.root, data.split
        self.image_size, self.channels = image_size, data.channels
        self.batch_size, self.num_workers = data.batch_size, data.num_workers
        self.hflip, self.max_pixels = data.hflip, data.max_pixels
        self.drop_last, self.pin_memory = drop_last, pin_memory
        self.cache, self.cache_dir = data.cache, data.cache_dir
        self.limit = data.limit
        self.with_labels = labels  # batches are (images, labels): a conditional model
        self.holdout = holdout  # images kept out of training (at most a tenth) for a trick to score
        self.heldout_images: np.ndarray | None = None
        self.heldout_labels: np.ndarray | None = None
        self.images: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.reference_images: np.ndarray | None = None
        self.reference_labels: np.ndarray | None = None
        self.class_names: list[str] = []
        self.class_counts: list[int] = []
        self._loader: ResumableLoader | None = None

    def setup(self, stage: str | None = None) -> None:
        """Load and decode once; later calls (fit then test, etc.) reuse the array."""
        if self.images is not None:
            return
        args = (self.source, self.root, self.image_size, self.channels, self.split, self.max_pixels)
        if self.with_labels:  # the shared cached array (data.cache), labelled beside it
            images, labels, self.class_names = load_labeled(*args, self.cache, self.cache_dir)
        else:  # with data.cache: decoded once per dataset; later runs map the saved array
            images = decoded(self.cache, self.cache_dir, args, lambda: load_images(*args))
        self.reference_images = images  # what metrics compare with: all of the source
        if self.with_labels:
            self.reference_labels = labels
        if self.limit is not None:  # after decoding (and the cache): one cache serves all limits
            if self.limit > len(images):
                log.info("data.limit=%d: the source has only %d images", self.limit, len(images))
            images = images[: self.limit]
            if self.with_labels:
                labels = labels[: self.limit]
        if self.holdout > 0:
            images, labels = self._hold_out(images, labels if self.with_labels else None)
        if self.drop_last:
            held = 0 if self.heldout_images is None else len(self.heldout_images)
            check_batch_size(self.batch_size, len(images), self.source, self.root, self.limit, held)
        self.images = images
        if self.with_labels:  # the classes of what is trained on (a limit may leave some out)
            self.labels = labels
            self.class_counts = class_counts(labels, self.class_names)
        log.info("data: %d images of shape %s from %s", len(images), images.shape[1:], self.source)
        if self.with_labels:
            log.info("classes: %s", ", ".join(self.class_names))

    def _hold_out(self, images: np.ndarray, labels: np.ndarray | None) -> tuple[Any, Any]:
        """Keep `holdout` images (at most a tenth, at least 1) out of training, drawn by seed 0."""
        count = held_out(len(images), self.holdout)
        order = np.random.default_rng(0).permutation(len(images))
        held, kept = np.sort(order[:count]), np.sort(order[count:])
        self.heldout_images = images[held]
        self.heldout_labels = None if labels is None else labels[held]
        log.info("data: %d images held out of training (augment.signal=rv)", count)
        return images[kept], None if labels is None else labels[kept]

    @property
    def num_images(self) -> int:
        """Number of decoded images (N), for logging and schedules."""
        if self.images is None:
            raise DataError("ImageDataModule.num_images needs setup() to run first")
        return len(self.images)

    def train_dataloader(self) -> DataLoader:
        """Shuffled uint8 batches [B, C, S, S] in a resumable order seeded by torch's seed."""
        if self.images is None:
            self.setup("fit")
        dataset = (
            LabeledUInt8Images(self.images, self.labels)
            if self.with_labels
            else UInt8Images(self.images)
        )
        self._loader = ResumableLoader(
            dataset,
            batch_size=self.batch_size,
            seed=torch.initial_seed(),  # seed_everything sets it; reading it draws no number
            epoch_of=self._trainer_epoch if self.trainer is not None else None,
            drop_last=self.drop_last,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
            pin_memory=self.pin_memory,
            collate_fn=return_batch,
        )
        return self._loader

    def _live_loader(self) -> ResumableLoader | None:
        """The loader training reads: under DDP Lightning rebuilds ours with its own sampler."""
        live = getattr(self.trainer, "train_dataloader", None) if self.trainer else None
        return live if isinstance(live, ResumableLoader) else self._loader

    def _trainer_epoch(self) -> int:
        """The epoch Lightning is in: the data order follows it across any resume."""
        return self.trainer.current_epoch

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Turn uint8 into float32 in [-1, 1] on the device, then randomly flip if asked."""
        if isinstance(batch, (tuple, list)) and len(batch) == 2:  # (images, labels)
            return self.on_after_batch_transfer(batch[0], dataloader_idx), batch[1]
        if not (isinstance(batch, torch.Tensor) and batch.dtype == torch.uint8):
            return batch
        loader = self._live_loader()
        if loader is not None:
            loader.mark_consumed()  # the checkpointed data position
        x = batch.float().div_(127.5).sub_(1)
        if self.hflip:
            flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
            x = torch.where(flip, x.flip(-1), x)
        return x
