"""Set operations on arrays: membership, unions, intersections, unique values.

None has a derivative: each is NumPy's own call on traced values, whose result carries
no derivative. isin keeps its input's shape, so it batches under vmap (a test set per
example is sorted and searched row by row); the others give results whose length
depends on the values, which the examples of a batch need not share: under vmap they
raise an error that says so (as unique does).
"""
import numpy as np

from ..rules import defrules, nondifferentiable
from ..tracer import primitive
from . import batch
from .indexing import take_along_axis
from .order import searchsorted_rows, sort

__all__ = ["intersect1d", "isin", "setdiff1d", "setxor1d", "union1d"]

isin = primitive(np.isin, data="element test_elements",
                 params={"assume_unique": False, "invert": False, "kind": None})


def _isin_batch(args, dims, size, assume_unique, invert, kind):
    """A shared test set: NumPy's call on the whole batch. One per example: each row
    sorted, and each element looked up in its own row."""
    (element, test), (de, dt) = args, dims
    if dt is None:
        return isin(element, test, assume_unique=assume_unique, invert=invert, kind=kind), de
    element = batch.to_front(element, de, size)
    shape = element.shape
    rows = sort(batch.to_front(test, dt, size).reshape(size, -1), axis=1)
    flat = element.reshape(size, -1)
    m = rows.shape[1]
    if m == 0:
        found = np.zeros(flat.shape, bool)
    else:
        at = searchsorted_rows(rows, flat, "left")
        found = (take_along_axis(rows, at.clip(0, m - 1), axis=1) == flat) & (at < m)
    return (found != invert).reshape(shape), 0


def _data_dependent(name):
    def rule(args, dims, size, **params):
        raise ValueError(f"vmap: fgrad.numpy.{name} cannot be batched: its output's length "
                         "depends on the values, so the examples do not stack. Call it "
                         "outside vmap, or use isin (same shape as its input)")
    return rule


intersect1d = primitive(np.intersect1d, data="ar1 ar2",
                        params={"assume_unique": False, "return_indices": False})
union1d = primitive(np.union1d, data="ar1 ar2")
setdiff1d = primitive(np.setdiff1d, data="ar1 ar2", params={"assume_unique": False})
setxor1d = primitive(np.setxor1d, data="ar1 ar2", params={"assume_unique": False})
_SIZED_BY_VALUES = [intersect1d, union1d, setdiff1d, setxor1d]

for _name in ("unique_values", "unique_counts", "unique_inverse", "unique_all"):
    if hasattr(np, _name):  # NumPy 2's array-API names
        globals()[_name] = primitive(getattr(np, _name), data="x",
                                     multiple_results=_name != "unique_values")
        _SIZED_BY_VALUES.append(globals()[_name])
        __all__.append(_name)

nondifferentiable(isin)
defrules(isin, batch=_isin_batch)
for _f in _SIZED_BY_VALUES:
    nondifferentiable(_f)
    defrules(_f, batch=_data_dependent(_f.__name__))
