"""Layer registries: every architectural switch of G and D is a name looked up here.

The config checks read these registries, so this module loads without torch: a builder gets
`torch.nn` from its `make_*` function, and the functions import torch where they use it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dcgan.checks import Registry, Rule, check

if TYPE_CHECKING:
    from torch import Tensor, nn


# G and D double/halve the resolution per block from 4x4; SWD compares pyramids down to 16 px.
IMAGE_SIZES = Registry("image sizes", (16, 32, 64, 128, 256, 512))


IMAGE_SIZE = Rule(
    lambda v: v in IMAGE_SIZES, f"use a power of two: {', '.join(map(str, IMAGE_SIZES))}"
)
DROPOUT = Rule(lambda p: 0.0 <= p < 1.0, "must satisfy 0 <= p < 1")  # 1 would drop everything


def check_image_size(image_size: int, key: str = "image_size") -> None:
    """Only the powers of two in IMAGE_SIZES fit the nets (and the metrics)."""
    check(IMAGE_SIZE.test(image_size), key, image_size, IMAGE_SIZE.text)


def check_dropout(p: float, key: str = "dropout.p") -> None:
    """A drop probability of 1 would drop everything."""
    check(DROPOUT.test(p), key, p, DROPOUT.text)


def make_layer(registry: Registry[Callable[..., nn.Module]], name: str, *args: Any) -> nn.Module:
    """The layer `name` of an activation, norm, pooling or upsampling registry, built from
    `args` (each entry's own: a slope; channels; in, out, bias and, D's, spectral norm) and
    torch.nn, imported here so that the config checks read the registries without torch."""
    from torch import nn

    return registry.lookup(name)(nn, *args)


# --- class conditioning (its layers: conditional.py) --------------------------------------------


@dataclass(frozen=True)
class Condition:
    """Where the label enters G and D."""

    g_norm: bool  # class-conditional scale and shift in G's norms
    g_concat: bool  # one-hot label concatenated to z
    d_concat: bool  # one-hot label as constant channels of D's input
    d_projection: bool  # <embed(y), h> added to D's logit


CONDITIONS: Registry[Condition] = Registry(
    "how a class enters G and D",
    key="model.condition",
    projection=Condition(g_norm=True, g_concat=False, d_concat=False, d_projection=True),
    concat=Condition(g_norm=False, g_concat=True, d_concat=True, d_projection=False),
)

# How fake images' labels are drawn in training: as often as each class is in the data, or not.
FAKE_LABELS = Registry("classes of the fakes in training", ("data", "uniform"))


# --- activations -------------------------------------------------------------------------------

ACTIVATIONS: Registry[Callable[[ModuleType, float], nn.Module]] = Registry(
    "activations of G and D",
    key="activation",
    relu=lambda nn, slope: nn.ReLU(),
    leaky_relu=lambda nn, slope: nn.LeakyReLU(slope),
    elu=lambda nn, slope: nn.ELU(),
    gelu=lambda nn, slope: nn.GELU(),
    selu=lambda nn, slope: nn.SELU(),
    silu=lambda nn, slope: nn.SiLU(),
    tanh=lambda nn, slope: nn.Tanh(),
)


# --- normalisation -----------------------------------------------------------------------------

NORMS: Registry[Callable[[ModuleType, int], nn.Module]] = Registry(
    "normalisation layers",
    key="norm",
    batch=lambda nn, c: nn.BatchNorm2d(c),
    instance=lambda nn, c: nn.InstanceNorm2d(c, affine=True),
    none=lambda nn, c: nn.Identity(),
)


def maybe_spectral(module: nn.Module, enabled: bool) -> nn.Module:
    """Wrap a conv's weight in spectral norm to bound D's Lipschitz constant when asked."""
    from torch.nn.utils.parametrizations import spectral_norm

    return spectral_norm(module) if enabled else module


# --- resampling --------------------------------------------------------------------------------


def _conv_then(pool: str) -> Callable[[ModuleType, int, int, bool, bool], nn.Module]:
    """Factory for a 3x3 same-size conv followed by a 2x pooling layer (`nn.<pool>`)."""

    def build(nn: ModuleType, in_ch: int, out_ch: int, bias: bool, spectral: bool) -> nn.Module:
        conv = maybe_spectral(nn.Conv2d(in_ch, out_ch, 3, 1, 1, bias=bias), spectral)
        return nn.Sequential(conv, getattr(nn, pool)(2))

    return build


POOLINGS: Registry[Callable[[ModuleType, int, int, bool, bool], nn.Module]] = Registry(
    "how D halves the resolution",
    key="pooling",
    strided=lambda nn, i, o, b, s: maybe_spectral(nn.Conv2d(i, o, 4, 2, 1, bias=b), s),
    avg=_conv_then("AvgPool2d"),
    max=_conv_then("MaxPool2d"),
)


def _resize_conv(mode: str) -> Callable[[ModuleType, int, int, bool], nn.Module]:
    """Factory for upsample-then-conv, which avoids transposed-conv checkerboard artefacts."""

    def build(nn: ModuleType, in_ch: int, out_ch: int, bias: bool) -> nn.Module:
        align = None if mode == "nearest" else False
        return nn.Sequential(
            nn.Upsample(scale_factor=2, mode=mode, align_corners=align),
            nn.Conv2d(in_ch, out_ch, 3, 1, 1, bias=bias),
        )

    return build


UPSAMPLINGS: Registry[Callable[[ModuleType, int, int, bool], nn.Module]] = Registry(
    "how G doubles the resolution",
    key="upsample",
    transposed=lambda nn, i, o, b: nn.ConvTranspose2d(i, o, 4, 2, 1, bias=b),
    nearest_conv=_resize_conv("nearest"),
    bilinear_conv=_resize_conv("bilinear"),
)


# --- weight initialisation ---------------------------------------------------------------------

_KAIMING_NONLINEARITY = {"leaky_relu": "leaky_relu", "selu": "linear", "tanh": "tanh"}


def _gain(activation: str, negative_slope: float) -> float:
    """Gain for xavier/orthogonal; relu-like activations without a closed form use relu's."""
    from torch import nn

    if activation == "leaky_relu":
        return nn.init.calculate_gain("leaky_relu", negative_slope)
    if activation in ("selu", "tanh"):
        return nn.init.calculate_gain(activation)
    return nn.init.calculate_gain("relu")


