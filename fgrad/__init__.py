"""fgrad: automatic differentiation of NumPy code, as composable function transforms."""
from . import tree
from . import tree as tree_util
from . import testing
from .transforms import grad, jvp, stop_gradient, value_and_grad, vjp, vmap

__version__ = "0.1.0"
__all__ = ["grad", "jvp", "stop_gradient", "tree", "tree_util", "value_and_grad", "vjp", "vmap"]
