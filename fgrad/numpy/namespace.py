"""The namespace: the union of the families' exports (each family's ``__all__``).

``FUNCTIONS`` maps each public name of fgrad.numpy to its function, and
``QUALIFIED`` adds the submodules' names (``fft.rfft``). ``FOR_NUMPY`` maps
NumPy's function of the same name to fgrad's: that is how a traced value handed
to NumPy itself (``np.sin(x)``, ``np.sum(x)``, ``np.fft.fft(x)``) finds the rules.
"""
import numpy as np

from . import (broadcast, creation, diagonals, elementwise, fft, indexing, linalg, order,
               polynomial, products, reductions, sets, shape, signal, statistics)

FAMILIES = (broadcast, elementwise, shape, indexing, reductions, order, diagonals, products,
            statistics, signal, polynomial, sets, creation)  # each may import those before it
SUBMODULES = {"fft": fft, "linalg": linalg}  # fgrad.numpy.<name>, as numpy.<name>
FUNCTIONS = {name: getattr(family, name) for family in FAMILIES for name in family.__all__}
QUALIFIED = {**FUNCTIONS, **{f"{sub}.{name}": getattr(module, name)
                             for sub, module in SUBMODULES.items() for name in module.__all__}}


def _numpy_object(qualified):
    obj = np
    for part in qualified.split("."):
        obj = getattr(obj, part, None)
    return obj


FOR_NUMPY = {}
for _name, _fn in QUALIFIED.items():
    _np_fn = _numpy_object(_name)
    if callable(_np_fn) and _np_fn is not _fn and not isinstance(_np_fn, type):
        FOR_NUMPY.setdefault(_np_fn, _fn)
