"""Products of arrays: matmul and einsum are the primitives; dot, vdot, inner, outer,
tensordot, kron, cross and NumPy 2's vecdot, matvec, vecmat and matrix_transpose (on
every NumPy) are built on them (or on multiply). Cotangents take their operand's dtype
(real for a real operand of a complex product); an integer einsum has no derivative.

d (A B) = dA B + A dB, so matmul's cotangents are  A: G Bᵀ  and  B: Aᵀ G  (no
conjugation: the transpose convention of JAX and autograd). 1-d operands are
promoted to matrices as matmul promotes them, and stacked (batch) axes that
broadcasting added are summed away. vdot conjugates its first argument, as NumPy
does; that conjugation is part of the function, so its derivative goes through it.

einsum is multilinear: its tangent is einsum with one operand's tangent in that
operand's place, and the cotangent of operand i is an einsum of g with the other
operands, summed down (or broadcast back) to operand i's subscripts, and put back
on the diagonal where those repeat a letter. Under a transform, einsum contracts
in the order ``np.einsum_path`` finds ("greedy") when that saves work, even with
NumPy's default optimize=False, so a chain costs what its pairwise products cost
(its value may then differ from NumPy's in rounding). dot with an operand of more
than two dimensions is one matrix product too (NumPy's N-d dot is a loop of dot
products), and may likewise differ in rounding.
"""
import functools
import math
import operator
import string
import warnings

import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import Box, composite, no_out, primitive
from . import batch, broadcast, shape as shape_ops
from .elementwise import (conj, multiply, negative, subtract, under_ufunc_options,
                          ufunc_inputs)

__all__ = ["cross", "dot", "einsum", "inner", "kron", "matmul", "matrix_transpose", "matvec",
           "outer", "tensordot", "vdot", "vecdot", "vecmat"]

matmul = primitive(np.matmul, "matmul")


# -- matmul: d (A B) = dA B + A dB -------------------------------------------------

def _as_matrices(g, a, b):
    """The cotangent ``g`` with the axes matmul dropped for 1-d ``a`` or ``b`` put back."""
    if len(a.shape) == 1 and len(b.shape) == 1:
        return shape_ops.reshape(g, (1, 1))
    if len(a.shape) == 1:
        return shape_ops.expand_dims(g, -2)
    if len(b.shape) == 1:
        return shape_ops.expand_dims(g, -1)
    return g


def _matmul_vjp_a(g, out, a, b, **options):
    if options:  # matmul(a, b, dtype=d): the rule at a and b cast to d
        return under_ufunc_options(matmul, _matmul_vjp_a, 0, "vjp", g, out, (a, b), options)
    na, nb = len(a.shape), len(b.shape)
    if na <= 2 and nb <= 2:  # the common cases, each one product (outer for vectors)
        if nb == 1:
            ct = g * b if na == 1 else g[:, None] * b
        else:
            ct = matmul(b, g) if na == 1 else matmul(g, b.T)
        return broadcast.fit_dtype(ct, a.dtype)
    g = _as_matrices(g, a, b)
    b2 = b if len(b.shape) > 1 else shape_ops.expand_dims(b, -1)
    ct = matmul(g, shape_ops.swapaxes(b2, -1, -2))
    if len(a.shape) == 1:
        ct = shape_ops.squeeze(ct, -2)
    return broadcast.unbroadcast(ct, a)


def _matmul_vjp_b(g, out, a, b, **options):
    if options:
        return under_ufunc_options(matmul, _matmul_vjp_b, 1, "vjp", g, out, (a, b), options)
    na, nb = len(a.shape), len(b.shape)
    if na <= 2 and nb <= 2:
        if na == 1:
            ct = g * a if nb == 1 else a[:, None] * g
        else:
            ct = matmul(g, a) if nb == 1 else matmul(a.T, g)
        return broadcast.fit_dtype(ct, b.dtype)
    g = _as_matrices(g, a, b)
    a2 = a if len(a.shape) > 1 else shape_ops.expand_dims(a, 0)
    ct = matmul(shape_ops.swapaxes(a2, -1, -2), g)
    if len(b.shape) == 1:
        ct = shape_ops.squeeze(ct, -1)
    return broadcast.unbroadcast(ct, b)


