"""The shape family beyond the spec rows: NumPy's errors, conventions at ties, pad's
parameter forms and dtypes, return types, and what transforms refuse."""
import importlib
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
shape_module = importlib.import_module("fgrad.numpy.shape")  # (fnp.shape is the function)
from fgrad.testing import check_grads
from helpers import assert_same, traced

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3))
X3 = RNG.standard_normal((2, 3, 4))


# -- NumPy's errors, also under a transform -------------------------------------

ERRORS = {
    "tile-negative": lambda x: fnp.tile(x, -1),
    "squeeze-not-1": lambda x: fnp.squeeze(x, 0),
    "squeeze-repeated": lambda x: fnp.squeeze(fnp.reshape(x, (1, 6)), (0, 0)),
    "squeeze-out-of-range": lambda x: fnp.squeeze(x, 2),
    "squeeze-0d-tuple": lambda x: fnp.squeeze(fnp.sum(x), (0,)),
    "expand_dims-repeated": lambda x: fnp.expand_dims(x, (0, 0)),
    "expand_dims-out-of-range": lambda x: fnp.expand_dims(x, 4),
    "moveaxis-out-of-range": lambda x: fnp.moveaxis(x, 0, 5),
    "moveaxis-lengths": lambda x: fnp.moveaxis(x, [0, 1], [0]),
    "swapaxes-out-of-range": lambda x: fnp.swapaxes(x, 0, 2),
    "rollaxis-start": lambda x: fnp.rollaxis(x, 0, 5),
    "transpose-repeated": lambda x: fnp.transpose(x, (0, 0)),
    "transpose-out-of-range": lambda x: fnp.transpose(x, (0, 2)),
    "permute_dims-short": lambda x: fnp.permute_dims(x, (0,)),
    "reshape-size": lambda x: fnp.reshape(x, (4,)),
    "broadcast_to": lambda x: fnp.broadcast_to(x, (3,)),
    "broadcast_arrays": lambda x: fnp.broadcast_arrays(x, np.ones(4)),
    "repeat-negative": lambda x: fnp.repeat(x, -1),
    "repeat-counts": lambda x: fnp.repeat(x, [1, 2], axis=1),
    "repeat-nested-counts": lambda x: fnp.repeat(x, [[2]], axis=1),
    "repeat-axis": lambda x: fnp.repeat(x, 2, axis=2),
    "flip-axis": lambda x: fnp.flip(x, 2),
    "flip-repeated": lambda x: fnp.flip(x, (0, 0)),
    "fliplr-1d": lambda x: fnp.fliplr(fnp.ravel(x)),
    "flipud-0d": lambda x: fnp.flipud(fnp.sum(x)),
    "rot90-same-axes": lambda x: fnp.rot90(x, axes=(0, 0)),
    "rot90-axes-range": lambda x: fnp.rot90(x, axes=(0, 2)),
    "rot90-axes-length": lambda x: fnp.rot90(x, axes=(0,)),
    "roll-mismatch": lambda x: fnp.roll(x, (1, 2), axis=(0, 1, 1)),
    "roll-axis": lambda x: fnp.roll(x, 1, axis=2),
    "split-zero": lambda x: fnp.split(x, 0),
    "split-unequal": lambda x: fnp.split(x, 2, axis=1),
    "split-axis": lambda x: fnp.split(x, [1], axis=3),
    "array_split-zero": lambda x: fnp.array_split(x, 0),
    "hsplit-0d": lambda x: fnp.hsplit(fnp.sum(x), 1),
    "vsplit-1d": lambda x: fnp.vsplit(fnp.ravel(x), 1),
    "dsplit-2d": lambda x: fnp.dsplit(x, 1),
    "unstack-0d": lambda x: fnp.unstack(fnp.sum(x)),
    "unstack-axis": lambda x: fnp.unstack(x, axis=2),
    "stack-empty": lambda x: fnp.stack([]) + x,
    "stack-shapes": lambda x: fnp.stack([x, fnp.ravel(x)]),
    "stack-axis": lambda x: fnp.stack([x, x], axis=4),
    "concatenate-0d": lambda x: fnp.concatenate([fnp.sum(x), fnp.sum(x)]),
    "concatenate-shapes": lambda x: fnp.concatenate([x, fnp.ravel(x)]),
    "vstack-shapes": lambda x: fnp.vstack([x, fnp.ravel(x)]),
    "block-depths": lambda x: fnp.block([[x], x]),
    "block-tuple": lambda x: fnp.block([(x,)]),
    "block-empty": lambda x: fnp.block([[], [x]]),
    "block-shapes": lambda x: fnp.block([[x, fnp.ravel(x)]]),
    "meshgrid-indexing": lambda x: fnp.meshgrid(x, indexing="yx"),
    "pad-negative": lambda x: fnp.pad(x, -1),
    "pad-float-width": lambda x: fnp.pad(x, 1.0),
    "pad-width-shape": lambda x: fnp.pad(x, ((1, 2),) * 3),
    "pad-mode": lambda x: fnp.pad(x, 1, "nearest"),
    "pad-keyword": lambda x: fnp.pad(x, 1, "edge", constant_values=1),
    "pad-stat-length-0": lambda x: fnp.pad(x, 1, "maximum", stat_length=0),
    "pad-stat-length-negative": lambda x: fnp.pad(x, 1, "mean", stat_length=-1),
    "pad-empty-axis": lambda x: fnp.pad(fnp.split(x, [0])[0], 1, "edge"),
    "pad-values-shape": lambda x: fnp.pad(x, 1, constant_values=np.ones((3, 2))),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_numpy_errors_are_raised_under_transforms(name):
    f = ERRORS[name]
    with pytest.raises(Exception) as plain:
        f(X)
    with pytest.raises(Exception) as under_jvp:
        traced(f, X)
    with pytest.raises(Exception) as under_vmap:
        fgrad.vmap(f)(np.stack([X, X]))
    assert type(under_jvp.value) is type(plain.value)
    assert type(under_vmap.value) is type(plain.value)


@pytest.mark.skipif(not shape_module._PAD_DICT, reason="NumPy < 2.3 takes no dict pad_width")
@pytest.mark.parametrize("width", [{5: 1}, {0: 1.0}, {0: (1, 2, 3)}])
def test_bad_dict_pad_widths_raise_numpys_error(width):
    with pytest.raises(Exception) as plain:
        np.pad(X, width)
    with pytest.raises(type(plain.value)):
        traced(lambda x: fnp.pad(x, width), X)


def test_plain_calls_are_numpys_own():
    """A composition called on plain arrays is NumPy's function, result and all."""
    for f, np_f, args in [(fnp.pad, np.pad, (X, 2, "reflect")), (fnp.tile, np.tile, (X, 2)),
                          (fnp.split, np.split, (X, 3, 1)), (fnp.meshgrid, np.meshgrid, (X, X)),
                          (fnp.stack, np.stack, ([X, X],)), (fnp.block, np.block, ([[X, X]],))]:
        assert_same(f(*args), np_f(*args))


# -- return types and values beside NumPy's ---------------------------------------

SAME_AS_NUMPY = [
    ("split", lambda x: fnp.split(x, [1, 2], axis=1), lambda x: np.split(x, [1, 2], axis=1)),
    ("array_split", lambda x: fnp.array_split(x, 4, -1), lambda x: np.array_split(x, 4, -1)),
    ("unstack", lambda x: fnp.unstack(x, axis=1), lambda x: shape_module._np_unstack(x, axis=1)),
    ("unstack-empty", lambda x: fnp.unstack(fnp.split(x, [0])[0]),
     lambda x: shape_module._np_unstack(x[:0])),
    ("meshgrid", lambda x: fnp.meshgrid(x, x), lambda x: np.meshgrid(x, x)),
    ("meshgrid-sparse-nocopy", lambda x: fnp.meshgrid(x, x, sparse=True, copy=False),
     lambda x: np.meshgrid(x, x, sparse=True, copy=False)),
    ("meshgrid-nocopy", lambda x: fnp.meshgrid(x, x, copy=False),
     lambda x: np.meshgrid(x, x, copy=False)),
    ("meshgrid-none", lambda x: fnp.meshgrid() + (x,), lambda x: np.meshgrid() + (x,)),
    ("atleast_2d-many", lambda x: fnp.atleast_2d(x, 1.0, [2.0]),
     lambda x: np.atleast_2d(x, 1.0, [2.0])),
    ("broadcast_arrays", lambda x: fnp.broadcast_arrays(x, np.ones((4, 1, 1))),
     lambda x: np.broadcast_arrays(x, np.ones((4, 1, 1)))),
    ("squeeze-0d-axis", lambda x: fnp.squeeze(fnp.sum(x), -1), lambda x: np.squeeze(x.sum(), -1)),
    ("repeat-0d", lambda x: fnp.repeat(fnp.sum(x), 2, axis=-1),
     lambda x: np.repeat(x.sum(), 2, axis=-1)),
    ("repeat-one-count", lambda x: fnp.repeat(x, [2], axis=1), lambda x: np.repeat(x, [2], 1)),
    ("tile-ones", lambda x: fnp.tile(x, (1, 1, 1)), lambda x: np.tile(x, (1, 1, 1))),
    ("tile-empty", lambda x: fnp.tile(fnp.split(x, [0])[0], 3),
     lambda x: np.tile(x[:0], 3)),
    ("roll-empty", lambda x: fnp.roll(fnp.split(x, [0])[0], 1, axis=0),
     lambda x: np.roll(x[:0], 1, axis=0)),
    ("rot90-0", lambda x: fnp.rot90(x, 4), lambda x: np.rot90(x, 4)),
    ("stack-list-of-lists", lambda x: fnp.stack([[x[0, 0], 1.0], [2.0, x[1, 1]]]),
     lambda x: np.stack([[x[0, 0], 1.0], [2.0, x[1, 1]]])),
    ("concatenate-dtype", lambda x: fnp.concatenate([x, x], dtype=np.float32),
     lambda x: np.concatenate([x, x], dtype=np.float32)),
    ("stack-dtype", lambda x: fnp.stack([x, x], dtype=np.complex128),
     lambda x: np.stack([x, x], dtype=np.complex128)),
    ("reshape-lowercase-order", lambda x: fnp.reshape(x, (3, 2), order="f"),
     lambda x: np.reshape(x, (3, 2), order="f")),
    ("broadcast_to-subok", lambda x: fnp.broadcast_to(x, (2, 2, 3), subok=True),
     lambda x: np.broadcast_to(x, (2, 2, 3), subok=True)),
    ("pad-constant-traced-only", lambda x: fnp.pad(np.ones(3), 1, constant_values=x[0, 0]),
     lambda x: np.pad(np.ones(3), 1, constant_values=x[0, 0])),
]


@pytest.mark.parametrize("name, f, np_f", SAME_AS_NUMPY, ids=[c[0] for c in SAME_AS_NUMPY])
def test_traced_results_have_numpys_types_and_values(name, f, np_f):
    assert_same(traced(f, X), np_f(X))


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.1.0",
                    reason="reshape takes copy= from NumPy 2.1")
