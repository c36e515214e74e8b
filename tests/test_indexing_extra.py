"""Indexing beyond the spec table: ``x.at[...]`` semantics with repeated indices, boolean
masks, index arrays that vary over a vmap batch, data-dependent shapes, and errors.

Reference values come from NumPy itself (np.add.at, np.multiply.at, np.minimum.at,
np.maximum.at, fancy assignment, np.take...), derivatives from finite differences
(check_grads to second order), and vmap from the loop over examples that defines it.
"""
import itertools
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from domains import rng_for
from fgrad.testing import check_grads


def check(fun, args, **kwargs):
    check_grads(fun, args, order=2, modes=("fwd", "rev"), **kwargs)


def same(actual, expected):
    """Equal values, shape and dtype: indexing and updates are exact."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual, expected)


def loop(f, args, in_axes):
    """What vmap means: f on each example, stacked along axis 0."""
    (size,) = {np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None}
    return np.stack([np.asarray(f(*[a if ax is None else np.take(a, b, axis=ax)
                                    for a, ax in zip(args, in_axes)])) for b in range(size)])


def check_vmap(f, args, in_axes):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="vmap:")  # no per-example fallback
        actual = fgrad.vmap(f, in_axes=in_axes)(*args)
    np.testing.assert_allclose(actual, loop(f, args, in_axes), rtol=1e-13, atol=1e-13)
    assert np.shape(actual) == loop(f, args, in_axes).shape


# -- .at with repeated indices: every update counts, as np.<ufunc>.at -------------------

UFUNCS = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}
REPEATED = [
    # id                  x shape   index                                   v shape
    ("1d",                (4,),     np.array([0, 3, 0, 0, 1, 3]),           (6,)),
    ("rows",              (3, 4),   np.array([2, 2, 0, 2]),                 (4, 4)),
    ("rows-broadcast-v",  (3, 4),   np.array([2, 2, 0, 2]),                 (4, 1)),
    ("scalar-v",          (3, 4),   np.array([1, 1, 1]),                    ()),
    ("pairs",             (3, 4),   (np.array([0, 0, 2, 0]), np.array([1, 1, 3, 1])), (4,)),
    ("2d-index",          (3, 4),   np.array([[0, 1], [0, 0]]),             (2, 2, 4)),
    ("slice-and-array",   (3, 4),   (slice(None, None, -1), np.array([3, 3, 0])), (3, 3)),
    ("arrays-apart",      (3, 4, 2), (np.array([1, 1]), slice(None), np.array([0, 0])), (2, 4)),
    ("negative",          (4,),     np.array([-1, 3, -1]),                  (3,)),
    ("mask-and-array",    (3, 4),   (np.array([True, False, True]), np.array([[2], [2]])), (2, 2)),
]


def _draw(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x, dtype)


@pytest.mark.parametrize("kind, dtype", [(k, d) for k in UFUNCS for d in (
    np.float64, np.float32, np.complex128) if d != np.complex128 or k in ("add", "multiply")])
@pytest.mark.parametrize("x_shape, index, v_shape", [c[1:] for c in REPEATED],
                         ids=[c[0] for c in REPEATED])
def test_repeated_updates_combine_like_ufunc_at(kind, dtype, x_shape, index, v_shape):
    rng = rng_for(f"repeat-{kind}-{x_shape}-{v_shape}")
    shift = {"min": -1.0, "max": 1.0}.get(kind, 0.0)  # so that some updates win
    x, v = _draw(rng, x_shape, dtype), _draw(rng, v_shape, dtype) + dtype(shift)
    expected = x.copy()
    UFUNCS[kind].at(expected, index, v)
    assert not np.array_equal(expected, x)
    if kind in ("add", "multiply"):  # not what keeping the last update would give
        last_only = x.copy()
        last_only[index] = UFUNCS[kind](x[index], v)
        assert not np.array_equal(expected, last_only)
    update = lambda x, v: getattr(fnp.at(x)[index], kind)(v)  # noqa: E731
    same(update(x, v), expected)
    same(fgrad.jvp(update, (x, v), (x, v))[0], expected)  # traced: the same values
    assert np.array_equal(x, _draw(rng_for(f"repeat-{kind}-{x_shape}-{v_shape}"), x_shape, dtype))
    if dtype == np.float64 or kind in ("add", "multiply"):
        check(update, (x, v))


def test_set_with_repeated_indices_keeps_the_last_update():
    x, v = np.zeros(4), np.array([1.0, 2.0, 3.0, 4.0])
    index = np.array([2, 0, 2, 2])
    expected = x.copy()
    expected[index] = v
    same(fnp.at(x)[index].set(v), expected)
    same(expected, [2.0, 0.0, 4.0, 0.0])
    # only the update that stays has a derivative; x's is cut where anything was written
    gx, gv = fgrad.grad(lambda x, v: fnp.sum(fnp.at(x)[index].set(v) * np.arange(1.0, 5.0)),
                        argnums=(0, 1))(x, v)
    same(gx, [0.0, 2.0, 0.0, 4.0])
    same(gv, [0.0, 1.0, 0.0, 3.0])
    check(lambda x, v: fnp.at(x)[index].set(v), (x + 0.5, v))


def test_set_of_a_broadcast_update_with_repeats():
    """One scalar written three times at one place: its derivative counts that place once."""
    x = np.arange(3.0)
    g = fgrad.grad(lambda v: fnp.sum(fnp.at(x)[[1, 1, 2, 1]].set(v) * np.array([5.0, 7, 11])))
    assert g(0.5) == 18.0
    check(lambda x, v: fnp.at(x)[[1, 1, 2, 1]].set(v), (x, np.float64(0.5)))


def test_multiply_with_repeats_and_zeros_has_exact_derivatives():
    """d(x * v1 * v2 * v3)/dv1 = x v2 v3, with no division: exact where some v_k is 0."""
    x, v = np.array([2.0, 3.0]), np.array([0.0, 5.0, 0.0, 7.0])
    index = np.array([0, 0, 0, 1])
    f = lambda x, v: fnp.at(x)[index].multiply(v)  # noqa: E731
    jac = fgrad.jacrev(f, argnums=1)(x, v)
    same(jac, [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
    jac = fgrad.jacfwd(f, argnums=1)(x, np.array([0.0, 5.0, 3.0, 7.0]))
    same(jac, [[30.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
    # the Hessian of x0 v0 v1 v2 at v = (0, 5, 0): only d2/dv0 dv2 = x0 v1 = 10 survives
    hess = fgrad.hessian(lambda v: f(x, v)[0])(v)
    expected = np.zeros((4, 4))
    expected[0, 2] = expected[2, 0] = 10.0
    same(hess, expected)
    check(f, (x, v))


@pytest.mark.parametrize("kind, x0, updates", [
    ("min", 1.0, [1.0, 1.0]),         # x and both updates tie: a third each
    ("max", 1.0, [1.0, 0.5]),         # x and one update tie: a half each
    ("max", 0.0, [2.0, 2.0, 1.0]),    # two updates tie above x
    ("min", 0.0, [0.5, 3.0]),         # x alone wins
])
def test_ties_in_min_and_max_share_the_derivative_evenly(kind, x0, updates):
    x, v = np.array([x0, 9.0]), np.array(updates)
    index = np.zeros(len(updates), int)
    f = lambda x, v: getattr(fnp.at(x)[index], kind)(v)[0]  # noqa: E731
    out = float(f(x, v))
    winners = [x0 == out] + [u == out for u in updates]
    share = 1.0 / sum(winners)
    gx, gv = fgrad.grad(f, argnums=(0, 1))(x, v)
    same(gx, [share * winners[0], 0.0])
    same(gv, np.array(winners[1:]) * share)
    # forward mode gives the same shares
    tx, tv = np.array([1.0, 0.0]), np.zeros(len(updates))
    assert fgrad.jvp(lambda x: f(x, v), (x,), (tx,))[1] == share * winners[0]
    tv[-1] = 1.0
    assert fgrad.jvp(lambda v: f(x, v), (v,), (tv,))[1] == share * winners[-1]


def test_get_reads_and_accumulates_repeats():
    x = np.arange(5.0)
    same(fnp.at(x)[[4, 4, 0]].get(), [4.0, 4.0, 0.0])
    g = fgrad.grad(lambda x: fnp.sum(fnp.at(x)[[4, 4, 0]].get() ** 2))(x)
    same(g, [0.0, 0.0, 0.0, 0.0, 16.0])


@pytest.mark.parametrize("kind", ["set", "add", "multiply", "min", "max"])
def test_method_and_function_forms_agree(kind):
    rng = rng_for(f"method-{kind}")
    x, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    index = ([2, 0, 2], slice(None))

    def method(x, v):
        return getattr(x.at[index], kind)(v)

    def function(x, v):
        return getattr(fnp.at(x)[index], kind)(v)

    loss = lambda f: lambda x, v: fnp.sum(fnp.sin(f(x, v)))  # noqa: E731
    for a, b in zip(fgrad.grad(loss(method), (0, 1))(x, v),
                    fgrad.grad(loss(function), (0, 1))(x, v)):
        same(a, b)
    same(fgrad.jvp(method, (x, v), (v, x))[1], fgrad.jvp(function, (x, v), (v, x))[1])


@pytest.mark.parametrize("kind", ["set", "add", "multiply", "min", "max"])
def test_updates_keep_float32(kind):
    x, v = np.ones(4, np.float32), np.full(3, 0.5, np.float32)
    f = lambda x, v: fnp.sum(getattr(fnp.at(x)[[0, 0, 2]], kind)(v))  # noqa: E731
    assert getattr(fnp.at(x)[[0, 0, 2]], kind)(v).dtype == np.float32
    for g in fgrad.grad(f, argnums=(0, 1))(x, v):
        assert g.dtype == np.float32


def test_updates_are_functional():
    x = np.arange(4.0)
    for kind in ("set", "add", "multiply", "min", "max"):
        getattr(fnp.at(x)[[1, 1]], kind)(np.array([9.0, -9.0]))
        getattr(fnp.at(x)[1:3], kind)(9.0)
    same(x, np.arange(4.0))


def test_second_order_transforms_agree_through_repeated_updates():
    rng = rng_for("hessian-updates")
    x = rng.standard_normal(5)
    index = np.array([0, 2, 0, 4, 0])

    def f(x):
        y = fnp.at(x)[index].multiply(x[::-1])
        y = fnp.at(y)[index].max(x * 0.5)
        return fnp.sum(fnp.sin(fnp.at(y)[index].add(x ** 2)) * fnp.at(y)[index[:3]].set(x[:3]))

    h = fgrad.hessian(f)(x)
    np.testing.assert_allclose(h, fgrad.jacrev(fgrad.jacfwd(f))(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, fgrad.jacfwd(fgrad.jacrev(f))(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12)
    check(f, (x,))


# -- indexing traced arrays: masks, mixtures, NumPy's placement of the advanced block ----

X = rng_for("x").standard_normal((3, 4, 2))
MIXED = [
    np.array(True), np.array(False), (0, Ellipsis, np.True_),
    np.zeros((3, 4, 2), bool), X > 0, X[..., 0] > 0, (slice(None), X[0, :, 0] > 0),
    (X[:, 0, 0] > -9, slice(None), [1, 0, 1]), (Ellipsis, np.array([True, False])),
    ([[0], [2]], slice(None, None, -2), [1, 0]), (None, [2, 2], None, 1),
    (1, slice(1, 3), [0, 0, 1]), ([0, 1], 2, [1, 1]), (slice(None), [[1, 3], [3, 1]], 0),
]


@pytest.mark.parametrize("index", MIXED, ids=[f"mixed-{i}" for i in range(len(MIXED))])
def test_indexing_traced_arrays_matches_numpy(index):
    same(fgrad.jvp(lambda x: x[index], (X,), (X,))[0], X[index])
    check(lambda x: x[index] * x[index], (X,))
    check_vmap(lambda x: x[index], (np.stack([X, -X, 2 * X]),), (0,))
    check_vmap(lambda x: x[index], (np.stack([X, -X], axis=-1),), (-1,))


def test_gradient_of_a_mask_accumulates_only_selected_elements():
    x = np.array([[1.0, -2.0], [-3.0, 4.0]])
    g = fgrad.grad(lambda x: fnp.sum(x[x > 0] ** 2))(x)
    same(g, [[2.0, 0.0], [0.0, 8.0]])


def test_an_index_is_data_even_when_computed_from_traced_values():
    x = np.array([0.5, 3.0, -1.0, 2.0])
    f = lambda x: x[fnp.flatnonzero(x > 0)] * x[(x > 1).astype(int)][:3]  # noqa: E731
    same(fgrad.jvp(f, (x,), (x,))[0], f(x))
    check(f, (x,))
    # under vmap, such an index varies over the batch
    xs = np.stack([x, -x, x[::-1]])
    check_vmap(lambda x: x[(x > 1).astype(int)], (xs,), (0,))
    check_vmap(lambda x: fnp.at(x)[(x > 0).astype(int)].add(x), (xs,), (0,))


# -- index arrays that vary over the batch ---------------------------------------------
# Each case: a function of x and its index arrays, x's example shape, and each index
# array's example shape with the length of the axis it indexes. vmap batches any subset
# of x and the index arrays.

CASES = [
    ("i",                 lambda x, i: x[i],             (3, 4), [((5,), 3)]),
    ("scalar",            lambda x, i: x[i],             (3, 4), [((), 3)]),
    ("2d-in-middle",      lambda x, i: x[:, i],          (3, 4), [((2, 3), 4)]),
    ("pairs",             lambda x, i, j: x[i, j],       (3, 4), [((3,), 3), ((3,), 4)]),
    ("apart",             lambda x, i, j: x[i, :, j],    (3, 4, 2), [((2,), 3), ((2,), 2)]),
    ("scalars-apart",     lambda x, i, j: x[i, :, j],    (3, 4, 2), [((), 3), ((), 2)]),
    ("scalar-in-middle",  lambda x, i: x[:, i],          (3, 4, 2), [((), 4)]),
    ("ellipsis",          lambda x, i: x[..., i],        (3, 4, 2), [((3,), 2)]),
    ("None-first",        lambda x, i: x[None, i],       (3, 4), [((2,), 3)]),
    ("None-between",      lambda x, i, j: x[i, None, j], (3, 4), [((2,), 3), ((2,), 4)]),
    ("int-together",      lambda x, i: x[:, 1, i],       (3, 4, 2), [((3,), 2)]),
    ("int-apart",         lambda x, i: x[1, :, i],       (3, 4, 2), [((3,), 2)]),
    ("mask-and-array",    lambda x, i: x[np.array([True, False, True]), i], (3, 4),
     [((2,), 4)]),
    ("mask-after",        lambda x, i: x[i, np.array([False, True, True, False])], (3, 4),
     [((1,), 3)]),
    ("bool-0d",           lambda x, i: x[np.True_, i],   (3, 4), [((2,), 3)]),
    ("bool-0d-apart",     lambda x, i: x[i, :, True],    (3, 4, 2), [((2,), 3)]),
    ("bool-0d-scalar",    lambda x, i: x[True, i],       (3, 4), [((), 3)]),
    ("false-0d-scalar",   lambda x, i: x[i, :, np.False_], (3, 4, 2), [((), 3)]),
    ("slices",            lambda x, i: x[i, ::-2, 1:],   (3, 4, 2), [((2, 2), 3)]),
]


def _index_args(rng, shapes, lead=()):
    """Index arrays of the given example shapes into axes of length n, negatives included."""
    return [np.asarray(rng.integers(-n, n, lead + shape)) for shape, n in shapes]


def _configs(n_index):
    """Every way of batching x and the index arrays, at least one index array batched."""
    for batched in itertools.product([False, True], repeat=1 + n_index):
        if any(batched[1:]):
            yield batched


class _Reader:
    """x read through fnp.at: a plain x indexed by traced indices (x[i] would be NumPy's
    own indexing, which knows nothing of fgrad) still reaches fgrad's getitem."""

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return fnp.at(self.x)[index].get()


