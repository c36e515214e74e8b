"""fgrad.distributed: sharded gradients on Dask equal the single-process ones.

Each test starts and closes its own cluster: a LocalCluster of two worker processes
(the ``client`` fixture), or, for the tests that kill a worker or let the objective
start one, a cluster of their own.
"""
import functools
import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.distributed import ShardedObjective  # noqa: E402

CUTS = [0, 37, 300, 310, 700, 1000]  # uneven shards: 37, 263, 10, 390 and 300 rows


def data(seed=0, rows=1000):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, 4))
    y = (rng.random(rows) < 0.5).astype(float)
    return x, y


def shards_of(x, y, cuts=CUTS):
    return [(x[a:b], y[a:b]) for a, b in zip(cuts, cuts[1:])]


def params(seed=1):
    rng = np.random.default_rng(seed)
    return {"hidden": (rng.standard_normal((4, 3)), rng.standard_normal(3)),
            "out": [rng.standard_normal(3), np.array(0.1)]}


def mlp(p, x):
    W, b = p["hidden"]
    v, c = p["out"]
    return fnp.tanh(x @ W + b) @ v + c


def logistic_sum(p, x, y):
    z = mlp(p, x)
    return fnp.sum(fnp.logaddexp(0.0, z) - y * z)


def logistic_mean(p, x, y):
    z = mlp(p, x)
    return fnp.mean(fnp.logaddexp(0.0, z) - y * z)


def assert_tree_close(a, b, rtol=1e-12):
    la, ta = fgrad.tree.tree_flatten(a)
    lb, tb = fgrad.tree.tree_flatten(b)
    assert ta == tb
    for u, v in zip(la, lb):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=rtol * np.abs(v).max())


@pytest.fixture
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.mark.parametrize("reduce, loss", [("sum", logistic_sum), ("mean", logistic_mean)])
def test_sharded_equals_single_process(client, reduce, loss):
    x, y = data()
    p, v = params(1), params(2)
    with ShardedObjective(loss, shards_of(x, y), reduce=reduce, client=client) as objective:
        value, g = objective.value_and_grad(p)
        expected_value, expected_g = fgrad.value_and_grad(loss)(p, x, y)
        np.testing.assert_allclose(value, expected_value, rtol=1e-12)
        assert_tree_close(g, expected_g)
        assert_tree_close(objective.grad(p), expected_g)
        np.testing.assert_allclose(objective(p), expected_value, rtol=1e-12)
        g_hvp, hv = objective.hvp(p, v)
        expected = fgrad.hvp(lambda q: loss(q, x, y), (p,), (v,))
        assert_tree_close(g_hvp, expected[0])
        assert_tree_close(hv, expected[1])
        assert objective.sizes == [37, 263, 10, 390, 300]


def _start_counting():
    """On a worker: count the calls of its holders' ``evaluate``."""
    from fgrad.distributed import _ShardHolder
    original = _ShardHolder.evaluate

    def evaluate(self, *args):
        evaluate.calls += 1
        return original(self, *args)
    evaluate.calls, evaluate.original = 0, original
    _ShardHolder.evaluate = evaluate


def _stop_counting():
    """On a worker: the count since ``_start_counting``; ``evaluate`` restored."""
    from fgrad.distributed import _ShardHolder
    counted = _ShardHolder.evaluate
    if not hasattr(counted, "original"):
        return None
    _ShardHolder.evaluate = counted.original
    return counted.calls


