"""Products and diagonals beyond the spec rows: einsum's contraction order (timed
against matrix products), vdot's conjugation, batching into one NumPy product,
the forms of einsum's subscripts, and the error messages."""
import time

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.tracer
import specs.products
from fgrad.batching import BatchTrace
from fgrad.numpy import products
from fgrad.testing import check_grads
from test_elementwise_conventions import input_kinds_agree, rows_of

RNG = np.random.default_rng(0)


def _normal(*shape):
    return RNG.standard_normal(shape)


def _complex(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _fastest(*functions, rounds=15):
    """The fastest run of each function, in seconds, over ``rounds`` rounds that each
    run every function once (so that a busy machine slows all of them alike)."""
    best = [np.inf] * len(functions)
    for _ in range(rounds):
        for k, f in enumerate(functions):
            start = time.perf_counter()
            f()
            best[k] = min(best[k], time.perf_counter() - start)
    return best


# -- einsum's contraction order -------------------------------------------------------

CHAIN = "ij,jk,kl->il"


def chain(a, b, c):
    return fnp.einsum(CHAIN, a, b, c)


def test_a_chain_is_contracted_pairwise_and_a_shared_index_is_not():
    assert products._pairwise_order(CHAIN, ((200, 200),) * 3) == ("einsum_path", (0, 1), (0, 1))
    assert products._pairwise_order("i,i,i->", ((5,),) * 3) is False
    assert products._pairwise_order("ij,ij,ij->ij", ((4, 5),) * 3) is False


def test_einsum_chain_costs_about_two_matrix_products():
    """Forward (recording for reverse mode) and backward, and forward mode, each cost a
    few n^3 matrix products; NumPy's optimize=False loop (n^4) costs 1000 times more.
    A busy machine only slows things down at random: the best of three tries counts."""
    n = 200
    a, b, c, g = _normal(n, n), _normal(n, n), _normal(n, n), _normal(n, n)
    out, vjp_fn = fgrad.vjp(chain, a, b, c)
    np.testing.assert_allclose(out, a @ b @ c, rtol=1e-10, atol=1e-10)
    for _ in range(3):
        two_products, forward, backward, forward_mode = _fastest(
            lambda: a @ b @ c, lambda: fgrad.vjp(chain, a, b, c), lambda: vjp_fn(g),
            lambda: fgrad.jvp(chain, (a, b, c), (a, b, c)))
        # about 1.5, 3 and 4 on an idle machine: the backward pass makes 6 products,
        # forward mode 4 chains
        ratios = forward / two_products, backward / two_products, forward_mode / two_products
        if ratios[0] < 10 and ratios[1] < 30 and ratios[2] < 30:
            break
    else:
        raise AssertionError(f"time / (time of A @ B @ C): forward {ratios[0]:.1f}, "
                             f"backward {ratios[1]:.1f}, forward mode {ratios[2]:.1f}")


def test_einsum_chain_derivatives_are_those_of_the_matrix_products():
    a, b, c, g = _normal(3, 4), _normal(4, 5), _normal(5, 2), _normal(3, 2)
    ga, gb, gc = fgrad.vjp(chain, a, b, c)[1](g)
    np.testing.assert_allclose(ga, g @ (b @ c).T, rtol=1e-12)
    np.testing.assert_allclose(gb, a.T @ g @ c.T, rtol=1e-12)
    np.testing.assert_allclose(gc, (a @ b).T @ g, rtol=1e-12)


def test_einsum_value_is_numpys_where_the_contraction_is_numpys():
    """One pass over all operands when pairing saves nothing (as optimize=False), and
    NumPy's own pairwise order with optimize=True: the value is NumPy's to the bit."""
    x, y, z = _normal(50), _normal(50), _normal(50)
    traced, _ = fgrad.jvp(lambda *o: fnp.einsum("i,i,i->", *o), (x, y, z), (x, y, z))
    assert traced == np.einsum("i,i,i->", x, y, z)
    a, b, c = _normal(6, 7), _normal(7, 8), _normal(8, 3)
    traced, _ = fgrad.jvp(lambda *o: fnp.einsum(CHAIN, *o, optimize=True), (a, b, c), (a, b, c))
    np.testing.assert_array_equal(traced, np.einsum(CHAIN, a, b, c, optimize=True))


def test_einsum_takes_an_explicit_path():
    a, b, c = _normal(2, 3), _normal(3, 4), _normal(4, 2)
    path = ["einsum_path", (1, 2), (0, 1)]
    f = lambda *o: fnp.einsum(CHAIN, *o, optimize=path)  # noqa: E731
    check_grads(f, (a, b, c))
    np.testing.assert_allclose(fgrad.vmap(f, in_axes=(0, None, None))(np.stack([a, a]), b, c),
                               np.stack([a @ b @ c] * 2), rtol=1e-12)


# -- einsum: the forms NumPy accepts ------------------------------------------------------

def test_einsum_sublists_with_ellipsis_and_implicit_output():
    """Sublist integers 0-25 are NumPy's A-Z and 26-51 its a-z, which fixes the order of
    an implicit output; an ellipsis broadcasts as in the string form."""
    x, y = _normal(2, 3, 4), _normal(4, 5)
    for f in (lambda a, b: fnp.einsum(a, [30, 1, 2], b, [2, 3]),
              lambda a, b: fnp.einsum(a, [Ellipsis, 2], b, [2, 3], [3, Ellipsis]),
              lambda a, b: fnp.einsum(a, [0, Ellipsis, 40], b, [40, 3])):
        traced, _ = fgrad.jvp(f, (x, y), (x, y))
        np.testing.assert_array_equal(traced, f(x, y))
        check_grads(f, (x, y))


def test_einsum_subscripts_with_spaces_and_broadcast_ellipsis():
    x, y = _normal(3, 1, 2, 4), _normal(5, 4, 2)
    f = lambda a, b: fnp.einsum(" ...ij , ...jk -> ...ik ", a, b)  # noqa: E731
    np.testing.assert_array_equal(fgrad.jvp(f, (x, y), (x, y))[0], f(x, y))
    check_grads(f, (x, y))


@pytest.mark.parametrize("subscripts, shapes", [
    ("iij->j", ((3, 3, 2),)),        # a diagonal, summed
    ("ii,ij->ij", ((3, 3), (3, 2))),  # a diagonal times a matrix
    ("ijij->ij", ((2, 3, 2, 3),)),    # two repeated letters
    ("ij,kl->", ((2, 3), (4, 1))),    # each summed out of one operand
    ("bi,bi->b", ((1, 3), (4, 3))),   # a letter broadcast from length 1
])
def test_einsum_second_order_through_diagonals_and_sums(subscripts, shapes):
    args = tuple(_normal(*s) for s in shapes)
    f = lambda *o: fnp.einsum(subscripts, *o) ** 2  # noqa: E731
    check_grads(f, args, order=3)
    total = lambda *o: fnp.sum(f(*o))  # noqa: E731
    np.testing.assert_allclose(fgrad.jacfwd(fgrad.grad(total))(*args),
                               fgrad.jacrev(fgrad.grad(total))(*args), rtol=1e-10, atol=1e-12)


def test_einsum_mixed_dtypes_give_each_operand_its_own_dtype():
    a, z = _normal(2, 3).astype(np.float32), _complex(3)
    ga, gz = fgrad.vjp(lambda x, y: fnp.einsum("ij,j->i", x, y), a, z)[1](_complex(2))
    assert ga.dtype == np.float32 and gz.dtype == np.complex128


# -- vdot: the first argument is conjugated ---------------------------------------------

def test_vdot_conjugates_its_first_argument():
    z, w, t, g = _complex(2, 3), _complex(6), _complex(2, 3), _complex()
    out, tangent = fgrad.jvp(lambda a: fnp.vdot(a, w), (z,), (t,))
    assert out == np.vdot(z, w)
    np.testing.assert_allclose(tangent, np.sum(np.conj(t).ravel() * w), rtol=1e-12)
    # the VJP is the transpose of the JVP, with no conjugation of its own:
    # <g, vdot(t, w)> = Re(g sum(conj(t) w)) = Re(sum(t conj(g w)))
    ct_z, ct_w = fgrad.vjp(fnp.vdot, z, w)[1](g)
    np.testing.assert_allclose(ct_z, np.conj(g * w).reshape(2, 3), rtol=1e-12)
    np.testing.assert_allclose(ct_w, g * np.conj(z).ravel(), rtol=1e-12)


def test_vdot_gradients_follow_the_complex_convention():
    z, w = _complex(3), _complex(3)
    # Re vdot(z, w) = x.Re(w) + y.Im(w): grad = df/dx - i df/dy = conj(w)
    np.testing.assert_allclose(fgrad.grad(lambda a: fnp.real(fnp.vdot(a, w)))(z), np.conj(w))
    # vdot is holomorphic in its second argument, with derivative conj(z)
    np.testing.assert_allclose(fgrad.grad(lambda b: fnp.vdot(z, b), holomorphic=True)(w),
                               np.conj(z))
    np.testing.assert_allclose(fgrad.grad(lambda a: fnp.vdot(a, a).real)(z), 2 * np.conj(z))
    check_grads(fnp.vdot, (z, w))


def test_vdot_of_real_arrays_is_numpys():
    x, y = _normal(2, 3), _normal(3, 2)
    out = fgrad.jvp(fnp.vdot, (x, y), (x, y))[0]
    assert out == np.vdot(x, y) and out.dtype == np.float64


# -- batching: one NumPy product for the whole batch ----------------------------------------

def _products_bound(monkeypatch, fun, *args):
    """The (primitive name, argument shapes) of each product that ``fun`` (a vmap)
    computes: run under a jvp, so that the batching rules' calls are bound too, and
    counted once they no longer hold vmap's boxes."""
    calls = []
    bind = fgrad.tracer.bind

    def batched(v):
        return isinstance(v, fgrad.tracer.Box) and isinstance(v._trace, BatchTrace)

    def recording(prim, values, params):
        if prim.name in ("matmul", "einsum") and not any(map(batched, values)):
            calls.append((prim.name, [np.shape(fgrad.tracer.unbox(v)) for v in values]))
        return bind(prim, values, params)

    monkeypatch.setattr(fgrad.tracer, "bind", recording)
    fgrad.jvp(fun, args, args)
    return calls


def test_vmap_of_vectors_or_matrices_against_one_matrix_is_one_gemm(monkeypatch):
    m = _normal(3, 4)
    for xs, expected in [(_normal(5, 2, 3), [(10, 3), (3, 4)]), (_normal(5, 3), [(5, 3), (3, 4)])]:
        calls = _products_bound(monkeypatch, fgrad.vmap(lambda x: x @ m), xs)
        assert calls == [("matmul", expected)]
        np.testing.assert_allclose(fgrad.vmap(lambda x: x @ m)(xs), xs @ m, rtol=1e-12)


def test_vmap_of_one_matrix_against_matrices_is_one_gemm(monkeypatch):
    m, xs = _normal(2, 3), _normal(5, 3, 4)
    calls = _products_bound(monkeypatch, fgrad.vmap(lambda x: m @ x), xs)
    assert calls == [("matmul", [(2, 3), (3, 20)])]
    np.testing.assert_allclose(fgrad.vmap(lambda x: m @ x)(xs), m @ xs, rtol=1e-12)
    np.testing.assert_allclose(fgrad.vmap(lambda x: m @ x, out_axes=2)(xs),
                               np.moveaxis(m @ xs, 0, 2), rtol=1e-12)


def test_vmap_of_einsum_is_one_einsum_with_a_batch_letter(monkeypatch):
    a, b, c = _normal(4, 2, 3), _normal(3, 5), _normal(5, 4, 2)
    f = fgrad.vmap(chain, in_axes=(0, None, 1))
    calls = _products_bound(monkeypatch, f, a, b, c)
    assert calls == [("einsum", [(4, 2, 3), (3, 5), (5, 4, 2)])]
    np.testing.assert_allclose(f(a, b, c), [x @ b @ c[:, k] for k, x in enumerate(a)],
                               rtol=1e-12)


def test_per_example_gradients_of_einsum():
    w, xs = _normal(3, 3), _normal(6, 3)
    loss = lambda w, x: fnp.einsum("i,ij,j->", x, w, x) ** 2  # noqa: E731
    per_example = fgrad.vmap(fgrad.grad(loss), in_axes=(None, 0))(w, xs)
    np.testing.assert_allclose(per_example, [fgrad.grad(loss)(w, x) for x in xs], rtol=1e-12)


# -- diagonals ------------------------------------------------------------------------------

def test_diag_round_trip_and_its_transpose():
    v, g = _normal(3), _normal(4, 4)
    out, vjp_fn = fgrad.vjp(lambda x: fnp.diag(x, -1), v)
    np.testing.assert_array_equal(out, np.diag(v, -1))
    np.testing.assert_array_equal(vjp_fn(g)[0], np.diag(g, -1))
    x = _normal(2, 3, 4)
    out, vjp_fn = fgrad.vjp(lambda a: fnp.diagonal(a, 1, 2, 0), x)
    ct = vjp_fn(np.ones(out.shape))[0]
    assert ct.sum() == out.size and np.array_equal(np.diagonal(ct, 1, 2, 0), np.ones(out.shape))


def test_trace_with_dtype_keeps_the_input_dtype_in_its_gradient():
    x = _normal(3, 3).astype(np.float32)
    out = fgrad.jvp(lambda a: fnp.trace(a, dtype=np.float64), (x,), (x,))[0]
    assert out.dtype == np.float64
    g = fgrad.grad(lambda a: fnp.trace(a, dtype=np.float64))(x)
    assert g.dtype == np.float32 and np.array_equal(g, np.eye(3))


# -- errors ---------------------------------------------------------------------------------

def _traced(fun, *args):
    """Call ``fun`` under a transform, so that fgrad's own path runs."""
    return fgrad.jvp(fun, args, args)


EINSUM_ERRORS = [
    ("ij,jk", ((2, 3),), "name 2 operands, but 1 were given"),
    ("ij#", ((2, 3),), "'#' is not a valid subscript"),
    ("ij->->i", ((2, 3),), "only one '->'"),
    ("i..j", ((2, 3),), "invalid ellipsis"),
    ("ijk", ((2, 3),), "operand 0 has 2 dimensions, but its subscripts 'ijk' name 3"),
    ("ij,jk->ik", ((2, 3), (2, 3)), "'j' has length 3 in operand 0 but 2 in operand 1"),
    ("ii", ((2, 3),), "repeats subscript 'i' on axes of different lengths"),
    ("ij->k", ((2, 3),), "output subscript 'k' appears in no operand"),
    ("ij->ii", ((2, 3),), "output repeats subscript 'i'"),
    ("...ij->ij", ((4, 2, 3),), "no '...' ellipsis provided"),
]


@pytest.mark.parametrize("subscripts, shapes, message", EINSUM_ERRORS,
                         ids=[e[0] for e in EINSUM_ERRORS])
def test_einsum_errors(subscripts, shapes, message):
    args = tuple(np.ones(s) for s in shapes)
    with pytest.raises(ValueError):  # NumPy refuses the same call
        np.einsum(subscripts, *args)
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        _traced(lambda *o: fnp.einsum(subscripts, *o), *args)


def test_einsum_sublist_out_of_range():
    with pytest.raises(ValueError, match=r"subscript 60 in a sublist is not in \[0, 52\)"):
        _traced(lambda a: fnp.einsum(a, [0, 60]), np.ones((2, 3)))


def test_an_ellipsis_may_be_summed_away_with_optimize():
    """NumPy's optimize=True accepts what optimize=False refuses: so does fgrad."""
    x = _normal(4, 2, 3)
    f = lambda a: fnp.einsum("...ij->ij", a, optimize=True)  # noqa: E731
    np.testing.assert_allclose(_traced(f, x)[0], x.sum(0), rtol=1e-12)


@pytest.mark.parametrize("fun, args", [
    (lambda a: fnp.einsum("ij", a, out=np.empty((2, 3))), (np.ones((2, 3)),)),
    (lambda a: fnp.dot(a, a.T, out=np.empty((2, 2))), (np.ones((2, 3)),)),
    (lambda a: fnp.outer(a, a, np.empty((3, 3))), (np.ones(3),)),
    (lambda a: fnp.trace(a, out=np.empty(())), (np.ones((3, 3)),)),
], ids=["einsum", "dot", "outer", "trace"])
def test_out_is_refused(fun, args):
    with pytest.raises(TypeError, match="does not take out="):
        _traced(fun, *args)


@pytest.mark.parametrize("fun, args, error, message", [
    (lambda a, b: fnp.tensordot(a, b, ([0], [0])), ((2, 3), (3, 4)), ValueError,
     "shape-mismatch for sum"),
    (lambda a, b: fnp.tensordot(a, b, ([0, 1], [0])), ((2, 3), (2, 4)), ValueError,
     "shape-mismatch for sum"),
    (fnp.cross, ((4,), (3,)), ValueError, "incompatible dimensions for cross product"),
    (lambda a, b: fnp.cross(a, b, axisa=2), ((2, 3), (3,)), np.exceptions.AxisError,
     "axisa: axis 2 is out of bounds"),
    (lambda a, b: fnp.cross(a, b, axisc=-3), ((2, 3), (3,)), np.exceptions.AxisError,
     "axisc: axis -3 is out of bounds"),
    (fnp.dot, ((2, 3), (2, 3)), ValueError, r"shapes \(2,3\) and \(2,3\) not aligned: 3 \(dim 1\)"),
    (fnp.inner, ((2, 3), (4,)), ValueError, "not aligned"),
    (fnp.vdot, ((2, 3), (3, 4)), ValueError, "vdot: the arrays have 6 and 12 elements"),
    (fnp.diag, ((2, 2, 2),), ValueError, r"Input must be 1- or 2-d\."),
    (lambda a, b: fnp.matmul(a, b), ((2, 3), (2, 3)), ValueError, "mismatch in its core"),
], ids=["tensordot", "tensordot_lengths", "cross", "cross_axisa", "cross_axisc", "dot", "inner",
        "vdot", "diag", "matmul"])
def test_errors_name_the_problem_as_numpy_does(fun, args, error, message):
    arrays = tuple(np.ones(s) for s in args)
    with pytest.raises(error):  # NumPy's own error, on plain arrays
        fun(*arrays)
    with pytest.raises(error, match=message):
        _traced(fun, *arrays)


def test_cross_of_2_vectors_warns_as_numpy_2_does():
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.skip("NumPy 1 does not deprecate 2-vectors")
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        _traced(fnp.cross, np.ones(2), np.ones(3))


# -- the rules' own batching: per-example gradients -------------------------------------------

PER_EXAMPLE = [
    ("diag", lambda x: fnp.diag(x, 1), (3,)),
    ("diag_of_matrix", lambda x: fnp.diag(x, -1), (3, 4)),
    ("diagonal_3d", lambda x: fnp.diagonal(x, 1, -1, 0), (3, 2, 4)),
    ("trace", lambda x: fnp.trace(x, 1, 2, 1), (2, 3, 4)),
    ("triu", lambda x: fnp.triu(x, -1), (3, 4)),
    ("einsum_diagonal", lambda x: fnp.einsum("iji->ij", x), (3, 2, 3)),
    ("einsum_sum", lambda x: fnp.einsum("ij->", x), (3, 2)),
    ("tensordot", lambda x: fnp.tensordot(x, x, ([0, 1], [1, 0])), (3, 3)),
    ("kron", lambda x: fnp.kron(x, x[::-1]), (2, 3)),
    ("cross", lambda x: fnp.cross(x, x[::-1] ** 2, axisa=0, axisb=0), (3, 2)),
    ("inner", lambda x: fnp.inner(x, x), (2, 3)),
    ("vdot", lambda x: fnp.vdot(x, x ** 2), (2, 3)),
]


@pytest.mark.parametrize("fun, shape", [pytest.param(f, s, id=n) for n, f, s in PER_EXAMPLE])
def test_vmap_of_grad_equals_a_loop(fun, shape):
    loss = lambda x: fnp.sum(fun(x) ** 2)  # noqa: E731
    xs = _normal(4, *shape)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(loss))(xs),
                               [fgrad.grad(loss)(x) for x in xs], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fgrad.jacfwd(fgrad.grad(loss))(xs[0]),
                               fgrad.jacrev(fgrad.grad(loss))(xs[0]), rtol=1e-10, atol=1e-10)