@pytest.mark.parametrize("name, case, x_shape, index_shapes", CASES, ids=[c[0] for c in CASES])
def test_getitem_with_batched_indices(name, case, x_shape, index_shapes):
    rng = rng_for(f"batched-{name}")
    f = lambda x, *i: case(_Reader(x), *i)  # noqa: E731
    for batched in _configs(len(index_shapes)):
        x = rng.standard_normal(((3,) if batched[0] else ()) + x_shape)
        idx = [_index_args(rng, [s], (3,) if b else ())[0]
               for s, b in zip(index_shapes, batched[1:])]
        in_axes = tuple(0 if b else None for b in batched)
        check_vmap(f, [x] + idx, in_axes)
        if batched[0]:  # x batched along its last axis instead
            check_vmap(f, [np.moveaxis(x, 0, -1)] + idx, (-1,) + in_axes[1:])
        # per-example gradients, and the gradient of the batched function
        loss = lambda x, *i: fnp.sum(fnp.sin(f(x, *i)))  # noqa: E731
        check_vmap(fgrad.grad(loss), [x] + idx, in_axes)
        total = lambda x: fnp.sum(fgrad.vmap(loss, in_axes=in_axes)(x, *idx))  # noqa: E731
        check(total, (x,))


def _selection_shape(f, x_shape, index_shapes):
    rng = rng_for("selection")
    return np.shape(f(np.zeros(x_shape), *_index_args(rng, index_shapes)))