def _matmul_batch(args, dims, size, **options):
    """Batch axes first; vectors become matrices (then dropped again) and batched
    operands get length-1 axes so that matmul's own broadcasting lines them up.
    A batch of vectors or matrices against one matrix is a single matrix product
    (one GEMM, where broadcasting would make one product per example)."""
    (a, b), (da, db) = ufunc_inputs(args, options, "matmul") if options else args, dims
    ra, rb = batch.ndim_of_example(a, da), batch.ndim_of_example(b, db)
    if db is None and ra <= 2 and rb <= 2:  # rows of every a_i against one B
        a = batch.to_front(a, da, size)
        if ra == 1:
            return matmul(a, b), 0
        rows = matmul(shape_ops.reshape(a, (-1, a.shape[-1])), b)
        return shape_ops.reshape(rows, a.shape[:2] + tuple(np.shape(b))[1:]), 0
    if da is None and rb == 1 and ra <= 2:  # A @ b_i, as rows b_i @ A^T
        return matmul(batch.to_front(b, db, size), shape_ops.transpose(a)), 0
    if da is None and ra == 2 and rb == 2:  # A @ [B_1 ... B_n], the B_i side by side
        b = shape_ops.transpose(batch.to_front(b, db, size), (1, 0, 2))
        cols = matmul(a, shape_ops.reshape(b, (b.shape[0], -1)))
        return shape_ops.reshape(cols, (cols.shape[0], size, -1)), 1
    a = a if da is None else batch.to_front(a, da, size)
    b = b if db is None else batch.to_front(b, db, size)
    if ra == 1:
        a = shape_ops.expand_dims(a, -2)
    if rb == 1:
        b = shape_ops.expand_dims(b, -1)
    rank = max(ra, rb, 2)
    if da is not None:
        a = shape_ops.reshape(a, a.shape[:1] + (1,) * (rank + 1 - np.ndim(a)) + a.shape[1:])
    if db is not None:
        b = shape_ops.reshape(b, b.shape[:1] + (1,) * (rank + 1 - np.ndim(b)) + b.shape[1:])
    out = matmul(a, b)
    if rb == 1:
        out = out[..., 0]
    if ra == 1:
        out = out[..., 0] if rb == 1 else out[..., 0, :]
    return out, 0


# its JVP, matmul itself, takes ufunc keywords as matmul does
defmultilinear(matmul, _matmul_vjp_a, _matmul_vjp_b, batch=_matmul_batch)


# -- compositions of matmul and multiply ---------------------------------------------

def _not_aligned(sa, sb, axis_a, axis_b):
    """NumPy's error for a product over axes of different lengths."""
    def text(shape):
        return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    return ValueError(f"shapes {text(sa)} and {text(sb)} not aligned: {sa[axis_a]} "
                      f"(dim {axis_a % len(sa)}) != {sb[axis_b]} (dim {axis_b % len(sb)})")


@composite(np.dot)
def dot(a, b, out=None):
    """NumPy's dot, differentiable: a product over the last axis of ``a`` and the
    second-to-last of ``b``."""
    no_out(out, "dot")
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        return multiply(a, b)
    k = -2 if len(sb) > 1 else -1
    if sa[-1] != sb[k]:
        raise _not_aligned(sa, sb, -1, k)
    if len(sb) <= 2:
        return matmul(a, b)
    rows = shape_ops.reshape(a, (math.prod(sa[:-1]), sb[-2]))
    cols = shape_ops.reshape(shape_ops.moveaxis(b, -2, 0),
                             (sb[-2], math.prod(sb[:-2]) * sb[-1]))
    return shape_ops.reshape(matmul(rows, cols), sa[:-1] + sb[:-2] + sb[-1:])


@composite(np.vdot)
def vdot(a, b):
    """NumPy's vdot: the flattened arrays' dot product, ``a`` conjugated first."""
    a, b = shape_ops.ravel(a), shape_ops.ravel(b)
    if a.shape != b.shape:
        raise ValueError(f"vdot: the arrays have {a.shape[0]} and {b.shape[0]} elements; "
                         "they must have as many")
    return matmul(conj(a) if a.dtype.kind == "c" else a, b)


@composite(np.inner)
def inner(a, b):
    """NumPy's inner: a product over the last axes of ``a`` and ``b``."""
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        return multiply(a, b)
    if sa[-1] != sb[-1]:
        raise _not_aligned(sa, sb, -1, -1)
    return dot(a, shape_ops.swapaxes(b, -1, -2) if len(sb) > 1 else b)


