"""Fitting a neural ODE to a damped oscillator: fgrad.grad through SciPy's odeint.

The dynamics are a two-layer tanh network, dy/dt = W2 tanh(W1 y + b1) + b2, with its
weights in a dict (a pytree passed through odeint's ``args``). The data are
trajectories of x'' = -k x - c x' from a few starting points; all of them are
solved at once (fgrad.vmap of odeint is one stacked solve) and the gradient of the
squared error comes from the adjoint method: one backward solve per step, whatever
the number of solver steps. Training is fgrad.optim.adam.

    python examples/neural_ode.py          # quick: a few seconds, prints the loss falling
    python examples/neural_ode.py --full   # 600 steps; draws docs/images/neural_ode.png
"""
import argparse
import pathlib

import numpy as np

import fgrad
import fgrad.numpy as fnp
import plotting  # examples/plotting.py: matplotlib, if installed
from fgrad.scipy.integrate import odeint

DEFAULT_PLOT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images" / "neural_ode.png"

K, C = 1.0, 0.25                                 # the true oscillator
STARTS = np.array([[1.0, 0.0], [0.0, 1.0], [-0.7, 0.4]])
TOLERANCES = dict(rtol=1e-5, atol=1e-7)


def oscillator(y, t):
    return np.array([y[1], -K * y[0] - C * y[1]])


def dynamics(y, t, params):
    """The neural vector field: a two-layer tanh network of the state."""
    hidden = fnp.tanh(params["W1"] @ y + params["b1"])
    return params["W2"] @ hidden + params["b2"]


def trajectories(params, starts, times):
    """The model's trajectories from every start, shape (starts, times, 2)."""
    return fgrad.vmap(lambda y0: odeint(dynamics, y0, times, (params,), **TOLERANCES))(starts)


def loss(params, starts, times, data):
    return fnp.mean((trajectories(params, starts, times) - data) ** 2)


def init(hidden, seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0, 0.5, (hidden, 2)), "b1": np.zeros(hidden),
            "W2": rng.normal(0, 0.5 / np.sqrt(hidden), (2, hidden)), "b2": np.zeros(2)}


def train(value_and_grad, params, steps, rate, report):
    """Adam on the parameter pytree; returns the params and the loss at every step."""
    optimizer = fgrad.optim.adam(rate)
    state = optimizer.init(params)
    losses = []
    for step in range(1, steps + 1):
        value, grads = value_and_grad(params)
        losses.append(float(value))
        params, state = optimizer.update(grads, state, params)
        if step % report == 0 or step == 1:
            print(f"step {step:4d}   loss {value:.6f}")
    return params, losses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="600 steps on 25 time points")
    parser.add_argument("--plot", metavar="PATH",
                        help=f"where to draw the fit (--full: {DEFAULT_PLOT})")
    args = parser.parse_args(argv)
    full = args.full
    steps, hidden, span = (600, 32, 10.0) if full else (25, 16, 4.0)
    times = np.linspace(0.0, span, 25 if full else 8)
    data = np.stack([odeint(oscillator, y0, times) for y0 in STARTS])
    objective = fgrad.value_and_grad(lambda p: loss(p, STARTS, times, data))
    params, losses = train(objective, init(hidden), steps, 0.02, 50 if full else 5)
    print(f"loss {losses[0]:.5f} -> {losses[-1]:.5f} in {steps} Adam steps")
    plot_path = args.plot or (DEFAULT_PLOT if full else None)
    if plot_path:
        plot(params, times, data, plot_path)
    return losses


def plot(params, times, data, path):
    """The data (dots) and the fitted model's trajectories (lines), in the phase plane."""
    plt = plotting.pyplot()
    if plt is None:
        return
    fine = np.linspace(times[0], times[-1], 200)
    model = trajectories(params, STARTS, fine)
    fig, ax = plt.subplots(figsize=(5, 5))
    for d, m in zip(data, model):
        line, = ax.plot(m[:, 0], m[:, 1], "-")
        ax.plot(d[:, 0], d[:, 1], "o", ms=3, color=line.get_color())
    ax.set(xlabel="x", ylabel="x'", title="damped oscillator: data (dots), neural ODE (lines)")
    plotting.save(fig, path)


if __name__ == "__main__":
    main()
