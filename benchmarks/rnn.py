"""rnn: grad w.r.t. params of a vanilla RNN, loss = sum(h_T ** 2) of the final state."""
import numpy as np

from benchmarks import common

HIDDEN, INPUT, STEPS, BATCH = 64, 32, 50, 16


def init(seed=0):
    rng = np.random.default_rng(seed)
    params = (rng.standard_normal((INPUT, HIDDEN)) / np.sqrt(INPUT),
              rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN), np.zeros(HIDDEN))
    xs = [rng.standard_normal((BATCH, INPUT)) for _ in range(STEPS)]
    return params, xs


def loss(np_, params, xs):
    Wx, Wh, b = params
    h = np_.tanh(xs[0] @ Wx + b)  # h_0 = 0
    for x in xs[1:]:
        h = np_.tanh(x @ Wx + h @ Wh + b)
    return np_.sum(h * h)


def run():
    common.section(f"rnn: h = tanh(x_t @ Wx + h @ Wh + b), hidden {HIDDEN}, input {INPUT}, "
                   f"{STEPS} steps, batch {BATCH}, loss = sum(h_T**2)")
    common.time_case("rnn", "grad w.r.t. (Wx, Wh, b)", common.GRADS, common.make_build(loss, *init()))