@composite(np.outer)
def outer(a, b, out=None):
    """NumPy's outer: every element of ``a`` (flattened) times every element of ``b``."""
    no_out(out, "outer")
    return multiply(shape_ops.reshape(a, (-1, 1)), shape_ops.reshape(b, (1, -1)))


def _tensordot_axes(axes):
    """NumPy's reading of tensordot's ``axes``: (axes of a, axes of b), as lists."""
    try:
        axes_a, axes_b = axes
    except TypeError:
        return list(range(-axes, 0)), list(range(0, axes))
    axes_a = list(axes_a) if isinstance(axes_a, (list, tuple, range, np.ndarray)) else [axes_a]
    axes_b = list(axes_b) if isinstance(axes_b, (list, tuple, range, np.ndarray)) else [axes_b]
    return [operator.index(x) for x in axes_a], [operator.index(x) for x in axes_b]


@composite(np.tensordot)
def tensordot(a, b, axes=2):
    """NumPy's tensordot: the sum over ``axes`` of a and b (an int n: the last n of a
    with the first n of b), as one matrix product of the arrays' reshaped views."""
    sa, sb = np.shape(a), np.shape(b)
    axes_a, axes_b = _tensordot_axes(axes)
    if len(axes_a) != len(axes_b) or any(sa[i] != sb[j] for i, j in zip(axes_a, axes_b)):
        raise ValueError("shape-mismatch for sum")
    axes_a = [i % len(sa) for i in axes_a]
    axes_b = [j % len(sb) for j in axes_b]
    free_a = [i for i in range(len(sa)) if i not in axes_a]
    free_b = [j for j in range(len(sb)) if j not in axes_b]
    n = math.prod(sa[i] for i in axes_a)
    m, k = math.prod(sa[i] for i in free_a), math.prod(sb[j] for j in free_b)
    at = shape_ops.reshape(shape_ops.transpose(a, free_a + axes_a), (m, n))
    bt = shape_ops.reshape(shape_ops.transpose(b, axes_b + free_b), (n, k))
    return shape_ops.reshape(dot(at, bt), tuple(sa[i] for i in free_a) +
                             tuple(sb[j] for j in free_b))


@composite(np.kron)
def kron(a, b):
    """NumPy's Kronecker product: blocks a[i, j] * b, as one broadcast multiply."""
    sa, sb = np.shape(a), np.shape(b)
    if not sb:
        return multiply(a, b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    a = shape_ops.reshape(a, tuple(x for d in sa for x in (d, 1)))
    b = shape_ops.reshape(b, tuple(x for d in sb for x in (1, d)))
    return shape_ops.reshape(multiply(a, b), tuple(x * y for x, y in zip(sa, sb)))


def _axis_index(axis, ndim, name):
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim, msg_prefix=name)
    return axis % ndim


def _times(x, y):
    """x * y, where None stands for a zero component (of a 2-vector)."""
    return None if x is None or y is None else multiply(x, y)


def _minus(x, y):
    return negative(y) if x is None else x if y is None else subtract(x, y)


_WARN_2_VECTORS = np.lib.NumpyVersion(np.__version__) >= "2.0.0"  # as np.cross does


