"""The datasets known by name (`data=cifar10`, ...): one entry a file, registered here."""

from __future__ import annotations

from .base import NamedSet, datasets_dir
from .celeba import CELEBA
from .cifar import CIFAR10, CIFAR100
from .idx import FASHION_MNIST, MNIST
from .stl10 import STL10
from .svhn import SVHN

__all__ = ["NAMED", "NamedSet", "datasets_dir"]

NAMED: dict[str, NamedSet] = {
    s.name: s for s in (CIFAR10, CIFAR100, MNIST, FASHION_MNIST, SVHN, STL10, CELEBA)
}
