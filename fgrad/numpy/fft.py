"""fgrad.numpy.fft: discrete Fourier transforms, each a linear map.

Four primitives carry the rules: ``fftn`` and ``ifftn`` (complex to complex over
some axes) and ``rfft`` and ``irfft`` (real to half-spectrum and back, along one
axis); the rest of NumPy's fft module is built from them. Each first resizes its
input along the transformed axes (NumPy's ``n``/``s``: cut, or pad with zeros).

Transposes (no conjugation, as everywhere in fgrad; ``c`` is the norm's scale):
    fftn:   the DFT matrix is symmetric, so VJP = resizeᵀ(fftn(g)), same norm
    rfft:   y = c F[:m] x (x real)  ->  VJP = resizeᵀ(real(fft(pad_n(g))))
    irfft:  y_j = c Σ_k w_k Re(a_k ω^-jk), w = 1, 2, ..., 2, (1)  ->  VJP = w conj(rfft(g))
where resizeᵀ undoes the cut or padding (pads with zeros where the input was
cut, cuts where it was padded), and the norm of the rfft in irfft's VJP is the
swapped one ("backward" <-> "forward"), which has irfft's scale.
"""
import numpy as np

from ..rules import defmultilinear
from ..tracer import composite, primitive
from . import batch, broadcast
from .elementwise import conj, real
from .shape import concatenate, moveaxis

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq", "rfftfreq"]

fftfreq, rfftfreq = np.fft.fftfreq, np.fft.rfftfreq  # sample frequencies: data
_SWAPPED = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def _fftn(a, s, axes, norm):
    return np.fft.fftn(a, s, axes, norm)


def _ifftn(a, s, axes, norm):
    return np.fft.ifftn(a, s, axes, norm)


_fftn_p = primitive(_fftn, "fftn", data="a", params={"s": None, "axes": None, "norm": None})
_ifftn_p = primitive(_ifftn, "ifftn", data="a", params={"s": None, "axes": None, "norm": None})
_rfft_p = primitive(np.fft.rfft, "rfft", data="a",
                    params={"n": None, "axis": -1, "norm": None})
_irfft_p = primitive(np.fft.irfft, "irfft", data="a",
                     params={"n": None, "axis": -1, "norm": None})


def _resize(x, sizes, axes):
    """``x`` cut or padded with zeros to ``sizes`` along ``axes`` (NumPy's n and s)."""
    for size, ax in zip(sizes, axes):
        have = x.shape[ax]
        if have > size:
            x = moveaxis(moveaxis(x, ax, 0)[:size], 0, ax)
        elif have < size:
            pad_shape = list(x.shape)
            pad_shape[ax] = size - have
            x = concatenate([x, np.zeros(pad_shape, x.dtype)], axis=ax)
    return x


def _fftn_vjp(transform):
    def vjp(g, out, a, s, axes, norm):
        ct = _resize(transform(g, axes=axes, norm=norm), [a.shape[ax] for ax in axes], axes)
        return broadcast.fit_dtype(ct, a.dtype)
    return vjp


def _rfft_vjp(g, out, a, n, axis, norm):
    padded = _resize(g, [n], [axis])  # the half spectrum, zeros above it
    ct = real(fftn(padded, axes=(axis,), norm=norm))
    return broadcast.fit_dtype(_resize(ct, [a.shape[axis]], [axis]), a.dtype)


