"""fgrad.scipy.signal: SciPy's n-d convolutions, with their VJP, JVP and batching.

``convolve``, ``correlate``, ``fftconvolve``, ``convolve2d`` and ``correlate2d`` are
compositions over one bilinear primitive, ``_conv``, whose plain call is the SciPy
function itself: values under a transform are SciPy's, bit for bit. Each is a slice of a
full convolution of its arguments, each possibly flipped and conjugated:

    out = full(P(in1) * Q(in2))[start : start + shape],   * the n-d convolution,

where P is the identity (conj for correlate2d's swapped 'valid' case, below) and Q the
identity (convolutions) or x -> flip(conj(x)) (correlations). ``start`` is 0 ('full'),
(n2 - 1) // 2 ('same'; n2 // 2 for correlate2d, as SciPy's) or min(n1, n2) - 1 ('valid',
where SciPy swaps the arguments when in2 is the larger). Convolution is bilinear, so the
JVP is ``_conv`` with the tangent in one slot; the VJP is the plain transpose (no
conjugation, as everywhere in fgrad): with G the cotangent padded into the full shape,

    in1's cotangent = P(G * flip(Q(in2)), 'valid'),   in2's = Q(G * flip(P(in1)), 'valid'),

(flip and conj are their own transposes), each one call of the same SciPy function.

Batching: one call over the whole batch (no loop over examples): fftconvolve along the
convolved axes (the batch axes broadcast), then the mode's slice; integer inputs use a
loop over the kernel's taps instead, which is exact, so integer results are SciPy's.
Batched floating values agree with SciPy's per-example ones to rounding, not to the bit
(SciPy's direct method is a different summation).

Conventions. SciPy's correlate2d conjugates its output in 'valid' mode when in2 is the
larger (complex input; SciPy's own behaviour, kept). convolve2d/correlate2d differentiate
with boundary='fill' and fillvalue=0 only: other boundaries raise NotImplementedError
under a transform (plain calls are SciPy's, any boundary).

>>> import numpy as np, fgrad
>>> fgrad.grad(lambda k: (convolve(np.array([1.0, 2.0, 3.0]), k) ** 2).sum())(np.ones(2))
array([44., 44.])
"""
import numpy as np
import scipy.signal as _signal

from ..numpy.batch import ndim_of_example
from ..numpy.broadcast import batch_first, unbroadcast
from ..numpy.elementwise import conj
from ..numpy.shape import expand_dims, flip, pad
from ..rules import defmultilinear
from ..tracer import Box, composite, primitive

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "fftconvolve"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")
_CONVOLUTION = {"convolve": "convolve", "correlate": "convolve", "fftconvolve": "fftconvolve",
                "convolve2d": "convolve2d", "correlate2d": "convolve2d"}


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _conj(x):
    return conj(x) if x.dtype.kind == "c" else x


# -- the plan: which slice of which full convolution ------------------------------------

def _swapped(s1, s2):
    """SciPy's 'valid' mode: whether in2 is the larger (then the arguments swap)."""
    if all(a >= b for a, b in zip(s1, s2)):
        return False
    if all(b >= a for a, b in zip(s1, s2)):
        return True
    raise ValueError("For 'valid' mode, one must be at least as large as the other in "
                     "every dimension")