def test_reshape_copy():
    assert_same(traced(lambda x: fnp.reshape(x, (3, 2), copy=True), X),
                np.reshape(X, (3, 2), copy=True))


def test_ravel_order_k_reads_the_layout():
    x = np.asfortranarray(X3)
    assert_same(traced(lambda x: fnp.ravel(x, "K"), x), np.ravel(x, "K"))
    assert_same(traced(lambda x: fnp.ravel(x, "A"), x), np.ravel(x, "A"))
    assert not np.array_equal(np.ravel(x, "K"), np.ravel(x, "C"))  # the test can tell


def test_unstack_fallback_matches_numpy():
    """NumPy 1.26 has no unstack: the fallback used there agrees with NumPy 2's."""
    if hasattr(np, "unstack"):
        assert_same(shape_module._np_unstack(X3, axis=-1), np.unstack(X3, axis=-1))
    with pytest.raises(ValueError):
        shape_module._np_unstack(np.float64(1.0))


# -- pad: parameter forms, dtypes, traced parameters -------------------------------

WIDTHS = [0, 3, (2,), (1, 4), ((2, 1),), [[0, 1], [2, 0], [1, 1]], [[1], [0], [2]],
          np.array([[1, 2], [3, 0], [0, 5]], np.int32), ((9, 11), (5, 0), (0, 7))]
