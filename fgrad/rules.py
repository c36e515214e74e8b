"""The rule table: one record per primitive, read the same way by every mode.

A primitive's record holds its VJP rule, its JVP rule and its batching rule, what
the backward pass keeps, and which arguments are differentiable. ``defrules``
fills it. Each derivative rule comes in one of two shapes:

    per argument (a tuple, None where not differentiable), the short form:
        vjp_i(g, out, *args, **params) -> cotangent of argument i
        jvp_i(t, out, *args, **params) -> argument i's part of out's tangent
    over the whole call (one function), when arguments share work:
        vjp(g, out, *args, **params)        -> one cotangent per argument (None: zero)
        jvp(tangents, out, *args, **params) -> out's tangent; tangents[i] is None for zero
    batching:  batch(args, dims, size, **params) -> (out, out_dims)

A multi-output primitive's VJP gets ``g`` as one cotangent per output (None for
an output that received none) and ``out`` as the tuple of outputs; its JVP
returns one tangent per output (None for zero), its batching rule one batch
axis per output. ``dims[i]`` is argument i's batch axis (None: unbatched) and
``size`` the batch size. Data is positional and static parameters are keywords.
Rules are written with ``fgrad.numpy`` so that they are differentiable themselves.

``save`` says what the backward pass keeps: "all", "args", "out", "shapes"
(neither: shape and dtype are all a linear map needs), or a tuple of "args"
and output indices. Keeping less lets intermediates be freed early.
"""
from .tracer import Primitive

RULES = {}  # Primitive -> Rules


class Rules:
    """What fgrad knows of one primitive's derivatives and batching.

    A derivative rule is either whole-call (``vjp``, ``jvp``) or per argument
    (``vjp_parts``, ``jvp_parts``: tuples with None where there is no rule);
    ``vjp_args`` / ``jvp_args`` are the arguments that have a rule (None: all).
    ``keeps_all``: the backward pass keeps every argument and output.
    ``constant``: the output carries no derivative. ``derived``: which of "vjp",
    "jvp" were obtained by transposing the other (fgrad.extend), so that a
    written rule replaces them.
    """
    __slots__ = ("name", "vjp", "vjp_parts", "vjp_args", "jvp", "jvp_parts", "jvp_args",
                 "batch", "keep_args", "keep_out", "keeps_all", "constant", "derived")

    def __init__(self, name):
        self.name = name
        self.vjp = self.vjp_parts = self.vjp_args = None
        self.jvp = self.jvp_parts = self.jvp_args = self.batch = None
        self.keep_args, self.keep_out, self.keeps_all = True, True, True
        self.constant = False
        self.derived = set()

    def has(self, mode):
        """Whether there is a ``mode`` ("vjp" or "jvp") rule, of either shape."""
        return getattr(self, mode) is not None or getattr(self, mode + "_parts") is not None

    def refuse(self, mode, argnums, arg_names=None):
        """Raise, naming the primitive and the argument that ``mode`` has no rule for."""
        allowed = getattr(self, mode + "_args")
        i = next(i for i in argnums if i not in allowed)
        which = f"{i} ('{arg_names[i]}')" if arg_names else f"{i}"
        raise NotImplementedError(f"{_MODE_NAMES[mode]}: primitive '{self.name}' is not "
                                  f"differentiable in its argument {which}: pass that "
                                  "argument as a constant (a plain array), or through "
                                  "fgrad.stop_gradient")


_MODE_NAMES = {"vjp": "reverse mode", "jvp": "forward mode"}


def as_primitive(f):
    """The Primitive behind a wrapped function (or ``f`` itself)."""
    prim = getattr(f, "prim", f)
    if not isinstance(prim, Primitive):
        raise TypeError(f"{f!r} is not an fgrad primitive: make one with fgrad.extend.primitive")
    return prim


def rules_of(prim):
    """``prim``'s record, made empty on first use."""
    rules = RULES.get(prim)
    if rules is None:
        rules = RULES[prim] = Rules(prim.name)
    return rules


def lookup(prim, mode):
    """The record of ``prim`` for ``mode`` ("vjp" or "jvp"), or a clear error."""
    rules = RULES.get(prim)
    if rules is None or not (rules.constant or rules.has(mode)):
        raise NotImplementedError(f"{_MODE_NAMES[mode]}: primitive '{prim.name}' has no "
                                  f"{mode.upper()} rule")
    return rules


def defrules(f, *, vjp=None, jvp=None, batch=None, save=None, derived=()):
    """Give primitive ``f`` its rules (see the module docstring); what is not given stays.

    ``vjp`` and ``jvp``: a tuple of per-argument rules, or one whole-call rule.
    """
    rules = rules_of(as_primitive(f))
    if vjp is not None:
        rules.vjp, rules.vjp_parts, rules.vjp_args = _read(vjp)
        rules.constant = False
    if jvp is not None:
        rules.jvp, rules.jvp_parts, rules.jvp_args = _read(jvp)
        rules.constant = False
    if save is not None:
        rules.keep_args, rules.keep_out = _read_save(save)
        rules.keeps_all = rules.keep_args and rules.keep_out is True
    if batch is not None:
        rules.batch = batch
    rules.derived.difference_update(m for m, r in (("vjp", vjp), ("jvp", jvp)) if r is not None)
    rules.derived.update(derived)


def nondifferentiable(f):
    """``f``'s output is a constant: no derivative flows through it."""
    rules = rules_of(as_primitive(f))
    rules.vjp = rules.vjp_parts = rules.vjp_args = None
    rules.jvp = rules.jvp_parts = rules.jvp_args = None
    rules.constant = True


def _read(rule):
    """(whole-call rule, per-argument rules, the arguments that have a rule or None)."""
    if callable(rule):
        return rule, None, None
    parts = tuple(rule)
    if all(p is None for p in parts):
        raise ValueError("every per-argument rule is None: use nondifferentiable(f) instead")
    if None not in parts:
        return None, parts, None
    return None, parts, frozenset(i for i, p in enumerate(parts) if p is not None)


def add_tangents(a, b):
    """a + b, where None is zero and tuples (several outputs) add element by element."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, tuple):
        return tuple(add_tangents(x, y) for x, y in zip(a, b, strict=True))
    return a + b


_SAVES = {"all": ("args", "out"), "args": ("args",), "out": ("out",), "shapes": ()}


def _read_save(save):
    """(keep the arguments?, keep the outputs: True, False or a tuple of indices)."""
    items = _SAVES[save] if isinstance(save, str) and save in _SAVES else save
    if isinstance(items, str) or not all(i in ("args", "out") or isinstance(i, int)
                                         for i in items):
        raise ValueError(f"save must be one of {tuple(_SAVES)} or a tuple of 'args', 'out' "
                         f"and output indices, not {save!r}")
    outs = tuple(i for i in items if isinstance(i, int))
    return "args" in items, True if "out" in items else (outs or False)


def _substitute(f, i):
    """JVP of a function linear in argument i: f with that argument replaced by t."""
    def jvp(t, out, *args, **params):
        return f(*args[:i], t, *args[i + 1:], **params)
    return jvp


def defmultilinear(f, *vjps, save="args", batch=None):
    """``f`` is linear in each argument separately (negative, reshape, multiply,
    matmul, ...): its JVP is ``f`` itself with the tangent in that argument's place.
    Unary linear maps need only shapes in the backward pass: pass save="shapes".
    """
    defrules(f, vjp=vjps, save=save, batch=batch,
             jvp=tuple(None if v is None else _substitute(f, i) for i, v in enumerate(vjps)))
