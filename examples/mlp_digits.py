"""Train a small neural network to read handwritten digits, with fgrad.grad and Adam.

The network is a multilayer perceptron, 64 pixels -> 128 tanh units -> 10 scores
(logits), one score per digit. Its loss is the softmax cross-entropy

    L(params) = -mean over examples of log softmax(logits)[true label],

and training repeats  grads = fgrad.grad(loss)(params),  params <- adam(params, grads)
on minibatches of 64 images. ``params`` is a pytree (a list of (W, b) tuples), and the
gradient comes back with the same structure.

Data: the 1,797 8x8 images of examples/data/digits.csv.gz, split once (seeded) into
1,347 for training and 450 for testing.

Run:
    python examples/mlp_digits.py           # quick: 3 epochs, under a second
    python examples/mlp_digits.py --full    # 30 epochs, about 97% test accuracy
    python examples/mlp_digits.py --full --plot loss.png   # the loss curve elsewhere

The full run draws the loss curve to docs/images/mlp_digits_loss.png (this needs
matplotlib: pip install "fgrad[examples]").
"""
import argparse
import pathlib
import time

import numpy as np

import fgrad
import fgrad.numpy as fnp
import plotting  # examples/plotting.py: matplotlib, if installed

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data" / "digits.csv.gz"
DEFAULT_PLOT = HERE.parent / "docs" / "images" / "mlp_digits_loss.png"

LAYER_SIZES = [64, 128, 10]
NUM_CLASSES = 10
NUM_TEST = 450


# -- data ------------------------------------------------------------------------------

def load_digits(path=DATA):
    """(images, labels): images of shape (1797, 64) scaled to [0, 1], integer labels."""
    rows = np.loadtxt(path, delimiter=",")
    images = rows[:, :64] / 16.0            # pixel counts 0..16 -> 0..1
    labels = rows[:, 64].astype(int)
    return images, labels


def split(images, labels, num_test=NUM_TEST, seed=0):
    """A fixed train/test split: the same seeded shuffle on every run."""
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = order[:num_test], order[num_test:]
    return (images[train], labels[train]), (images[test], labels[test])


# -- the model -------------------------------------------------------------------------

def init_params(layer_sizes, rng):
    """One (W, b) pair per layer; W scaled by 1/sqrt(inputs) so the tanh units start
    in their sensitive range."""
    return [(rng.standard_normal((n_in, n_out)) / np.sqrt(n_in), np.zeros(n_out))
            for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]


def predict(params, images):
    """The logits, shape (batch, 10): tanh hidden layers, then a linear output layer."""
    x = images
    for W, b in params[:-1]:
        x = fnp.tanh(x @ W + b)
    W, b = params[-1]
    return x @ W + b


def loss(params, images, labels):
    """Softmax cross-entropy: the mean of -log(probability of the true label)."""
    log_probs = fgrad.nn.log_softmax(predict(params, images))
    targets = fgrad.nn.one_hot(labels, NUM_CLASSES)
    return -fnp.mean(fnp.sum(targets * log_probs, axis=1))


def accuracy(params, images, labels):
    """The fraction of images whose highest logit is their label."""
    return float(np.mean(np.argmax(predict(params, images), axis=1) == labels))


# -- training --------------------------------------------------------------------------

def minibatches(num_examples, batch_size, rng):
    """The indices of one epoch, shuffled and cut into batches."""
    order = rng.permutation(num_examples)
    return [order[i:i + batch_size] for i in range(0, num_examples, batch_size)]


def train(train_set, test_set, epochs, batch_size=64, learning_rate=3e-3, seed=0):
    """Train from a seeded start; returns one dict of numbers per epoch (epoch 0 is
    the untrained network)."""
    (x_train, y_train), (x_test, y_test) = train_set, test_set
    rng = np.random.default_rng(seed)
    params = init_params(LAYER_SIZES, rng)
    optimizer = fgrad.optim.adam(learning_rate)
    state = optimizer.init(params)
    grad_loss = fgrad.grad(loss)            # a function: params, images, labels -> grads

    history = []
    start = time.perf_counter()
    for epoch in range(epochs + 1):
        if epoch > 0:                       # epoch 0 only measures the starting point
            for batch in minibatches(len(y_train), batch_size, rng):
                grads = grad_loss(params, x_train[batch], y_train[batch])
                params, state = optimizer.update(grads, state, params)
        record = {"epoch": epoch,
                  "train_loss": float(loss(params, x_train, y_train)),
                  "test_loss": float(loss(params, x_test, y_test)),
                  "train_accuracy": accuracy(params, x_train, y_train),
                  "test_accuracy": accuracy(params, x_test, y_test),
                  "seconds": time.perf_counter() - start}
        history.append(record)
        print(f"epoch {epoch:3d}   train loss {record['train_loss']:.4f}   "
              f"train acc {record['train_accuracy']:6.2%}   "
              f"test acc {record['test_accuracy']:6.2%}   {record['seconds']:6.2f} s",
              flush=True)
    return history


# -- the plot --------------------------------------------------------------------------

def plot_loss(history, path):
    """The train and test loss per epoch, as a PNG (skipped without matplotlib)."""
    plt = plotting.pyplot()
    if plt is None:
        return
    epochs = [r["epoch"] for r in history]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, [r["train_loss"] for r in history], "o-", ms=3, label="train")
    ax.plot(epochs, [r["test_loss"] for r in history], "o-", ms=3, label="test")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    final = history[-1]["test_accuracy"]
    ax.set_title(f"MLP {'-'.join(map(str, LAYER_SIZES))} on 8x8 digits "
                 f"(test accuracy {final:.1%})")
    ax.legend()
    fig.tight_layout()
    plotting.save(fig, path, "loss curve")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="train 30 epochs, not 3")
    parser.add_argument("--epochs", type=int, help="the number of epochs (overrides)")
    parser.add_argument("--plot", metavar="PATH",
                        help=f"where to draw the loss curve (--full: {DEFAULT_PLOT})")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    epochs = args.epochs or (30 if args.full else 3)
    images, labels = load_digits()
    train_set, test_set = split(images, labels)
    print(f"{len(train_set[1])} training and {len(test_set[1])} test images; "
          f"MLP {LAYER_SIZES}, Adam, {epochs} epochs")
    history = train(train_set, test_set, epochs, seed=args.seed)

    plot_path = args.plot or (DEFAULT_PLOT if args.full else None)
    if plot_path:
        plot_loss(history, plot_path)
    else:
        print("quick run: no plot (--full draws one, or --plot PATH)")
    return history


if __name__ == "__main__":
    main()
