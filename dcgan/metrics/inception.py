"""The Inception network of FID, KID and IS (fid.py, kid.py, inception_score.py), with the
weights torch-fidelity uses.

`callbacks.metrics.inception_weights` chooses them: `auto` (the default) takes the file that
torch-fidelity keeps in torch's hub cache, and when it is not there asks torch-fidelity's address
for it once per process; a path takes that local file; null turns the metrics off. When the
weights cannot be had (offline, torch-fidelity missing), `locate_weights` says why in one line
and the caller goes on with SWD alone.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from dcgan.fetching import fetch_failure, reach

if TYPE_CHECKING:
    from collections.abc import Callable

    from torch import Tensor

    from dcgan.metrics.registry import Images

log = logging.getLogger(__name__)

WEIGHTS_NAME = "weights-inception-2015-12-05-6726825d.pth"
DOWNLOAD_TIMEOUT_S = 30
BATCH = 64  # images per Inception forward pass


def _fidelity_missing() -> str | None:
    try:
        import torch_fidelity  # noqa: F401
    except ImportError:
        return "torch-fidelity is not installed (pip install torch-fidelity)"
    return None


def cached_weights_path() -> Path:
    """Where torch-fidelity's download of the weights lives (torch's hub cache)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_NAME


@functools.cache
def _download() -> str | None:
    """Fetch the weights into the cache through torch-fidelity's address, once; why not, or None."""
    import torch
    from torch_fidelity.feature_extractor_inceptionv3 import URL_INCEPTION_V3

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # an offline machine must not hang here
    try:
        # first whether the address answers: offline, the one warning of the caller is all
        reach(URL_INCEPTION_V3)
        log.info("downloading the Inception weights for FID/KID/IS from %s", URL_INCEPTION_V3)
        with contextlib.redirect_stderr(io.StringIO()):  # torch's own "Downloading:" line
            torch.hub.load_state_dict_from_url(URL_INCEPTION_V3, progress=False, map_location="cpu")
    except Exception as err:  # no network, proxy, refused, truncated: all mean "off"
        why = fetch_failure(err)
        return f"they are not in {cached_weights_path().parent} and the download failed ({why})"
    finally:
        socket.setdefaulttimeout(previous)
    return None


def locate_weights(setting: str | Path | None) -> tuple[str | None, str | None]:
    """(the weights file, None) when FID/KID/IS can run, else (None, why they are off)."""
    if setting is None or str(setting).strip().lower() in ("", "null", "none"):
        return None, "callbacks.metrics.inception_weights is not set (null); use auto or a .pth"
    missing = _fidelity_missing()
    if missing:
        return None, missing
    if str(setting) != "auto":
        if not Path(setting).is_file():
            return None, f"callbacks.metrics.inception_weights={str(setting)!r} is not a file"
        return str(setting), None
    cached = cached_weights_path()
    if not cached.is_file():
        failed = _download()
        if failed or not cached.is_file():
            return None, f"inception_weights=auto: {failed or 'the download left no file'}"
    return str(cached), None


def inception_unavailable(weights_path: str | Path | None) -> str | None:
    """Why FID/KID/IS cannot run with these weights, or None when they can."""
    return locate_weights(weights_path)[1]


def to_uint8_rgb(images: Tensor) -> Tensor:
    """[-1, 1] floats, 1 or 3 channels -> uint8 RGB, the input Inception expects."""
    import torch

    x = ((images.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


class InceptionMetrics:
    """The Inception networks, loaded once; calling it scores every metric that needs them."""

    def __init__(self, weights_path: str | Path, kid_subset_size: int = 100) -> None:
        path, reason = locate_weights(weights_path)
        if reason:
            raise FileNotFoundError(f"Inception metrics are off: {reason}")
        from torchmetrics.image.fid import NoTrainInceptionV3

        self.features = NoTrainInceptionV3(
            name="inception-v3-compat", features_list=["2048"], feature_extractor_weights_path=path
        )
        self.logits = NoTrainInceptionV3(
            name="inception-v3-compat",
            features_list=["logits_unbiased"],
            feature_extractor_weights_path=path,
        )
        self.kid_subset_size = kid_subset_size

    def __call__(self, real: Tensor, fake: Tensor) -> dict[str, float]:
        """`fid`, `kid` (x1e3), `is`, ... for [N, C, S, S] images in [-1, 1], on fake's device."""
        import torch

        from dcgan.metrics.registry import Images, ordered

        images = Images(real, fake, seed=0, device=fake.device, inception=self)
        scores: dict[str, float] = {}
        with torch.no_grad():
            for metric in ordered():
                if metric.inception:
                    scores.update(metric.score(images))
        return scores


def feed(images: Images, update: Callable[[Tensor, bool], None], reals: bool = True) -> None:
    """Hand a torchmetrics metric the images in batches, as Inception takes them (uint8 RGB)."""
    for part, is_real in ((images.real, True), (images.fake, False)):
        if is_real and not reals:
            continue
        for chunk in part.split(BATCH):
            update(to_uint8_rgb(chunk.to(images.device)), is_real)