@pytest.mark.parametrize("kind", ["set", "add", "multiply", "min", "max"])
@pytest.mark.parametrize("name, f, x_shape, index_shapes", CASES, ids=[c[0] for c in CASES])
def test_updates_with_batched_indices(kind, name, f, x_shape, index_shapes):
    rng = rng_for(f"batched-update-{kind}-{name}")
    selection = _selection_shape(f, x_shape, index_shapes)
    index_of = lambda *i: f(_Recorder(), *i)  # noqa: E731

    def update(x, v, *i):
        return getattr(fnp.at(x)[index_of(*i)], kind)(v)

    for batched in _configs(len(index_shapes)):
        for bx, bv, v_shape in [(True, True, selection), (False, True, selection[1:]),
                                (True, False, ())]:
            x = rng.standard_normal(((3,) if bx else ()) + x_shape)
            v = rng.standard_normal(((3,) if bv else ()) + v_shape)
            idx = [_index_args(rng, [s], (3,) if b else ())[0]
                   for s, b in zip(index_shapes, batched[1:])]
            in_axes = (0 if bx else None, 0 if bv else None) + tuple(
                0 if b else None for b in batched[1:])
            check_vmap(update, [x, v] + idx, in_axes)
            loss = lambda x, v, *i: fnp.sum(fnp.sin(update(x, v, *i)))  # noqa: E731
            grads = fgrad.vmap(fgrad.grad(loss, argnums=(0, 1)), in_axes=in_axes)(x, v, *idx)
            for k, g in enumerate(grads):  # each example's gradients, x and v shared or not
                ref = loop(lambda *a: fgrad.grad(loss, argnums=(0, 1))(*a)[k], [x, v] + idx,
                           in_axes)
                np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["set", "add", "multiply", "min", "max"])