MODES = [("constant", {"constant_values": ((1, 2), (3, 4), (5, 6))}), ("edge", {}),
         ("wrap", {}), ("reflect", {}), ("reflect", {"reflect_type": "odd"}), ("symmetric", {}),
         ("symmetric", {"reflect_type": "odd"}), ("linear_ramp", {"end_values": 1.5}),
         ("maximum", {"stat_length": 2}), ("mean", {}), ("median", {"stat_length": (1, 2)}),
         ("minimum", {})]


@pytest.mark.parametrize("width", WIDTHS, ids=str)
@pytest.mark.parametrize("mode, kw", MODES, ids=[f"{m}{k}" for m, k in MODES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex64])
def test_pad_is_numpys_bit_for_bit(width, mode, kw, dtype):
    x = X3.astype(dtype) + (1j * X3[::-1]).astype(dtype) if dtype == np.complex64 else \
        X3.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        assert_same(traced(lambda x: fnp.pad(x, width, mode, **kw), x),
                    np.pad(x, width, mode, **kw))


@pytest.mark.parametrize("mode, kw", [("reflect", {"reflect_type": "odd"}), ("wrap", {}),
                                      ("symmetric", {}), ("linear_ramp", {})])
def test_pad_wider_than_the_array_has_exact_derivatives(mode, kw):
    check_grads(lambda x: fnp.pad(x, ((7, 5), (0, 8)), mode, **kw), (X,))


