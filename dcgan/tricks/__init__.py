"""GAN training tricks as small units that the GAN module calls from `training_step`."""

from dcgan.tricks.augment import Augment
from dcgan.tricks.base import TRICKS
from dcgan.tricks.d_batch import D_BATCHES, discriminate
from dcgan.tricks.ema import ema_copy, ema_update
from dcgan.tricks.instance_noise import add_instance_noise, instance_noise_std
from dcgan.tricks.replay import ReplayBuffer

__all__ = [
    "D_BATCHES",
    "TRICKS",
    "Augment",
    "ReplayBuffer",
    "add_instance_noise",
    "discriminate",
    "ema_copy",
    "ema_update",
    "instance_noise_std",
]
