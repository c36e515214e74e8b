"""Forward or reverse mode? Timing fgrad.jacfwd against fgrad.jacrev.

The function is a small network f: Rⁿ → Rᵐ,

    f(x) = tanh(W₃ tanh(W₂ tanh(W₁ x))),    W₁: H × n,  W₂: H × H,  W₃: m × H  (H = 256),

and its Jacobian J = df/dx has shape (m, n). There are two ways to build it:

    jacfwd: one JVP  v ↦ J v  per input direction  (n of them: the columns of J)
    jacrev: one VJP  u ↦ uᵀJ  per output direction (m of them: the rows of J)

Each JVP or VJP costs a small constant times the cost of f, so jacfwd costs about
n · cost(f) and jacrev about m · cost(f) (plus, for jacrev, the memory of one
recorded pass). Forward mode wins for tall Jacobians (few inputs, many outputs),
reverse mode for wide ones (many inputs, few outputs: a gradient is m = 1), and the
crossover sits near n = m. fgrad pushes all n (or m) basis vectors through one
batched (vmap-ed) JVP or VJP, so both modes do their work in a few big array calls.

This example times both over a grid of n and m (median of repeats), checks that the
two Jacobians agree, prints the table and draws the ratio of the times.

Run:
    python examples/forward_vs_reverse.py           # quick: n, m in {1, 16, 256}
    python examples/forward_vs_reverse.py --full    # n, m in {1, 2, 4, ..., 256}, and the plot
    python examples/forward_vs_reverse.py --plot out.png   # the plot elsewhere

The full run draws docs/images/forward_vs_reverse.png (this needs matplotlib:
pip install "fgrad[examples]").
"""
import argparse
import contextlib
import pathlib
import time

import numpy as np

import fgrad
import fgrad.numpy as fnp
import plotting  # examples/plotting.py: matplotlib, if installed

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_PLOT = HERE.parent / "docs" / "images" / "forward_vs_reverse.png"

HIDDEN = 256
QUICK_SIZES = [1, 16, 256]
FULL_SIZES = [2 ** k for k in range(9)]     # 1, 2, 4, ..., 256


def make_network(n, m, rng):
    """f: Rⁿ → Rᵐ, three tanh layers (n → HIDDEN → HIDDEN → m), with random weights
    scaled so that tanh is not saturated."""
    widths = [n, HIDDEN, HIDDEN, m]
    weights = [rng.standard_normal((w_out, w_in)) / np.sqrt(w_in)
               for w_in, w_out in zip(widths[:-1], widths[1:])]

    def f(x):
        for W in weights:
            x = fnp.tanh(W @ x)
        return x
    return f