def _plan(how, mode, s1, s2):
    """(conj P, (flip Q, conj Q), start, shape): out = full(P(in1) * Q(in2)) sliced at
    ``start`` to ``shape``, along the convolved axes of shapes ``s1`` and ``s2``."""
    p_conj, q = False, ((True, True) if how in ("correlate", "correlate2d") else (False, False))
    if mode == "full":
        return p_conj, q, (0,) * len(s1), tuple(a + b - 1 for a, b in zip(s1, s2))
    if mode == "same":
        shift = 0 if how == "correlate2d" else 1
        return p_conj, q, tuple((b - shift) // 2 for b in s2), tuple(s1)
    if how == "correlate2d" and _swapped(s1, s2):
        p_conj, q = True, (True, False)  # SciPy's correlate2d conjugates this case
    else:
        _swapped(s1, s2)  # SciPy's error when neither is the larger
    return (p_conj, q, tuple(min(a, b) - 1 for a, b in zip(s1, s2)),
            tuple(abs(a - b) + 1 for a, b in zip(s1, s2)))


def _along(axes, ndim, values, rest):
    """A per-axis list: ``values`` on ``axes``, ``rest`` elsewhere."""
    out = [rest] * ndim
    for a, v in zip(axes, values):
        out[a] = v
    return out


def _shapes(in1, in2, axes):
    return tuple(in1.shape[a] for a in axes), tuple(in2.shape[a] for a in axes)


# -- the primitive ---------------------------------------------------------------------

def _taps(a, b, axes):
    """The full convolution of ``a`` and ``b`` along ``axes`` (other axes broadcast), one
    pass per tap of the smaller: exact for integers."""
    if np.prod([b.shape[x] for x in axes]) > np.prod([a.shape[x] for x in axes]):
        a, b = b, a
    nd = a.ndim
    shape = [max(m, n) for m, n in zip(a.shape, b.shape)]
    for x in axes:
        shape[x] = a.shape[x] + b.shape[x] - 1
    out = np.zeros(shape, np.result_type(a, b))
    for tap in np.ndindex(*[b.shape[x] for x in axes]):
        into = _along(axes, nd, [slice(j, j + a.shape[x]) for j, x in zip(tap, axes)],
                      slice(None))
        out[tuple(into)] += a * b[tuple(_along(axes, nd, [slice(j, j + 1) for j in tap],
                                               slice(None)))]
    return out


def _batched(in1, in2, how, mode, axes):
    """``how`` of every example at once: the convolved ``axes`` of stacks that broadcast."""
    p_conj, (q_flip, q_conj), start, shape = _plan(how, mode, *_shapes(in1, in2, axes))
    a = np.conj(in1) if p_conj else in1
    b = np.flip(in2, axes) if q_flip else in2
    b = np.conj(b) if q_conj else b
    dtype = np.result_type(in1, in2)
    if dtype.kind in "fc":
        full = _signal.fftconvolve(a, b, "full", axes=axes).astype(dtype, copy=False)
    else:
        full = _taps(a, b, axes)
    return full[tuple(_along(axes, full.ndim, [slice(s, s + n) for s, n in zip(start, shape)],
                             slice(None)))]


def _conv_impl(in1, in2, how, mode, method, axes):
    """SciPy's ``how`` on (in1, in2); with axes other than all of them, the batched form."""
    if how == "fftconvolve":
        return _signal.fftconvolve(in1, in2, mode, axes=axes)
    if len(axes) == np.ndim(in1):
        if how in ("convolve", "correlate"):
            return getattr(_signal, how)(in1, in2, mode, method)
        return getattr(_signal, how)(in1, in2, mode)
    return _batched(np.asarray(in1), np.asarray(in2), how, mode, axes)


_conv = primitive(_conv_impl, "conv", data="in1 in2",
                  params={"how": "convolve", "mode": "full", "method": "auto", "axes": ()})


def _conv_vjp(i):
    """The cotangent of argument i: a 'valid' convolution of the padded cotangent."""
    def rule(g, out, in1, in2, how, mode, method, axes):
        x = (in1, in2)[i]
        if x.dtype.kind not in "fc":
            return None
        s1, s2 = _shapes(in1, in2, axes)
        p_conj, (q_flip, q_conj), start, shape = _plan(how, mode, s1, s2)
        full = [a + b - 1 for a, b in zip(s1, s2)]
        g_full = pad(g, _along(axes, g.ndim, [(s, f - s - n) for s, f, n
                                              in zip(start, full, shape)], (0, 0)))
        if i == 0:  # P(G * flip(Q(in2)))
            k = _conj(in2) if q_conj else in2
            k, flip_k, conj_ct = k, not q_flip, p_conj
        else:       # Q(G * flip(P(in1)))
            k, flip_k, conj_ct = (_conj(in1) if p_conj else in1), True, q_conj
        if flip_k:
            k = flip(k, axis=axes)
        ct = _conv(g_full, k, how=_CONVOLUTION[how], mode="valid", method=method, axes=axes)
        if i == 1 and q_flip:
            ct = flip(ct, axis=axes)
        return unbroadcast(_conj(ct) if conj_ct else ct, x)
    return rule


def _conv_batch(args, dims, size, how, mode, method, axes):
    """One call on the whole batch: the batch axis first (length 1 when unbatched)."""
    moved = [expand_dims(x, 0) if d is None else batch_first(x, d) for x, d in zip(args, dims)]
    if len({ndim_of_example(x, d) for x, d in zip(args, dims)}) > 1:
        raise ValueError("in1 and in2 should have the same dimensionality")
    return _conv(*moved, how=how, mode=mode, method=method,
                 axes=tuple(a + 1 for a in axes)), 0


defmultilinear(_conv, _conv_vjp(0), _conv_vjp(1), save="args", batch=_conv_batch)


# -- the public functions ---------------------------------------------------------------

def _prepare(in1, in2, mode):
    in1, in2 = _array(in1), _array(in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in _MODES:
        raise ValueError("Acceptable mode flags are 'valid', 'same', or 'full'.")
    return in1, in2


def _checked(method):
    if method not in _METHODS:
        raise ValueError("Acceptable method flags are 'auto', 'direct', or 'fft'.")
    return method


@composite(_signal.convolve)
def convolve(in1, in2, mode="full", method="auto"):
    """SciPy's n-d convolution, out[n] = sum_k in1[k] in2[n - k], of ``mode`` 'full',
    'same' or 'valid'; differentiable in both.

    >>> import numpy as np, fgrad
    >>> f = lambda a: convolve(a, np.array([1.0, 2.0]), "valid").sum()   # sum 2 a[n] + a[n+1]
    >>> fgrad.grad(f)(np.arange(3.0)).round(6).tolist()
    [2.0, 3.0, 1.0]
    """
    in1, in2 = _array(in1), _array(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    in1, in2 = _prepare(in1, in2, mode)
    return _conv(in1, in2, how="convolve", mode=mode, method=_checked(method),
                 axes=tuple(range(in1.ndim)))


@composite(_signal.correlate)
def correlate(in1, in2, mode="full", method="auto"):
    """SciPy's n-d cross-correlation, out[n] = sum_k in1[n + k] conj(in2[k]) (shifted by
    ``mode``): convolve(in1, flip(conj(in2))); differentiable in both.

    >>> import numpy as np, fgrad
    >>> f = lambda k: correlate(np.array([1.0, 2.0, 3.0]), k, "valid").sum()
    >>> fgrad.grad(f)(np.ones(2)).round(6).tolist()
    [3.0, 5.0]
    """
    in1, in2 = _array(in1), _array(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * _conj(in2)
    in1, in2 = _prepare(in1, in2, mode)
    return _conv(in1, in2, how="correlate", mode=mode, method=_checked(method),
                 axes=tuple(range(in1.ndim)))


@composite(_signal.fftconvolve)
def fftconvolve(in1, in2, mode="full", axes=None):
    """SciPy's convolution by FFT along ``axes`` (all by default; the others broadcast),
    of ``mode`` 'full', 'same' or 'valid'; differentiable in both.

    >>> import numpy as np, fgrad
    >>> f = lambda s: fftconvolve(np.array([1.0, 2.0]), s * np.ones(2))[1]   # 3 s
    >>> round(float(fgrad.grad(f)(1.0)), 6)
    3.0
    """
    in1, in2 = _array(in1), _array(in2)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    in1, in2 = _prepare(in1, in2, mode)
    if axes is None:
        axes = tuple(range(in1.ndim))
    else:
        axes = tuple(int(a) % in1.ndim for a in np.atleast_1d(axes))
        if not axes:
            raise ValueError("when provided, axes cannot be empty")
    return _conv(in1, in2, how="fftconvolve", mode=mode, method=None, axes=axes)


# how: the example's result (the derivative in a 2 x 2 kernel of a 'valid' sum)
_TWO_D_EXAMPLES = {"convolve2d": "[[24.0, 20.0], [12.0, 8.0]]",
                   "correlate2d": "[[8.0, 12.0], [20.0, 24.0]]"}


def _two_d(how):
    def function(in1, in2, mode="full", boundary="fill", fillvalue=0):
        in1, in2 = _array(in1), _array(in2)
        if in1.ndim != 2 or in2.ndim != 2:
            raise ValueError(f"{how} inputs must both be 2-D arrays")
        if boundary not in ("fill", "pad") or isinstance(fillvalue, Box) or fillvalue != 0:
            raise NotImplementedError(f"fgrad.scipy.signal.{how} differentiates with "
                                      "boundary='fill' and fillvalue=0 only")
        in1, in2 = _prepare(in1, in2, mode)
        return _conv(in1, in2, how=how, mode=mode, method=None, axes=(0, 1))
    function.__name__ = function.__qualname__ = how
    function.__doc__ = (
        f"SciPy's {how} of 2-d arrays (as {how[:-2]}, ``mode`` included); differentiable in\n"
        "both with boundary='fill' and fillvalue=0 (other boundaries: plain values only).\n\n"
        ">>> import numpy as np, fgrad\n"
        f">>> f = lambda k: {how}(np.arange(9.0).reshape(3, 3), k, 'valid').sum()\n"
        f">>> fgrad.grad(f)(np.ones((2, 2))).round(6).tolist()\n{_TWO_D_EXAMPLES[how]}\n")
    return composite(getattr(_signal, how))(function)


convolve2d = _two_d("convolve2d")
correlate2d = _two_d("correlate2d")
