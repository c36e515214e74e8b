"""Three reasons to write a derivative rule by hand: fgrad.custom_jvp and fgrad.custom_vjp.

(a) Numerical stability. log(1 + eˣ) overflows for x ≳ 710: eˣ = inf, and the chain
    rule meets inf · 0 or inf / inf, though the true derivative there is sigmoid(x) ≈ 1.
    A custom_jvp gives the value as logaddexp(0, x) and the derivative as
    sigmoid(x) = exp(x - log(1 + eˣ)), finite everywhere.
(b) Changing the backward pass on purpose. Gradient clipping is the identity going
    forward, and a custom_vjp whose bwd scales the cotangent g to norm at most c:
    g ↦ g · min(1, c / ‖g‖). Place it anywhere in a model to bound the gradient
    flowing through that point.
(c) Implicit functions. The fixed point x*(θ) = f(x*, θ) of a contraction, found by
    plain iteration, has (implicit function theorem)

        dx*/dθ = (I - ∂f/∂x)⁻¹ ∂f/∂θ,

    so the VJP needs one linear solve at x*, not a record of every iteration. Here
    f(x, θ) = tanh(A x + θ) with ‖A‖ < 1; the result is checked against
    differentiating 100 unrolled iterations and against finite differences.
    examples/implicit_function.py treats a scalar fixed point at length, to second order.

Run:
    python examples/custom_rules.py           # all three, a second or so
    python examples/custom_rules.py --full    # (c) in 50 dimensions instead of 5
"""
import argparse
import functools
import time
import warnings

import numpy as np

import fgrad
import fgrad.numpy as fnp


# -- (a) a numerically stable log(1 + eˣ) -------------------------------------------------

def naive_log1pexp(x):
    return fnp.log(1 + fnp.exp(x))


def naive_derivative(x):
    """The derivative as the textbook writes it, eˣ / (1 + eˣ)."""
    return np.exp(x) / (1 + np.exp(x))


@fgrad.custom_jvp
def log1pexp(x):
    """log(1 + eˣ), computed without overflow."""
    return fnp.logaddexp(0.0, x)


@log1pexp.defjvp
def log1pexp_jvp(primals, tangents):
    """d log(1 + eˣ) = sigmoid(x) dx, and sigmoid(x) = eˣ / (1 + eˣ) = exp(x - log(1 + eˣ)):
    no overflow, and full relative precision at both ends."""
    (x,), (t,) = primals, tangents
    out = log1pexp(x)
    return out, t * fnp.exp(x - out)


def demo_stable():
    print("(a) log(1 + e^x): naive code against a custom_jvp")
    print(f"{'x':>7s} {'naive value':>12s} {'grad(naive)':>12s} {'e^x/(1+e^x)':>12s}"
          f" {'value':>9s} {'grad':>7s} {'grad(grad)':>11s}")
    rows = []
    for x in [-1000.0, -20.0, 0.0, 20.0, 1000.0]:
        with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            naive = (naive_log1pexp(x), fgrad.grad(naive_log1pexp)(x), naive_derivative(x))
        stable = (log1pexp(x), fgrad.grad(log1pexp)(x), fgrad.grad(fgrad.grad(log1pexp))(x))
        print(f"{x:7.0f} {naive[0]:12.4g} {naive[1]:12.4g} {naive[2]:12.4g}"
              f" {stable[0]:9.4g} {stable[1]:7.4g} {stable[2]:11.4g}")
        rows.append({"x": x, "naive_value": float(naive[0]), "naive_grad": float(naive[1]),
                     "naive_formula": float(naive[2]), "value": float(stable[0]),
                     "grad": float(stable[1]), "second": float(stable[2])})
    print("At x = 1000 the naive value is inf; its fgrad derivative is 0 (fgrad lets an exact\n"
          "zero win against inf: 1/inf · e^1000 = 0), and e^x/(1+e^x) = inf/inf = nan. The\n"
          "custom rule gives 1. (fgrad.nn.softplus is this function, ready made.)\n")
    return rows


# -- (b) gradient clipping ----------------------------------------------------------------

@functools.partial(fgrad.custom_vjp, nondiff_argnums=(1,))
def clip_gradient(x, max_norm):
    """x, unchanged; the backward pass scales x's cotangent to norm <= max_norm."""
    return x


def clip_gradient_fwd(x, max_norm):
    return x, None                          # nothing to keep for the backward pass


def clip_gradient_bwd(max_norm, residuals, g):
    norm = fnp.sqrt(fnp.sum(g ** 2))
    return (g * fnp.minimum(1.0, max_norm / norm),)


clip_gradient.defvjp(clip_gradient_fwd, clip_gradient_bwd)


def quartic(w):
    """A steep loss: its gradient 4w³ grows fast away from 0."""
    return fnp.sum(w ** 4)


def descend(loss, w, learning_rate, steps):
    """Plain gradient descent; returns the loss after each step."""
    losses = []
    for _ in range(steps):
        w = w - learning_rate * fgrad.grad(loss)(w)
        losses.append(float(quartic(w)))
    return losses