# -- dtypes: every cotangent has its primal's dtype, through the fast paths too ----------------

PRODUCTS = [("matmul", fnp.matmul), ("dot", fnp.dot), ("inner", fnp.inner),
            ("outer", fnp.outer), ("kron", fnp.kron), ("vdot", fnp.vdot),
            ("einsum", lambda a, b: fnp.einsum("...i,...i", a, b)),
            ("tensordot", lambda a, b: fnp.tensordot(a, b, 1)), ("vecdot", fnp.vecdot),
            ("matvec", lambda a, b: fnp.matvec(fnp.reshape(a, (1, 3)), b)),
            ("vecmat", lambda a, b: fnp.vecmat(a, fnp.reshape(b, (3, 1))))]
SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2)), ((4, 2, 3), (3,)),
          ((3,), (4, 3, 2))]
DTYPES = [(np.float32, np.float64), (np.float64, np.float32), (np.float16, np.float32),
          (np.float64, np.complex128), (np.complex64, np.float64), (np.float32, np.complex64)]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtypes", DTYPES, ids=lambda d: f"{np.dtype(d[0])}-{np.dtype(d[1])}")
def test_matmul_cotangents_have_their_primals_dtypes(shapes, dtypes):
    a, b = _normal(*shapes[0]).astype(dtypes[0]), _normal(*shapes[1]).astype(dtypes[1])
    out, vjp_fn = fgrad.vjp(fnp.matmul, a, b)
    ga, gb = vjp_fn(np.ones(out.shape, out.dtype))
    assert (ga.dtype, gb.dtype) == (a.dtype, b.dtype)


