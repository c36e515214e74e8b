"""Higher derivatives by nesting transforms: six derivatives of tanh, and a Taylor
series of sin.

An fgrad transform returns an ordinary Python function, so it can be transformed
again. Nesting elementwise_grad gives tanh', tanh'', ... at every point of an array:

    d1 = fgrad.elementwise_grad(fnp.tanh);  d2 = fgrad.elementwise_grad(d1);  ...

Nesting grad gives the derivatives of sin at a point a, hence its Taylor series

    sin(x) ≈ Σ_{k=0..n} c_k (x - a)^k,    c_k = sin^(k)(a) / k!,

whose coefficients at a = 0 are 0, 1, 0, -1/3!, 0, 1/5!, 0, -1/7!, ...

Run:
    python examples/higher_order.py           # quick: Taylor to order 7, no plot
    python examples/higher_order.py --full    # Taylor to order 13, and the plot
    python examples/higher_order.py --point 1.0 --plot tanh.png

The full run draws tanh and its six derivatives, x from -7 to 7, to
docs/images/higher_order.png (this needs matplotlib: pip install "fgrad[examples]").
"""
import argparse
import math
import pathlib
import time

import numpy as np

import fgrad
import fgrad.numpy as fnp
import plotting  # examples/plotting.py: matplotlib, if installed

DEFAULT_PLOT = (pathlib.Path(__file__).resolve().parent.parent
                / "docs" / "images" / "higher_order.png")
ORDER = 6           # derivatives of tanh


def timed(fun, *args, repeats=5):
    """(fun(*args), the fastest of `repeats` calls in seconds): one call can be
    slowed by the machine, the fastest shows the cost."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fun(*args)
        times.append(time.perf_counter() - start)
    return result, min(times)


# -- derivatives of tanh, by nested elementwise_grad -----------------------------------

def tanh_closed_form(n, x):
    """tanh^(n)(x) for n = 0..3, written out with t = tanh(x), to check against."""
    t = np.tanh(x)
    return [t,
            1 - t ** 2,
            -2 * t * (1 - t ** 2),
            (1 - t ** 2) * (6 * t ** 2 - 2)][n]


def tanh_derivatives(x, order=ORDER):
    """[tanh(x), tanh'(x), ..., tanh^(order)(x)], and the seconds each took (fastest of 5)."""
    values, seconds = [], []
    derivative = fnp.tanh
    for n in range(order + 1):
        value, elapsed = timed(derivative, x)
        values.append(value)
        seconds.append(elapsed)
        line = f"  order {n}: {1000 * seconds[-1]:7.2f} ms"
        if n <= 3:
            difference = np.max(np.abs(values[-1] - tanh_closed_form(n, x)))
            line += f"   largest difference from the closed form {difference:.1e}"
        print(line)
        # Each order costs a few times the one before: elementwise_grad(derivative)
        # runs `derivative` while recording it, and `derivative` is itself the
        # backward pass of the order below, so every level records and walks the
        # whole graph of the level beneath it, and the graphs grow with the order.
        derivative = fgrad.elementwise_grad(derivative)
    return values, seconds


def plot_derivatives(x, values, path):
    """tanh and its derivatives in one PNG (skipped without matplotlib)."""
    plt = plotting.pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(2, 4, figsize=(12, 5.5), sharex=True)
    for n, (ax, y) in enumerate(zip(axes.flat, values)):     # one panel per order
        ax.plot(x, y, color=f"C{n}")
        ax.set_title("tanh(x)" if n == 0 else f"order {n}")
    together = axes.flat[-1]                              # and all in the last one
    for n, y in enumerate(values):
        together.plot(x, y, color=f"C{n}", lw=1)
    together.set_title("all together")
    for ax in axes[1]:
        ax.set_xlabel("x")
    fig.suptitle("tanh and its first six derivatives, by nested fgrad.elementwise_grad")
    fig.tight_layout()
    plotting.save(fig, path)


# -- a Taylor series of sin, by nested grad --------------------------------------------

def taylor_coefficients(fun, point, order):
    """c_k = fun^(k)(point) / k! for k = 0..order, and the seconds each took (fastest of 5)."""
    coefficients, seconds = [], []
    derivative = fun
    for k in range(order + 1):
        value, elapsed = timed(derivative, point)
        coefficients.append(float(value) / math.factorial(k))
        seconds.append(elapsed)
        # The cost grows here too, more gently than for tanh: the rules of sin and
        # cos add a few nodes per order, where tanh's (1 - tanh²) g grows by the
        # product rule at every order.
        derivative = fgrad.grad(derivative)
    return np.array(coefficients), seconds


def exact_sin_coefficients(point, order):
    """sin^(k)(point) / k!: the derivatives of sin cycle through sin, cos, -sin, -cos."""
    cycle = [np.sin(point), np.cos(point), -np.sin(point), -np.cos(point)]
    return np.array([cycle[k % 4] / math.factorial(k) for k in range(order + 1)])


def taylor_polynomial(coefficients, point, x):
    """Σ_k c_k (x - point)^k."""
    return sum(c * (x - point) ** k for k, c in enumerate(coefficients))


def taylor_errors(coefficients, point, orders, offsets):
    """|sin(x) - (the Taylor polynomial of each order)(x)| at x = point + offset."""
    errors = {}
    for n in orders:
        x = point + np.asarray(offsets)
        errors[n] = np.abs(np.sin(x) - taylor_polynomial(coefficients[:n + 1], point, x))
    return errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="Taylor to order 13, finer grid, and the plot")
    parser.add_argument("--point", type=float, default=0.0,
                        help="the point a of the Taylor series (default 0)")
    parser.add_argument("--plot", metavar="PATH",
                        help=f"where to draw the plot (--full: {DEFAULT_PLOT})")
    args = parser.parse_args(argv)

    x = np.linspace(-7, 7, 1401 if args.full else 141)
    print(f"tanh and its first {ORDER} derivatives at {len(x)} points in [-7, 7], "
          "by nested elementwise_grad:")
    values, tanh_seconds = tanh_derivatives(x)

    a, order = args.point, (13 if args.full else 7)
    print(f"Taylor coefficients of sin about a = {a:g}, by nested grad:")
    coefficients, taylor_seconds = taylor_coefficients(fnp.sin, a, order)
    exact = exact_sin_coefficients(a, order)
    print("   k   fgrad                   exact                   difference    time")
    for k in range(order + 1):
        print(f"  {k:2d}   {coefficients[k]:+.16e}  {exact[k]:+.16e}  "
              f"{abs(coefficients[k] - exact[k]):.1e}   {1000 * taylor_seconds[k]:6.2f} ms")

    offsets = [0.5, 1.0, 2.0, 3.0]
    orders = list(range(1, order + 1, 2))
    errors = taylor_errors(coefficients, a, orders, offsets)
    print("|sin(x) - Taylor polynomial| at x = a + " + ", ".join(map(str, offsets)) + ":")
    for n in orders:
        print(f"  order {n:2d}: " + "  ".join(f"{e:.1e}" for e in errors[n]))

    plot_path = args.plot or (DEFAULT_PLOT if args.full else None)
    if plot_path:
        plot_derivatives(x, values, plot_path)
    else:
        print("quick run: no plot (--full draws one, or --plot PATH)")
    return {"x": x, "tanh_derivatives": values, "tanh_seconds": tanh_seconds,
            "taylor_coefficients": coefficients, "exact_coefficients": exact,
            "taylor_seconds": taylor_seconds, "taylor_errors": errors}


if __name__ == "__main__":
    main()