def test_updates_with_a_shared_index_and_a_batched_update(kind):
    rng = rng_for(f"shared-index-{kind}")
    x, v = rng.standard_normal((3, 4)), rng.standard_normal((5, 3, 4))
    index = ([2, 0, 2], slice(None, None, -1))
    update = lambda x, v: getattr(fnp.at(x)[index], kind)(v)  # noqa: E731
    check_vmap(update, (x, v), (None, 0))
    check_vmap(update, (x, np.moveaxis(v, 0, -1)), (None, -1))
    loss = lambda x, v: fnp.sum(fnp.sin(update(x, v)))  # noqa: E731
    for k in (0, 1):
        check_vmap(fgrad.grad(loss, argnums=k), (x, v), (None, 0))


class _Recorder:
    """Stands in for x to capture the index a case's function applies."""

    def __getitem__(self, index):
        return index


def test_nested_vmap_with_indices_batched_at_both_levels():
    rng = rng_for("nested-indices")
    x = rng.standard_normal((2, 3, 5))
    i = rng.integers(-5, 5, (3, 4))
    out = fgrad.vmap(lambda x: fgrad.vmap(lambda x, i: x[i])(x, i))(x)
    same(out, np.stack([np.stack([x[a, b][i[b]] for b in range(3)]) for a in range(2)]))
    v = rng.standard_normal((2, 3, 4))
    out = fgrad.vmap(lambda x, v: fgrad.vmap(
        lambda x, v, i: fnp.at(x)[i].multiply(v))(x, v, i))(x, v)
    expected = x.copy()
    for a, b in itertools.product(range(2), range(3)):
        np.multiply.at(expected[a, b], i[b], v[a, b])
    np.testing.assert_allclose(out, expected, rtol=1e-14)


