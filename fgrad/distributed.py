"""fgrad.distributed: data-parallel gradients on Dask, the data staying on the workers.

The gradient of a sum over data is the sum of the shards' gradients. A
``ShardedObjective`` puts one holder on each Dask worker, a Dask *actor* that keeps that
worker's data shards in memory (sent once from the client, or made on the worker by
loaders) together with the loss. Per call only the parameters go out, to every holder
at once, each evaluates ``loss(params, *shard)`` and its gradient on its shards, adds
them up and sends back one result, and the client adds the holders' results in a fixed
order. Actor calls go from the client to the workers (directly, or relayed by the
scheduler unless the client has ``direct_to_workers=True``), with no tasks for the
scheduler to plan: about 2 ms a round trip, against about 17 ms for tasks. It runs from
a ``LocalCluster`` on a laptop to a cluster reached by address
(``Client("tcp://host:8786")``).

A lost worker is survived: Dask does not recompute actors, so the holder of a worker
that dies is made again on a live one (a worker that holds nothing, e.g. the nanny's
replacement, if one comes within a few seconds), with its shards sent again from the
arrays the objective keeps or loaded again by their loaders, and only its part of the
call is evaluated again: the result is the same.

This module imports Dask; nothing else in fgrad imports it. Needs ``pip install
"fgrad[distributed]"``.
"""
import os
import pickle
import time
from concurrent.futures import CancelledError

import numpy as np

try:
    import dask
    from distributed import Client, LocalCluster, wait
    from distributed.actor import Actor
except ImportError as e:  # the optional extra
    raise ImportError("fgrad.distributed runs on Dask's distributed scheduler, which is "
                      "not installed: pip install \"fgrad[distributed]\" (or pip install "
                      "\"dask[distributed]\")") from e

from .jacobians import hvp
from .transforms import Box, value_and_grad
from .tree import tree_leaves, tree_map

__all__ = ["ShardedObjective", "local_cluster"]

# What an actor call raises when its worker is gone: OSError("Unable to contact Actor's
# worker") from the call in flight, RuntimeError("Worker holding Actor was lost") from
# a call on the holder afterwards. The loss's and loaders' own errors never come this
# way: the holder returns them (see _ShardHolder).
_LOST = (OSError, RuntimeError)
_ATTEMPTS = 4  # per call: the first and three after lost workers
_WAIT_FOR_A_FREE_WORKER = 5.0  # seconds a lost holder waits for a worker holding nothing
_WAIT_FOR_ANY_WORKER = 60.0


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
        error.add_note(f"raised by the loss or loader of shard {index}")
    return error


class _ShardHolder:
    """A Dask actor on one worker: its shards, in memory, and the loss. Its methods
    return ``(error, result)``, the loss's or loader's error (named by its shard) as a
    value, so that the client tells it from a lost worker."""

    def load(self, loss, indices, items, loaders, by_rows):
        """Keep shards ``indices``: ``items`` themselves, or made by calling them
        (``loaders``). ``by_rows``: weight each shard's result by its rows. Returns
        ``(error, rows per shard)``."""
        self.loss, self.indices, self.by_rows = loss, indices, by_rows
        self.shards, self.rows = [], []
        for index, item in zip(indices, items, strict=True):
            try:
                shard = item() if loaders else item
                self.rows.append(_rows(shard, index, by_rows))
            except Exception as e:
                return _name_shard(e, index), None
            self.shards.append(shard)
        return None, self.rows

    def evaluate(self, kind, params, tangent):
        """``(error, total)``: the sum over the shards (times their rows if
        ``by_rows``) of the loss (``kind`` "value"), of ``(loss, grad)``
        ("value_and_grad") or of ``(grad, H @ tangent)`` ("hvp")."""
        loss, total = self.loss, None
        for index, rows, shard in zip(self.indices, self.rows, self.shards, strict=True):
            args = shard if type(shard) is tuple else (shard,)
            try:
                if kind == "value":
                    out = loss(params, *args)
                elif kind == "value_and_grad":
                    out = value_and_grad(loss)(params, *args)
                else:
                    out = hvp(lambda p: loss(p, *args), (params,), (tangent,))
            except Exception as e:
                return _name_shard(e, index), None
            if self.by_rows:
                out = tree_map(lambda x: x * rows, out)
            total = out if total is None else tree_map(np.add, total, out)
        return None, total


