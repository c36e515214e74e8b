"""jacobian: jacfwd/jacrev of f(x) = tanh(W @ tanh(W @ x)), hessian of g(x) = sum(tanh(W @ x)**2),
and per-example gradients of a 784-128-10 MLP over 256 examples."""
from functools import partial

import numpy as np

from benchmarks import common, mlp

OPS = ("jacfwd", "jacrev", "hessian")


def f(np_, W, x):
    return np_.tanh(W @ np_.tanh(W @ x))


def g(np_, W, x):
    return np_.sum(np_.tanh(W @ x) ** 2)


def _taf(m, name, **kw):  # torch.autograd.functional.<name>(f, x, **kw) as a transform
    return lambda fun: partial(getattr(m.autograd.functional, name), fun, **kw)


JACOBIANS = {  # (library, op, variant) -> transform maker
    **{("fgrad", op, op): lambda m, op=op: getattr(m, op) for op in OPS},
    ("autograd", "jacrev", "jacobian"): lambda m: m.jacobian,
    ("autograd", "hessian", "hessian"): lambda m: m.hessian,
    **{("torch", op, f"func.{op}"): lambda m, op=op: getattr(m.func, op) for op in OPS},
    ("torch", "jacfwd", "a.f.jacobian(forward-mode)"):
        lambda m: _taf(m, "jacobian", vectorize=True, strategy="forward-mode"),
    ("torch", "jacrev", "a.f.jacobian"): lambda m: _taf(m, "jacobian"),
    ("torch", "hessian", "a.f.hessian"): lambda m: _taf(m, "hessian"),
    **{("jax", op, f"{op} (eager)"): lambda m, op=op: getattr(m, op) for op in OPS},
    **{("jax", op, f"jit({op})"): lambda m, op=op: lambda fun: m.jit(getattr(m, op)(fun)) for op in OPS},
}


def _loop_of_grad(m):  # a Python loop of grad, one example at a time
    def transform(loss):
        g = m.grad(loss)
        return lambda p, X, Y: [g(p, x, y) for x, y in zip(X, Y)]
    return transform


AXES = (None, 0, 0)  # params shared, examples batched
PER_EXAMPLE = {  # (library, variant) -> transform maker
    ("fgrad", "vmap(grad)"): lambda m: lambda loss: m.vmap(m.grad(loss), in_axes=AXES),
    ("fgrad", "loop of grad"): _loop_of_grad,
    ("autograd", "loop of grad"): _loop_of_grad,
    ("torch", "func.vmap(func.grad)"): lambda m: lambda loss: m.func.vmap(m.func.grad(loss), in_dims=AXES),
    ("jax", "vmap(grad) (eager)"): lambda m: lambda loss: m.vmap(m.grad(loss), in_axes=AXES),
    ("jax", "jit(vmap(grad))"): lambda m: lambda loss: m.jit(m.vmap(m.grad(loss), in_axes=AXES)),
}


def run():
    sizes = (10, 100) if common.SETTINGS.quick else (10, 100, 300)
    common.section("jacobian: f(x) = tanh(W @ tanh(W @ x)) for jacfwd/jacrev, g(x) = sum(tanh(W @ x)**2) for hessian")
    rng = np.random.default_rng(0)
    for n in sizes:
        W, x = rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n)
        for op in OPS:
            impls = {(lib, variant): maker for (lib, o, variant), maker in JACOBIANS.items() if o == op}
            common.time_case("jacobian", f"{op}, n={n}", impls,
                             common.make_build(g if op == "hessian" else f, x, consts=(W,)))
    common.time_case("jacobian", "per-example grads: 256 examples, MLP 784-128-10 (loop: list of grads)",
                     PER_EXAMPLE, common.make_build(mlp.loss, *mlp.init([784, 128, 10], 256)))
