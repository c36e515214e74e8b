"""fgrad.nn: the activation and normalisation functions models are built from.

Each is a composition of fgrad.numpy primitives, so it has a VJP, a JVP and a
batching rule through them, and is written to stay finite at extreme inputs
(tested at ±1e3): no ``exp`` of a large positive number anywhere. Conventions as in
JAX's ``jax.nn``: ``relu'(0) = 0``; ``gelu`` uses the tanh approximation unless
``approximate=False``.

>>> import fgrad, fgrad.numpy as fnp
>>> float(fgrad.grad(lambda x: fnp.sum(softplus(x)))(fnp.array(1e3)))
1.0
"""
import math

import numpy as np

from . import numpy as fnp
from .transforms import stop_gradient

__all__ = ["gelu", "log_softmax", "logsumexp", "one_hot", "relu", "sigmoid", "silu",
           "softmax", "softplus"]


def relu(x):
    """max(x, 0), with derivative 0 at 0.

    >>> relu(fnp.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    return fnp.where(x > 0, x, 0)


def sigmoid(x):
    """1 / (1 + e⁻ˣ), as (1 + tanh(x/2)) / 2: no overflow, σ' = σ(1 - σ) stays finite.

    >>> sigmoid(fnp.array([-1e3, 0.0, 1e3]))
    array([0. , 0.5, 1. ])
    """
    return 0.5 * fnp.tanh(0.5 * x) + 0.5


def softplus(x):
    """log(1 + eˣ), as logaddexp(x, 0); its derivative is sigmoid(x).

    >>> softplus(fnp.array([0.0, 1e3])).tolist()
    [0.6931471805599453, 1000.0]
    """
    return fnp.logaddexp(x, 0.0)


def silu(x):
    """x sigmoid(x) (also called swish).

    >>> silu(fnp.array([0.0, 1e3]))
    array([   0., 1000.])
    """
    return x * sigmoid(x)


def gelu(x, approximate=True):
    """x Φ(x) with Φ the normal CDF; by default its tanh approximation,
    x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2. ``approximate=False`` needs SciPy.

    >>> gelu(fnp.array([0.0, 1e3]))
    array([   0., 1000.])
    """
    if approximate:
        return 0.5 * x * (1 + fnp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    from .scipy.special import erf
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def _shift(x, axis):
    """max(x) along ``axis`` (kept), as a constant, and 0 where it is infinite."""
    m = stop_gradient(fnp.max(x, axis=axis, keepdims=True))
    return fnp.where(fnp.isfinite(m), m, 0)


def logsumexp(x, axis=None, keepdims=False):
    """log Σ eˣ along ``axis``, shifted by the max; its gradient is softmax(x).

    >>> float(logsumexp(fnp.array([1e3, 1e3])))
    1000.6931471805599
    """
    m = _shift(x, axis)
    out = fnp.log(fnp.sum(fnp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else fnp.squeeze(out, axis=axis)


def softmax(x, axis=-1):
    """eˣ / Σ eˣ along ``axis``.

    >>> softmax(fnp.array([1e3, 1e3, -1e3]))
    array([0.5, 0.5, 0. ])
    """
    e = fnp.exp(x - _shift(x, axis))
    return e / fnp.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``.

    >>> log_softmax(fnp.array([0.0, 0.0]))
    array([-0.69314718, -0.69314718])
    """
    shifted = x - _shift(x, axis)
    return shifted - fnp.log(fnp.sum(fnp.exp(shifted), axis=axis, keepdims=True))


def one_hot(labels, num_classes, dtype=np.float64):
    """An array of shape ``labels.shape + (num_classes,)``, 1 where the last index is
    the label and 0 elsewhere (a label outside [0, num_classes) gives a zero row).

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    labels = fnp.asarray(labels)
    return (labels[..., None] == np.arange(num_classes)).astype(dtype)