class _Holder:
    """The client's side of one ``_ShardHolder``: its worker, shards and actor."""

    def __init__(self, worker, indices):
        self.worker, self.indices = worker, sorted(indices)
        self.future = self.actor = None


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
    ``loss``'s arguments. They are sent once to the workers, balanced by rows, each
    worker keeping its shards in an actor. Per call only ``params`` go out, and each
    worker sends back one result, summed over its shards. ``client``: a
    ``distributed.Client`` or a scheduler address; None starts a
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
        shards = list(shards)
        if not shards:
            raise ValueError("ShardedObjective: no shards were given")
        sizes = [_rows(s, i, reduce == "mean") for i, s in enumerate(shards)]
        self._setup(loss, reduce, client, n_workers, shards, None)
        workers = self._workers()
        rows, home = dict.fromkeys(workers, 0), {w: [] for w in workers}
        for i in sorted(range(len(shards)), key=lambda i: -sizes[i]):  # balance the rows
            w = min(workers, key=rows.__getitem__)
            rows[w] += sizes[i]
            home[w].append(i)
        self._place(home)

    @classmethod
    def from_loaders(cls, loss, loaders, reduce="sum", client=None, n_workers=None):
        """Shards made on the workers: ``loaders[i]()`` runs on a worker and returns shard
        i (e.g. reads a file there), so the data never passes through the client. A lost
        worker's shards are loaded again on another.

        >>> loaders = [functools.partial(np.load, f"part-{i}.npy") for i in range(8)]
        >>> objective = ShardedObjective.from_loaders(loss, loaders,       # doctest: +SKIP
        ...                                           client="tcp://host:8786")
        """
        loaders = list(loaders)
        if not loaders:
            raise ValueError("ShardedObjective.from_loaders: no loaders were given")
        self = cls.__new__(cls)
        self._setup(loss, reduce, client, n_workers, None, loaders)
        workers = self._workers()
        self._place({w: list(range(len(loaders)))[k::len(workers)]
                     for k, w in enumerate(workers)})
        return self

    # -- setting up and closing ----------------------------------------------------

    def _setup(self, loss, reduce, client, n_workers, data, loaders):
        if reduce not in ("sum", "mean"):
            raise ValueError(f"ShardedObjective: reduce must be 'sum' or 'mean', not {reduce!r}")
        self.loss, self.reduce, self.last_bytes = loss, reduce, None
        self._data, self._loaders = data, loaders  # kept, to make a lost worker's shards again
        self._sizes = [None] * len(data or loaders)
        self._holders, self._closed = [], False
        self._cluster, self._owns_client = None, False
        if client is None:
            self._cluster = local_cluster(n_workers)
            client = Client(self._cluster, set_as_default=False, direct_to_workers=True)
            self._owns_client = True
        elif isinstance(client, str):
            client = Client(client, set_as_default=False)
            self._owns_client = True
        self._client = client

    def _place(self, home):
        """One holder per worker of ``home`` (``{worker: shard indices}``), loaded."""
        self._holders = sorted((_Holder(w, ix) for w, ix in home.items() if ix),
                               key=lambda h: h.indices[0])
        try:
            self._build(range(len(self._holders)))
        except BaseException:
            self.close()
            raise

    def _workers(self):
        self._client.wait_for_workers(1)
        return sorted(self._client.ncores())

    @property
    def client(self):
        """The ``distributed.Client`` the objective runs on."""
        return self._client

    @property
    def sizes(self):
        """Rows per shard: the length of axis 0 of its first array."""
        return list(self._sizes)

    def close(self):
        """Release the holders and their shards on the workers; close the client and
        cluster if this objective started them."""
        if self._closed:
            return
        self._closed = True
        futures = [h.future for h in self._holders if h.future is not None]
        self._holders = []
        if futures and self._client.status == "running":
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

    # -- the holders ---------------------------------------------------------------

    def placement(self):
        """``{worker address: [shard indices]}``, as the shards are placed now (a lost
        worker's shards are placed again first)."""
        self._check_open()
        self._build([k for k, h in enumerate(self._holders) if h.future.status != "finished"])
        placed = {}
        for h in self._holders:
            placed.setdefault(h.worker, []).extend(h.indices)
        return {w: sorted(ix) for w, ix in placed.items()}

    def _build(self, positions):
        """Make the holders at ``positions`` and give them their shards, all at once: a
        new holder on its worker or, for one that was lost, on another (see
        ``_free_worker``). One lost meanwhile is made again elsewhere."""
        positions, lost_workers = list(positions), set()
        for _ in range(_ATTEMPTS):
            if not positions:
                return
            for k in positions:
                holder = self._holders[k]
                if holder.future is not None:  # lost: Dask does not make actors again
                    self._client.cancel([holder.future])
                    lost_workers.add(holder.worker)
                    holder.worker = self._free_worker(holder, lost_workers)
                holder.future = self._client.submit(_ShardHolder, workers=[holder.worker],
                                                    allow_other_workers=True, actor=True,
                                                    pure=False)
            futures = [self._holders[k].future for k in positions]
            with self._client.as_current():  # for wait, and for the actors' calls
                try:
                    wait(futures)
                except CancelledError:  # its worker was lost: seen below
                    pass
                who_has = self._client.who_has(futures)
                calls, lost = [], []
                for k in positions:
                    holder = self._holders[k]
                    try:
                        holder.worker = who_has.get(holder.future.key, [])[0]
                        holder.actor = Actor(_ShardHolder, holder.worker, holder.future.key)
                        items = [(self._loaders or self._data)[i] for i in holder.indices]
                        calls.append((k, holder.actor.load(
                            self.loss, holder.indices, items, self._loaders is not None,
                            self.reduce == "mean")))
                    except (IndexError, *_LOST):  # not made, or its worker is gone
                        lost.append(k)
            for k, call in calls:
                try:
                    error, rows = call.result()
                except _LOST:
                    lost.append(k)
                    continue
                if error is not None:
                    raise error
                for i, n in zip(self._holders[k].indices, rows, strict=True):
                    self._sizes[i] = n
            positions = sorted(lost)
        if positions:
            raise RuntimeError(f"ShardedObjective: workers were lost {_ATTEMPTS} times while "
                               "placing shards; giving up")

    def _free_worker(self, holder, avoid):
        """A live worker, not one of ``avoid``, for a lost ``holder``: one that holds
        nothing (e.g. the nanny's replacement of the lost worker), waited for up to
        ``_WAIT_FOR_A_FREE_WORKER`` seconds; else the one holding the fewest shards."""
        start = time.monotonic()
        while True:
            held = dict.fromkeys(w for w in sorted(self._client.ncores()) if w not in avoid)
            for w in held:
                held[w] = sum(len(h.indices) for h in self._holders
                              if h is not holder and h.worker == w)
            waited = time.monotonic() - start
            if held and (0 in held.values() or waited > _WAIT_FOR_A_FREE_WORKER):
                return min(held, key=held.__getitem__)
            if waited > _WAIT_FOR_ANY_WORKER:
                raise RuntimeError(f"ShardedObjective: no live worker for shards "
                                   f"{holder.indices} after {_WAIT_FOR_ANY_WORKER:.0f} s")
            time.sleep(0.05)

    # -- evaluating ----------------------------------------------------------------

    def _check_open(self):
        if self._closed:
            raise RuntimeError("ShardedObjective: the objective is closed")

    def _run(self, kind, params, tangent=None):
        """``evaluate`` on every holder at once; the results added in holder order (and
        divided by the rows for ``reduce="mean"``). The part of a holder lost on the way
        is evaluated again once the holder is made again."""
        self._check_open()
        if any(isinstance(x, Box) for x in tree_leaves((params, tangent))):
            raise TypeError("ShardedObjective: the parameters are being traced (by fgrad.grad "
                            "or another transform); use objective.grad, .value_and_grad "
                            "or .hvp instead of transforming the objective")
        message = len(pickle.dumps((kind, params, tangent), protocol=5))  # also: picklable?
        parts, todo, sent = {}, list(range(len(self._holders))), 0
        for _ in range(_ATTEMPTS):
            calls, lost = [], []
            for k in todo:
                try:
                    calls.append((k, self._holders[k].actor.evaluate(kind, params, tangent)))
                except _LOST:
                    lost.append(k)
            sent += message * len(calls)
            for k, call in calls:
                try:
                    parts[k] = call.result()
                except _LOST:
                    lost.append(k)
            errors = [error for k, (error, _) in sorted(parts.items()) if error is not None]
            if errors:
                raise errors[0]
            if not lost:
                break
            todo = sorted(lost)
            self._build(todo)
        else:
            raise RuntimeError(f"ShardedObjective: workers were lost {_ATTEMPTS} times in one "
                               "evaluation; giving up")
        results = [parts[k][1] for k in range(len(self._holders))]
        self.last_bytes = {"params out": sent,
                           "results back": sum(len(pickle.dumps(r, protocol=5))
                                               for r in results)}
        total = results[0]
        for r in results[1:]:
            total = tree_map(np.add, total, r)
        if self.reduce == "mean":
            rows = sum(self._sizes)
            total = tree_map(lambda x: x / rows, total)
        return total

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