def test_one_actor_call_per_worker_and_only_params_travel(client):
    x, y = data()
    p = params()
    with ShardedObjective(logistic_sum, shards_of(x, y), client=client) as objective:
        placement = objective.placement()
        assert len(placement) == 2  # five shards, balanced by rows over two workers
        assert sorted(i for ix in placement.values() for i in ix) == [0, 1, 2, 3, 4]
        rows = [sum(CUTS[i + 1] - CUTS[i] for i in ix) for ix in placement.values()]
        assert max(rows) <= 600
        objective.value_and_grad(p)

        def transfers(dask_worker):  # Dask's counters: fetches from peers, bytes served
            return dask_worker.state.transfer_incoming_count_total, \
                dask_worker.transfer_outgoing_bytes_total

        def transitions(dask_scheduler):  # every task the scheduler handles moves it
            return dask_scheduler.transition_counter
        before, planned = client.run(transfers), client.run_on_scheduler(transitions)
        client.run(_start_counting)
        try:
            objective.value_and_grad(p)
        finally:
            calls = client.run(_stop_counting)
        after = client.run(transfers)
        assert client.run_on_scheduler(transitions) == planned  # no task
        assert calls == {w: 1 for w in placement}  # one actor call per worker
        assert after == before  # no shard moved, nothing served by get_data
        sent = objective.last_bytes
        assert sent["params out"] == 2 * len(pickle.dumps(("value_and_grad", p, None),
                                                          protocol=5))
        assert sent["results back"] < 2 * 1500  # two (value, grad) pairs of 19 numbers


def test_pytree_shards_and_single_array_shards(client):
    x, y = data()
    shards = [{"x": x[a:b], "y": y[a:b]} for a, b in zip(CUTS, CUTS[1:])]
    p = params()

    def loss(p, shard):
        return logistic_sum(p, shard["x"], shard["y"])
    with ShardedObjective(loss, shards, client=client) as objective:
        assert_tree_close(objective.grad(p), fgrad.grad(logistic_sum)(p, x, y))
    w = np.arange(4.0)
    with ShardedObjective(lambda w, x: fnp.sum(fnp.sin(x @ w)), [x[:10], x[10:]],
                          client=client) as objective:
        np.testing.assert_allclose(objective.grad(w), fgrad.grad(
            lambda w: fnp.sum(fnp.sin(x @ w)))(w), rtol=1e-12)


def _load_shard(seed, a, b):
    x, y = data(seed)
    return x[a:b], y[a:b]


def test_loaders_run_on_the_workers(client):
    loaders = [functools.partial(_load_shard, 3, a, b) for a, b in zip(CUTS, CUTS[1:])]
    x, y = data(3)
    p = params()
    with ShardedObjective.from_loaders(logistic_mean, loaders, reduce="mean",
                                       client=client) as objective:
        assert objective.sizes == [37, 263, 10, 390, 300]
        value, g = objective.value_and_grad(p)
        expected_value, expected_g = fgrad.value_and_grad(logistic_mean)(p, x, y)
        np.testing.assert_allclose(value, expected_value, rtol=1e-12)
        assert_tree_close(g, expected_g)


def _raise_on_short_shard(p, x, y):
    if len(x) == 10:
        raise ValueError("bad rows")
    return logistic_sum(p, x, y)


def test_an_error_on_one_shard_reaches_the_client_named(client):
    x, y = data()
    with ShardedObjective(_raise_on_short_shard, shards_of(x, y), client=client) as objective:
        with pytest.raises(ValueError, match=r"shard 2: bad rows"):
            objective.value_and_grad(params())
        with pytest.raises(ValueError, match=r"shard 2: bad rows"):
            objective.value(params())


def test_a_loader_error_is_named(client):
    def broken():
        raise OSError("no such file")
    with pytest.raises(OSError, match="shard 1: no such file"):
        ShardedObjective.from_loaders(logistic_sum, [lambda: data(), broken], client=client)


def test_fits_with_scipy_lbfgs_and_an_optim_loop(client):
    optimize = pytest.importorskip("scipy.optimize")
    x, y = data()

    def loss(w, x, y):
        z = x @ w[:4] + w[4]
        return fnp.mean(fnp.logaddexp(0.0, z) - y * z)
    w0 = np.zeros(5)
    with ShardedObjective(loss, shards_of(x, y), reduce="mean", client=client) as objective:
        res = optimize.minimize(objective.value_and_grad, w0, jac=True, method="L-BFGS-B")
        expected = optimize.minimize(fgrad.value_and_grad(loss), w0, args=(x, y), jac=True,
                                     method="L-BFGS-B")
        assert res.success and res.nit == expected.nit
        np.testing.assert_allclose(res.x, expected.x, rtol=1e-8, atol=1e-10)
        opt = fgrad.optim.adam(0.1)
        w, state = w0, opt.init(w0)
        for _ in range(3):
            w, state = opt.update(objective.grad(w), state, w)
        assert objective(w) < objective(w0)


