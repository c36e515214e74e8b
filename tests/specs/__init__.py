"""Spec rows for tests/test_namespace.py: one row per function of fgrad.numpy.

Each family has its own module here (``elementwise.py``, ``reductions.py``, ...)
holding a list ``SPECS``. test_namespace.py reads every module of this package,
and checks each row at each of its shapes: both modes to second order against
finite differences, vmap against a loop, traced values against NumPy's, float32,
and the inner-product identity <v, J u> = <J^T v, u> (hypothesis). A meta-test
fails when a primitive of fgrad.numpy is bound by no row.
"""
from dataclasses import dataclass
from typing import Callable

UNARY = (((),), ((3,),), ((2, 3),))
BINARY = (((), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)),
          ((), (2, 3)))


@dataclass(frozen=True)
class Spec:
    """A function under test and the inputs to test it at.

    ``fun`` takes arrays (static parameters bound in it) and returns an array or a
    pytree of arrays. ``domains`` gives one (rng, shape) -> array per argument,
    chosen away from poles, kinks, ties and branch cuts; ``shapes`` the argument
    shapes of each case (a tuple of shapes per case).
    """
    name: str
    fun: Callable
    domains: tuple
    shapes: tuple = UNARY
    order: int = 2              # derivatives checked to this order (0: none, a constant)
    modes: tuple = ("fwd", "rev")
    vmap: bool = True           # vmap against a Python loop
    float32: bool = True        # float32 in, float32 derivatives out, close to float64
    exact: bool = True          # the traced value equals NumPy's, to the bit and dtype
    rtol: float = 1e-5
    atol: float = 1e-6