def one_blas_thread():
    """A context that keeps NumPy's BLAS to one thread, if threadpoolctl is installed:
    the times then measure the work, not threads waiting for a busy machine's cores."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def seconds(fun, x):
    """The wall time of one call ``fun(x)``."""
    start = time.perf_counter()
    fun(x)
    return time.perf_counter() - start


def time_grid(sizes, repeats, seed=0):
    """Time jacfwd and jacrev for every (n, m) in sizes × sizes.

    Returns the two tables of median times (rows n, columns m, in seconds) and the
    largest difference between the two Jacobians over the whole grid. The repeats
    are sweeps over the whole grid, so a burst of load on a shared machine spreads
    over many cells instead of spoiling one."""
    rng = np.random.default_rng(seed)
    cells, max_diff = {}, 0.0
    for n in sizes:
        for m in sizes:
            f, x = make_network(n, m, rng), rng.standard_normal(n)
            jac_fwd, jac_rev = fgrad.jacfwd(f), fgrad.jacrev(f)
            J_fwd, J_rev = jac_fwd(x), jac_rev(x)        # also a warm-up call
            assert J_fwd.shape == J_rev.shape == (m, n)
            max_diff = max(max_diff, float(np.max(np.abs(J_fwd - J_rev))))
            cells[n, m] = jac_fwd, jac_rev, x
    fwd_times = {cell: [] for cell in cells}
    rev_times = {cell: [] for cell in cells}
    print(f"timing {len(cells)} cells, {repeats} sweeps ", end="", flush=True)
    with one_blas_thread():
        for _ in range(repeats):
            for cell, (jac_fwd, jac_rev, x) in cells.items():
                fwd_times[cell].append(seconds(jac_fwd, x))
                rev_times[cell].append(seconds(jac_rev, x))
            print(".", end="", flush=True)
    print()
    fwd = np.array([[np.median(fwd_times[n, m]) for m in sizes] for n in sizes])
    rev = np.array([[np.median(rev_times[n, m]) for m in sizes] for n in sizes])
    return fwd, rev, max_diff


def crossovers(sizes, fwd, rev):
    """For each m, the smallest n at which reverse mode is faster (None: never)."""
    result = {}
    for j, m in enumerate(sizes):
        faster = [n for i, n in enumerate(sizes) if rev[i, j] < fwd[i, j]]
        result[m] = faster[0] if faster else None
    return result


def predicted_wins(sizes, fwd, rev):
    """(cells off the diagonal where the predicted mode won, cells off the diagonal):
    forward predicted for n < m, reverse for n > m."""
    wins = total = 0
    for i, n in enumerate(sizes):
        for j, m in enumerate(sizes):
            if n != m:
                total += 1
                wins += bool(fwd[i, j] < rev[i, j]) == (n < m)
    return wins, total


def print_table(sizes, fwd, rev):
    """One row per n: jacfwd / jacrev times in ms for each m, and who won."""
    print("\nmedian time, jacfwd / jacrev in ms   (F: forward faster, R: reverse faster)")
    print("n \\ m" + "".join(f"{m:>14d}" for m in sizes))
    for i, n in enumerate(sizes):
        cells = [f"{1e3 * fwd[i, j]:.2f}/{1e3 * rev[i, j]:.2f} "
                 f"{'F' if fwd[i, j] < rev[i, j] else 'R'}" for j in range(len(sizes))]
        print(f"{n:5d} " + "".join(f"{c:>14s}" for c in cells))


def plot(sizes, fwd, rev, path):
    """Left: log2(jacfwd time / jacrev time) over the grid. Right: both times against
    n for one middle m. Skipped (with a note) without matplotlib."""
    plt = plotting.pyplot()
    if plt is None:
        return
    import matplotlib.ticker
    ratio = np.log2(fwd / rev)
    limit = max(1.0, float(np.max(np.abs(ratio))))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")

    image = left.imshow(ratio, origin="lower", cmap="coolwarm", vmin=-limit, vmax=limit)
    ticks = range(len(sizes))
    left.set_xticks(ticks, [str(m) for m in sizes])
    left.set_yticks(ticks, [str(n) for n in sizes])
    left.plot(ticks, ticks, "k--", lw=1, label="n = m")
    left.set_xlabel("m (outputs)")
    left.set_ylabel("n (inputs)")
    left.set_title("log$_2$(jacfwd time / jacrev time)\n"
                   "blue: forward faster, red: reverse faster")
    left.legend(loc="lower right")
    fig.colorbar(image, ax=left)

    j = len(sizes) // 2                     # a middle m, so the crossing is in view
    m = sizes[j]
    right.loglog(sizes, 1e3 * fwd[:, j], "o-", label="jacfwd (n JVPs)")
    right.loglog(sizes, 1e3 * rev[:, j], "s-", label="jacrev (m VJPs)")
    right.axvline(m, color="gray", ls="--", lw=1, label=f"n = m = {m}")
    right.set_xlabel("n (inputs)")
    right.set_ylabel("median time (ms)")
    plain_numbers = matplotlib.ticker.FormatStrFormatter("%g")   # 0.2, not 2 × 10⁻¹
    right.xaxis.set_major_formatter(plain_numbers)
    right.yaxis.set_major_formatter(plain_numbers)
    right.yaxis.set_minor_formatter(plain_numbers)
    right.set_title(f"the Jacobian of f: $R^n \\to R^{{{m}}}$")
    right.legend()

    plotting.save(fig, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full grid, 1..256 by powers of 2")
    parser.add_argument("--repeats", type=int, help="timed calls per cell (default 5, --full 15)")
    parser.add_argument("--plot", metavar="PATH",
                        help=f"where to draw the plot (--full: {DEFAULT_PLOT})")
    args = parser.parse_args(argv)

    sizes = FULL_SIZES if args.full else QUICK_SIZES
    repeats = args.repeats or (15 if args.full else 5)
    print(f"Jacobian of f(x) = tanh(W3 tanh(W2 tanh(W1 x))), hidden width {HIDDEN}, "
          f"n, m in {sizes}, median of {repeats}")
    fwd, rev, max_diff = time_grid(sizes, repeats)
    print_table(sizes, fwd, rev)
    print(f"\nlargest |jacfwd - jacrev| over the grid: {max_diff:.1e}")
    cross = crossovers(sizes, fwd, rev)
    print("smallest n where reverse mode wins, per m: "
          + ", ".join(f"m={m}: n={n}" for m, n in cross.items()))
    wins, total = predicted_wins(sizes, fwd, rev)
    print(f"off the diagonal, the mode the cost argument picks (forward for n < m, "
          f"reverse for n > m) won {wins} of {total} cells")

    plot_path = args.plot or (DEFAULT_PLOT if args.full else None)
    if plot_path:
        plot(sizes, fwd, rev, plot_path)
    else:
        print("quick run: no plot (--full draws one, or --plot PATH)")
    return {"sizes": sizes, "fwd_seconds": fwd, "rev_seconds": rev,
            "max_abs_diff": max_diff, "crossover": cross, "predicted_wins": (wins, total)}


if __name__ == "__main__":
    main()