@composite(np.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """NumPy's cross product of 3-vectors (or 2-vectors, with a zero third component),
    written with NumPy's own products and differences: a x b = (a1 b2 - a2 b1, ...)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = a if isinstance(a, Box) else np.asarray(a)
    b = b if isinstance(b, Box) else np.asarray(b)
    if a.ndim < 1 or b.ndim < 1:
        raise ValueError("At least one array has zero dimension")
    a = shape_ops.moveaxis(a, _axis_index(axisa, a.ndim, "axisa"), -1)
    b = shape_ops.moveaxis(b, _axis_index(axisb, b.ndim, "axisb"), -1)
    na, nb = a.shape[-1], b.shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    if (na == 2 or nb == 2) and _WARN_2_VECTORS:
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=3)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2] if na == 3 else None
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2] if nb == 3 else None
    c2 = subtract(multiply(a0, b1), multiply(a1, b0))
    if na == 2 and nb == 2:
        return c2
    c0, c1 = _minus(_times(a1, b2), _times(a2, b1)), _minus(_times(a2, b0), _times(a0, b2))
    c = shape_ops.stack([c0, c1, c2], axis=-1)
    return shape_ops.moveaxis(c, -1, _axis_index(axisc, c.ndim, "axisc"))


# -- NumPy 2's vector and matrix products (compositions of matmul on every NumPy) ---------

def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _numpy_2(name):
    """A composition standing in for NumPy 2's ``name``: NumPy's own on plain values where
    NumPy has it; elsewhere the composition serves plain values too."""
    def decorate(f):
        np_fn = getattr(np, name, None)
        return f if np_fn is None else composite(np_fn)(f)
    return decorate


def _conj(x):
    return conj(x) if x.dtype.kind == "c" else x


def _cast(x, dtype):
    return x if dtype is None or x.dtype == dtype else x.astype(dtype)


@_numpy_2("vecdot")
def vecdot(x1, x2, /, *, axis=-1, dtype=None, out=None):
    """NumPy's vecdot: sum(conj(x1) * x2) along ``axis``, the other axes broadcast."""
    no_out(out, "vecdot")
    x1, x2 = _array(x1), _array(x2)
    x1 = shape_ops.moveaxis(x1, axis, -1)
    x2 = shape_ops.moveaxis(x2, axis, -1)
    rows = shape_ops.expand_dims(_cast(_conj(x1), dtype), -2)
    return matmul(rows, shape_ops.expand_dims(_cast(x2, dtype), -1))[..., 0, 0]


@_numpy_2("matvec")
def matvec(x1, x2, /, *, dtype=None, out=None):
    """NumPy's matvec: matrices x1 times vectors x2, both stacks broadcast."""
    no_out(out, "matvec")
    x1, x2 = _array(x1), _array(x2)
    return matmul(_cast(x1, dtype), shape_ops.expand_dims(_cast(x2, dtype), -1))[..., 0]


@_numpy_2("vecmat")
def vecmat(x1, x2, /, *, dtype=None, out=None):
    """NumPy's vecmat: vectors conj(x1) times matrices x2, both stacks broadcast."""
    no_out(out, "vecmat")
    x1, x2 = _array(x1), _array(x2)
    rows = shape_ops.expand_dims(_cast(_conj(x1), dtype), -2)
    return matmul(rows, _cast(x2, dtype))[..., 0, :]


@_numpy_2("matrix_transpose")
def matrix_transpose(x, /):
    """NumPy's matrix_transpose: the last two axes swapped."""
    x = _array(x)
    if x.ndim < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return shape_ops.swapaxes(x, -1, -2)


# -- einsum ---------------------------------------------------------------------------
# Subscripts are normalized once per call: explicit output, letters for ellipses,
# no spaces. The primitive's only static datum is that string (and NumPy's options).

_LETTERS = string.ascii_letters  # the 52 letters einsum accepts
_MAX_OPERANDS = 64               # NumPy's limit on einsum's operands


def _einsum_impl(*operands, subscripts, dtype=None, order="K", casting="safe", optimize=False):
    return np.einsum(subscripts, *operands, dtype=dtype, order=order, casting=casting,
                     optimize=optimize)


_einsum = primitive(_einsum_impl, "einsum")
_einsum_constant = primitive(_einsum_impl, "einsum")  # an integer result: no derivative
nondifferentiable(_einsum_constant)


def _from_sublists(args):
    """einsum(op0, sublist0, op1, sublist1, ..., [sublistout]) as (subscripts, operands),
    with NumPy's letters for the integers (0-25: A-Z, 26-51: a-z)."""
    def letter(s):
        if s is Ellipsis:
            return "..."
        if not 0 <= operator.index(s) < 52:
            raise ValueError(f"einsum: subscript {s} in a sublist is not in [0, 52)")
        return _LETTERS[(operator.index(s) + 26) % 52]
    n = len(args) // 2
    subscripts = ",".join("".join(map(letter, sub)) for sub in args[1:2 * n:2])
    if len(args) % 2:
        subscripts += "->" + "".join(map(letter, args[-1]))
    return subscripts, args[0:2 * n:2]


@functools.lru_cache(maxsize=1024)
def _normalize(subscripts, shapes, strict):
    """``subscripts`` for operands of ``shapes``, with the output explicit and every
    ellipsis spelled out in spare letters (the same ones in every operand, aligned
    to the right as broadcasting aligns them). ``strict``: refuse, as NumPy's
    optimize=False does, an ellipsis that the output drops."""
    subs = subscripts.replace(" ", "")
    bad = set(subs) - set(_LETTERS) - set(".,->")
    if bad:
        raise ValueError(f"einsum: {min(bad)!r} is not a valid subscript (letters a-z, A-Z)")
    arrows = subs.count("->")
    if arrows > 1 or subs.count("-") != arrows or subs.count(">") != arrows:
        raise ValueError("einsum: subscripts can contain only one '->'")
    inputs, output = subs.split("->") if arrows else (subs, None)
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the subscripts {subscripts!r} name {len(terms)} operands, "
                         f"but {len(shapes)} were given")
    ellipsis = 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        if "." in term and (term.count(".") != 3 or "..." not in term):
            raise ValueError(f"einsum: invalid ellipsis in {term!r}: write '...', once")
        named = len(term) - 3 * ("." in term)
        if named > len(shape) or ("." not in term and named != len(shape)):
            raise ValueError(f"einsum: operand {k} has {len(shape)} dimensions, but its "
                             f"subscripts {term!r} name {named}")
        if "." in term:
            ellipsis = max(ellipsis, len(shape) - named)
    spare = "".join(c for c in _LETTERS if c not in subs)
    if len(spare) < ellipsis:
        raise ValueError("einsum: too many dimensions under '...' for the letters left")
    spare = spare[:ellipsis]
    terms = [t.replace("...", spare[ellipsis - (len(s) - len(t) + 3):]) if "." in t else t
             for t, s in zip(terms, shapes)]
    if output is None:  # implicit: the broadcast axes, then letters used once, sorted
        letters = inputs.replace(",", "").replace(".", "")
        output = spare + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    elif "." in output:
        if output.count(".") != 3 or "..." not in output:
            raise ValueError(f"einsum: invalid ellipsis in the output {output!r}")
        output = output.replace("...", spare)
    elif strict and ellipsis:
        raise ValueError("output has more dimensions than subscripts given in einstein sum, "
                         "but no '...' ellipsis provided to broadcast the extra dimensions.")
    _check_sizes(terms, shapes, output)
    return ",".join(terms) + "->" + output