def demo_clipping(max_norm=1.0):
    print("(b) gradient clipping: a custom_vjp identity whose backward pass clips the "
          f"gradient to norm {max_norm}")
    w = np.array([3.0, 4.0])
    clipped_loss = lambda w: quartic(clip_gradient(w, max_norm))  # noqa: E731
    g, g_clipped = fgrad.grad(quartic)(w), fgrad.grad(clipped_loss)(w)
    cosine = g @ g_clipped / (np.linalg.norm(g) * np.linalg.norm(g_clipped))
    print(f"  at w = {w}: loss {quartic(w):.0f} (same with clipping: {clipped_loss(w):.0f})")
    print(f"  gradient {g}, norm {np.linalg.norm(g):.1f}")
    print(f"  clipped  {np.round(g_clipped, 4)}, norm {np.linalg.norm(g_clipped):.4f}, "
          f"cosine with the gradient {cosine:.6f}")
    with np.errstate(over="ignore", invalid="ignore"):
        plain = descend(quartic, w, learning_rate=0.1, steps=20)
    clipped = descend(clipped_loss, w, learning_rate=0.1, steps=100)
    print(f"  gradient descent, learning rate 0.1, from loss {quartic(w):.0f}:\n"
          f"    plain:   loss {plain[0]:.3g}, {plain[1]:.3g}, {plain[2]:.3g} after 1, 2, 3 steps "
          f"(it diverges)\n"
          f"    clipped: loss {clipped[-1]:.2e} after 100 steps\n")
    return {"grad_norm": float(np.linalg.norm(g)),
            "clipped_norm": float(np.linalg.norm(g_clipped)), "cosine": float(cosine),
            "plain_losses": plain, "clipped_losses": clipped}


# -- (c) the derivative of a fixed point --------------------------------------------------

def make_contraction(k, seed=0):
    """A k × k matrix A with spectral norm 0.9: x ↦ tanh(A x + θ) is then a contraction."""
    A = np.random.default_rng(seed).standard_normal((k, k))
    return 0.9 * A / np.linalg.norm(A, 2)


@functools.partial(fgrad.custom_vjp, nondiff_argnums=(1,))
def fixed_point(theta, A):
    """x with x = tanh(A x + θ), by plain NumPy iteration (fgrad never sees the loop)."""
    x = np.zeros_like(theta)
    for _ in range(1000):
        x, previous = np.tanh(A @ x + theta), x
        if np.max(np.abs(x - previous)) < 1e-15:
            break
    return x


def fixed_point_fwd(theta, A):
    x = fixed_point(theta, A)
    return x, x                             # keep x* only


def fixed_point_bwd(A, x, g):
    """θ's cotangent (∂f/∂θ)ᵀ (I - ∂f/∂x)⁻ᵀ g, with ∂f/∂x = D A, ∂f/∂θ = D
    and D = diag(1 - x*²), the derivative of tanh at the fixed point."""
    D = 1 - x ** 2
    u = fnp.linalg.solve(np.eye(len(x)) - A.T * D, g)      # (I - D A)ᵀ u = g
    return (D * u,)


fixed_point.defvjp(fixed_point_fwd, fixed_point_bwd)


def unrolled_fixed_point(theta, A, iterations=100):
    """The same iteration written with fgrad.numpy, so fgrad can differentiate the loop."""
    x = fnp.zeros_like(theta)
    for _ in range(iterations):
        x = fnp.tanh(A @ x + theta)
    return x


def demo_implicit(k):
    print(f"(c) the fixed point x* = tanh(A x* + θ) in {k} dimensions, differentiated implicitly")
    A = make_contraction(k)
    theta = np.random.default_rng(1).standard_normal(k)
    x = fixed_point(theta, A)
    print(f"  residual |x* - tanh(A x* + θ)| = {np.max(np.abs(x - np.tanh(A @ x + theta))):.1e}")
    start = time.perf_counter()
    J_implicit = fgrad.jacrev(fixed_point)(theta, A)
    implicit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    J_unrolled = fgrad.jacrev(unrolled_fixed_point)(theta, A)
    unrolled_seconds = time.perf_counter() - start
    J_numeric = fgrad.testing.numerical_jacobian(lambda t: fixed_point(t, A), theta)
    vs_unrolled = float(np.max(np.abs(J_implicit - J_unrolled)))
    vs_numeric = float(np.max(np.abs(J_implicit - J_numeric)))
    print(f"  dx*/dθ, implicit (one solve)       {implicit_seconds * 1e3:6.1f} ms")
    print(f"  dx*/dθ, 100 unrolled iterations    {unrolled_seconds * 1e3:6.1f} ms"
          f"   largest difference {vs_unrolled:.1e}")
    print(f"  central finite differences                 largest difference {vs_numeric:.1e}")
    return {"jacobian": J_implicit, "vs_unrolled": vs_unrolled, "vs_numeric": vs_numeric}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="(c) in 50 dimensions, not 5")
    args = parser.parse_args(argv)
    return {"stable": demo_stable(), "clipping": demo_clipping(),
            "implicit": demo_implicit(50 if args.full else 5)}


if __name__ == "__main__":
    main()