def test_per_example_gradient_of_multiply_with_batched_repeated_indices():
    """vmap outside grad: the rule of multiply sorts each example's own repeats."""
    rng = rng_for("multiply-batched-repeats")
    x, v = rng.standard_normal(4), rng.standard_normal((3, 5))
    v[0, 1] = 0.0
    idx = np.array([[0, 0, 1, 0, 3], [2, 2, 2, 2, 2], [3, 1, 0, 2, 1]])
    loss = lambda x, v, i: fnp.sum(fnp.at(x)[i].multiply(v) ** 2)  # noqa: E731
    in_axes = (None, 0, 0)
    for argnum in (0, 1):
        g = fgrad.vmap(fgrad.grad(loss, argnums=argnum), in_axes=in_axes)(x, v, idx)
        np.testing.assert_allclose(
            g, loop(fgrad.grad(loss, argnums=argnum), [x, v, idx], in_axes), rtol=1e-12)
        h = fgrad.vmap(fgrad.hessian(loss, argnums=argnum), in_axes=in_axes)(x, v, idx)
        np.testing.assert_allclose(
            h, loop(fgrad.hessian(loss, argnums=argnum), [x, v, idx], in_axes), rtol=1e-12)


# -- data-dependent shapes under vmap --------------------------------------------------