def test_traced_constant_values_get_the_sum_of_their_cotangents():
    def f(c):
        return fnp.sum(fnp.pad(X, ((1, 0), (2, 3)), constant_values=c) * 2.0)
    # before/after of axis 0 then axis 1: axis 0's rows span the original 3 columns
    grad = fgrad.grad(f)(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(grad, 2.0 * np.array([[3, 0], [6, 9]]))


def test_traced_end_values_of_linear_ramp():
    grad = fgrad.grad(lambda e: fnp.sum(fnp.pad(X[0], (3, 0), "linear_ramp", end_values=e)))(0.5)
    np.testing.assert_allclose(grad, 1 + 2 / 3 + 1 / 3)  # the ramp's weights on the end value


def test_pad_empty_under_a_transform_is_zero_outside_the_array():
    out, tangent = fgrad.jvp(lambda x: fnp.pad(x, 1, "empty"), (X,), (np.ones_like(X),))
    expected = np.pad(X, 1)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(tangent, np.pad(np.ones_like(X), 1))


def test_pad_with_a_callable_mode_is_refused_under_transforms():
    def zero(vector, width, axis, kwargs):
        vector[:width[0]] = 0
        vector[len(vector) - width[1]:] = 0
    np.testing.assert_array_equal(fnp.pad(X, 1, zero), np.pad(X, 1, zero))
    with pytest.raises(NotImplementedError, match="callable"):
        traced(lambda x: fnp.pad(x, 1, zero), X)


# -- conventions at ties -------------------------------------------------------------

def test_pad_maximum_shares_ties_evenly():
    x = np.array([1.0, 3.0, 3.0, 0.0])
    grad = fgrad.grad(lambda x: fnp.pad(x, (1, 0), "maximum")[0])(x)
    np.testing.assert_array_equal(grad, [0, 0.5, 0.5, 0])


def test_pad_median_goes_to_the_middle_of_a_stable_sort():
    odd = np.array([2.0, 5.0, 2.0])  # sorted: 2 (0), 2 (2), 5 (1): the middle is x[2]
    grad = fgrad.grad(lambda x: fnp.pad(x, (1, 0), "median")[0])(odd)
    np.testing.assert_array_equal(grad, [0, 0, 1])
    even = np.array([4.0, 1.0, 3.0, 2.0])  # middle two: 2 (3) and 3 (2), half each
    grad = fgrad.grad(lambda x: fnp.pad(x, (0, 1), "median")[-1])(even)
    np.testing.assert_array_equal(grad, [0, 0, 0.5, 0.5])


def test_pad_median_of_a_lane_with_nan_is_nan():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 4.0]])
    out = traced(lambda x: fnp.pad(x, ((0, 0), (1, 1)), "median"), x)
    assert_same(out, np.pad(x, ((0, 0), (1, 1)), "median"))
    assert np.isnan(out[0, 0]) and out[1, 0] == 2.0


