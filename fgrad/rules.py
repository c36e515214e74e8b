"""The three rule tables, one per transform, and the words that fill them.

Signatures (data positional, static parameters as keywords):

    VJP rule, one per argument:  vjp(g, out, *args, **params) -> cotangent of that argument
    JVP rule, one per argument:  jvp(t, out, *args, **params) -> its part of out's tangent
    batching rule, one per prim: batch(args, dims, **params)  -> (out, out_dim)

A VJP rule returns a cotangent with its argument's shape and dtype, and a JVP rule
a tangent with the output's (``fgrad.numpy.broadcast`` has the helpers that undo
and redo broadcasting); the forward engine sums the arguments' contributions.
``dims`` holds each argument's batch axis, or None for an unbatched argument.

Rules are written with ``fgrad.numpy`` so that they are differentiable themselves.

A VJP entry also says what the backward pass must keep (``save``):
"all" keeps the output and the arguments, "args" the arguments, "out" the output;
"shapes" keeps neither, only shapes and dtypes, which is all a linear map needs.
Keeping less lets intermediates be freed during the forward pass.
"""
from .tracer import Primitive

VJP_RULES = {}    # Primitive -> (tuple of per-argument rules or None, save)
JVP_RULES = {}    # Primitive -> tuple of per-argument rules or None
BATCH_RULES = {}  # Primitive -> batching rule

NONDIFFERENTIABLE = "nondifferentiable"  # table entry: the output is a constant
SAVES = {"all": (True, True), "args": (False, True), "out": (True, False),
         "shapes": (False, False)}  # save -> (keep the output, keep the arguments)


def as_primitive(f):
    """The Primitive behind a wrapped function (or ``f`` itself)."""
    prim = getattr(f, "prim", f)
    if not isinstance(prim, Primitive):
        raise TypeError(f"{f!r} is not an fgrad primitive: make one with fgrad.extend.primitive")
    return prim


def defvjp(f, *rules, save="all"):
    """Give ``f`` one VJP rule per positional argument (None: not differentiable)."""
    if save not in SAVES:
        raise ValueError(f"save must be one of {tuple(SAVES)}, not {save!r}")
    VJP_RULES[as_primitive(f)] = (_table_row(rules), save)


def defjvp(f, *rules):
    """Give ``f`` one JVP rule per positional argument (None: not differentiable)."""
    JVP_RULES[as_primitive(f)] = _table_row(rules)


def _table_row(rules):
    """A tuple of per-argument rules, or one Variadic rule for every argument."""
    if len(rules) == 1 and isinstance(rules[0], Variadic):
        return rules[0]
    return rules


def defbatch(f, rule):
    """Give ``f`` its batching rule for ``vmap``."""
    BATCH_RULES[as_primitive(f)] = rule


def nondifferentiable(f):
    """``f``'s output is a constant: no derivative flows through it."""
    prim = as_primitive(f)
    VJP_RULES[prim] = JVP_RULES[prim] = NONDIFFERENTIABLE


class Variadic:
    """Per-argument rules of a primitive with any number of arguments
    (concatenate): ``rules[i]`` is ``rule`` with the argument index bound."""
    __slots__ = ("rule",)

    def __init__(self, rule):
        self.rule = rule

    def __len__(self):
        return 1 << 30

    def __getitem__(self, i):
        return lambda *args, **params: self.rule(i, *args, **params)


def _substitute(f, i):
    """JVP of a function linear in argument i: f with that argument replaced by t."""
    def jvp(t, out, *args, **params):
        return f(*args[:i], t, *args[i + 1:], **params)
    return jvp


def defmultilinear(f, *vjps, save="args"):
    """``f`` is linear in each argument separately (negative, reshape, multiply,
    matmul, ...): its JVP is ``f`` itself with the tangent in that argument's place.
    Unary linear maps need only shapes in the backward pass: pass save="shapes".
    """
    defvjp(f, *vjps, save=save)
    defjvp(f, *(None if v is None else _substitute(f, i) for i, v in enumerate(vjps)))