XB = rng_for("xb").standard_normal((3, 4))
DATA_DEPENDENT = [
    ("nonzero", lambda x: fnp.nonzero(x > 0)[0]),
    ("argwhere", lambda x: fnp.argwhere(x > 0)),
    ("flatnonzero", lambda x: fnp.flatnonzero(x)),
    ("compress", lambda x: fnp.compress(x > 0, x)),
    ("extract", lambda x: fnp.extract(x > 0, x)),
    ("boolean mask", lambda x: x[x > 0]),
    ("boolean mask", lambda x: fnp.at(x)[x > 0].set(0.0)),
]


@pytest.mark.parametrize("name, f", DATA_DEPENDENT,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(DATA_DEPENDENT)])
def test_data_dependent_shapes_refuse_vmap_by_name(name, f):
    f(XB[0])  # fine on one example
    with pytest.raises(ValueError, match=f"vmap: .*{name}.*data-dependent shape"):
        fgrad.vmap(f)(XB)


def test_mask_batched_by_an_outer_vmap_is_refused_inside_an_inner_one():
    with pytest.raises(ValueError, match="data-dependent shape"):
        fgrad.vmap(lambda m: fgrad.vmap(lambda x: x[m, 0])(XB[None]))(XB > 0)


def test_masks_and_conditions_the_batch_shares_are_fine():
    mask = XB[0] > 0
    check_vmap(lambda x: x[mask], (XB,), (0,))
    check_vmap(lambda x: fnp.compress(mask, x), (XB,), (0,))
    check_vmap(lambda x: fnp.extract(mask, x), (XB,), (0,))
    check_vmap(lambda x: fnp.at(x)[mask].multiply(2.0), (XB,), (0,))
    check_vmap(lambda x: fnp.at(x)[mask].set(x[mask][::-1]), (XB,), (0,))
    # under grad and jvp the shapes are plain data
    same(fgrad.jvp(lambda x: fnp.nonzero(x > 0)[0], (XB,), (XB,))[0], np.nonzero(XB > 0)[0])
    g = fgrad.grad(lambda x: fnp.sum(fnp.compress(fnp.flatnonzero(x[0] > 0) < 2, x[0])))(XB)
    assert g.shape == XB.shape