def _check_sizes(terms, shapes, output):
    size = {}
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        own = {}
        for c, n in zip(term, shape):
            if own.setdefault(c, n) != n:
                raise ValueError(f"einsum: operand {k} repeats subscript {c!r} on axes of "
                                 f"different lengths ({own[c]} and {n})")
            if n != 1 and size.setdefault(c, (n, k))[0] != n:
                raise ValueError(f"einsum: subscript {c!r} has length {size[c][0]} in operand "
                                 f"{size[c][1]} but {n} in operand {k}")
    for c in output:
        if output.count(c) > 1:
            raise ValueError(f"einsum: the output repeats subscript {c!r}")
        if c not in "".join(terms):
            raise ValueError(f"einsum: output subscript {c!r} appears in no operand")


@functools.lru_cache(maxsize=1024)
def _parts(subscripts):
    """A normalized subscripts string as (input terms, output term)."""
    inputs, output = subscripts.split("->")
    return inputs.split(","), output


@composite(np.einsum)
def einsum(subscripts, *operands, out=None, dtype=None, order="K", casting="safe",
           optimize=False):
    """NumPy's einsum, differentiable (any subscripts NumPy accepts, or the sublist
    form). Under a transform, more than two operands are contracted pairwise in
    the order ``np.einsum_path`` finds where that saves work, whatever ``optimize`` says."""
    no_out(out, "einsum")
    if not isinstance(subscripts, str):
        subscripts, operands = _from_sublists((subscripts,) + operands)
    shapes = tuple(np.shape(x) for x in operands)
    normalized = _normalize(subscripts, shapes, optimize is False)
    if optimize is False and len(operands) > 2:
        optimize = _pairwise_order(normalized, shapes)
    kind = (np.dtype(dtype) if dtype is not None
            else np.result_type(*[x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype
                                  for x in operands])).kind
    f = _einsum if kind in "fc" else _einsum_constant
    return f(*operands, subscripts=normalized, dtype=dtype, order=order, casting=casting,
                   optimize=optimize)


@functools.lru_cache(maxsize=1024)
def _pairwise_order(subscripts, shapes):
    """The pairwise contraction order of ``np.einsum_path`` ("greedy"), or False
    (one pass over all operands, as NumPy's optimize=False) when that order costs
    no fewer multiplications: a chain is contracted pairwise, 'i,i,i' is not."""
    path = np.einsum_path(subscripts, *[np.broadcast_to(0.0, s) for s in shapes],
                          optimize="greedy")[0]
    terms, output = _parts(subscripts)
    size = {c: n for t, s in zip(terms, shapes) for c, n in zip(t, s) if n != 1}
    cost = 0
    for step in path[1:]:
        letters = set().union(*(terms[k] for k in step))
        terms = [t for k, t in enumerate(terms) if k not in step]
        needed = set(output).union(*terms)
        terms.append("".join(c for c in letters if c in needed))
        cost += math.prod(size.get(c, 1) for c in letters)
    return tuple(path) if cost < math.prod(size.values()) else False


