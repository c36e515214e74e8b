"""fgrad.distributed: data-parallel gradients on Dask, the data staying on the workers.

The gradient of a sum over data is the sum of the shards' gradients. A
``ShardedObjective`` puts each data shard on a Dask worker once (``client.scatter``, or
a loader run on the worker), and then, per call, sends out only the parameters: each
worker evaluates ``loss(params, *shard)`` and its gradient on the shards it holds, adds
them up, and sends back one result. The client adds the workers' results in a fixed
order. Dask's distributed scheduler does the rest, from a ``LocalCluster`` on a laptop
to a cluster reached by address (``Client("tcp://host:8786")``).

A lost worker is survived: a loaded shard is recomputed by Dask (it re-runs the
loader); a scattered shard, which Dask cannot recompute, is scattered again from the
arrays the objective was given, and only the failed worker's part is evaluated again.

This module imports Dask; nothing else in fgrad imports it. Needs ``pip install
"fgrad[distributed]"``.
"""
import os
import pickle
from concurrent.futures import CancelledError

import numpy as np

try:
    import dask
    from distributed import Client, LocalCluster, wait
except ImportError as e:  # the optional extra
    raise ImportError("fgrad.distributed runs on Dask's distributed scheduler, which is "
                      "not installed: pip install \"fgrad[distributed]\" (or pip install "
                      "\"dask[distributed]\")") from e

from .jacobians import hvp
from .transforms import Box, value_and_grad
from .tree import tree_leaves, tree_map

__all__ = ["ShardedObjective", "local_cluster"]

_SCATTER_PARAMS_ABOVE = 1 << 20  # bytes: larger params are scattered to the workers once per call
_LOST = ("cancelled", "lost")



class _Held:
    """A user's function as Dask data (a bare callable argument could read as a task)."""

    def __init__(self, fun):
        self.fun = fun


def _rows(shard, index, strict):
    """The number of rows of a shard: the length of its first leaf's axis 0 (if it has
    none: an error if ``strict``, else 1)."""
    leaves = tree_leaves(shard)
    if leaves and np.ndim(leaves[0]) > 0:
        return np.shape(leaves[0])[0]
    if strict:
        raise ValueError(f"shard {index}: reduce='mean' weights each shard by its rows, the "
                         "length of axis 0 of its first array, but it has none")
    return 1


def _name_shard(error, index):
    """``error`` with "shard <index>: " in front of its message (its type kept)."""
    args = error.args
    if args and isinstance(args[0], str):
        error.args = (f"shard {index}: {args[0]}",) + args[1:]
    else:
        error.args = (f"shard {index}",) + args
    if hasattr(error, "add_note"):  # Python 3.11+: shown even where __str__ ignores args
        error.add_note(f"raised by the loss on shard {index}")
    return error


def _load(held, index):
    """Run on a worker: shard ``index`` from its loader."""
    try:
        return held.fun()
    except Exception as e:
        raise _name_shard(e, index)


def _evaluate(kind, held, params, tangent, indices, weights, *shards):
    """Run on a worker: the weighted sum over its ``shards`` of the loss (``kind`` "value"),
    of ``(loss, grad)`` ("value_and_grad") or of ``(grad, H @ tangent)`` ("hvp")."""
    loss, total = held.fun, None
    for index, weight, shard in zip(indices, weights, shards, strict=True):
        args = shard if type(shard) is tuple else (shard,)
        try:
            if kind == "value":
                out = loss(params, *args)
            elif kind == "value_and_grad":
                out = value_and_grad(loss)(params, *args)
            else:
                out = hvp(lambda p: loss(p, *args), (params,), (tangent,))
        except Exception as e:
            raise _name_shard(e, index)
        if weight is not None:
            out = tree_map(lambda x: x * weight, out)
        total = out if total is None else tree_map(np.add, total, out)
    return total