# -- the new functions with traced or batched indices ------------------------------------

def test_take_with_batched_indices_and_modes():
    rng = rng_for("take-batched")
    a, i = rng.standard_normal((3, 5)), rng.integers(-7, 7, (4, 2))
    for mode in ("wrap", "clip"):
        check_vmap(lambda a, i: fnp.take(a, i, axis=1, mode=mode), (a, i), (None, 0))
        check_vmap(lambda a, i: fnp.take(a, i, mode=mode), (a, i), (None, 0))
    ok = i % 5
    check_vmap(lambda a, i: fnp.take(a, i, axis=-1), (a, ok), (None, 0))
    check_vmap(lambda a, i: fnp.take(a, i, axis=0), (np.stack([a, a + 1]), ok[:2] % 3), (0, 0))


def test_take_along_axis_and_choose_with_batched_indices():
    rng = rng_for("along-batched")
    a = rng.standard_normal((3, 4))
    i = rng.integers(0, 4, (5, 3, 2))
    check_vmap(lambda a, i: fnp.take_along_axis(a, i, axis=1), (a, i), (None, 0))
    check_vmap(lambda a, i: fnp.take_along_axis(a, i, axis=0), (a, i[:, :2, :1] % 3), (None, 0))
    check_vmap(lambda a, i: fnp.take_along_axis(a, i, axis=-1), (a[None] + i[:, :1, :1], i),
               (0, 0))
    c = rng.integers(-1, 4, (5, 4))
    check_vmap(lambda a, c: fnp.choose(c, a, mode="clip"), (a, c), (None, 0))
    check_vmap(lambda a, c: fnp.choose(c % 3, list(a)), (np.stack([a, -a]), c), (0, None))


def test_choose_and_select_with_batched_conditions():
    rng = rng_for("select-batched")
    a, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    check_vmap(lambda a: fnp.select([a > 0, a < -0.5], [a, 2 * b], default=b), (a,), (0,))
    check_vmap(lambda a: fnp.choose((a > 0).astype(int), [b, a]), (a,), (0,))
    check(lambda a, b: fnp.select([a > 0, a < -0.5], [a * b, b], default=a ** 2), (a, b))