@functools.lru_cache(maxsize=1024)
def _cotangent_plan(subscripts, i, shapes):
    """How operand i's cotangent is made from g and the other operands, in up to
    three steps: (1) an einsum to the letters of operand i that g or another operand
    has (None: g as it is); (2) a reshape and broadcast back over the letters that
    were summed out of operand i alone, or broadcast from length 1; (3) where
    operand i repeats a letter, an einsum with identity matrices that puts the
    values back on that diagonal."""
    terms, output = _parts(subscripts)
    term, own = terms[i], dict(zip(terms[i], shapes[i]))
    full = {}
    for t, s in zip(terms, shapes):
        for c, n in zip(t, s):
            if n != 1 or c not in full:
                full[c] = n
    reach = {c: full[c] for c in output}  # each letter's length in g or the other operands
    others = [j for j in range(len(terms)) if j != i]
    for j in others:
        for c, n in zip(terms[j], shapes[j]):
            if n != 1 or c not in reach:
                reach[c] = n
    others = [terms[j] for j in others]
    unique = "".join(dict.fromkeys(term))
    kept = "".join(c for c in unique if c in reach and not (own[c] == 1 and reach[c] != 1))
    contract = None if (not others and output == kept) else \
        ",".join([output] + others) + "->" + kept
    unique_shape = tuple(own[c] for c in unique)
    produced = tuple(reach[c] if c in kept else 1 for c in unique)
    reshape = None if kept == unique else produced
    diagonal = None
    if len(unique) < len(term):
        spare = iter(c for c in _LETTERS if c not in subscripts)
        renamed, eyes = "", []
        for k, c in enumerate(term):
            if c in term[:k]:
                renamed += (f := next(spare))
                eyes.append((c + f, own[c]))
            else:
                renamed += c
        diagonal = (",".join([unique] + [e for e, _ in eyes]) + "->" + renamed,
                    tuple(n for _, n in eyes))
    return contract, reshape, None if produced == unique_shape else unique_shape, diagonal


def _einsum_vjp(i):
    """Operand i's cotangent: an einsum of g with the other operands."""
    def vjp(g, out, *operands, subscripts, dtype=None, order="K", casting="safe",
            optimize=False):
        x = operands[i]
        contract, reshape, spread, diagonal = _cotangent_plan(
            subscripts, i, tuple(np.shape(o) for o in operands))
        ct = g
        if contract is not None:
            ct = _einsum(g, *operands[:i], *operands[i + 1:], subscripts=contract,
                         optimize="greedy")
        if reshape is not None:
            ct = shape_ops.reshape(ct, reshape)
        if spread is not None:
            ct = broadcast.broadcast_to(ct, spread)
        if diagonal is not None:
            eyes = [np.eye(n, dtype=ct.dtype) for n in diagonal[1]]
            ct = _einsum(ct, *eyes, subscripts=diagonal[0], optimize="greedy")
        return broadcast.fit_dtype(ct, x.dtype)
    return vjp


def _einsum_batch(f):
    def rule(args, dims, size, subscripts, **params):
        """One einsum over the whole batch: a new letter for the batch axis."""
        terms, output = _parts(subscripts)
        letter = next((c for c in _LETTERS if c not in subscripts), None)
        if letter is None:
            raise ValueError("einsum: no letter is left for vmap's batch axis")
        terms = [t if d is None else t[:d % np.ndim(x)] + letter + t[d % np.ndim(x):]
                 for t, x, d in zip(terms, args, dims)]
        return f(*args, subscripts=",".join(terms) + "->" + letter + output, **params), 0
    return rule


# d einsum(x_1..x_n) = sum_i einsum(x_1..dx_i..x_n); operand i's cotangent is an einsum
defmultilinear(_einsum, *[_einsum_vjp(i) for i in range(_MAX_OPERANDS)],
               batch=_einsum_batch(_einsum))
defrules(_einsum_constant, batch=_einsum_batch(_einsum_constant))
