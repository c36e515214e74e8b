"""distributed: one full-batch value_and_grad of logistic regression over 10^6 rows, in
one process and with fgrad.distributed.ShardedObjective on a LocalCluster of 1 and 2
worker processes (fgrad.distributed.local_cluster: one thread each, BLAS pinned to one
thread by Dask's nanny, the workers' profiler off), with the bytes that travel per call
and the scheduler's work per call (none: the calls go to the workers' actors). The
client is made as ShardedObjective makes its own: direct_to_workers=True. fgrad only:
the anchors have no Dask counterpart here.

The shards are made on the workers by loaders (seeded), so the setup does not time
the sending of 10^6 rows; the single-process row computes the same data locally.
"""
import functools
import time

import numpy as np

from benchmarks import common

ROWS, FEATURES, SHARDS = 10 ** 6, 32, 8


def make_shard(i, rows=ROWS // SHARDS, features=FEATURES):
    """Shard i: standard normal features, labels from a fixed logistic model (seeded)."""
    rng = np.random.default_rng([7, i])
    x = rng.standard_normal((rows, features))
    p = 1 / (1 + np.exp(-(x @ np.linspace(-1, 1, features))))
    return x, (rng.random(rows) < p).astype(np.float64)


def loss(w, x, y):
    """Mean logistic loss of the rows: log(1 + e^z) - y z, z = x @ w."""
    import fgrad.numpy as fnp
    z = x @ w
    return fnp.mean(fnp.logaddexp(0.0, z) - y * z)


def _counters(objective):
    """Dask's own counters: the scheduler's task transitions, the bytes on Dask's batched
    streams (client -> scheduler, scheduler -> workers and clients, workers ->
    scheduler), and the bytes the workers served by get_data."""
    client = objective.client

    def scheduler(dask_scheduler):
        return (dask_scheduler.transition_counter,
                sum(c.byte_count for c in dask_scheduler.stream_comms.values())
                + sum(c.byte_count for c in dask_scheduler.client_comms.values()))

    def worker(dask_worker):
        return dask_worker.batched_stream.byte_count, dask_worker.transfer_outgoing_bytes_total
    transitions, streams = client.run_on_scheduler(scheduler)
    streamed, served = np.sum(list(client.run(worker).values()), axis=0)
    return np.array([transitions, client.scheduler_comm.byte_count + streams + streamed,
                     served])


def _sharded_row(n_workers, w, reference):
    from distributed import Client

    from fgrad.distributed import ShardedObjective, local_cluster
    with local_cluster(n_workers) as cluster, \
            Client(cluster, set_as_default=False, direct_to_workers=True) as client:
        loaders = [functools.partial(make_shard, i) for i in range(SHARDS)]
        with ShardedObjective.from_loaders(loss, loaders, reduce="mean",
                                           client=client) as objective:
            value, g = objective.value_and_grad(w)
            error = max(abs(value - reference[0]) / abs(reference[0]),
                        np.abs(g - reference[1]).max() / np.abs(reference[1]).max())
            seconds = common.measure(lambda: objective.value_and_grad(w))
            before, calls = _counters(objective), 10
            for _ in range(calls):
                objective.value_and_grad(w)
            tasks, messages, served = (_counters(objective) - before) / calls
            payload = objective.last_bytes
            blas = client.run(_blas_threads)
            profiler = client.run(lambda: __import__("dask").config.get(
                "distributed.worker.profile.enabled"))
    return {"value": seconds, "payload": payload, "tasks": tasks, "messages": messages,
            "served": served,
            "rel_error": error, "blas": sorted(set(blas.values())),
            "profiler": sorted(set(profiler.values()))}


def _blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return max((p["num_threads"] for p in threadpool_info()), default=0)
    except ImportError:
        return -1


def run():
    common.section(f"distributed: value_and_grad of the mean logistic loss over {ROWS:,} rows, "
                   f"{FEATURES} features, {SHARDS} shards; Dask LocalCluster, 1 thread per "
                   "worker")
    x, y = map(np.concatenate, zip(*(make_shard(i) for i in range(SHARDS))))
    w = np.linspace(0.5, -0.5, FEATURES)
    fgrad = common.backend("fgrad").mod
    t0 = time.perf_counter()
    reference = fgrad.value_and_grad(loss)(w, x, y)
    impls = {("fgrad", "single process"): None,
             ("fgrad", "Dask, 1 worker"): 1,
             ("fgrad", "Dask, 2 workers"): 2}

    def value(lib, variant, n_workers):
        if n_workers is None:
            return common.measure(lambda: fgrad.value_and_grad(loss)(w, x, y))
        return _sharded_row(n_workers, w, reference)

    rows = common.collect(impls, value)
    one = next((r["value"] for r in rows if r["variant"] == "Dask, 1 worker"), None)

    def speedup(r, _):
        return f"{one / r['value']:.2f}x" if one and "payload" in r else ""

    def payload(r, _):
        p = r.get("payload")
        return f"{p['params out']} + {p['results back']}" if p else ""

    def scheduler(r, _):
        return f"{r['tasks']:.0f}" if "tasks" in r else ""

    def messages(r, _):
        return f"{r['messages']:.0f} + {r['served']:.0f}" if "messages" in r else ""

    def error(r, _):
        return f"{r['rel_error']:.1e}" if "rel_error" in r else ""

    common.report("distributed", "one full-batch value_and_grad (ratio: single process / row)",
                  rows, extras=[("vs 1 worker", speedup), ("params+grads B", payload),
                                ("sched. transitions", scheduler),
                                ("Dask msgs+data B", messages), ("rel. error", error)])
    blas = sorted({b for r in rows for b in r.get("blas", [])})
    profiler = sorted({b for r in rows for b in r.get("profiler", [])})
    print(f"\n    BLAS threads in the workers: {blas}; workers' profiler on: {profiler}; "
          f"data made on the workers, "
          f"{x.nbytes / 2 ** 20:.0f} MiB of x in all; setup and runs took "
          f"{time.perf_counter() - t0:.0f} s")
    print("    params+grads B: pickled call arguments sent (one actor call per worker: kind, "
          "parameters) + pickled per-worker results received, per call;\n    sched. "
          "transitions: the scheduler's task transitions per call; Dask msgs+data B: every "
          "message on Dask's batched streams (client, scheduler, workers; heartbeats) + bytes "
          "the workers served by get_data, per call, from Dask's counters")
