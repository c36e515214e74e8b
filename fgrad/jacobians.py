"""Transforms derived from the cores: Jacobians, Hessians, linearize, elementwise_grad.

``jacfwd`` pushes the whole standard basis of the input through one batched JVP
(``vmap`` of ``jvp``); ``jacrev`` records the function once and pulls the standard
basis of the output through one batched VJP. ``hessian`` is ``jacfwd(jacrev(f))``.
A Jacobian block has shape ``out.shape + in.shape``; for pytrees the blocks nest as
in JAX: the output's structure outside, the input's inside.
"""
import math

import numpy as np

from . import numpy as fnp
from .batching import vmap_flat
from .forward import jvp_flat
from .reverse import vjp_flat
from .transforms import (argnums_tuple, arranger, dtype_of, flatten_fun, grad, jvp, split_aux,
                         transformed, vjp, zeros_like)
from .tree import tree_flatten, tree_map, tree_unflatten


def _spans(leaves):
    """(start, stop) of each leaf's elements when all of ``leaves`` are laid end to end."""
    ends = np.cumsum([math.prod(np.shape(x)) for x in leaves], dtype=int)
    return list(zip(np.concatenate([[0], ends[:-1]]).astype(int), ends))


def _standard_basis(leaves):
    """The identity over all elements of ``leaves``, one row per element, split per leaf."""
    spans = _spans(leaves)
    eye = np.eye(spans[-1][1] if spans else 0)
    return [eye[:, a:b].reshape((len(eye),) + np.shape(x)).astype(dtype_of(x))
            for (a, b), x in zip(spans, leaves)]


def _map_basis(fun, basis, out_dims_of):
    """``fun`` over the rows of ``basis``: one batched call, or a plain one for a
    single row (a scalar output, say), which needs no batching."""
    if len(basis[0]) != 1:
        return vmap_flat(fun, basis, [0] * len(basis), out_dims_of)
    outs = fun(*[b[0] for b in basis])
    return [o if d is None else fnp.expand_dims(o, d)
            for o, d in zip(outs, out_dims_of(len(outs)))]


def _assemble(blocks, out_tree, in_tree, arrange):
    """Nest blocks[o][i] as the output structure of input structures."""
    def inner(row):
        tree = tree_unflatten(in_tree, row)
        return arrange(tree)
    return tree_unflatten(out_tree, [inner(row) for row in blocks])


def _check_complex(who, holomorphic, inputs, outputs=()):
    """The complex convention of every Jacobian (as JAX's): a function of complex inputs,
    or (in reverse mode) with complex outputs, has a complex Jacobian only if it is
    holomorphic, which the caller says with holomorphic=True; then it is f'(z)."""
    complex_in = any(dtype_of(x).kind == "c" for x in inputs)
    complex_out = any(dtype_of(x).kind == "c" for x in outputs)
    if holomorphic:
        if not complex_in or (outputs and not complex_out):
            raise TypeError(f"{who}: holomorphic=True needs complex inputs and outputs")
    elif complex_in or complex_out:
        raise TypeError(f"{who}: the function has complex {'inputs' if complex_in else 'outputs'}"
                        ", and its derivative is a complex matrix only if it is holomorphic: "
                        "pass holomorphic=True for f'(z), or differentiate real and imaginary "
                        "parts separately")


def _jacfwd(fun, argnums, has_aux, holomorphic, *args):
    primals, flat_fun, in_tree, store, arrange = flatten_fun(fun, args, argnums, has_aux,
                                                             "jacfwd")
    _check_complex("jacfwd", holomorphic, primals)

    def pushforward(*tangents):
        outs, out_tangents = jvp_flat(flat_fun, primals, list(tangents))
        n = store["tree"].num_leaves
        return [zeros_like(o) if t is None else t
                for t, o in zip(out_tangents[:n], outs)] + outs

    def out_dims(count):  # tangents batched, primal outputs (and aux) not
        n = store["tree"].num_leaves
        return [0] * n + [None] * (count - n)

    basis = _standard_basis(primals)
    results = _map_basis(pushforward, basis, out_dims)
    n = store["tree"].num_leaves
    tangents, outs = results[:n], results[n:]
    # tangents[o] has shape (N,) + out_o.shape: move N last and cut it per input leaf
    blocks = [[fnp.reshape(fnp.moveaxis(t, 0, -1)[..., a:b], np.shape(o) + np.shape(p))
               for (a, b), p in zip(_spans(primals), primals)] for t, o in zip(tangents, outs)]
    jac = _assemble(blocks, store["tree"], in_tree, arrange)
    return (jac, split_aux(outs, store)[1]) if has_aux else jac


