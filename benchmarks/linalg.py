"""linalg: derivatives through linear algebra. `grad` of slogdet(A)[1] and of sum(inv(A)) for
A of 200x200, `grad` through eigh of 100x100, `jvp` of solve(A, b) at n = 200, and per-example
gradients of slogdet(A)[1] + sum(solve(A, b)) over a batch of 64 matrices of 32x32 (`vmap(grad)`:
one batched LAPACK call per primitive; autograd and fgrad also as a Python loop of grad)."""
import importlib

import numpy as np

from benchmarks import common


def _linalg(b):
    """The linalg namespace of backend ``b``: fgrad.numpy.linalg, autograd.numpy.linalg,
    jax.numpy.linalg, torch.linalg or numpy.linalg."""
    name = b.mod.__name__
    if name == "torch":
        return b.mod.linalg
    if name == "fgrad":
        return importlib.import_module("fgrad.numpy.linalg")
    return b.np.linalg


def make_build(fun, *args, consts=()):
    """common.make_build with the library's linalg namespace too:
    f(*args) = fun(np_, la, *consts, *args)."""
    def build(b, transform):
        la = _linalg(b)
        cs, xs = common.tree_map(b.asarray, (consts, args))
        f = lambda *a: fun(b.np, la, *cs, *a)  # noqa: E731
        f = transform(f) if transform else f
        return lambda: b.sync(f(*xs))
    return build


# ---------------------------------------------------------------- models

def logdet(np_, la, A):
    return la.slogdet(A)[1]


def sum_inv(np_, la, A):
    return np_.sum(la.inv(A))


def through_eigh(np_, la, A):
    """A function of the eigenvalues and of the (sign-invariant) squared eigenvectors."""
    w, V = la.eigh(A)
    return np_.sum(w * np_.sum(V ** 4, axis=0))


def solve(np_, la, A, b):
    return la.solve(A, b)


def gp_like(np_, la, A, b):
    return la.slogdet(A)[1] + np_.sum(la.solve(A, b))


# ---------------------------------------------------------------- transforms

def _torch_forward_ad(m):
    """torch's eager forward mode: dual tensors."""
    fwAD = m.autograd.forward_ad

    def transform(f):
        def run(A, b, dA, db):
            with fwAD.dual_level():
                out = f(fwAD.make_dual(A, dA), fwAD.make_dual(b, db))
                return fwAD.unpack_dual(out).tangent
        return run
    return transform


def _autograd_jvp(m):
    """autograd's forward mode (make_jvp), on the pair (A, b)."""
    return lambda f: lambda A, b, dA, db: m.make_jvp(lambda ab: f(*ab))((A, b))((dA, db))


def _jvp(m):
    return lambda f: lambda A, b, dA, db: m.jvp(f, (A, b), (dA, db))


JVPS = {  # (library, variant) -> maker of the transform (A, b, dA, db) -> jvp
    ("fgrad", "jvp"): _jvp,
    ("autograd", "make_jvp"): _autograd_jvp,
    ("torch", "forward_ad (eager)"): _torch_forward_ad,
    ("torch", "func.jvp"): lambda m: lambda f: lambda A, b, dA, db: m.func.jvp(f, (A, b), (dA, db)),
    ("jax", "jvp (eager)"): _jvp,
    ("jax", "jit(jvp)"): lambda m: lambda f: m.jit(_jvp(m)(f)),
}


def _loop_of_grad(m):  # a Python loop of grad, one matrix at a time
    def transform(loss):
        g = m.grad(loss)
        return lambda As, b: [g(A, b) for A in As]
    return transform


AXES = (0, None)  # matrices batched, right-hand side shared
PER_EXAMPLE = {  # (library, variant) -> transform maker
    ("fgrad", "vmap(grad)"): lambda m: lambda loss: m.vmap(m.grad(loss), in_axes=AXES),
    ("fgrad", "loop of grad"): _loop_of_grad,
    ("autograd", "loop of grad"): _loop_of_grad,
    ("torch", "func.vmap(func.grad)"):
        lambda m: lambda loss: m.func.vmap(m.func.grad(loss), in_dims=AXES),
    ("jax", "vmap(grad) (eager)"): lambda m: lambda loss: m.vmap(m.grad(loss), in_axes=AXES),
    ("jax", "jit(vmap(grad))"): lambda m: lambda loss: m.jit(m.vmap(m.grad(loss), in_axes=AXES)),
}


def _well_conditioned(rng, *shape):
    n = shape[-1]
    return rng.standard_normal(shape) / np.sqrt(n) + 2 * np.eye(n)


def _symmetric(rng, n):
    x = rng.standard_normal((n, n))
    return (x + x.T) / 2


def run():
    common.section("linalg: grad through slogdet, inv and eigh; jvp of solve; "
                   "vmap(grad) over a batch")
    rng = np.random.default_rng(0)
    A200 = _well_conditioned(rng, 200, 200)
    common.time_case("linalg", "grad of slogdet(A)[1], A 200x200", common.GRADS,
                     make_build(logdet, A200))
    common.time_case("linalg", "grad of sum(inv(A)), A 200x200", common.GRADS,
                     make_build(sum_inv, A200))
    common.time_case("linalg", "grad through eigh, A 100x100 symmetric: sum(w * sum(V**4, 0))",
                     common.GRADS, make_build(through_eigh, _symmetric(rng, 100)))
    b, dA, db = rng.standard_normal(200), rng.standard_normal((200, 200)), rng.standard_normal(200)
    common.time_case("linalg", "jvp of solve(A, b), A 200x200, tangents in A and b", JVPS,
                     make_build(solve, A200, b, dA, db))
    common.time_case("linalg", "per-example grads of slogdet(A)[1] + sum(solve(A, b)): "
                     "64 matrices 32x32 (loop: list of grads)", PER_EXAMPLE,
                     make_build(gp_like, _well_conditioned(rng, 64, 32, 32),
                                rng.standard_normal(32)))