def test_values_match_numpy_for_the_functions():
    rng = rng_for("values")
    a = rng.standard_normal((3, 4)).astype(np.float32)
    tr = lambda f: fgrad.jvp(f, (a,), (a,))[0]  # noqa: E731
    same(tr(lambda a: fnp.take(a, [[0, 13]], mode="wrap")), np.take(a, [[0, 13]], mode="wrap"))
    same(tr(lambda a: fnp.take(a, [True, False])), np.take(a, [True, False]))
    same(tr(lambda a: fnp.choose([1, 0, 1, 1], [a, 2.0])), np.choose([1, 0, 1, 1], [a, 2.0]))
    same(tr(lambda a: fnp.choose([1, 0, 1, 1], [a, np.float64(2.0)])),
         np.choose([1, 0, 1, 1], [a, np.float64(2.0)]))
    same(tr(lambda a: fnp.select([a > 0], [a], 1)), np.select([a > 0], [a], 1))
    same(tr(lambda a: fnp.select([a > 0], [a], np.float64(-1.0))),
         np.select([a > 0], [a], np.float64(-1.0)))
    same(tr(lambda a: fnp.select([a > 0, [True] * 4], [1, a])), np.select([a > 0, [True] * 4],
                                                                          [1, a]))
    same(tr(lambda a: fnp.argwhere(a[0, 0])), np.argwhere(a[0, 0]))
    same(tr(lambda a: fnp.take_along_axis(a, np.array([[1]]), 0)),
         np.take_along_axis(a, np.array([[1]]), 0))


# -- errors -----------------------------------------------------------------------------

def _traced(f, x=XB):
    """Run f on a traced x."""
    return fgrad.jvp(f, (x,), (x,))[0]


@pytest.mark.parametrize("f, error, message", [
    (lambda x: fnp.take(x, [0], out=np.empty(1)), TypeError, "out="),
    (lambda x: fnp.choose([0], [x], out=np.empty(4)), TypeError, "out="),
    (lambda x: fnp.compress([True], x, out=np.empty(1)), TypeError, "out="),
    (lambda x: fnp.take(x, [0], mode="bounce"), ValueError, "clipmode"),
    (lambda x: fnp.take(x, np.array([0.5])), TypeError, "integers"),
    (lambda x: fnp.take(x, [12]), IndexError, "out of bounds"),
    (lambda x: fnp.take(x, [4], axis=1), IndexError, "out of bounds"),
    (lambda x: fnp.take(x, [0], axis=2), np.exceptions.AxisError, "axis 2"),
    (lambda x: fnp.choose([[0, 2, 0, 0]], [x, x]), ValueError, "invalid entry in choice"),
    (lambda x: fnp.choose([[0, -1, 0, 0]], [x, x]), ValueError, "invalid entry in choice"),
    (lambda x: fnp.select([x > 0], [x, x]), ValueError, "same length"),
    (lambda x: fnp.select([], []), ValueError, "empty condition list"),
    (lambda x: fnp.select([x], [x]), TypeError, "invalid entry 0 in condlist"),
    (lambda x: fnp.take_along_axis(x, np.array([0, 1]), axis=1), ValueError,
     "same number of dimensions"),
    (lambda x: fnp.take_along_axis(x, np.array([[0.5]]), axis=1), IndexError, "integer"),
    (lambda x: fnp.take_along_axis(x, np.array([[0]]), axis=None), ValueError,
     "single dimension"),
    (lambda x: fnp.compress([[True]], x), ValueError, "1-d"),
    (lambda x: fnp.compress([True] * 5, x, axis=1), IndexError, "out of bounds"),
    (lambda x: fnp.nonzero(x[0, 0]), ValueError, "0d"),
    (lambda x: x[5], IndexError, "out of bounds"),
    (lambda x: x[[0, 3]], IndexError, "out of bounds"),
    (lambda x: x[np.ones(4, bool)], IndexError, "boolean index"),
    (lambda x: fnp.at(x)[[0, 0]].set(np.ones(3)), ValueError, "broadcast"),
])
def test_errors_on_traced_values_match_numpys(f, error, message):
    with pytest.raises(error, match=message):
        _traced(f)
    with pytest.raises(error):  # NumPy (or fgrad's plain path) agrees
        f(XB)


def test_item_assignment_points_to_at():
    def f(x):
        x[0] = 1.0
        return x
    with pytest.raises(TypeError, match=r"x\.at\[i\]\.set\(v\)"):
        _traced(f)