def _irfft_vjp(g, out, a, n, axis, norm):
    m = n // 2 + 1
    weights = np.full(m, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    weights = weights.reshape((m,) + (1,) * (-axis - 1))  # along axis, a negative axis
    ct = weights * conj(rfft(g, n, axis, _SWAPPED[norm]))
    return broadcast.fit_dtype(_resize(ct, [a.shape[axis]], [axis]), a.dtype)


def _along_axes_batch(prim):
    """Batch axis first; the transformed axes are negative, so they stay where they are."""
    def rule(args, dims, size, **params):
        return prim(batch.to_front(args[0], dims[0], size), **params), 0
    return rule


defmultilinear(_fftn_p, _fftn_vjp(lambda g, axes, norm: fftn(g, axes=axes, norm=norm)),
               save="shapes", batch=_along_axes_batch(_fftn_p))
defmultilinear(_ifftn_p, _fftn_vjp(lambda g, axes, norm: ifftn(g, axes=axes, norm=norm)),
               save="shapes", batch=_along_axes_batch(_ifftn_p))
defmultilinear(_rfft_p, _rfft_vjp, save="shapes", batch=_along_axes_batch(_rfft_p))
defmultilinear(_irfft_p, _irfft_vjp, save="shapes", batch=_along_axes_batch(_irfft_p))


# -- the public functions: NumPy's signatures, normalised for the primitives ------------

def _norm(norm):
    if norm not in (None, "backward", "ortho", "forward"):
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')
    return norm or "backward"


def _shape_and_axes(a, s, axes):
    """NumPy's (s, axes) defaults, as negative axes and one size per axis."""
    ndim = np.ndim(a)
    if axes is None:
        axes = range(-len(s), 0) if s is not None else range(-ndim, 0)
    axes = tuple(ax % ndim - ndim for ax in axes)
    if s is None:
        s = tuple(np.shape(a)[ax] for ax in axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    s = tuple(np.shape(a)[ax] if n in (None, -1) else int(n) for n, ax in zip(s, axes))
    return s, axes


@composite(np.fft.fftn)
def fftn(a, s=None, axes=None, norm=None):
    """The n-dimensional DFT over ``axes``."""
    s, axes = _shape_and_axes(a, s, axes)
    return _fftn_p(a, s=s, axes=axes, norm=_norm(norm))


@composite(np.fft.ifftn)
def ifftn(a, s=None, axes=None, norm=None):
    """The n-dimensional inverse DFT over ``axes``."""
    s, axes = _shape_and_axes(a, s, axes)
    return _ifftn_p(a, s=s, axes=axes, norm=_norm(norm))


@composite(np.fft.fft)
def fft(a, n=None, axis=-1, norm=None):
    """The one-dimensional DFT along ``axis``."""
    return fftn(a, None if n is None else (n,), (axis,), norm)


@composite(np.fft.ifft)
def ifft(a, n=None, axis=-1, norm=None):
    """The one-dimensional inverse DFT along ``axis``."""
    return ifftn(a, None if n is None else (n,), (axis,), norm)


@composite(np.fft.fft2)
def fft2(a, s=None, axes=(-2, -1), norm=None):
    return fftn(a, s, axes, norm)


@composite(np.fft.ifft2)
def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return ifftn(a, s, axes, norm)


@composite(np.fft.rfft)
def rfft(a, n=None, axis=-1, norm=None):
    """The DFT of real input along ``axis``: the n//2 + 1 non-negative frequencies."""
    axis = axis % np.ndim(a) - np.ndim(a)
    n = np.shape(a)[axis] if n is None else int(n)
    return _rfft_p(a, n=n, axis=axis, norm=_norm(norm))


@composite(np.fft.irfft)
def irfft(a, n=None, axis=-1, norm=None):
    """The inverse of ``rfft``: n real samples from a half spectrum (n = 2 (m - 1) by default)."""
    axis = axis % np.ndim(a) - np.ndim(a)
    n = 2 * (np.shape(a)[axis] - 1) if n is None else int(n)
    return _irfft_p(a, n=n, axis=axis, norm=_norm(norm))


@composite(np.fft.rfftn)
def rfftn(a, s=None, axes=None, norm=None):
    """rfft along the last of ``axes``, then the full DFT along the others."""
    s, axes = _shape_and_axes(a, s, axes)
    half = rfft(a, s[-1], axes[-1], norm)
    return fftn(half, s[:-1], axes[:-1], norm) if len(axes) > 1 else half


@composite(np.fft.irfftn)
def irfftn(a, s=None, axes=None, norm=None):
    """The inverse DFT along all but the last of ``axes``, then irfft along the last."""
    ndim = np.ndim(a)
    axes = tuple(range(-(ndim if s is None else len(s)), 0)) if axes is None else \
        tuple(ax % ndim - ndim for ax in axes)
    if s is None:
        s = tuple(np.shape(a)[ax] for ax in axes[:-1]) + (2 * (np.shape(a)[axes[-1]] - 1),)
    full = ifftn(a, s[:-1], axes[:-1], norm) if len(axes) > 1 else a
    return irfft(full, s[-1], axes[-1], norm)


@composite(np.fft.rfft2)
def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return rfftn(a, s, axes, norm)


@composite(np.fft.irfft2)
def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return irfftn(a, s, axes, norm)


@composite(np.fft.hfft)
def hfft(a, n=None, axis=-1, norm=None):
    """The DFT of a signal with Hermitian symmetry, given by its first half: real output."""
    return irfft(conj(a), n, axis, _SWAPPED[_norm(norm)])


@composite(np.fft.ihfft)
def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of ``hfft``: the half spectrum of real input, conjugated."""
    return conj(rfft(a, n, axis, _SWAPPED[_norm(norm)]))


def _roll_by_half(x, axes, shift_of):
    """``x`` rolled along each axis by ``shift_of(length)`` (a linear rearrangement)."""
    ndim = np.ndim(x)
    axes = range(ndim) if axes is None else (axes,) if isinstance(axes, int) else axes
    for ax in axes:
        ax %= ndim
        k = shift_of(np.shape(x)[ax]) % np.shape(x)[ax] if np.shape(x)[ax] else 0
        if k:
            front = moveaxis(x, ax, 0)
            x = moveaxis(concatenate([front[-k:], front[:-k]], axis=0), 0, ax)
    return x


@composite(np.fft.fftshift)
def fftshift(x, axes=None):
    """The zero frequency moved to the centre."""
    return _roll_by_half(x, axes, lambda n: n // 2)


@composite(np.fft.ifftshift)
def ifftshift(x, axes=None):
    """The inverse of ``fftshift``."""
    return _roll_by_half(x, axes, lambda n: -(n // 2))