def _init_normal(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """DCGAN paper: weights N(0, 0.02), norm scales N(1, 0.02)."""
    from torch import nn

    nn.init.normal_(w, 1.0 if is_norm else 0.0, 0.02)


def _init_uniform(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """Small uniform weights U(-0.05, 0.05), norm scales U(0.95, 1.05)."""
    from torch import nn

    if is_norm:
        nn.init.uniform_(w, 0.95, 1.05)
    else:
        nn.init.uniform_(w, -0.05, 0.05)


def _init_xavier(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """Glorot normal scaled by the activation's gain."""
    from torch import nn

    if is_norm:
        nn.init.ones_(w)
    else:
        nn.init.xavier_normal_(w, gain=_gain(activation, slope))


def _init_kaiming(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """He normal (fan_in) for the activation; selu gets LeCun normal."""
    from torch import nn

    if is_norm:
        nn.init.ones_(w)
        return
    nonlinearity = _KAIMING_NONLINEARITY.get(activation, "relu")
    a = slope if nonlinearity == "leaky_relu" else 0.0
    nn.init.kaiming_normal_(w, a=a, mode="fan_in", nonlinearity=nonlinearity)


def _init_orthogonal(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """(Semi-)orthogonal weights scaled by the activation's gain."""
    from torch import nn

    if is_norm:
        nn.init.ones_(w)
    else:
        nn.init.orthogonal_(w, gain=_gain(activation, slope))


INITS: Registry[Callable[[Tensor, bool, str, float], None] | None] = Registry(
    "weight initialisations",
    key="init",
    normal=_init_normal,
    uniform=_init_uniform,
    xavier=_init_xavier,
    kaiming=_init_kaiming,
    orthogonal=_init_orthogonal,
    default=None,
)


def _raw_weight(m: nn.Module) -> Tensor | None:
    """The stored weight: under spectral norm that is the parametrisation's original."""
    from torch.nn.utils import parametrize

    if parametrize.is_parametrized(m, "weight"):
        return m.parametrizations.weight.original
    return getattr(m, "weight", None)


def _refresh_spectral(m: nn.Module, redraw: bool = False) -> None:
    """Re-run power iteration so spectral norm's u, v match the re-initialised weight.

    `redraw`: start u and v afresh from the current stream (a paired layer's own).
    """
    import torch
    import torch.nn.functional as F
    from torch.nn.utils import parametrize

    if not parametrize.is_parametrized(m, "weight"):
        return
    original = m.parametrizations.weight.original
    for p in m.parametrizations.weight:
        if hasattr(p, "_power_method") and original.ndim > 1:
            if redraw:
                for vec in (p._u, p._v):
                    vec.copy_(F.normalize(torch.randn_like(vec), dim=0, eps=p.eps))
            p._power_method(p._reshape_weight_to_matrix(original), 15)


def paired_seed(seed: int, *parts: object) -> int:
    """A seed for one part of a model, the same in every setting that has that part."""
    text = "/".join(map(str, (seed, *parts))).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little") >> 1


def init_weights(
    module: nn.Module,
    scheme: str,
    negative_slope: float = 0.2,
    activation: str = "leaky_relu",
    seed: int | None = None,
    net: str = "",
) -> None:
    """Re-initialise every conv/linear/norm inside module in place ("default": torch's own).

    With `seed`, each layer draws from its own stream, seeded by (seed, `net`, its kind, its
    place among the layers of that kind, its shape): two settings run with one seed start every
    layer they share from the same weights, whatever other layers either one adds (pairing).
    Without it, the global stream is used (and "default" keeps the weights as constructed).
    """
    import torch
    from torch import nn

    fn = INITS.lookup(scheme)
    if fn is None and seed is None:
        return
    norms = (nn.modules.batchnorm._BatchNorm, nn.modules.instancenorm._InstanceNorm, nn.GroupNorm)
    weights = (nn.modules.conv._ConvNd, nn.Linear)
    places: dict[str, int] = {}
    for m in module.modules():
        is_norm = isinstance(m, norms)
        if not (is_norm or isinstance(m, weights)):
            continue
        kind = "norm" if is_norm else "weight"
        place = places[kind] = places.get(kind, -1) + 1
        weight = _raw_weight(m)
        shape = tuple(weight.shape) if weight is not None else ()
        with torch.no_grad(), torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(paired_seed(seed, net, kind, place, shape))
            _init_layer(m, fn, is_norm, activation, negative_slope, redraw=seed is not None)


def _init_layer(
    m: nn.Module, fn: Callable | None, is_norm: bool, activation: str, slope: float, redraw: bool
) -> None:
    from torch import nn

    weight = _raw_weight(m)
    if weight is not None:
        (fn or _init_torch_default)(weight, is_norm, activation, slope)
    bias = getattr(m, "bias", None)
    if bias is not None:
        if fn is None and not is_norm and weight is not None:  # torch's bias: U(+-1/sqrt(fan_in))
            bound = 1 / math.sqrt(max(1, nn.init._calculate_fan_in_and_fan_out(weight)[0]))
            nn.init.uniform_(bias, -bound, bound)
        else:
            nn.init.zeros_(bias)
    _refresh_spectral(m, redraw)


def _init_torch_default(w: Tensor, is_norm: bool, activation: str, slope: float) -> None:
    """What torch's own layers draw (init=default), redrawn so that it can be paired."""
    from torch import nn

    if is_norm:
        nn.init.ones_(w)
    else:
        nn.init.kaiming_uniform_(w, a=math.sqrt(5))