def test_transforming_the_objective_is_refused_with_a_pointer(client):
    x, y = data()
    with ShardedObjective(logistic_sum, shards_of(x, y), client=client) as objective:
        with pytest.raises(TypeError, match="objective.grad"):
            fgrad.grad(objective)(params())
    with pytest.raises(RuntimeError, match="closed"):
        objective.grad(params())


# -- a worker lost mid-evaluation ------------------------------------------------

def _slow_on_first_shard(p, x, y):
    if len(x) == 37:
        time.sleep(1.0)
    return logistic_sum(p, x, y)


def _evaluating(dask_worker):
    """On a worker: whether an actor's ``evaluate`` is running."""
    return any(name.endswith(".evaluate") for name in dask_worker.active_threads.values())


def _kill_during_evaluation(objective, client, p):
    """Evaluate in a thread; kill (SIGKILL) the worker evaluating shard 0 meanwhile.
    Returns the result and the killed worker's address."""
    [worker] = [w for w, ix in objective.placement().items() if 0 in ix]
    pid = client.run(os.getpid, workers=[worker])[worker]
    out = {}
    thread = threading.Thread(target=lambda: out.update(r=objective.value_and_grad(p)))
    thread.start()
    deadline = time.monotonic() + 10
    while not client.run(_evaluating, workers=[worker])[worker]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)  # inside the sleeping loss
    os.kill(pid, signal.SIGKILL)
    thread.join(60)
    assert not thread.is_alive()
    return out["r"], worker


@pytest.mark.parametrize("how", ["scattered", "loaded"])
def test_a_worker_killed_mid_evaluation_is_survived(how):
    x, y = data(4)
    p = params()
    expected_value, expected_g = fgrad.value_and_grad(logistic_sum)(p, x, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        if how == "scattered":
            objective = ShardedObjective(_slow_on_first_shard, shards_of(x, y), client=client)
        else:
            loaders = [functools.partial(_load_shard, 4, a, b) for a, b in zip(CUTS, CUTS[1:])]
            objective = ShardedObjective.from_loaders(_slow_on_first_shard, loaders,
                                                      client=client)
        with objective:
            before = objective.placement()
            (value, g), killed = _kill_during_evaluation(objective, client, p)
            np.testing.assert_allclose(value, expected_value, rtol=1e-12)
            assert_tree_close(g, expected_g)
            after = objective.placement()  # the lost holder, made again on the new worker
            assert killed not in after and len(after) == 2
            assert sorted(after.values()) == sorted(before.values())
            again = objective.value_and_grad(p)  # and the next call: the same numbers
            assert again[0] == value and all(np.array_equal(a, b) for a, b in zip(
                fgrad.tree.tree_leaves(again[1]), fgrad.tree.tree_leaves(g)))


def test_without_a_client_it_starts_and_closes_a_local_cluster():
    x, y = data()
    with ShardedObjective(logistic_sum, shards_of(x, y), n_workers=1) as objective:
        cluster = objective._cluster
        assert len(objective.client.ncores()) == 1
        np.testing.assert_allclose(objective(params()), logistic_sum(params(), x, y),
                                   rtol=1e-12)
    assert objective.client.status == "closed" and cluster.status.name == "closed"


def test_without_dask_the_import_says_how_to_install():
    code = ("import sys; sys.modules['distributed'] = None\n"
            "try:\n    import fgrad.distributed\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert 'pip install "fgrad[distributed]"' in out


def test_the_example_fits_the_same_model():
    """Run as a user would (its loss, defined in __main__, is sent to the workers by value)."""
    pytest.importorskip("scipy")
    import re
    script = os.path.join(os.path.dirname(__file__), os.pardir, "examples", "data_parallel.py")
    out = subprocess.run([sys.executable, script, "--workers", "2"], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    value_error, grad_error = map(float, re.search(
        r"relative difference (\S+); gradient (\S+)", out).groups())
    assert value_error < 1e-12 and grad_error < 1e-12
    nits = re.findall(r"\((\d+) iterations", out)
    assert len(nits) == 2 and nits[0] == nits[1]
    assert float(re.search(r"fitted weights: (\S+)", out).group(1)) < 1e-9