@pytest.mark.parametrize("fun", [f for _, f in PRODUCTS], ids=[n for n, _ in PRODUCTS])
@pytest.mark.parametrize("dtypes", DTYPES, ids=lambda d: f"{np.dtype(d[0])}-{np.dtype(d[1])}")
def test_the_vjp_of_a_jvp_along_complex_tangents_keeps_real_primals_real(fun, dtypes):
    """The issue's jvp(jvp(dot)): real primals, complex tangents (autograd's test_dot)."""
    a, b = _normal(3).astype(dtypes[0]), _normal(3).astype(dtypes[1])

    def twice(x, y):
        inner = lambda x, y: fgrad.jvp(fun, (x, y), (x * 1j, y * 2j))[1]  # noqa: E731
        return fgrad.jvp(inner, (x, y), (x * 3j, y * 1j))[1]

    out, vjp_fn = fgrad.vjp(twice, a, b)
    ga, gb = vjp_fn(np.ones(np.shape(out), np.asarray(out).dtype))
    assert (ga.dtype, gb.dtype) == (a.dtype, b.dtype)


def test_mixed_precision_matmul_gradient_values():
    a, b = _normal(2, 3).astype(np.float32), _normal(3, 4)
    ga, gb = fgrad.grad(lambda a, b: fnp.sum(a @ b), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(ga, np.ones((2, 4)) @ b.T, rtol=1e-6)
    np.testing.assert_allclose(gb, a.T.astype(float) @ np.ones((2, 4)), rtol=1e-12)
    c = _complex(2, 4)
    gr = fgrad.grad(lambda b: fnp.sum(fnp.real(fnp.matmul(_complex(2, 3), b) * c)))(b)
    assert gr.dtype == np.float64


# -- ufunc keywords of matmul, and an integer einsum ------------------------------------------

def test_matmul_dtype_is_a_cast_of_the_operands():
    a, b = _normal(2, 3), _normal(3, 4)
    f = lambda a, b: fnp.matmul(a, b, dtype=np.float32)  # noqa: E731
    out, t = fgrad.jvp(f, (a, b), (a, b))
    np.testing.assert_array_equal(out, np.matmul(a, b, dtype=np.float32))
    assert t.dtype == np.float32
    ga, gb = fgrad.grad(lambda a, b: fnp.sum(f(a, b)), argnums=(0, 1))(a, b)
    assert ga.dtype == gb.dtype == np.float64
    np.testing.assert_allclose(ga, np.ones((2, 4)) @ b.T, rtol=1e-6)
    np.testing.assert_array_equal(fgrad.vmap(f)(a[None], b[None])[0], out)
    with pytest.raises(TypeError, match="takes no axes= keyword under a transform"):
        fgrad.grad(lambda a: fnp.sum(fnp.matmul(a, b, axes=[(0, 1), (0, 1), (0, 1)])))(a)


def test_an_integer_einsum_has_no_derivative():
    a, b = _normal(2, 3) * 3, _normal(3, 4) * 3
    f = lambda a: fnp.einsum("ij,jk->", a, b, dtype=np.int64, casting="unsafe")  # noqa: E731
    assert fgrad.jvp(f, (a,), (a,)) == (f(a), 0)
    np.testing.assert_array_equal(fgrad.grad(lambda a: f(a) * 1.0 + fnp.sum(a))(a),
                                  np.ones((2, 3)))
    np.testing.assert_array_equal(fgrad.vmap(f)(a[None]), [f(a)])


# -- NumPy 2's vecdot, matvec, vecmat, matrix_transpose (compositions on every NumPy) ---------

VECTOR_PRODUCTS = [
    ("vecdot", [((3,), (3,)), ((2, 3), (3,)), ((2, 1, 3), (4, 3)), ((0, 3), (3,))]),
    ("matvec", [((2, 3), (3,)), ((4, 2, 3), (3,)), ((2, 3), (4, 3)), ((2, 0), (0,))]),
    ("vecmat", [((3,), (3, 2)), ((4, 3), (3, 2)), ((3,), (4, 3, 2)), ((0,), (0, 2))]),
]


@pytest.mark.parametrize("name, shapes", VECTOR_PRODUCTS, ids=[v[0] for v in VECTOR_PRODUCTS])
@pytest.mark.parametrize("make", [_normal, _complex], ids=["real", "complex"])
def test_vector_products_are_numpys(name, shapes, make):
    f = getattr(fnp, name)
    composition = f.__wrapped__  # what stands in where NumPy lacks the name
    for sa, sb in shapes:
        a, b = make(*sa), make(*sb)
        traced = fgrad.jvp(f, (a, b), (a, b))[0]
        np.testing.assert_allclose(composition(a, b), traced, rtol=1e-14, atol=1e-14)
        if hasattr(np, name):
            expected = getattr(np, name)(a, b)
            np.testing.assert_allclose(traced, expected, rtol=1e-14, atol=1e-14)
            assert traced.dtype == expected.dtype and traced.shape == expected.shape
            np.testing.assert_array_equal(f(a, b), expected)


def test_vecdot_and_vecmat_conjugate_their_vector():
    z, w = _complex(3), _complex(3)
    np.testing.assert_allclose(fnp.vecdot.__wrapped__(z, w), np.sum(np.conj(z) * w))
    np.testing.assert_allclose(fnp.vecmat.__wrapped__(z, np.diag(w)), np.conj(z) * w)
    np.testing.assert_allclose(fnp.matvec.__wrapped__(np.diag(w), z), w * z)
    # d/dz of vecdot(z, w) is anti-holomorphic: the cotangent of z is conj(g w)
    g = fgrad.grad(lambda z: fnp.real(fnp.vecdot(z, w)))(z)
    np.testing.assert_allclose(g, np.conj(w))


def test_vecdot_axis_and_errors():
    a, b = _normal(3, 2), _normal(3, 1)
    expected = np.sum(a * b, axis=0)
    np.testing.assert_allclose(fnp.vecdot.__wrapped__(a, b, axis=0), expected)
    np.testing.assert_allclose(fgrad.jvp(lambda a: fnp.vecdot(a, b, axis=0), (a,), (a,))[0],
                               expected)
    with pytest.raises(ValueError):
        fgrad.jvp(lambda a: fnp.vecdot(a, _normal(4)), (a,), (a,))
    with pytest.raises(TypeError, match="does not take out="):
        fgrad.jvp(lambda a: fnp.vecdot(a, b, out=np.empty(2)), (a,), (a,))


def test_matrix_transpose():
    x = _normal(4, 2, 3)
    np.testing.assert_array_equal(fnp.matrix_transpose.__wrapped__(x), np.swapaxes(x, -1, -2))
    if hasattr(np, "matrix_transpose"):
        np.testing.assert_array_equal(fnp.matrix_transpose(x), np.matrix_transpose(x))
    w = np.arange(6.0).reshape(2, 3)
    g = fgrad.grad(lambda y: fnp.sum(fnp.matrix_transpose(y) * w))(_normal(3, 2))
    np.testing.assert_array_equal(g, w.T)
    for fn in (fnp.matrix_transpose, fnp.matrix_transpose.__wrapped__):
        with pytest.raises(ValueError, match="at least 2-dimensional"):
            fn(np.ones(3))
    with pytest.raises(ValueError, match="at least 2-dimensional"):
        fgrad.grad(lambda v: fnp.sum(fnp.matrix_transpose(v)))(np.ones(3))


# -- inputs of every kind: read-only, strided, NumPy scalars, Python floats, float16 ------------

@pytest.mark.parametrize("spec, shapes", rows_of(specs.products))
def test_inputs_of_every_kind(spec, shapes):
    input_kinds_agree(spec, shapes)


@pytest.mark.parametrize("fun", [fnp.matmul, fnp.dot, fnp.inner, fnp.outer, fnp.kron,
                                 lambda a, b: fnp.einsum("ij,kj->ik", a, b),
                                 lambda a, b: fnp.tensordot(a, b, ([1], [1]))])
@pytest.mark.parametrize("shapes", [((0, 3), (3, 0)), ((2, 0), (0, 3)), ((0, 0), (0, 0))],
                         ids=str)
def test_empty_operands(fun, shapes):
    a, b = np.ones(shapes[0]), np.ones(shapes[1])
    try:
        expected = fun(a, b)
    except ValueError:
        return  # NumPy refuses these shapes for this product
    out, vjp_fn = fgrad.vjp(fun, a, b)
    np.testing.assert_array_equal(out, expected)
    ga, gb = vjp_fn(np.ones(np.shape(out)))
    assert ga.shape == a.shape and gb.shape == b.shape


@pytest.mark.parametrize("sa, sb", [((2, 0), (3, 0, 4)), ((2, 2), (3, 2, 0)), ((0,), (2, 0, 3))])
def test_dot_of_empty_stacks(sa, sb):
    a, b = np.ones(sa), np.ones(sb)
    out, vjp_fn = fgrad.vjp(fnp.dot, a, b)
    np.testing.assert_array_equal(out, np.dot(a, b))
    assert [g.shape for g in vjp_fn(np.ones(out.shape))] == [sa, sb]