def local_cluster(n_workers=None, **kwargs):
    """A ``distributed.LocalCluster`` for array work: ``n_workers`` processes (default:
    one per core) of one thread each, BLAS pinned to one thread, the dashboard on a free
    port. Two of Dask's defaults are dropped, each of which cost 10-25% of a numerical
    task's time here: the workers' statistical profiler (it samples the task thread every
    10 ms), and ``MALLOC_TRIM_THRESHOLD_`` (it fixes glibc's mmap threshold, so that
    every large temporary array is freshly mapped and page-faulted). ``kwargs`` go to
    LocalCluster.

    >>> cluster = local_cluster(2)                                       # doctest: +SKIP
    >>> objective = ShardedObjective(loss, shards, client=distributed.Client(cluster))
    """
    kwargs = {"n_workers": n_workers or os.cpu_count(), "threads_per_worker": 1,
              "processes": True, "dashboard_address": ":0", **kwargs}
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
               if k != "MALLOC_TRIM_THRESHOLD_"}
    with dask.config.set({"distributed.worker.profile.enabled": False,  # sent to the workers
                          "distributed.nanny.pre-spawn-environ": environ}):
        return LocalCluster(**kwargs)


class ShardedObjective:
    """``sum_i loss(params, *shards[i])`` (``reduce="sum"``), or the size-weighted mean
    ``sum_i n_i / N * loss(params, *shards[i])`` (``reduce="mean"``, for a ``loss`` that
    is a mean over its shard's rows; n_i is the length of axis 0 of the shard's first
    array), with the shards held by Dask workers.

    ``shards`` is a list of arrays or pytrees of arrays; a tuple shard is unpacked into
    ``loss``'s arguments. They are scattered to the workers once, balanced by rows. Per
    call only ``params`` go out, and each worker sends back one result, summed over its
    shards. ``client``: a ``distributed.Client`` or a scheduler address; None starts a
    ``local_cluster(n_workers)`` (default: one process per core, one thread each),
    closed by ``close()``.

    >>> import numpy as np, scipy.optimize, fgrad.numpy as fnp
    >>> loss = lambda w, x, y: fnp.mean((x @ w - y) ** 2)
    >>> x, y = np.ones((6, 2)), np.arange(6.0)
    >>> with ShardedObjective(loss, [(x[:4], y[:4]), (x[4:], y[4:])], reduce="mean",
    ...                       n_workers=2) as objective:                 # doctest: +SKIP
    ...     value, g = objective.value_and_grad(np.zeros(2))           # loss(w, x, y), its grad
    ...     res = scipy.optimize.minimize(objective.value_and_grad, np.zeros(2), jac=True)
    """

    def __init__(self, loss, shards, reduce="sum", client=None, n_workers=None):
        self._setup(loss, reduce, client, n_workers)
        shards = list(shards)
        if not shards:
            raise ValueError("ShardedObjective: no shards were given")
        self._data = shards  # kept, so that a lost worker's shards can be sent again
        self._sizes = [_rows(s, i, reduce == "mean") for i, s in enumerate(shards)]
        self._futures = [None] * len(shards)
        workers = self._workers()
        load = dict.fromkeys(workers, 0)
        home = {w: [] for w in workers}
        for i in sorted(range(len(shards)), key=lambda i: -self._sizes[i]):  # balance rows
            w = min(workers, key=load.__getitem__)
            load[w] += self._sizes[i]
            home[w].append(i)
        for w, indices in home.items():
            self._scatter(indices, w)
        self._finish_setup()

    @classmethod
    def from_loaders(cls, loss, loaders, reduce="sum", client=None, n_workers=None):
        """Shards made on the workers: ``loaders[i]()`` runs on a worker and returns shard
        i (e.g. reads a file there), so the data never passes through the client. A lost
        shard is loaded again by Dask, wherever there is room.

        >>> loaders = [functools.partial(np.load, f"part-{i}.npy") for i in range(8)]
        >>> objective = ShardedObjective.from_loaders(loss, loaders,       # doctest: +SKIP
        ...                                           client="tcp://host:8786")
        """
        self = cls.__new__(cls)
        self._setup(loss, reduce, client, n_workers)
        loaders = list(loaders)
        if not loaders:
            raise ValueError("ShardedObjective.from_loaders: no loaders were given")
        self._data = [None] * len(loaders)
        self._loaders = loaders
        workers = self._workers()
        self._futures = [self._client.submit(_load, _Held(f), i, pure=False,
                                             workers=[workers[i % len(workers)]],
                                             allow_other_workers=True)
                         for i, f in enumerate(loaders)]
        self._wait(self._futures)
        for f in self._futures:
            if f.status == "error":
                error = f.exception()  # the loader's error, named
                self.close()
                raise error
        self._sizes = self._client.gather([self._client.submit(_rows, f, i, reduce == "mean",
                                                               pure=False)
                                           for i, f in enumerate(self._futures)])
        self._finish_setup()
        return self

    # -- setting up and closing ----------------------------------------------------

    def _setup(self, loss, reduce, client, n_workers):
        if reduce not in ("sum", "mean"):
            raise ValueError(f"ShardedObjective: reduce must be 'sum' or 'mean', not {reduce!r}")
        self.loss, self.reduce, self.last_bytes = loss, reduce, None
        self._cluster, self._owns_client, self._closed = None, False, False
        self._loaders = None
        if client is None:
            self._cluster = local_cluster(n_workers)
            client = Client(self._cluster, set_as_default=False)
            self._owns_client = True
        elif isinstance(client, str):
            client = Client(client, set_as_default=False)
            self._owns_client = True
        self._client = client
        # the loss as a task, not scattered data: Dask can recompute it on any worker
        self._loss_future = client.submit(_Held, loss, pure=False)

    def _finish_setup(self):
        total = sum(self._sizes)
        self._weights = ([None] * len(self._sizes) if self.reduce == "sum"
                         else [n / total for n in self._sizes])

    def _workers(self):
        self._client.wait_for_workers(1)
        return sorted(self._client.ncores())

    def _wait(self, futures):
        try:
            with self._client.as_current():  # distributed.wait uses the current client
                wait(futures)
        except CancelledError:  # all are done; the callers look at each one's status
            pass

    def _scatter(self, indices, worker):
        futures = self._client.scatter([self._data[i] for i in indices], workers=[worker],
                                       hash=False)
        for i, f in zip(indices, futures, strict=True):
            self._futures[i] = f

    @property
    def client(self):
        """The ``distributed.Client`` the objective runs on."""
        return self._client

    @property
    def sizes(self):
        """Rows per shard: the length of axis 0 of its first array."""
        return list(self._sizes)

    def close(self):
        """Release the shards on the workers; close the client and cluster if this
        objective started them."""
        if self._closed:
            return
        self._closed = True
        futures = [f for f in self._futures + [self._loss_future] if f is not None]
        self._futures, self._loss_future = [], None
        if self._client.status == "running":
            self._client.cancel(futures)
        if self._owns_client:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._closed else f"on {self._client.scheduler.address}"
        return (f"ShardedObjective({getattr(self.loss, '__name__', 'loss')}, "
                f"{len(self._sizes)} shards, reduce={self.reduce!r}, {state})")

    # -- where the shards are ------------------------------------------------------

    def placement(self):
        """``{worker address: [shard indices]}``, as the shards are placed now."""
        return {w: list(indices) for w, indices in self._groups()}

    def _groups(self):
        """``[(worker, indices)]``: the shards grouped by the worker that holds them."""
        self._check_open()
        lost = [i for i, f in enumerate(self._futures) if f.status in _LOST]
        if lost:
            self._restore(lost)
        self._wait(self._futures)
        for f in self._futures:
            if f.status == "error":
                f.result()
        who = self._client.who_has(self._futures)
        groups = {}
        for i, f in enumerate(self._futures):
            groups.setdefault(min(who[f.key]), []).append(i)
        return sorted(groups.items(), key=lambda item: item[1][0])

    def _restore(self, indices):
        """Put lost shards ``indices`` back, all on one live worker (the least loaded):
        scattered ones from the arrays kept, loaded ones by their loader."""
        live = self._workers()
        held = {w: 0 for w in live}
        alive = [f for i, f in enumerate(self._futures) if i not in indices]
        for holders in self._client.who_has(alive).values():
            for w in holders:
                if w in held:
                    held[w] += 1
        worker = min(live, key=held.__getitem__)
        lost = [i for i in indices if self._futures[i].status in _LOST]
        scattered = [i for i in lost if self._loaders is None]
        if scattered:
            self._scatter(scattered, worker)
        for i in lost:
            if self._loaders is not None:
                self._futures[i] = self._client.submit(
                    _load, _Held(self._loaders[i]), i, pure=False, workers=[worker],
                    allow_other_workers=True)
        return worker

    # -- evaluating ----------------------------------------------------------------

    def _check_open(self):
        if self._closed:
            raise RuntimeError("ShardedObjective: the objective is closed")

    def _run(self, kind, params, tangent=None, retries=3):
        """Submit one task per worker, wait, and sum the results in shard order. A task
        cancelled by a lost worker is submitted again after its shards are restored."""
        self._check_open()
        if any(isinstance(x, Box) for x in tree_leaves((params, tangent))):
            raise TypeError("ShardedObjective: the parameters are being traced (by fgrad.grad "
                            "or another transform); use objective.grad, .value_and_grad "
                            "or .hvp instead of transforming the objective")
        payload = len(pickle.dumps((params, tangent), protocol=5))
        if payload > _SCATTER_PARAMS_ABOVE:
            params, tangent = self._client.scatter((params, tangent), broadcast=True, hash=False)
        todo, parts, out = self._groups(), {}, 0
        for _ in range(retries + 1):
            futures = self._submit(kind, params, tangent, todo)
            out += payload * len(futures)
            try:  # the common case, in one round trip
                for (_, indices), r in zip(todo, self._client.gather(futures),
                                           strict=True):
                    parts[indices[0]] = r
                break
            except CancelledError:  # a worker was lost: keep what finished, redo the rest
                self._wait(futures)
            failed = []
            for (worker, indices), f in zip(todo, futures, strict=True):
                if f.status == "error":
                    f.result()  # the loss's own error, named by its shard
                if f.status == "finished":
                    parts[indices[0]] = f.result()
                else:
                    failed.append(indices)
            if not failed:
                break
            todo = [(self._restore(indices), indices) for indices in failed]
        else:
            raise RuntimeError(f"ShardedObjective: workers were lost {retries + 1} times "
                               "in one evaluation; giving up")
        results = [parts[i] for i in sorted(parts)]
        self.last_bytes = {"params out": out,
                           "results back": sum(len(pickle.dumps(r, protocol=5))
                                               for r in results)}
        total = results[0]
        for r in results[1:]:
            total = tree_map(np.add, total, r)
        return total

    def _submit(self, kind, params, tangent, todo):
        """One task per ``(worker, indices)`` of ``todo``, sent to the scheduler in one
        message. The previous call's tasks are released only after it (a message right
        before would hold this one back by the client's 10 ms batching interval)."""
        tasks = []
        for worker, indices in todo:
            with dask.annotate(workers=[worker], allow_other_workers=True):
                tasks.append(dask.delayed(_evaluate, pure=False)(
                    kind, self._loss_future, params, tangent, indices,
                    [self._weights[i] for i in indices], *[self._futures[i] for i in indices]))
        futures = self._client.compute(tasks, optimize_graph=False)
        self._previous = futures
        return futures

    def value(self, params):
        """The objective at ``params``."""
        return self._run("value", params)

    __call__ = value

    def value_and_grad(self, params):
        """``(value, gradient)`` at ``params``, the gradient in ``params``' structure.
        With a flat array ``params`` it is what ``scipy.optimize.minimize(...,
        jac=True)`` wants."""
        return self._run("value_and_grad", params)

    def grad(self, params):
        """The gradient at ``params``, in ``params``' structure."""
        return self._run("value_and_grad", params)[1]

    def hvp(self, params, tangent):
        """``(gradient, H @ tangent)`` at ``params``, as ``fgrad.hvp``; H is never
        formed. ``scipy.optimize.minimize``'s ``hessp`` is ``lambda x, v:
        objective.hvp(x, v)[1]``."""
        return self._run("hvp", params, tangent)
