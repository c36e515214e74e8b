"""checkpoint: trade compute for memory in reverse mode.

``checkpoint(fun)`` runs ``fun`` in the forward pass without recording its
intermediates, keeping only its inputs; the backward pass runs ``fun`` again
under ``vjp`` and pulls the cotangent through that fresh graph. A network split
into k checkpointed segments keeps about 1/k of the activations alive at once,
for one more forward pass of compute.
"""
from .custom import custom_vjp
from .transforms import vjp


def checkpoint(fun):
    """``fun``, whose intermediates are recomputed in the backward pass instead of
    stored. Use it as a function or as a decorator."""
    remat = custom_vjp(fun)

    def fwd(*args):
        return fun(*args), args

    def bwd(args, g):
        return vjp(fun, *args)[1](g)

    remat.defvjp(fwd, bwd)
    return remat