# -- what transforms refuse, and rules that only tests reach ---------------------------

def test_reshape_order_a_is_refused_under_transforms():
    assert_same(fnp.reshape(X, 6, order="A"), np.reshape(X, 6, order="A"))
    with pytest.raises(NotImplementedError, match="order"):
        traced(lambda x: fnp.reshape(x, 6, order="A"), X)


def test_out_is_refused():
    with pytest.raises(TypeError, match="out="):
        traced(lambda x: fnp.stack([x, x], out=np.empty((2, 2, 3))), X)
    with pytest.raises(TypeError, match="out="):
        traced(lambda x: fnp.concatenate([x, x], out=np.empty((4, 3))), X)


def test_concatenate_cotangents_keep_each_arguments_dtype():
    x32 = X.astype(np.float32)
    grads = fgrad.grad(lambda a, b: fnp.sum(fnp.concatenate([a, b], axis=1) ** 2),
                       argnums=(0, 1))(x32, X)
    assert grads[0].dtype == np.float32 and grads[1].dtype == np.float64
    np.testing.assert_allclose(grads[0], 2 * x32)


def test_split_with_overlapping_pieces_adds_their_cotangents():
    x = np.arange(5.0)
    grad = fgrad.grad(lambda x: sum(fnp.sum(p) for p in fnp.split(x, [3, 1])))(x)
    np.testing.assert_array_equal(grad, [1, 2, 2, 1, 1])  # [0:3], [3:1] (empty), [1:5]


def test_vmap_over_a_middle_axis_keeps_pieces_apart():
    xs = RNG.standard_normal((2, 5, 3))
    out = fgrad.vmap(lambda x: fnp.array_split(x, 2, axis=-1), in_axes=1)(xs)
    expected = [np.stack(p) for p in zip(*(np.array_split(xs[:, b], 2, axis=-1)
                                           for b in range(5)))]
    assert len(out) == 2
    for o, e in zip(out, expected):
        np.testing.assert_array_equal(o, e)


def test_hessian_through_a_rearrangement():
    """Second order through roll, repeat and pad: x -> sum(w * f(x)**2) has Hessian
    2 J^T diag(w) J, J the 0/1 matrix of the rearrangement."""
    x = RNG.standard_normal(4)

    def f(x):
        return fnp.pad(fnp.repeat(fnp.roll(x, 1), [1, 2, 0, 1]), 2, "symmetric")

    w = np.arange(1.0, 1.0 + f(x).size)
    hessian = fgrad.hessian(lambda x: fnp.sum(w * f(x) ** 2))(x)
    jac = np.stack([f(e) for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(hessian, 2 * jac.T @ np.diag(w) @ jac)