def _jacrev(fun, argnums, has_aux, holomorphic, *args):
    primals, flat_fun, in_tree, store, arrange = flatten_fun(fun, args, argnums, has_aux,
                                                             "jacrev")
    _check_complex("jacrev", holomorphic, primals)
    outs, vjp_fn = vjp_flat(flat_fun, primals)
    n = store["tree"].num_leaves
    _check_complex("jacrev", holomorphic, primals, outs[:n])
    n_aux = len(outs) - n

    def pullback(*cotangents):
        cts = vjp_fn(list(cotangents) + [None] * n_aux)
        return [zeros_like(p) if c is None else c for c, p in zip(cts, primals)]

    basis = _standard_basis(outs[:n])
    cts = _map_basis(pullback, basis, lambda k: [0] * k)
    # cts[i] has shape (M,) + in_i.shape: cut M per output leaf
    blocks = [[fnp.reshape(c[a:b], np.shape(o) + np.shape(p)) for c, p in zip(cts, primals)]
              for (a, b), o in zip(_spans(outs[:n]), outs)]
    jac = _assemble(blocks, store["tree"], in_tree, arrange)
    return (jac, split_aux(outs, store)[1]) if has_aux else jac


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of ``fun`` by forward mode: one batched JVP over the input basis.
    Complex inputs need ``holomorphic=True`` (then it is f'(z)), as in JAX.

    >>> import numpy as np, fgrad.numpy as fnp
    >>> jacfwd(lambda x: x[0] * x)(np.array([2.0, 3.0]))
    array([[4., 0.],
           [3., 2.]])
    """
    return transformed(_jacfwd, fun, argnums, has_aux, holomorphic)


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of ``fun`` by reverse mode: one batched VJP over the output basis.
    Complex inputs or outputs need ``holomorphic=True`` (then it is f'(z)), as in JAX.

    >>> import numpy as np
    >>> jacrev(lambda x: x[0] * x)(np.array([2.0, 3.0]))
    array([[4., 0.],
           [3., 2.]])
    """
    return transformed(_jacrev, fun, argnums, has_aux, holomorphic)


def _size(tree):
    return sum(math.prod(np.shape(x)) for x in tree_flatten(tree)[0])


def _jacobian(fun, argnums, mode, holomorphic, *args):
    if mode not in ("auto", "fwd", "rev"):
        raise ValueError(f"jacobian: mode must be 'auto', 'fwd' or 'rev', not {mode!r}")
    inputs = [args[i] for i in argnums_tuple(argnums, len(args), "jacobian")]
    outputs = tree_flatten(fun(*args))[0] if mode == "auto" else ()
    _check_complex("jacobian", holomorphic, tree_flatten(inputs)[0], outputs)
    if mode == "auto":
        mode = "fwd" if _size(inputs) < _size(outputs) else "rev"
    return (_jacfwd if mode == "fwd" else _jacrev)(fun, argnums, False, holomorphic, *args)


def jacobian(fun, argnums=0, mode="auto", holomorphic=False):
    """The Jacobian of ``fun``; "auto" uses forward mode when the input has fewer
    elements than the output, reverse mode otherwise (it evaluates ``fun`` once to see).
    Complex inputs or outputs need ``holomorphic=True``, whatever the mode.

    >>> import numpy as np, fgrad.numpy as fnp
    >>> jacobian(fnp.sin)(np.zeros(2))
    array([[1., 0.],
           [0., 1.]])
    """
    return transformed(_jacobian, fun, argnums, mode, holomorphic)


def hessian(fun, argnums=0, holomorphic=False):
    """The Hessian of scalar ``fun``, forward over reverse: shape ``in.shape + in.shape``.

    >>> import numpy as np
    >>> hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 2.0]))
    array([[4., 2.],
           [2., 0.]])
    """
    return jacfwd(jacrev(fun, argnums, holomorphic=holomorphic), argnums,
                  holomorphic=holomorphic)


def hvp(fun, primals, tangents):
    """``(grad, H @ tangents)`` of scalar ``fun`` at ``primals``, never forming H.

    >>> import numpy as np
    >>> g, hv = hvp(lambda x: (x ** 3).sum(), (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    >>> g, hv
    (array([ 3., 12.]), array([6., 0.]))
    """
    argnums = 0 if len(primals) == 1 else tuple(range(len(primals)))
    return jvp(grad(fun, argnums), tuple(primals), tuple(tangents))


def linearize(fun, *primals):
    """``(out, jvp_fn)``: ``jvp_fn(*tangents)`` evaluates J @ tangents from the recorded
    graph, without running ``fun`` again. J is the transpose of the (linear) VJP,
    so it is read off a VJP of the VJP.

    >>> import fgrad.numpy as fnp
    >>> out, f_jvp = linearize(fnp.exp, 0.0)
    >>> float(f_jvp(2.0))
    2.0
    """
    out, vjp_fn = vjp(fun, *primals)
    _, transpose = vjp(vjp_fn, tree_map(zeros_like, out))

    def jvp_fn(*tangents):
        return transpose(tuple(tangents))[0]
    return out, jvp_fn


def _elementwise_grad(fun, argnums, *args):
    all_nums = argnums_tuple(argnums, len(args), "elementwise_grad")
    nums = tuple(dict.fromkeys(all_nums))

    def of_selected(*selected):
        call_args = list(args)
        for i, a in zip(nums, selected):
            call_args[i] = a
        return fun(*call_args)

    out, vjp_fn = vjp(of_selected, *[args[i] for i in nums])
    cts = vjp_fn(tree_map(lambda o: np.ones(np.shape(o), dtype_of(o)), out))
    return arranger(argnums, all_nums)(cts)


def elementwise_grad(fun, argnums=0):
    """The gradient of the sum of ``fun``'s outputs; for elementwise ``fun``, the
    derivative at each point (autograd's ``elementwise_grad``).

    >>> import numpy as np, fgrad.numpy as fnp
    >>> elementwise_grad(fnp.tanh)(np.array([0.0, 1.0])).round(6)
    array([1.      , 0.419974])
    """
    return transformed(_elementwise_grad, fun, argnums)
