"""The learning examples (mlp_digits, backprop_by_hand, higher_order) run in quick mode
and get what they claim. Each is imported from examples/ and run through main([...]);
matplotlib is optional (the plot is skipped without it)."""
import math
import sys

import numpy as np
import pytest

from helpers import load_example


@pytest.fixture(scope="module")
def mlp_digits():
    return load_example("mlp_digits")


@pytest.fixture(scope="module")
def higher_order():
    return load_example("higher_order")


# -- mlp_digits ------------------------------------------------------------------------

def test_digits_data_and_split(mlp_digits):
    images, labels = mlp_digits.load_digits()
    assert images.shape == (1797, 64) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 1
    assert set(labels.tolist()) == set(range(10))
    (x_train, y_train), (x_test, y_test) = mlp_digits.split(images, labels)
    assert len(y_train) == 1347 and len(y_test) == 450
    (x_again, _), _ = mlp_digits.split(images, labels)
    np.testing.assert_array_equal(x_train, x_again)             # the split is fixed


def test_digits_quick_run_learns(mlp_digits, capsys):
    history = mlp_digits.main([])
    out = capsys.readouterr().out
    assert [r["epoch"] for r in history] == [0, 1, 2, 3]
    assert out.count("epoch ") == 4                              # one line per epoch
    losses = [r["train_loss"] for r in history]
    assert all(a > b for a, b in zip(losses, losses[1:]))        # the loss falls
    assert losses[-1] < 0.5 * losses[0]
    assert history[-1]["test_accuracy"] > 0.8                    # chance is 0.1
    assert "no plot" in out


def test_digits_gradient_is_a_pytree_like_params(mlp_digits):
    import fgrad
    images, labels = mlp_digits.load_digits()
    params = mlp_digits.init_params(mlp_digits.LAYER_SIZES, np.random.default_rng(1))
    grads = fgrad.grad(mlp_digits.loss)(params, images[:20], labels[:20])
    assert isinstance(grads, list) and len(grads) == len(params)
    for (W, b), (gW, gb) in zip(params, grads):
        assert gW.shape == W.shape and gb.shape == b.shape


def test_digits_plot(mlp_digits, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "loss.png"
    mlp_digits.main(["--epochs", "1", "--plot", str(path)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_are_skipped_without_matplotlib(mlp_digits, higher_order, tmp_path,
                                              monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)         # import now fails
    mlp_digits.main(["--epochs", "1", "--plot", str(tmp_path / "a.png")])
    higher_order.main(["--plot", str(tmp_path / "b.png")])
    skipped = 'plot skipped: matplotlib is not installed (pip install "fgrad[examples]")'
    assert capsys.readouterr().out.count(skipped) == 2
    assert not list(tmp_path.iterdir())


# -- backprop_by_hand ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_backprop_by_hand_agrees_with_grad(seed, capsys):
    results = load_example("backprop_by_hand").main(["--seed", str(seed)])
    assert set(results["logistic"]) == {"w", "b"}
    assert set(results["mlp"]) == {"W1", "b1", "W2", "b2"}
    assert results["largest"] <= 1e-12
    assert max(results["logistic"].values()) <= 1e-12
    assert max(results["mlp"].values()) <= 1e-12
    assert "within 1e-12" in capsys.readouterr().out


# -- higher_order ----------------------------------------------------------------------

def test_tanh_derivatives_match_closed_forms(higher_order, capsys):
    results = higher_order.main([])
    x, values = results["x"], results["tanh_derivatives"]
    assert x[0] == -7 and x[-1] == 7
    assert len(values) == 7 and len(results["tanh_seconds"]) == 7
    t = np.tanh(x)
    closed_forms = [t, 1 - t ** 2, -2 * t * (1 - t ** 2), (1 - t ** 2) * (6 * t ** 2 - 2)]
    for value, expected in zip(values, closed_forms):            # orders 0 to 3
        np.testing.assert_allclose(value, expected, rtol=0, atol=1e-13)
    # order 4 at 0 is 0 (tanh is odd, so its even derivatives are odd); order 5 at 0 is 16
    middle = len(x) // 2
    assert x[middle] == 0
    assert abs(values[4][middle]) < 1e-12 and values[5][middle] == pytest.approx(16)


def test_taylor_coefficients_of_sin(higher_order, capsys):
    results = higher_order.main([])
    coefficients = results["taylor_coefficients"]
    expected = [[0, 1, 0, -1][k % 4] / math.factorial(k) for k in range(len(coefficients))]
    assert len(coefficients) == 8
    np.testing.assert_allclose(coefficients, expected, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(results["exact_coefficients"], expected, atol=1e-16)
    errors = results["taylor_errors"]
    assert sorted(errors) == [1, 3, 5, 7]
    for low, high in zip([1, 3, 5], [3, 5, 7]):                   # higher orders do better
        assert np.all(errors[high] < errors[low])


def test_taylor_about_another_point(higher_order, capsys):
    results = higher_order.main(["--point", "1.0"])
    np.testing.assert_allclose(results["taylor_coefficients"], results["exact_coefficients"],
                               rtol=1e-12, atol=1e-15)
