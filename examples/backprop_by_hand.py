"""Backpropagation written by hand, next to fgrad.grad: the same numbers, to rounding.

The forward pass computes the loss L and keeps every intermediate value. The
backward pass then visits those values in reverse order and computes each one's
error signal, v_bar = dL/dv, from the signals of the values computed from it (the
chain rule):   v_bar = sum over each u computed from v of  u_bar * du/dv,
starting from L_bar = 1. fgrad.grad does exactly this, for any program.

Two models from backprop lectures, each over a small random data set:

(a) logistic least squares with L2 regularisation, for examples (x, t):
        z = w·x + b,   y = σ(z),   L = Σ ½(y - t)² + (λ/2)‖w‖²
(b) a two-layer MLP, tanh hidden layer, softmax cross-entropy, for one-hot targets t:
        z1 = x W1 + b1,   h = tanh(z1),   z2 = h W2 + b2,   L = -mean Σₖ tₖ log softmax(z2)ₖ

Run:
    python examples/backprop_by_hand.py          # small data and network
    python examples/backprop_by_hand.py --full   # 1,000 examples, a 64-128-10 network
"""
import argparse

import numpy as np

import fgrad
import fgrad.numpy as fnp

LAMBDA = 0.1        # λ, the weight of the L2 regulariser in (a)
TOLERANCE = 1e-12


# -- (a) logistic least squares --------------------------------------------------------

def logistic_loss(params, X, t):
    """L = Σ ½(σ(X w + b) - t)² + (λ/2)‖w‖², one row of X per example."""
    w, b = params["w"], params["b"]
    y = fgrad.nn.sigmoid(X @ w + b)
    return fnp.sum(0.5 * (y - t) ** 2) + 0.5 * LAMBDA * fnp.sum(w ** 2)


def logistic_backprop(params, X, t):
    """The gradient of logistic_loss, by hand."""
    w, b = params["w"], params["b"]
    # forward pass, keeping the intermediates
    z = X @ w + b
    y = fgrad.nn.sigmoid(z)
    # backward pass
    L_bar = 1.0
    y_bar = L_bar * (y - t)                 # L = Σ ½(y - t)² + ...
    z_bar = y_bar * y * (1 - y)             # σ'(z) = σ(z)(1 - σ(z))
    w_bar = X.T @ z_bar + L_bar * LAMBDA * w    # z_bar x summed over examples, + λ w
    b_bar = np.sum(z_bar)                   # z = w·x + b: dz/db = 1, for every example
    return {"w": w_bar, "b": b_bar}


def logistic_problem(rng, num_examples, num_inputs):
    """Random inputs and 0/1 targets, and a random starting point."""
    X = rng.standard_normal((num_examples, num_inputs))
    t = (rng.random(num_examples) < 0.5).astype(float)
    params = {"w": rng.standard_normal(num_inputs), "b": rng.standard_normal()}
    return params, X, t


# -- (b) a two-layer MLP ---------------------------------------------------------------

def mlp_loss(params, X, T):
    """Softmax cross-entropy of a tanh MLP, averaged over the rows of X."""
    h = fnp.tanh(X @ params["W1"] + params["b1"])
    z2 = h @ params["W2"] + params["b2"]
    return -fnp.mean(fnp.sum(T * fgrad.nn.log_softmax(z2), axis=1))


def mlp_backprop(params, X, T):
    """The gradient of mlp_loss, by hand."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    num_examples = len(X)
    # forward pass, keeping the intermediates
    z1 = X @ W1 + b1
    h = np.tanh(z1)
    z2 = h @ W2 + b2
    y = fgrad.nn.softmax(z2)                # the predicted probabilities
    # backward pass
    L_bar = 1.0
    z2_bar = L_bar * (y - T) / num_examples     # softmax and cross-entropy together: y - t
    W2_bar = h.T @ z2_bar                   # z2 = h W2 + b2
    b2_bar = np.sum(z2_bar, axis=0)
    h_bar = z2_bar @ W2.T
    z1_bar = h_bar * (1 - h ** 2)           # tanh'(z) = 1 - tanh(z)²
    W1_bar = X.T @ z1_bar                   # z1 = x W1 + b1
    b1_bar = np.sum(z1_bar, axis=0)
    return {"W1": W1_bar, "b1": b1_bar, "W2": W2_bar, "b2": b2_bar}


def mlp_problem(rng, num_examples, layer_sizes):
    """Random inputs and one-hot targets, and random weights."""
    num_inputs, num_hidden, num_classes = layer_sizes
    X = rng.standard_normal((num_examples, num_inputs))
    T = fgrad.nn.one_hot(rng.integers(num_classes, size=num_examples), num_classes)
    params = {"W1": rng.standard_normal((num_inputs, num_hidden)) / np.sqrt(num_inputs),
              "b1": 0.1 * rng.standard_normal(num_hidden),
              "W2": rng.standard_normal((num_hidden, num_classes)) / np.sqrt(num_hidden),
              "b2": 0.1 * rng.standard_normal(num_classes)}
    return params, X, T


# -- the comparison --------------------------------------------------------------------

def compare(loss, backprop, params, *data):
    """Print and return, per parameter, the largest |by hand - fgrad.grad|."""
    by_hand = backprop(params, *data)
    by_fgrad = fgrad.grad(loss)(params, *data)      # a dict like params
    print(f"  L = {float(loss(params, *data)):.6f}")
    differences = {}
    for name in params:
        differences[name] = float(np.max(np.abs(by_hand[name] - by_fgrad[name])))
        print(f"  {name + '_bar':7s} shape {str(np.shape(by_hand[name])):10s} "
              f"largest |by hand - fgrad.grad| = {differences[name]:.1e}")
    return differences


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="larger data and network")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    if args.full:
        logistic_sizes, mlp_examples, mlp_sizes = (1000, 50), 1000, (64, 128, 10)
    else:
        logistic_sizes, mlp_examples, mlp_sizes = (20, 3), 16, (5, 8, 3)

    print(f"(a) logistic least squares, {logistic_sizes[0]} examples of "
          f"{logistic_sizes[1]} inputs, λ = {LAMBDA}")
    results = {"logistic": compare(logistic_loss, logistic_backprop,
                                   *logistic_problem(rng, *logistic_sizes))}
    print(f"(b) MLP {'-'.join(map(str, mlp_sizes))}, tanh, softmax cross-entropy, "
          f"{mlp_examples} examples")
    results["mlp"] = compare(mlp_loss, mlp_backprop, *mlp_problem(rng, mlp_examples, mlp_sizes))

    largest = max(max(d.values()) for d in results.values())
    print(f"largest difference overall: {largest:.1e} "
          f"({'within' if largest <= TOLERANCE else 'NOT within'} {TOLERANCE:.0e})")
    results["largest"] = largest
    return results


if __name__ == "__main__":
    main()
