"""fgrad: automatic differentiation of NumPy code, as composable function transforms."""
from . import tree
from . import tree as tree_util
from . import extend, nn, optim, testing
from .checkpoint import checkpoint
from .custom import custom_jvp, custom_vjp
from .graph import Graph, make_graph
from .jacobians import (elementwise_grad, hessian, hvp, jacfwd, jacobian, jacrev,
                        linearize)
from .transforms import grad, jvp, stop_gradient, value_and_grad, vjp, vmap

__version__ = "0.1.0"
__all__ = ["Graph", "checkpoint", "custom_jvp", "custom_vjp", "elementwise_grad", "extend",
           "grad", "hessian", "hvp", "jacfwd", "jacobian", "jacrev", "jvp", "linearize",
           "make_graph", "nn", "optim", "stop_gradient", "testing", "tree", "tree_util",
           "value_and_grad", "vjp", "vmap"]
