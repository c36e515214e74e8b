"""A random-program fuzzer: hypothesis composes fgrad.numpy into programs and checks them.

A program is straight-line code of a few to a few dozen operations over one to three
inputs of random shapes (0-d to 3-d, real or complex), drawn from every family of
fgrad.numpy: elementwise, shape, indexing and ``.at`` updates, reductions, order
statistics, diagonals, products and einsum, linalg, fft, creation, statistics, signal and
polynomials, plus fgrad's own transforms inside a program (nested grad, jvp, vmap,
checkpoint, custom_vjp). Each program is checked for
  - ``jvp``, ``vjp`` and ``grad`` against central finite differences
    (fgrad.testing.numerical_jvp), the traced value against the plain one, and
    ``linearize`` against ``jvp``;
  - forward against reverse: <v, J u> from jvp equals <Jᵀ v, u> from vjp (1e-9 relative);
  - Hessian-vector products (``fgrad.hvp``, jvp of grad, vjp of grad, jvp of jvp) against
    finite differences of grad, and ``hessian`` against ``hvp`` where it is small;
  - ``vmap`` of the program, of its grad and of its jvp against Python loops, with random
    ``in_axes`` and ``out_axes``; ``jacfwd`` against ``jacrev``.
A finite difference that disagrees is retried with Richardson extrapolation at larger
steps before a failure is declared (round-off, roots of close roots say, troubles the
small step); a wrong derivative disagrees with every estimate.

Domains. Every operation states what it needs of its operands (``Builder.fit`` and the
adapters below it): bounded (exp, sinh, products), above a point (log, sqrt, arccosh,
their complex forms in a right half plane), within (-r, r) (arcsin, arctanh, tan), away
from zero (abs, reciprocal, cbrt, kinks of norms), away from the integers (floor, rint,
modf, histogram bins, interp knots), entries apart (sort, max, median: no ties), pairs
apart (maximum, .at[].min), and for matrices well conditioned, positive definite, or
with eigen/singular values apart. The builder evaluates the program as it grows, on the
base input and on every example of the vmap batch, and inserts an adapter only where
the concrete values miss the domain by less than a margin: a rescale by a power of two,
``1.5 + tanh(v)``, ``0.25*tanh(v) + K`` (K distinct integers: a fixed order, no ties),
``tanh(A)/2n + D`` (D a signed identity: well conditioned), ``sym(tanh(A))/(10 n) +
diag(perm)`` (eigenvalues apart), and so on. So every line of a program is smooth at
every point the checks visit, except on purpose: the unselected branch of a guarded
``where(u > c, log(u), 0)`` is evaluated outside its domain, and its zero cotangent
must stay zero (no NaN where the mathematics has none).

A failing example prints the program as a runnable script (constants, the function, the
scalar loss, the inputs and the vmap batch): paste it into a file to reproduce.

Run: ``python -m pytest tests/test_fuzz.py`` (a few hundred programs per test, about 10 s;
derandomized under the "ci" profile), or for a long local run
``python -m pytest tests/test_fuzz.py --hypothesis-profile fuzz`` (2,000 per test, new
ones each run; see tests/conftest.py; ``--hypothesis-show-statistics`` shows the
families drawn and the adapters used). FGRAD_FUZZ_KNOWN=1 also draws the known limits
that the generator otherwise steers around (``known_defect``).

Left out on purpose, each a documented convention or LAPACK's behaviour rather than a
defect: eigh, cholesky and the Hermitian decompositions read one triangle but
differentiate as if the tangent were Hermitian (as JAX), so their inputs are
symmetrised; eigen- and singular vectors enter only through sign- or phase-invariant
functions (LAPACK's signs jump where a Householder step has nothing to reflect, and so
does R's diagonal in qr, whose inputs keep entries below the diagonal away from 0);
eig's eigenvalues are sorted (LAPACK's order is not continuous); svd(full_matrices=True)
and qr("complete") of rectangular matrices complete the basis by convention; unique and
the set functions have no derivative; a value whose shape depends on values (polydiv's
remainder, roots, trim_zeros) keeps that shape near the point.
"""
import functools
import math
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings, strategies as st

import fgrad
import fgrad.numpy as fnp
from fgrad.testing import numerical_jvp
from fgrad.tree import tree_leaves, tree_map

SIZE_LIMIT = 64      # elements in any value of a program
NDIM_LIMIT = 4
BIG = 64.0           # values are rescaled by a power of two above this magnitude
MARGIN = 0.05        # distance kept from poles, cuts, kinks and ties
BATCH = 3            # examples in the vmap batch
# Known defects (see ``known_defect``) are steered around unless FGRAD_FUZZ_KNOWN=1
DRAW_KNOWN_DEFECTS = os.environ.get("FGRAD_FUZZ_KNOWN") == "1"


class Skip(Exception):
    """The drawn operation does not apply to the values at hand: draw another."""


class Var:
    """A value of the program: its name and its concrete value in each world.

    World 0 is the base input; worlds 1..BATCH are the examples of the vmap batch.
    """
    __slots__ = ("name", "data")

    def __init__(self, name, data):
        self.name, self.data = name, data

    def __str__(self):
        return self.name

    __repr__ = __str__

    shape = property(lambda self: self.data[0].shape)
    ndim = property(lambda self: self.data[0].ndim)
    size = property(lambda self: self.data[0].size)
    complex = property(lambda self: self.data[0].dtype.kind == "c")

    @property
    def batched(self):
        """Whether the value may be batched under the program's vmap: it differs between
        the examples (one that does not may come back a plain array, vander(x, 1) say)."""
        return any(not np.array_equal(self.data[1], d) for d in self.data[2:])

    def absmax(self):
        return max(float(np.max(np.abs(d))) for d in self.data)

    def absmin(self):
        return min(float(np.min(np.abs(d))) for d in self.data)

    def lo(self):
        return min(float(np.min(d.real)) for d in self.data)

    def all(self, pred):
        return all(bool(pred(d)) for d in self.data)


def lit(x):
    """A Python literal for ``x`` that reads back exactly (floats by their shortest repr)."""
    a = np.asarray(x)
    if a.ndim == 0:
        return repr(a.item())
    return f"np.array({a.tolist()!r})"


def min_gap(d, axis=None):
    """The least distance between two entries of ``d`` that a reduction over ``axis``
    compares (inf when there is a single one)."""
    d = np.asarray(d).real
    if axis is None:
        flat = d.reshape(1, -1)
    else:
        axes = tuple(a % d.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
        moved = np.moveaxis(d, axes, tuple(range(d.ndim - len(axes), d.ndim)))
        flat = moved.reshape(-1, math.prod(d.shape[a] for a in axes) or 1)
    if flat.shape[1] < 2:
        return np.inf
    return float(np.min(np.diff(np.sort(flat, axis=1), axis=1)))


def broadcastable(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


_NAMES = re.compile(r"\b[xv]\d+\b")


class Builder:
    """Grows a program one operation at a time, evaluating it in every world."""

    def __init__(self, draw, worlds):
        self.draw = draw
        self.vars = [Var(f"x{i}", [w[i] for w in worlds]) for i in range(len(worlds[0]))]
        self.lines = []                 # (name, expression)
        self.consts = {}                # name -> array
        self.used = set()

    # -- drawing ---------------------------------------------------------------------

    def integer(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def choice(self, options):
        return self.draw(st.sampled_from(list(options)))

    def coin(self, p=0.5):
        return self.draw(st.integers(0, 99)) < 100 * p

    def rng(self):
        return np.random.default_rng(self.draw(st.integers(0, 2**32 - 1)))

    def pick(self, ok=lambda v: True):
        """A value satisfying ``ok``, the most recent first (hypothesis shrinks toward it)."""
        candidates = [v for v in reversed(self.vars) if ok(v)]
        if not candidates:
            raise Skip
        if self.coin(0.5):            # deep programs: mostly the latest value
            return candidates[0]
        return candidates[self.integer(0, len(candidates) - 1)]

    def const(self, value):
        """A named constant of the program (index arrays, masks, offsets, literals)."""
        value = np.asarray(value)
        if value.ndim == 0:
            return lit(value)
        name = f"c{len(self.consts)}"
        self.consts[name] = value
        return name

    # -- emitting --------------------------------------------------------------------

    def env(self, world):
        env = {"np": np, "fnp": fnp, "fgrad": fgrad, "custom_softplus": custom_softplus,
               **self.consts}
        env.update((v.name, v.data[world]) for v in self.vars)
        return env

    def emit(self, expr, label=None):
        """Append ``v<k> = expr`` and evaluate it in every world."""
        code = compile(expr, "<program>", "eval")
        nworlds = len(self.vars[0].data)
        try:
            with np.errstate(all="ignore"):
                data = [np.asarray(eval(code, self.env(w))) for w in range(nworlds)]
        except Exception as e:       # a generator bug: say which line, on which shapes
            shapes = {v.name: v.shape for v in self.vars if v.name in _NAMES.findall(expr)}
            raise AssertionError(f"the generator wrote {expr!r} for {shapes}") from e
        d = data[0]
        if d.dtype.kind not in "fc" or d.dtype.itemsize < 8:
            raise AssertionError(f"the generator made a {d.dtype} value: {expr}")
        if d.size == 0 or d.size > SIZE_LIMIT or d.ndim > NDIM_LIMIT:
            raise Skip
        if not all(np.all(np.isfinite(x)) for x in data):
            event("skipped: a non-finite value")
            raise Skip
        if max(float(np.max(np.abs(x))) for x in data) > 1e6:
            event("skipped: a huge value (an ill-conditioned step)")
            raise Skip
        name = f"v{len(self.lines)}"
        names = set(_NAMES.findall(expr))
        self.used.update(names)
        self.lines.append((name, expr))
        var = Var(name, data)
        self.vars.append(var)
        if label:
            event(label)
        return var

    # -- adapters: each returns a value in the domain, adding a line only when needed --

    def limit(self, v, m):
        """|v| <= m."""
        if v.absmax() <= m:
            return v
        how = "scale" if v.complex else self.choice(["scale", "tanh", "sin", "arctan"])
        if how == "scale":
            return self.emit(f"{v} * {2.0 ** -math.ceil(math.log2(v.absmax() / m))!r}")
        if how == "arctan":
            return self.emit(f"{m / 1.6!r} * fnp.arctan({v})", "adapter: limit")
        return self.emit(f"{float(m)!r} * fnp.{how}({v})", "adapter: limit")

    def tame(self, v):
        """Rescale a value grown beyond BIG (a power of two: exact, derivative-preserving)."""
        if v.absmax() > BIG:
            return self.emit(f"{v} * {2.0 ** -math.ceil(math.log2(v.absmax() / 4))!r}")
        return v

    def realify(self, v):
        """A real value made from ``v``."""
        if not v.complex:
            return v
        how = self.choice(["real", "imag", "abs2", "abs", "attr"])
        if how == "abs" and v.absmin() >= MARGIN:
            return self.emit(f"fnp.abs({v})")
        if how == "abs2" or how == "abs":
            return self.emit(f"fnp.real({v} * fnp.conj({v}))")
        if how == "attr":
            return self.emit(f"{v}.real")
        return self.emit(f"fnp.{how}({v})")

    def above(self, v, c):
        """v >= c + MARGIN (complex: Re v >= c + MARGIN, a right half plane from c)."""
        if v.lo() >= c + MARGIN:
            return v
        if v.complex:
            u = self.limit(v, 1.0)
            form = self.choice([f"{c + 1.5!r} + 0.5 * fnp.tanh({u})", f"{c!r} + fnp.exp({u})"])
            return self.emit(form, "adapter: right half plane")
        u = self.limit(v, 3.0)
        form = self.choice([f"{c + 1.5!r} + fnp.tanh({u})", f"{c + 0.5!r} + fnp.square({u})",
                            f"{c + 0.25!r} + fnp.exp({u})", f"{c!r} + fnp.hypot({u}, 0.5)",
                            f"{c!r} + fnp.cosh({u})", f"{c + 0.5!r} + fnp.logaddexp({u}, 0.0)"])
        return self.emit(form, "adapter: above")

    def signs(self, shape):
        return self.const(self.rng().choice([-1.0, 1.0], shape))

    def nonzero(self, v):
        """|v| >= MARGIN."""
        if v.absmin() >= MARGIN:
            return v
        s = self.signs(v.shape)
        if v.complex:
            form = self.choice([f"fnp.exp({self.limit(v, 2.0)})",
                                f"{s} + 0.5 * fnp.tanh({self.limit(v, 0.5)})"])
        else:
            form = self.choice([f"0.5 * fnp.tanh({v}) + {s}", f"fnp.exp({self.limit(v, 2.0)})",
                                f"{s} * (1 + fnp.square({self.limit(v, 2.0)}))",
                                f"{s} * fnp.cosh({self.limit(v, 2.0)})"])
        return self.emit(form, "adapter: nonzero")

    def distinct(self, v, axis=None):
        """Real, with the entries that ``axis`` compares at least MARGIN apart (no ties)."""
        v = self.realify(v)
        if all(min_gap(d, axis) >= MARGIN for d in v.data):
            return v
        k = self.const(self.rng().permutation(v.size).reshape(v.shape).astype(float)
                       - v.size // 2)
        form = self.choice([f"0.25 * fnp.tanh({v}) + {k}", f"{k} + 0.3 * fnp.sin({v})"])
        return self.emit(form, "adapter: distinct")

    def offgrid(self, v):
        """Real, at least 0.1 from every multiple of 1/2 (floor, rint, round, modf...)."""
        v = self.realify(v)
        if v.all(lambda d: np.min(np.abs(2 * d - np.round(2 * d))) >= 0.2):
            return v
        k = self.const(self.rng().integers(-2, 3, v.shape).astype(float) + 0.25)
        return self.emit(f"{k} + 0.15 * fnp.tanh({v})", "adapter: offgrid")

    def fit(self, v, domain):
        kind, *p = domain
        if kind == "any":
            return v
        if kind == "bounded":
            return self.limit(v, p[0])
        if kind == "above":
            return self.above(v, p[0])
        if kind == "nonzero":
            return self.nonzero(v)
        if kind == "offgrid":
            return self.offgrid(v)
        raise AssertionError(domain)

    # -- shapes ----------------------------------------------------------------------

    def as_shape(self, v, shape):
        """``v``'s entries laid out in ``shape`` (cut, or repeated with tile)."""
        shape = tuple(shape)
        if v.shape == shape:
            return v
        n, size = math.prod(shape), v.size
        if size == n:
            form = self.choice([f"fnp.reshape({v}, {shape})", f"{v}.reshape({shape})"])
        elif size > n:
            form = f"fnp.reshape(fnp.ravel({v})[:{n}], {shape})"
        elif self.coin():
            form = f"fnp.reshape(fnp.tile(fnp.ravel({v}), {-(-n // size)})[:{n}], {shape})"
        else:
            form = f"fnp.reshape(fnp.pad(fnp.ravel({v}), (0, {n - size}), mode='wrap'), {shape})"
        return self.emit(form)

    def other(self, shape, complex_ok=True):
        """Some value, reshaped to ``shape``."""
        v = self.pick()
        if v.complex and not complex_ok:
            v = self.realify(v)
        return self.as_shape(v, shape)

    def compatible_shape(self, shape, grow=True):
        """A shape that broadcasts against ``shape`` (dims kept or 1, some leading ones dropped;
        with ``grow``, perhaps a new leading axis)."""
        full = len(shape)
        shape = list(shape)[self.integer(0, full):] if self.coin(0.4) else list(shape)
        shape = [d if self.coin(0.7) else 1 for d in shape]
        if grow and len(shape) == full < 3 and self.coin(0.1):
            shape = [2] + shape                 # a new leading axis
        return tuple(shape)

    def partner(self, a, complex_ok=True, into=False):
        """A second operand that broadcasts against ``a`` (a value or a shape); with
        ``into``, one that broadcasts to ``a``'s shape (so that several such agree)."""
        shape = a if isinstance(a, tuple) else a.shape
        if self.coin(0.7):
            candidates = [w for w in reversed(self.vars)
                          if (complex_ok or not w.complex)
                          and (s := broadcastable(w.shape, shape)) is not None
                          and (s == shape if into else math.prod(s) <= SIZE_LIMIT)]
            if candidates:
                return candidates[self.integer(0, len(candidates) - 1)]
        return self.other(self.compatible_shape(shape, grow=not into), complex_ok)

    def square(self, complex_ok=True):
        """A stack of square matrices (..., n, n): some value, reshaped if need be."""
        v = self.pick()
        if v.complex and not complex_ok:
            v = self.realify(v)
        if v.ndim >= 2 and v.shape[-1] == v.shape[-2]:
            return v
        stack = (self.integer(2, 3),) if self.coin(0.2) else ()
        n = self.integer(1, 4)
        return self.as_shape(v, stack + (n, n))

    def eye(self, n, signed=False):
        """The identity as a constant (with random signs on its diagonal if ``signed``)."""
        d = self.rng().choice([-1.0, 1.0], n) if signed else np.ones(n)
        return self.const(np.diag(d))

    def tanh_ready(self, a):
        """``a`` made safe for tanh: complex tanh has poles at ±iπ/2, so |a| <= 1 there
        (then |tanh(a)| <= tan(1) < 1.6)."""
        return self.limit(a, 1.0) if a.complex else a

    def wellcond(self, a):
        """A square stack, condition number at most about 3 and singular values >= 0.5
        (or as it is, if its condition number is below 20 and its least singular value
        above 0.3: a 1 x 1 round-off has condition number 1)."""
        n = a.shape[-1]
        if a.absmax() < 8 and a.all(lambda d: np.all(np.linalg.cond(d) < 20) and np.all(
                np.linalg.svd(d, compute_uv=False) > 0.3)):
            return a
        u = self.tanh_ready(a)
        return self.emit(f"fnp.tanh({u}) / {2 * n} + {self.eye(n, signed=True)}",
                         "adapter: well conditioned")

    def hermitian_apart(self, a):
        """Hermitian (symmetric), eigenvalues at least 0.5 apart."""
        n = a.shape[-1]
        u = self.tanh_ready(a)
        t = self.emit(f"fnp.tanh({u}) * {0.05 / n!r}")
        ct = f"fnp.conj({t})" if t.complex else f"{t}"
        perm = self.rng().permutation(n) + 1.0
        d = self.const(np.diag(perm - (n + 1) // 2))
        return self.emit(f"{t} + fnp.swapaxes({ct}, -1, -2) + {d}", "adapter: eigenvalues apart")

    def positive_definite(self, a):
        """Hermitian positive definite, eigenvalues in [1, 1 + n]."""
        n = a.shape[-1]
        u = self.tanh_ready(a)
        w = self.emit(f"fnp.tanh({u})")
        cw = f"fnp.conj({w})" if w.complex else f"{w}"
        return self.emit(f"{w} @ fnp.swapaxes({cw}, -1, -2) / {n} + {self.eye(n)}",
                         "adapter: positive definite")

    def singular_apart(self, a):
        """Singular values at least 0.5 apart and >= 0.5 (a rectangular stack)."""
        m, n = a.shape[-2:]
        k = min(m, n)
        base = np.zeros((m, n))
        base[np.arange(k), np.arange(k)] = self.rng().permutation(k) + 1.0
        u = self.tanh_ready(a)
        return self.emit(f"fnp.tanh({u}) * {0.1 / max(m, n)!r} + {self.const(base)}",
                         "adapter: singular values apart")


# -- known defects: the fuzzer steers around exactly these cases -----------------------

def known_defect(name):
    """True where the generator must steer around a reported limit of fgrad (it then
    writes the nearest case that works); FGRAD_FUZZ_KNOWN=1 draws them too, to see whether
    they are fixed. Each name is one found by this fuzzer:

    vmap-plain-index: under vmap, a plain array (an unbatched argument, a constant, or a
        value computed from those) indexed by a batched index (``y[fnp.argsort(k)]``, ``k``
        batched) raises TypeError from ArrayBox.__array__: NumPy's own ndarray.__getitem__
        meets the box. The same code works under grad and jvp (the index is plain there),
        and fnp.take(y, i) or fnp.at(y)[i].get() work under vmap too. NumPy's indexing
        cannot see a traced index; the README lists it among the common mistakes.
    """
    return not DRAW_KNOWN_DEFECTS


# -- the catalogue: one function per operation, grouped by family -----------------------

FAMILIES = {}    # family -> its operations, each listed ``weight`` times
FAMILY_WEIGHTS = {"elementwise": 5, "shape": 3, "indexing": 3, "reductions": 3, "order": 2,
                  "diagonals": 1, "products": 2, "einsum": 1, "linalg": 3, "fft": 2,
                  "creation": 1, "statistics": 1, "signal": 1, "polynomial": 1,
                  "transforms": 1}


def family(name, weight=1):
    """Register an operation of ``name``'s family, drawn ``weight`` times as often."""
    def register(fn):
        FAMILIES.setdefault(name, []).extend([fn] * weight)
        return fn
    return register


def axis_of(b, ndim, allow_none=True, allow_tuple=False):
    """An axis argument: None, an int (negative too) or a tuple."""
    options = ["int"] + (["none"] if allow_none else []) + \
        (["tuple"] if allow_tuple and ndim >= 2 else [])
    kind = b.choice(options)
    if kind == "none":
        return None
    if kind == "int":
        return b.integer(-ndim, ndim - 1)
    k = b.integer(2, ndim)
    axes = sorted(b.rng().choice(ndim, k, replace=False).tolist())
    return tuple(a - ndim if b.coin(0.3) else a for a in axes)


def reduced_count(shape, axis):
    if axis is None:
        return math.prod(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axes)


# elementwise, one argument: name -> (domain for real input, for complex input; None: not
# accepted, so a complex value is made real first and a real one is not drawn)
ANY, BOUNDED3, NONZERO, OFFGRID = ("any",), ("bounded", 3.0), ("nonzero",), ("offgrid",)
UNARY = {
    "sin": (ANY, ("bounded", 3.0)), "cos": (ANY, ("bounded", 3.0)),
    "tanh": (ANY, ("bounded", 1.0)), "arctan": (ANY, ("bounded", 0.5)),
    "arcsinh": (ANY, ("bounded", 0.5)), "sinc": (ANY, ("bounded", 2.0)),
    "negative": (ANY, ANY), "positive": (ANY, ANY), "conj": (ANY, ANY),
    "conjugate": (ANY, ANY), "real": (ANY, ANY), "imag": (None, ANY),
    "nan_to_num": (ANY, ANY), "deg2rad": (ANY, None), "rad2deg": (ANY, None),
    "degrees": (ANY, None), "radians": (ANY, None),
    "exp": (BOUNDED3, BOUNDED3), "expm1": (BOUNDED3, BOUNDED3), "exp2": (("bounded", 4.0), None),
    "sinh": (BOUNDED3, BOUNDED3), "cosh": (BOUNDED3, BOUNDED3),
    "square": (("bounded", 8.0), ("bounded", 8.0)), "i0": (("bounded", 4.0), None),
    "log": (("above", 0.0), ("above", 0.0)), "log2": (("above", 0.0), ("above", 0.0)),
    "log10": (("above", 0.0), ("above", 0.0)), "sqrt": (("above", 0.0), ("above", 0.0)),
    "log1p": (("above", -1.0), ("above", -1.0)), "arccosh": (("above", 1.0), None),
    "arcsin": (("bounded", 0.9), None), "arccos": (("bounded", 0.9), None),
    "arctanh": (("bounded", 0.9), None), "tan": (("bounded", 1.3), ("bounded", 0.6)),
    "cbrt": (NONZERO, None), "reciprocal": (NONZERO, NONZERO), "abs": (NONZERO, NONZERO),
    "absolute": (NONZERO, NONZERO), "fabs": (NONZERO, None),
    "floor": (OFFGRID, None), "ceil": (OFFGRID, None), "rint": (OFFGRID, None),
    "trunc": (OFFGRID, None), "fix": (OFFGRID, None), "round": (OFFGRID, None),
    "around": (OFFGRID, None), "sign": (NONZERO, None),
    "angle": (NONZERO, ("above", 0.0)),     # complex: right half plane, off the cut
}
UNARY.update({alias: UNARY[name] for alias, name in [
    ("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"), ("acosh", "arccosh"),
    ("asinh", "arcsinh"), ("atanh", "arctanh")]})


@family("elementwise", weight=6)
def unary(b):
    name = b.choice(sorted(UNARY))
    need(name)
    real_domain, complex_domain = UNARY[name]
    v = b.pick()
    if v.complex and complex_domain is None:
        v = b.realify(v)
    if not v.complex and real_domain is None:
        raise Skip
    v = b.fit(v, complex_domain if v.complex else real_domain)
    method = {"conj": "conj()", "real": "real", "imag": "imag", "round": "round()"}
    if name in method and b.coin(0.3):
        return b.emit(f"{v}.{method[name]}")
    b.emit(f"fnp.{name}({v})")


@family("elementwise", weight=3)
def arithmetic(b):
    a = b.pick()
    c = b.partner(a)
    op = b.choice(["+", "-", "*", "/", "add", "subtract", "multiply", "divide", "true_divide"])
    if op in ("*", "multiply"):
        a, c = b.limit(a, 8.0), b.limit(c, 8.0)
    if op in ("/", "divide", "true_divide"):
        c = b.nonzero(c)
    if op in "+-*/":
        scalar = lit(b.choice([2.0, -0.5, 1.5]))
        form = b.choice([f"{a} {op} {c}", f"{scalar} {op} {a}" if op != "/" else f"{a} / {c}",
                         f"{a} {op} {scalar}"])
        return b.emit(form)
    b.emit(f"fnp.{op}({a}, {c})")


@family("elementwise")
def power(b):
    kind = b.choice(["int", "negint", "real", "float_power", "scalar_base"])
    a = b.pick()
    if kind == "int":
        a = b.limit(a, 4.0)
        e = b.choice([0, 1, 2, 3])
        return b.emit(b.choice([f"{a} ** {e}", f"fnp.power({a}, {e})"]))
    if kind == "negint":     # limit first: a rescale after nonzero could undo it
        a = b.nonzero(b.limit(a, 4.0))
        return b.emit(f"fnp.power({a}, {b.choice([-1, -2])})")
    if kind == "scalar_base":  # 2.0 ** x
        return b.emit(f"{b.choice(['2.0', '0.5', '1.5'])} ** {b.limit(a, 3.0)}")
    a = b.above(b.limit(b.realify(a), 4.0), 0.2)
    e = b.limit(b.realify(b.partner(a, complex_ok=False)), 2.0)
    name = "float_power" if kind == "float_power" else b.choice(["power", "pow"])
    b.emit(b.choice([f"fnp.{name}({a}, {e})", f"{a} ** {e}"]))


@family("elementwise")
def binary_real(b):
    name = b.choice(["arctan2", "hypot", "logaddexp", "logaddexp2", "copysign", "heaviside"])
    a = b.realify(b.pick())
    c = b.realify(b.partner(a, complex_ok=False))
    if name == "arctan2":          # x > 0: away from the cut along the negative x axis
        if b.coin():
            return b.emit(f"fnp.arctan2({a}, {b.above(c, 0.0)})")
        return b.emit(f"fnp.arctan2({b.above(a, 0.0)}, {c})")
    if name == "hypot":            # away from (0, 0)
        return b.emit(f"fnp.hypot({a}, {b.nonzero(c)})")
    if name == "copysign":         # away from zero in both
        return b.emit(f"fnp.copysign({b.nonzero(a)}, {b.nonzero(c)})")
    if name == "heaviside":        # zero derivative; x away from 0
        return b.emit(f"fnp.heaviside({b.nonzero(a)}, {c})")
    b.emit(f"fnp.{name}({b.limit(a, 30.0)}, {b.limit(c, 30.0)})")


def apart(b, a, c):
    """Both real, |a - c| >= MARGIN wherever they meet (maximum, minimum, fmax, fmin)."""
    a, c = b.realify(a), b.realify(c)
    shape = np.broadcast_shapes(a.shape, c.shape)
    if all(np.min(np.abs(x - y)) >= MARGIN for x, y in zip(a.data, c.data)):
        return a, c
    s = b.signs(shape)
    return (b.emit(f"0.25 * fnp.tanh({a}) + {s}", "adapter: apart"),
            b.emit(f"0.25 * fnp.tanh({c})"))


@family("elementwise")
def extremum(b):
    name = b.choice(["maximum", "minimum", "fmax", "fmin"])
    a = b.pick()
    a, c = apart(b, a, b.partner(a))
    b.emit(f"fnp.{name}({a}, {c})")


def remainder_pair(b, a, c):
    """a in ±[0.6, 1.4] or ±[4.65, 4.85], c in ±[2.0, 2.2]: a / c far from integers."""
    a, c = b.realify(a), b.realify(c)
    sa, sc = b.signs(a.shape), b.signs(c.shape)
    mid = b.choice([1.0, 4.75])
    a = b.emit(f"{sa} * ({mid!r} + {0.4 if mid == 1.0 else 0.1} * fnp.tanh({a}))")
    c = b.emit(f"{sc} * (2.1 + 0.1 * fnp.tanh({c}))", "adapter: remainder")
    return a, c


@family("elementwise")
def remainder(b):
    name = b.choice(["fmod", "remainder", "mod", "divmod", "floor_divide", "ldexp"])
    a = b.pick()
    if name == "ldexp":           # exact scaling by 2**n
        n = b.const(b.rng().integers(-2, 3, b.compatible_shape(a.shape)))
        return b.emit(f"fnp.ldexp({b.realify(a)}, {n})")
    a, c = remainder_pair(b, a, b.partner(a))
    if name == "divmod":
        return b.emit(f"fnp.divmod({a}, {c})[{b.integer(0, 1)}]")
    if name == "floor_divide":     # zero derivative, a / c away from the integers
        return b.emit(b.choice([f"fnp.floor_divide({a}, {c}) * {a}", f"({a} // {c}) + {a}"]))
    b.emit(b.choice([f"fnp.{name}({a}, {c})", f"{a} % {c}"]))


@family("elementwise")
def decompose(b):
    name = b.choice(["modf", "frexp"])
    a = b.realify(b.pick())
    if name == "modf":
        return b.emit(f"fnp.modf({b.offgrid(a)})[{b.integer(0, 1)}]")
    scale = b.choice([1.0, 4.0, 0.25])   # mantissa in [0.55, 0.85]: away from powers of two
    a = b.emit(f"{b.signs(a.shape)} * {scale!r} * (0.7 + 0.15 * fnp.tanh({a}))")
    b.emit(f"fnp.frexp({a})[0]")


@family("elementwise")
def where(b):
    a = b.pick()
    c = b.partner(a)
    shape = np.broadcast_shapes(a.shape, c.shape)
    how = b.choice(["mask", "compare", "logical"])
    if how == "mask":
        cond = b.const(b.rng().random(b.compatible_shape(shape)) < 0.5)
    else:                      # a mask from data, far from the threshold
        w = b.nonzero(b.realify(b.partner(shape, into=True)))
        cond = b.choice([f"{w} > 0", f"fnp.greater({w}, 0)", f"fnp.less_equal({w}, 0.0)",
                         f"fnp.signbit({w})", f"fnp.not_equal(fnp.sign({w}), 1)",
                         f"fnp.greater_equal({w}, 0)", f"fnp.less({w}, 0)",
                         f"fnp.equal(fnp.sign({w}), -1)", f"~fnp.isclose({w}, -{w})"])
        if how == "logical":
            w2 = b.nonzero(b.realify(b.partner(shape, into=True)))
            cond = b.choice([f"fnp.logical_and({w} > 0, {w2} < 0)",
                             f"fnp.logical_not(fnp.logical_or({w} < 0, {w2} > 0))",
                             f"fnp.logical_xor({w} > 0, fnp.greater_equal({w2}, 0))"])
    b.emit(f"fnp.where({cond}, {a}, {c})")


@family("elementwise")
def clip(b):
    a = b.realify(b.pick())
    k = b.const(b.rng().integers(-1, 2, a.shape).astype(float))
    a = b.emit(f"{k} + 0.3 * fnp.tanh({a})", "adapter: off the clip bounds")
    kind = b.choice(["scalars", "lower", "upper", "traced", "method"])
    if kind == "scalars":
        return b.emit(f"fnp.clip({a}, -0.5, 0.5)")
    if kind == "lower":
        return b.emit(f"fnp.clip({a}, -0.5, None)")
    if kind == "upper":
        return b.emit(f"fnp.clip({a}, None, 0.5)")
    if kind == "method":
        return b.emit(f"{a}.clip(-0.5, 0.5)")
    lo = b.realify(b.partner(a, complex_ok=False, into=True))
    hi = b.realify(b.partner(a, complex_ok=False, into=True))
    lo = b.emit(f"-0.5 + 0.1 * fnp.tanh({lo})")
    hi = b.emit(f"0.5 + 0.1 * fnp.tanh({hi})")
    b.emit(f"fnp.clip({a}, {lo}, {hi})")


@family("elementwise")
def astype(b):
    a = b.pick()
    if a.complex:
        return b.emit(f"fnp.real({a}).astype(np.float64)")
    b.emit(b.choice([f"{a}.astype(np.complex128)", f"fnp.astype({a}, np.float64)",
                     f"{a}.astype(np.float64) + 0j * {a}"]))


# -- shape -----------------------------------------------------------------------------

def factorizations(n):
    out = [(n,)]
    for d in range(2, n + 1):
        if n % d == 0:
            out += [(d, n // d)] if n // d > 1 else []
            for e in range(2, n // d + 1):
                if (n // d) % e == 0 and n // d // e > 1:
                    out.append((d, e, n // d // e))
    return out


@family("shape")
def reshape(b):
    a = b.pick()
    shape = b.choice(factorizations(a.size) + ([()] if a.size == 1 else []))
    if b.coin(0.3) and shape:
        shape = shape[:-1] + (-1,)
    order = b.choice(["C", "F"])
    b.emit(b.choice([f"fnp.reshape({a}, {shape}, order='{order}')", f"{a}.reshape({shape})",
                     f"fnp.ravel({a}, order='{order}')", f"{a}.ravel()"]))


@family("shape")
def permute(b):
    a = b.pick(lambda v: v.ndim >= 1)
    n = a.ndim
    kind = b.choice(["transpose", "T", "axes", "swapaxes", "moveaxis", "permute_dims",
                     "rollaxis", "matrix_transpose"])
    if kind == "transpose":
        return b.emit(f"fnp.transpose({a})")
    if kind == "T":
        return b.emit(f"{a}.T")
    if kind in ("axes", "permute_dims"):
        perm = tuple(b.rng().permutation(n).tolist())
        fn = "transpose" if kind == "axes" else "permute_dims"
        return b.emit(f"fnp.{fn}({a}, {perm})")
    i, j = b.integer(-n, n - 1), b.integer(-n, n - 1)
    if kind == "swapaxes":
        return b.emit(f"fnp.swapaxes({a}, {i}, {j})")
    if kind == "moveaxis":
        return b.emit(f"fnp.moveaxis({a}, {i}, {j})")
    if kind == "rollaxis":
        return b.emit(f"fnp.rollaxis({a}, {i}, {b.integer(0, n)})")
    if n < 2:
        raise Skip
    b.emit(f"fnp.linalg.matrix_transpose({a})")


@family("shape")
def dims(b):
    a = b.pick()
    kind = b.choice(["expand_dims", "squeeze", "atleast", "broadcast_to", "broadcast_arrays",
                     "copy", "None"])
    if kind == "expand_dims":
        if a.ndim >= NDIM_LIMIT:
            raise Skip
        return b.emit(f"fnp.expand_dims({a}, {b.integer(-a.ndim - 1, a.ndim)})")
    if kind == "squeeze":
        ones = [i for i, d in enumerate(a.shape) if d == 1]
        if not ones:
            raise Skip
        return b.emit(b.choice([f"fnp.squeeze({a})", f"fnp.squeeze({a}, axis={ones[0]})",
                                f"{a}.squeeze()"]))
    if kind == "atleast":
        return b.emit(f"fnp.atleast_{b.integer(1, 3)}d({a})")
    if kind == "None":
        return b.emit(f"{a}[None]" if b.coin() else f"{a}[..., None]")
    if kind == "copy":
        return b.emit(f"fnp.copy({a})")
    shape = tuple(1 if b.coin(0.3) else d for d in a.shape)
    target = ((b.integer(1, 3),) if b.coin(0.5) else ()) + tuple(
        b.integer(1, 3) if d == 1 else d for d in shape)
    src = b.as_shape(a, shape) if shape != a.shape else a
    if kind == "broadcast_arrays":
        other = b.other(target)
        return b.emit(f"fnp.broadcast_arrays({src}, {other})[0]")
    b.emit(f"fnp.broadcast_to({src}, {target})")


@family("shape")
def join(b):
    a = b.pick(lambda v: v.ndim >= 1)
    kind = b.choice(["concatenate", "stack", "hstack", "vstack", "dstack", "column_stack",
                     "block", "array"])
    n = b.integer(2, 3)
    if kind in ("stack", "array"):
        others = [b.other(a.shape) for _ in range(n - 1)]
        parts = ", ".join(map(str, [a] + others))
        if kind == "array":
            return b.emit(f"fnp.array([{parts}])")
        return b.emit(f"fnp.stack([{parts}], axis={b.integer(-a.ndim - 1, a.ndim)})")
    axis = b.integer(-a.ndim, a.ndim - 1)
    if kind in ("hstack", "vstack", "dstack", "column_stack", "block"):
        axis = {"hstack": 1 if a.ndim >= 2 else 0, "vstack": 0, "dstack": 2,
                "column_stack": 1, "block": -1}[kind]
        if kind == "dstack" and a.ndim < 3 or kind == "column_stack" and a.ndim != 2:
            raise Skip
        if kind == "vstack" and a.ndim < 2:
            raise Skip
    others = []
    for _ in range(n - 1):
        shape = list(a.shape)
        shape[axis] = b.integer(1, 3)
        others.append(b.other(tuple(shape)))
    parts = ", ".join(map(str, [a] + others))
    if kind == "concatenate":
        return b.emit(f"fnp.concatenate([{parts}], axis={axis})")
    if kind == "block":
        return b.emit(f"fnp.block([{parts}])")
    b.emit(f"fnp.{kind}([{parts}])")


@family("shape")
def split(b):
    a = b.pick(lambda v: v.ndim >= 1)
    axis = b.integer(-a.ndim, a.ndim - 1)
    d = a.shape[axis]
    kind = b.choice(["split", "array_split", "unstack", "hsplit", "vsplit"])
    if kind == "unstack":
        return b.emit(f"fnp.unstack({a}, axis={axis})[{b.integer(0, d - 1)}]")
    if kind == "split":
        if d > 1 and b.coin():       # at indices: every piece non-empty
            cuts = sorted(set(b.rng().integers(1, d, 2).tolist()))
            return b.emit(f"fnp.split({a}, {cuts}, axis={axis})[{b.integer(0, len(cuts))}]")
        k = b.choice([k for k in range(1, d + 1) if d % k == 0])
        return b.emit(f"fnp.split({a}, {k}, axis={axis})[{b.integer(0, k - 1)}]")
    if kind == "array_split":
        k = b.integer(1, d)
        return b.emit(f"fnp.array_split({a}, {k}, axis={axis})[{b.integer(0, k - 1)}]")
    ax = 1 if kind == "hsplit" and a.ndim >= 2 else 0
    if kind == "vsplit" and a.ndim < 2:
        raise Skip
    d = a.shape[ax]
    k = b.choice([k for k in range(1, d + 1) if d % k == 0])
    b.emit(f"fnp.{kind}({a}, {k})[{b.integer(0, k - 1)}]")


@family("shape")
def rearrange(b):
    a = b.pick(lambda v: v.ndim >= 1)
    n = a.ndim
    kind = b.choice(["flip", "fliplr", "flipud", "roll", "rot90", "tile", "repeat"])
    if kind == "flip":
        axis = axis_of(b, n, allow_tuple=True)
        return b.emit(f"fnp.flip({a})" if axis is None else f"fnp.flip({a}, axis={axis})")
    if kind in ("fliplr", "flipud"):
        if kind == "fliplr" and n < 2:
            raise Skip
        return b.emit(f"fnp.{kind}({a})")
    if kind == "roll":
        axis = axis_of(b, n)
        shift = b.integer(-5, 5)
        if axis is None:
            return b.emit(f"fnp.roll({a}, {shift})")
        return b.emit(f"fnp.roll({a}, {shift}, axis={axis})")
    if kind == "rot90":
        if n < 2:
            raise Skip
        return b.emit(f"fnp.rot90({a}, k={b.integer(-2, 3)}, axes=({n - 2}, {n - 1}))")
    if kind == "tile":
        reps = tuple(b.integer(1, 2) for _ in range(b.integer(1, 3)))
        return b.emit(f"fnp.tile({a}, {reps})")
    axis = axis_of(b, n)
    length = a.size if axis is None else a.shape[axis]
    reps = b.integer(1, 3) if b.coin() else b.const(b.rng().integers(0, 3, length))
    if axis is None:
        return b.emit(f"fnp.repeat({a}, {reps})")
    b.emit(f"fnp.repeat({a}, {reps}, axis={axis})")


@family("shape")
def pad(b):
    a = b.pick(lambda v: v.ndim >= 1)
    mode = b.choice(["constant", "edge", "wrap", "reflect", "symmetric", "linear_ramp", "mean",
                     "maximum", "minimum", "median"])
    widths = tuple((b.integer(0, 2), b.integer(0, 2)) for _ in range(a.ndim))
    if mode in ("maximum", "minimum", "median"):
        a = b.distinct(a)     # no ties among the entries the statistic reads
    extra = ""
    if mode == "constant" and b.coin():
        extra = ", constant_values=1.5"
    if mode == "linear_ramp" and b.coin():
        extra = ", end_values=-1.0"
    if mode in ("maximum", "mean", "median", "minimum") and b.coin():
        extra = f", stat_length={b.integer(1, 3)}"
    b.emit(f"fnp.pad({a}, {widths}, mode='{mode}'{extra})")


@family("shape")
def meshgrid(b):
    a = b.pick(lambda v: v.ndim == 1 and v.size <= 6)
    c = b.other((b.integer(1, 4),))
    indexing = b.choice(["xy", "ij"])
    b.emit(f"fnp.meshgrid({a}, {c}, indexing='{indexing}')[{b.integer(0, 1)}]")


# -- indexing --------------------------------------------------------------------------

def random_index(b, shape):
    """(index text, result shape, dynamic): ints, slices, None, Ellipsis, at most one advanced
    part (an int array with repeats and negatives, a boolean mask, a pair of int arrays, or
    an argmax of some value); ``dynamic`` when the index is computed from values."""
    rng = b.rng()
    parts, texts, dynamic = [], [], False
    advanced = b.choice(["none", "none", "ints", "mask", "pair", "argmax"])
    adv_axes = set()
    if advanced in ("ints", "mask", "argmax") and shape:
        adv_axes = {b.integer(0, len(shape) - 1)}
    if advanced == "pair" and len(shape) >= 2:
        i = b.integer(0, len(shape) - 2)
        adv_axes = {i, i + b.integer(1, len(shape) - 1 - i)}
    length = b.integer(1, 4)
    for axis, d in enumerate(shape):
        if axis in adv_axes:
            if advanced == "mask":
                mask = rng.random(d) < 0.6
                mask[rng.integers(d)] = True
                parts.append(mask)
                texts.append(b.const(mask))
            elif advanced == "argmax":
                w = b.distinct(b.pick())
                dynamic = True
                parts.append(int(np.argmax(w.data[0])) % d)  # only its shape matters here
                texts.append(f"fnp.argmax({w}) % {d}")
            else:
                idx = rng.integers(-d, d, length)
                parts.append(idx)
                texts.append(b.const(idx))
            continue
        kind = b.choice(["slice", "int", "full", "none"])
        if kind == "int":
            i = b.integer(-d, d - 1)
            parts.append(i)
            texts.append(str(i))
        elif kind == "slice":
            start, stop = b.integer(-d, d), b.integer(-d - 1, d)
            step = b.choice([1, 1, 2, -1, -2])
            parts.append(slice(start, stop, step))
            texts.append(f"{start}:{stop}:{step}")
        else:
            parts.append(slice(None))
            texts.append(":")
        if kind == "none" and len(parts) < 6:
            parts.append(None)
            texts.append("None")
    if texts and all(t == ":" for t in texts[-2:]) and b.coin(0.3):
        while texts and texts[-1] == ":":
            texts.pop()
            parts.pop()
        parts.append(Ellipsis)
        texts.append("...")
    try:
        out_shape = np.empty(shape)[tuple(parts)].shape
    except IndexError:
        raise Skip
    if math.prod(out_shape) == 0:
        raise Skip
    return ", ".join(texts) if texts else "()", out_shape, dynamic


@family("indexing", weight=2)
def getitem(b):
    a = b.pick()
    index, _, dynamic = random_index(b, a.shape)
    if dynamic and not a.batched and known_defect("vmap-plain-index"):
        return b.emit(f"fnp.at({a})[{index}].get()")
    b.emit(f"{a}[{index}]")


@family("indexing", weight=2)
def at_update(b):
    a = b.pick(lambda v: v.ndim >= 1)
    index, shape, _ = random_index(b, a.shape)
    how = b.choice(["set", "add", "multiply", "min", "max", "get"])
    if how == "get":
        return b.emit(f"fnp.at({a})[{index}].get()")
    scalar = b.coin(0.25)
    v = b.other(() if scalar else b.compatible_shape(shape, grow=False))
    if how == "multiply":
        v = b.limit(v, 2.0)
    if how in ("min", "max"):
        # every update and the entry it meets at least 0.5 apart; repeated indices too
        a = b.emit(f"0.25 * fnp.tanh({b.realify(a)})")
        v = b.realify(v)
        k = b.rng().permutation(max(v.size, 1)) + 1.0
        k = b.const((k * b.rng().choice([-1.0, 1.0], k.size)).reshape(v.shape))
        v = b.emit(f"0.25 * fnp.tanh({v}) + {k}", "adapter: updates apart")
    b.emit(f"fnp.at({a})[{index}].{how}({v})")


@family("indexing")
def take(b):
    a = b.pick(lambda v: v.ndim >= 1)
    kind = b.choice(["take", "take_along_axis", "compress", "extract", "choose", "select",
                     "nonzero"])
    rng = b.rng()
    if kind == "take":
        axis = axis_of(b, a.ndim)
        d = a.size if axis is None else a.shape[axis]
        mode = b.choice(["raise", "wrap", "clip"])
        idx = rng.integers(-d, d, b.choice([(), (3,), (2, 2)])) if mode == "raise" else \
            rng.integers(-2 * d, 2 * d, (3,))
        ax = "" if axis is None else f", axis={axis}"
        return b.emit(f"fnp.take({a}, {b.const(idx)}{ax}, mode='{mode}')")
    if kind == "take_along_axis":
        axis = b.integer(-a.ndim, a.ndim - 1)
        shape = list(a.shape)
        shape[axis] = b.integer(1, 4)
        idx = b.const(rng.integers(0, a.shape[axis], shape))
        if b.coin(0.4):      # the order of another value, as argsort gives it
            w = b.distinct(b.as_shape(b.pick(), a.shape), axis)
            idx = f"fnp.argsort({w}, axis={axis})"
        return b.emit(f"fnp.take_along_axis({a}, {idx}, axis={axis})")
    if kind == "compress":
        axis = axis_of(b, a.ndim)
        d = a.size if axis is None else a.shape[axis]
        cond = rng.random(b.integer(1, d)) < 0.6
        cond[0] = True
        ax = "" if axis is None else f", axis={axis}"
        return b.emit(f"fnp.compress({b.const(cond)}, {a}{ax})")
    if kind == "extract":
        cond = rng.random(a.shape) < 0.6
        cond.flat[0] = True
        return b.emit(f"fnp.extract({b.const(cond)}, {a})")
    if kind == "nonzero":
        cond = rng.random(a.shape) < 0.6
        cond.flat[0] = True
        fn = b.choice(["nonzero", "flatnonzero", "argwhere"])
        if fn == "nonzero":
            return b.emit(f"{a}[fnp.nonzero({b.const(cond)})]")
        if fn == "flatnonzero":
            return b.emit(f"fnp.ravel({a})[fnp.flatnonzero({b.const(cond)})]")
        return b.emit(f"{a}[tuple(fnp.argwhere({b.const(cond)}).T)]")
    c = b.other(a.shape)
    if kind == "choose":
        mode = b.choice(["raise", "wrap", "clip"])
        idx = rng.integers(0, 2, a.shape) if mode == "raise" else rng.integers(-2, 4, a.shape)
        return b.emit(f"fnp.choose({b.const(idx)}, [{a}, {c}], mode='{mode}')")
    w1 = b.nonzero(b.realify(b.other(a.shape)))
    w2 = b.nonzero(b.realify(b.other(a.shape)))
    default = b.choice(["0.0", "-1.5", str(b.other(a.shape))])
    b.emit(f"fnp.select([{w1} > 0, {w2} < 0], [{a}, {c}], default={default})")


# -- reductions ------------------------------------------------------------------------

@family("reductions")
def reduce_sum(b):
    a = b.pick()
    name = b.choice(["sum", "mean", "prod", "nansum", "nanmean", "nanprod", "average",
                     "method_sum", "method_mean"])
    axis = axis_of(b, a.ndim, allow_tuple=True) if a.ndim else None
    keep = b.coin(0.3)
    kw = ("" if axis is None else f", axis={axis}") + (", keepdims=True" if keep else "")
    if name in ("prod", "nanprod"):
        a = b.limit(a, 1.3)
    if name.startswith("nan") and b.coin(0.6):
        a = inject_nans(b, a, axis, minimum=1)
    if name == "average":    # weights of a's shape, or 1-d along an int axis
        w = b.rng().integers(1, 4, (a.shape[axis],) if isinstance(axis, int) and b.coin()
                             else a.shape)
        kw = "" if axis is None else f", axis={axis}"
        if b.coin(0.3):
            wt = b.emit(f"1.5 + fnp.tanh({b.realify(b.other(w.shape))})")
            return b.emit(f"fnp.average({a}{kw}, weights={wt})")
        return b.emit(f"fnp.average({a}{kw}, weights={b.const(w.astype(float))})")
    if name.startswith("method"):
        return b.emit(f"{a}.{name[7:]}({'' if axis is None else f'axis={axis}'})")
    if name in ("sum", "prod") and b.coin(0.3):
        extra = b.choice([", initial=1.5", f", where={b.const(b.rng().random(a.shape) < 0.7)}"])
        return b.emit(f"fnp.{name}({a}{kw}{extra})")
    b.emit(f"fnp.{name}({a}{kw})")


def inject_nans(b, a, axis, minimum):
    """``a`` with NaN at some constant positions, leaving at least ``minimum`` numbers in
    every slice the reduction over ``axis`` sees. Returns an expression (no NaN value is
    ever a line of its own)."""
    rng = b.rng()
    mask = rng.random(a.shape) < 0.3
    data = np.where(mask, np.nan, 0.0)
    with np.errstate(all="ignore"):
        counts = np.sum(~np.isnan(data), axis=axis)
    if np.min(counts) < minimum:
        return a
    event("nan injected")
    return f"fnp.where({b.const(mask)}, np.nan, {a})"


@family("reductions")
def reduce_extremum(b):
    a = b.pick()
    name = b.choice(["max", "min", "amax", "amin", "ptp", "nanmax", "nanmin", "method_max"])
    axis = axis_of(b, a.ndim, allow_tuple=True) if a.ndim else None
    a = b.distinct(a, axis)
    keep = b.coin(0.3)
    kw = ("" if axis is None else f", axis={axis}") + (", keepdims=True" if keep else "")
    if name.startswith("nan") and b.coin(0.6):
        a = inject_nans(b, a, axis, minimum=1)
    if name == "method_max":
        return b.emit(f"{a}.max({'' if axis is None else f'axis={axis}'})")
    if name in ("max", "min") and b.coin(0.2):
        kw += f", initial={-100.0 if name == 'max' else 100.0}"
    b.emit(f"fnp.{name}({a}{kw})")


@family("reductions")
def reduce_moments(b):
    a = b.pick()
    name = b.choice(["var", "std", "nanvar", "nanstd", "method_var", "method_std"])
    axis = axis_of(b, a.ndim, allow_tuple=True) if a.ndim else None
    count = reduced_count(a.shape, axis)
    ddof = b.integer(0, 1)
    if count - ddof < 1 or "std" in name and count < 2:
        raise Skip
    if "std" in name:
        a = b.distinct(a, axis)          # no constant slice: std is sqrt, with a kink at 0
    keep = b.coin(0.3)
    kw = ("" if axis is None else f", axis={axis}") + (", keepdims=True" if keep else "")
    kw += f", ddof={ddof}" if ddof else ""
    if name.startswith("nan") and b.coin(0.6):
        a = inject_nans(b, a, axis, minimum=2 + ddof)
    if name.startswith("method"):
        return b.emit(f"{a}.{name[7:]}({kw[2:]})")
    b.emit(f"fnp.{name}({a}{kw})")


@family("reductions")
def accumulate(b):
    a = b.pick()
    name = b.choice(["cumsum", "cumprod", "nancumsum", "nancumprod", "diff", "gradient",
                     "trapezoid"])
    if a.ndim == 0:
        raise Skip
    axis = b.integer(-a.ndim, a.ndim - 1)
    if name in ("cumsum", "cumprod", "nancumsum", "nancumprod"):
        if "prod" in name:
            a = b.limit(a, 1.2)
        if name.startswith("nan") and b.coin(0.5):
            a = inject_nans(b, a, None, minimum=0)
        ax = "" if b.coin(0.2) else f", axis={axis}"
        return b.emit(f"fnp.{name}({a}{ax})")
    d = a.shape[axis]
    if name == "diff":
        n = b.integer(1, 2)
        extra = b.choice(["", ", prepend=0.5", ", append=-1.0"])
        if n >= d + (1 if extra else 0):
            raise Skip
        return b.emit(f"fnp.diff({a}, n={n}, axis={axis}{extra})")
    if name == "gradient":
        edge = b.integer(1, 2)
        if d < edge + 1:
            raise Skip
        spacing = b.choice(["", ", 0.5", f", {b.const(np.cumsum(b.rng().uniform(0.5, 1, d)))}"])
        return b.emit(f"fnp.gradient({a}{spacing}, axis={axis}, edge_order={edge})")
    if b.coin():
        return b.emit(f"fnp.trapezoid({a}, dx={b.choice([0.5, 2.0])}, axis={axis})")
    x = b.const(np.cumsum(b.rng().uniform(0.5, 1, d)))
    b.emit(f"fnp.trapezoid({a}, x={x}, axis={axis})")


# -- order statistics ------------------------------------------------------------------

@family("order")
def sort(b):
    a = b.pick(lambda v: v.ndim >= 1)
    axis = axis_of(b, a.ndim)
    a = b.distinct(a, axis)
    ax = "axis=None" if axis is None else f"axis={axis}"
    kind = b.choice(["sort", "sort_stable", "argsort", "partition", "argpartition"])
    if kind == "sort":
        return b.emit(f"fnp.sort({a}, {ax})")
    if kind == "sort_stable":
        return b.emit(f"fnp.sort({a}, {ax}, kind='stable')")
    d = a.size if axis is None else a.shape[axis]
    kth = b.integer(-d, d - 1)
    if kind == "partition":
        return b.emit(f"fnp.partition({a}, {kth}, {ax})")
    if axis is None:
        flat = b.emit(f"fnp.ravel({a})")
        a, axis = flat, 0
    if kind == "argsort":
        return b.emit(f"fnp.take_along_axis({a}, fnp.argsort({a}, axis={axis}), axis={axis})")
    # argpartition: only the kth place is defined (the others' order is the algorithm's)
    b.emit(f"fnp.take_along_axis({a}, fnp.argpartition({a}, {kth}, axis={axis}), "
           f"axis={axis})[{':, ' * (axis % a.ndim)}{kth}]")


@family("order")
def quantiles(b):
    a = b.pick(lambda v: v.ndim >= 1)
    name = b.choice(["median", "quantile", "percentile", "nanmedian", "nanquantile",
                     "nanpercentile"])
    axis = axis_of(b, a.ndim, allow_tuple=True)
    a = b.distinct(a, axis)
    keep = ", keepdims=True" if b.coin(0.3) else ""
    ax = "" if axis is None else f", axis={axis}"
    scale = 100 if name.endswith("percentile") else 1
    q = "median" if name.endswith("median") else b.choice(["scalar", "array", "traced"])
    if q == "traced":     # q itself differentiated: linear, away from the knots (n - 1) q
        n = reduced_count(a.shape, axis)
        w = b.realify(b.other(()))
        qv = b.emit(f"{0.5 * scale!r} + {0.45 * scale!r} * fnp.tanh({w})")
        pos = [(n - 1) * float(d) / scale for d in qv.data]
        if n < 2 or min(abs(p - round(p)) for p in pos) < 0.05:
            raise Skip
        return b.emit(f"fnp.{name}({a}, {qv}{ax}{keep})")
    if name.startswith("nan") and b.coin(0.6):
        a = inject_nans(b, a, axis, minimum=1)
    if q == "median":
        return b.emit(f"fnp.{name}({a}{ax}{keep})")
    method = b.choice(["linear", "linear", "lower", "higher", "nearest", "midpoint",
                       "inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                       "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
                       "normal_unbiased"])
    qs = b.rng().uniform(0.05, 0.95, () if q == "scalar" else (b.integer(1, 3),)) * scale
    b.emit(f"fnp.{name}({a}, {b.const(np.round(qs, 3))}{ax}, method='{method}'{keep})")


@family("order")
def searchsorted(b):
    a = b.pick()
    kind = b.choice(["searchsorted", "lexsort", "argmin"])
    if kind == "searchsorted":
        grid = b.const(np.arange(-3.0, 4.0))
        w = b.offgrid(b.pick())
        side = b.choice(["left", "right"])
        return b.emit(f"fnp.take({a}, fnp.searchsorted({grid}, {w}, side='{side}'), mode='wrap')")
    if kind == "lexsort":
        if a.ndim != 1:
            a = b.emit(f"fnp.ravel({a})")
        k1 = b.distinct(b.other(a.shape))
        k2 = b.const(b.rng().integers(0, 2, a.shape))
        if not a.batched and known_defect("vmap-plain-index"):
            return b.emit(f"fnp.take({a}, fnp.lexsort(({k1}, {k2})))")
        return b.emit(f"{a}[fnp.lexsort(({k1}, {k2}))]")
    if a.ndim == 0:
        raise Skip
    w = b.distinct(b.other(a.shape), -1)
    b.emit(f"fnp.take_along_axis({a}, fnp.expand_dims(fnp.argmin({w}, axis=-1), -1), axis=-1)")


# -- diagonals -------------------------------------------------------------------------

@family("diagonals")
def diagonals(b):
    kind = b.choice(["diag", "diagflat", "diagonal", "trace", "tril", "triu"])
    if kind == "diag":
        a = b.pick(lambda v: v.ndim in (1, 2))
        k = b.integer(-1, 1)
        if a.ndim == 2 and not -a.shape[0] < k < a.shape[1]:
            raise Skip
        return b.emit(f"fnp.diag({a}, k={k})")
    if kind == "diagflat":
        a = b.pick(lambda v: v.size <= 5)
        return b.emit(f"fnp.diagflat({a}, {b.integer(-1, 1)})")
    a = b.pick(lambda v: v.ndim >= 2)
    if kind in ("tril", "triu"):
        return b.emit(f"fnp.{kind}({a}, k={b.integer(-1, 1)})")
    n = a.ndim
    ax1, ax2 = b.rng().choice(n, 2, replace=False).tolist()
    ax1 = ax1 - n if b.coin(0.3) else ax1
    off = b.integer(-1, 1)
    if not -a.shape[ax1] < off < a.shape[ax2]:
        off = 0
    if kind == "diagonal" and b.coin(0.3):
        return b.emit(f"fnp.linalg.diagonal({a}, offset={off})")
    if kind == "trace" and b.coin(0.3):
        return b.emit(f"fnp.linalg.trace({a}, offset={off})")
    b.emit(f"fnp.{kind}({a}, {off}, {ax1}, {ax2})")


# -- products --------------------------------------------------------------------------

@family("products")
def matmul(b):
    a = b.limit(b.pick(lambda v: v.ndim >= 1), 4.0)
    kind = b.choice(["@", "matmul", "dot", "inner", "vdot", "linalg.matmul", "vecdot"])
    k = a.shape[-1]
    if kind in ("inner", "vdot", "vecdot"):
        shape = a.shape if kind == "vdot" or kind == "vecdot" and b.coin() else \
            (b.integer(1, 3), k) if kind == "inner" and b.coin(0.3) else (k,)
        c = b.limit(b.other(shape), 4.0)
        fn = "fnp.linalg.vecdot" if kind == "vecdot" else f"fnp.{kind}"
        return b.emit(f"{fn}({a}, {c})")
    fn = {"@": None, "matmul": "fnp.matmul", "dot": "fnp.dot",
          "linalg.matmul": "fnp.linalg.matmul"}[kind]
    n = b.integer(1, 4)
    side = b.choice(["vector", "matrix", "stack", "left"])
    if side == "left":               # c @ a: c's last axis meets a's first (or second last)
        c = b.limit(b.other((n, a.shape[-2] if a.ndim >= 2 else a.shape[0])), 4.0)
        if kind == "dot" and a.ndim > 2:
            raise Skip
        return b.emit(f"{c} @ {a}" if fn is None else f"{fn}({c}, {a})")
    if side == "vector":
        shape = (k,)
    elif side == "matrix":
        shape = (k, n)
    else:                            # a stack that broadcasts against a's own
        shape = (a.shape[-3] if a.ndim >= 3 else b.integer(1, 2), k, n)
    c = b.limit(b.other(shape), 4.0)
    b.emit(f"{a} @ {c}" if fn is None else f"{fn}({a}, {c})")


@family("products")
def outer(b):
    a = b.limit(b.pick(lambda v: v.size <= 8), 4.0)
    kind = b.choice(["outer", "kron", "tensordot", "cross", "multi_dot", "linalg.outer"])
    if kind == "outer":
        c = b.limit(b.pick(lambda v: v.size <= 8), 4.0)
        return b.emit(f"fnp.outer({a}, {c})")
    if kind == "linalg.outer":
        c = b.other((b.integer(1, 4),))
        return b.emit(f"fnp.linalg.outer({b.as_shape(a, (a.size,))}, {c})")
    if kind == "kron":
        c = b.limit(b.pick(lambda v: v.size <= 8), 4.0)
        return b.emit(f"fnp.kron({a}, {c})")
    if kind == "cross":
        d = b.choice([3, 3, 2])
        lead = (b.integer(1, 3),) if b.coin() else ()
        u, w = b.other(lead + (d,)), b.other(lead + (d,))
        if d == 3 and b.coin(0.3):
            return b.emit(f"fnp.linalg.cross({u}, {w})")
        if d == 3 and lead and b.coin(0.3):
            ut = b.emit(f"fnp.moveaxis({u}, -1, 0)")
            return b.emit(f"fnp.cross({ut}, {w}, axisa=0, axisc=0)")
        return b.emit(f"fnp.cross({u}, {w})")
    if kind == "multi_dot":
        dims = [b.integer(1, 3) for _ in range(b.integer(3, 5))]
        ms = [b.limit(b.other((dims[i], dims[i + 1])), 2.0) for i in range(len(dims) - 1)]
        return b.emit(f"fnp.linalg.multi_dot([{', '.join(map(str, ms))}])")
    if a.ndim == 0:
        raise Skip
    naxes = b.integer(0, min(2, a.ndim))
    shape = a.shape[a.ndim - naxes:] + (b.integer(1, 3),)
    c = b.limit(b.other(shape), 4.0)
    if b.coin():
        return b.emit(f"fnp.tensordot({a}, {c}, axes={naxes})")
    axes = (list(range(a.ndim - naxes, a.ndim)), list(range(naxes)))
    fn = b.choice(["fnp.tensordot", "fnp.linalg.tensordot"])
    b.emit(f"{fn}({a}, {c}, axes={axes})")


@family("einsum")
def einsum(b):
    """A random einsum: 1-3 operands, shared, repeated (diagonal) and summed letters."""
    rng = b.rng()
    letters = "ijkl"
    sizes = {c: b.integer(1, 3) for c in letters}
    nops = b.integer(1, 3)
    subs = ["".join(rng.choice(list(letters), b.integer(0, 3)).tolist()) for _ in range(nops)]
    lead = (b.integer(1, 2),) if nops == 1 and subs[0] and b.coin(0.15) else ()
    ops = [str(b.limit(b.other(lead + tuple(sizes[c] for c in sub)), 2.0)) for sub in subs]
    ell = "..." if lead else ""
    spec = ",".join(ell + s for s in subs)
    if b.coin(0.7):                  # an explicit output, letters in any order
        present = sorted(set("".join(subs)))
        out = [c for c in present if rng.random() < 0.5]
        spec += "->" + ell + "".join(rng.permutation(out).tolist() if out else [])
    opt = ", optimize=True" if b.coin(0.3) and nops >= 2 else ""
    b.emit(f"fnp.einsum('{spec}', {', '.join(ops)}{opt})")


# -- linalg ----------------------------------------------------------------------------

@family("linalg")
def solve_like(b):
    kind = b.choice(["inv", "solve", "det", "slogdet", "matrix_power", "pinv", "tensorinv",
                     "tensorsolve"])
    a = b.wellcond(b.square())
    n = a.shape[-1]
    if kind == "inv":
        return b.emit(f"fnp.linalg.inv({a})")
    if kind == "det":
        return b.emit(f"fnp.linalg.det({a})")
    if kind == "slogdet":
        return b.emit(f"fnp.linalg.slogdet({a})[1]" if b.coin(0.8) else
                      f"fnp.linalg.slogdet({a}).logabsdet")
    if kind == "matrix_power":
        return b.emit(f"fnp.linalg.matrix_power({a}, {b.integer(-2, 3)})")
    if kind == "pinv":
        return b.emit(f"fnp.linalg.pinv({a})")
    if kind == "solve":
        stack = a.shape[:-2]
        rhs = b.choice([stack + (n, b.integer(1, 3)), (n,) if not stack else stack + (n, 1)])
        return b.emit(f"fnp.linalg.solve({a}, {b.other(rhs)})")
    if a.ndim != 2 or n not in (2, 4):
        raise Skip
    # tensorinv / tensorsolve: an n x n matrix seen as a (p, q, n) or (n, p, q) tensor
    p, q = (2, n // 2)
    if kind == "tensorinv":
        t = b.emit(f"fnp.reshape({a}, ({p}, {q}, {n}))")
        return b.emit(f"fnp.linalg.tensorinv({t}, ind=2)")
    t = b.emit(f"fnp.reshape({a}, ({n}, {p}, {q}))")
    return b.emit(f"fnp.linalg.tensorsolve({t}, {b.other((n,))})")


@family("linalg")
def decompositions(b):
    kind = b.choice(["cholesky", "eigh", "eigvalsh", "eig", "eigvals", "svd", "svdvals", "qr",
                     "lstsq", "pinv_rect"])
    if kind == "cholesky":
        a = b.positive_definite(b.square())
        if b.coin(0.3):
            return b.emit(f"fnp.linalg.cholesky({a}, upper=True)")
        return b.emit(f"fnp.linalg.cholesky({a})")
    if kind in ("eigh", "eigvalsh"):
        a = b.hermitian_apart(b.square())
        uplo = b.choice(["L", "U"])
        if kind == "eigvalsh":
            return b.emit(f"fnp.linalg.eigvalsh({a}, UPLO='{uplo}')")
        w, v = f"fnp.linalg.eigh({a}, UPLO='{uplo}')", b.integer(0, 2)
        if v == 0:
            return b.emit(f"{w}[0]")
        # vectors through sign- (phase-) invariant functions only: LAPACK's signs jump
        # where the matrix has exact zeros (Householder steps with nothing to reflect)
        if a.complex:
            return b.emit(f"fnp.abs({w}[1]) ** 2")
        if v == 1:
            return b.emit(b.choice([f"{w}[1] ** 2", f"{w}.eigenvectors ** 2"]))
        return b.emit(f"({w}[1] * fnp.tanh({w}[0])[..., None, :]) @ "
                      f"fnp.swapaxes({w}[1], -1, -2)")          # tanh of the matrix
    if kind in ("eig", "eigvals"):
        a = b.square(complex_ok=False)
        n = a.shape[-1]
        t = b.emit(f"fnp.tanh({a}) * {0.1 / n!r}")
        d = b.const(np.diag(b.rng().permutation(n) - (n - 1) / 2))
        a = b.emit(f"{t} + {d}", "adapter: real eigenvalues apart")
        # LAPACK's order of the eigenvalues is not continuous in the matrix (it may swap
        # two under a tiny change), and a real eigenvector's sign is free: sort them, and
        # take sign-invariant functions of the vectors, in the eigenvalues' order
        if kind == "eigvals" or a.ndim > 2:
            return b.emit(f"fnp.sort(fnp.linalg.eigvals({a}), axis=-1)")
        if b.coin():
            return b.emit(f"fnp.sort(fnp.linalg.eig({a})[0])")
        return b.emit(f"(fnp.linalg.eig({a})[1] ** 2)[:, fnp.argsort(fnp.linalg.eig({a})[0])]")
    if kind == "qr":
        a = b.square() if b.coin(0.3) else b.other((b.integer(1, 4), b.integer(1, 4)))
        k = min(a.shape[-2:])
        base = np.zeros(a.shape[-2:])
        base[np.arange(k), np.arange(k)] = 2.0        # R's diagonal far from 0
        # and entries below it away from 0: LAPACK's Householder step keeps R's sign where
        # a column has nothing below the diagonal, and flips it where it has anything
        lower = np.tril_indices(a.shape[-2], -1, a.shape[-1])
        base[lower] = b.rng().choice([-0.5, 0.5], len(lower[0]))
        u = b.tanh_ready(a)
        a = b.emit(f"fnp.tanh({u}) * {0.2 / max(a.shape[-2:])!r} + {b.const(base)}",
                   "adapter: qr far from rank loss")
        mode = b.choice(["reduced", "r"] + (["complete"] if a.shape[-1] == a.shape[-2] else []))
        if mode == "r":
            return b.emit(f"fnp.linalg.qr({a}, mode='r')")
        return b.emit(f"fnp.linalg.qr({a}, mode='{mode}')[{b.integer(0, 1)}]")
    m, n = b.integer(1, 4), b.integer(1, 4)
    if kind in ("lstsq", "pinv_rect"):
        m, n = max(m, n), min(m, n)      # tall, full column rank
        a = b.singular_apart(b.other((m, n)))
        if kind == "pinv_rect":
            return b.emit(f"fnp.linalg.pinv({a if b.coin() else f'fnp.swapaxes({a}, 0, 1)'})")
        rhs = b.other((m,) if b.coin() else (m, b.integer(1, 2)))
        return b.emit(f"fnp.linalg.lstsq({a}, {rhs})[0]")
    stack = (2,) if b.coin(0.2) else ()
    a = b.singular_apart(b.other(stack + (m, n)))
    if kind == "svdvals":
        return b.emit(b.choice([f"fnp.linalg.svdvals({a})",
                                f"fnp.linalg.svd({a}, compute_uv=False)"]))
    out = b.integer(0, 2)
    svd = f"fnp.linalg.svd({a}, full_matrices={m == n and b.coin()})"
    if out == 1:
        return b.emit(f"{svd}[1]")
    # vectors through sign- (phase-) invariant functions only, as for eigh
    if a.complex:
        return b.emit(f"fnp.abs({svd}[{out}]) ** 2")
    b.emit(b.choice([f"{svd}[{out}] ** 2", f"{svd}[0] @ {svd}[2]"]))


@family("linalg")
def norms(b):
    kind = b.choice(["vector", "matrix", "vector_norm", "matrix_norm", "cond"])
    if kind in ("vector", "vector_norm"):
        a = b.pick()
        order = b.choice([None, 2, 1, np.inf, -np.inf, 3, 0.5, -1])
        if order in (np.inf, -np.inf):      # distinct, then positive: |x| without ties
            a = b.distinct(b.realify(a))
            if a.lo() < 0.5:
                a = b.emit(f"{a} + {math.ceil(abs(a.lo())) + 0.5!r}")
        axis = axis_of(b, a.ndim, allow_tuple=True) if a.ndim and kind == "vector_norm" \
            else None
        # |x| has a kink at 0: entries away from it, or for the 2-norm (a kink at x = 0
        # only) every norm taken at least MARGIN
        if order not in (None, 2) or not a.all(
                lambda d: np.min(np.sqrt(np.sum(np.abs(d) ** 2, axis=axis))) >= MARGIN):
            a = b.nonzero(a)
        o = {np.inf: "np.inf", -np.inf: "-np.inf"}.get(order, repr(order))
        if kind == "vector_norm":
            kw = "" if axis is None else f", axis={axis}"
            return b.emit(f"fnp.linalg.vector_norm({a}, ord={o}{kw})")
        if a.ndim != 1 and order is not None:
            a = b.emit(f"fnp.ravel({a})")
        return b.emit(f"fnp.linalg.norm({a}, {o})" if order is not None else
                      f"fnp.linalg.norm({a})")
    m, n = b.integer(1, 4), b.integer(1, 4)
    order = b.choice([None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
    if kind == "cond":
        order = b.choice([None, 2, -2, "fro"])
        m = n
    a = b.other((m, n))
    if order in ("nuc", 2, -2) or kind == "cond":
        a = b.singular_apart(a)
    elif order in (1, -1, np.inf, -np.inf):
        # entries away from 0 and column (row) sums of |a| apart
        s = b.const(b.rng().choice([-1.0, 1.0], (m, n)))
        k = b.const((b.rng().permutation(n if order in (1, -1) else m) + 1.0).reshape(
            (1, n) if order in (1, -1) else (m, 1)))
        a = b.emit(f"{s} * ({k} + 0.1 * fnp.tanh({b.realify(a)}) / {max(m, n)})",
                   "adapter: matrix norm without ties")
    o = {np.inf: "np.inf", -np.inf: "-np.inf"}.get(order, repr(order))
    if kind == "cond":
        return b.emit(f"fnp.linalg.cond({a}, {o})")
    if kind == "matrix_norm" and order is not None:
        return b.emit(f"fnp.linalg.matrix_norm({a}, ord={o})")
    b.emit(f"fnp.linalg.norm({a}, {o})")


# -- fft -------------------------------------------------------------------------------

@family("fft")
def fft(b):
    a = b.limit(b.pick(lambda v: v.ndim >= 1), 8.0)
    norm = b.choice([None, "backward", "ortho", "forward"])
    nk = "" if norm is None else f", norm='{norm}'"
    kind = b.choice(["fft", "ifft", "fftn", "ifftn", "fft2", "ifft2", "rfft", "irfft", "rfftn",
                     "irfftn", "rfft2", "irfft2", "hfft", "ihfft", "shift"])
    axis = b.integer(-a.ndim, a.ndim - 1)
    if kind == "shift":
        fn = b.choice(["fftshift", "ifftshift"])
        return b.emit(f"fnp.fft.{fn}({a})" if b.coin() else f"fnp.fft.{fn}({a}, axes={axis})")
    if kind in ("rfft", "ihfft", "rfftn", "rfft2"):
        a = b.realify(a)
    axes = sorted(set(b.rng().choice(a.ndim, b.integer(1, a.ndim), replace=True).tolist()))
    last = {"irfft": axis, "hfft": axis, "irfft2": -1, "irfftn": axes[-1]}.get(kind)
    if last is not None and a.shape[last] < 2:
        raise Skip                   # the default output length 2 (m - 1) would be 0
    if kind in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        n = ""
        if b.coin(0.3):
            n = f", n={b.integer(2 if kind in ('irfft', 'hfft') else 1, 5)}"
        return b.emit(f"fnp.fft.{kind}({a}{n}, axis={axis}{nk})")
    if kind.endswith("2"):
        if a.ndim < 2:
            raise Skip
        return b.emit(f"fnp.fft.{kind}({a}{nk})")
    s = ""
    if b.coin(0.3):
        s = f", s={tuple(b.integer(2, 4) for _ in axes)}"
    b.emit(f"fnp.fft.{kind}({a}{s}, axes={tuple(axes)}{nk})")


# -- creation --------------------------------------------------------------------------

@family("creation")
def creation(b):
    kind = b.choice(["array_scalars", "asarray", "linspace", "logspace", "geomspace", "full",
                     "full_like", "like", "eye", "tri", "arange"])
    if kind == "array_scalars":
        parts = []
        for _ in range(b.integer(1, 4)):
            v = b.pick()
            form = b.choice(["sum", "index", "literal"])
            parts.append(f"fnp.sum({v})" if form == "sum" else
                         f"{v}[{', '.join('0' for _ in v.shape) or '()'}]" if form == "index"
                         else "1.5")
        if all(p == "1.5" for p in parts):
            parts[0] = f"fnp.mean({b.pick()})"
        return b.emit(f"fnp.array([{', '.join(parts)}])")
    if kind == "asarray":
        a = b.pick()
        fn = b.choice(["asarray", "asanyarray", "ascontiguousarray", "array"])
        return b.emit(f"fnp.{fn}({a})")
    if kind in ("linspace", "logspace", "geomspace"):
        shape = () if b.coin(0.6) else (b.integer(1, 3),)
        lo, hi = b.realify(b.other(shape)), b.realify(b.other(shape))
        num = b.integer(1, 5)
        if kind == "geomspace":
            lo, hi = b.above(b.limit(lo, 4.0), 0.2), b.above(b.limit(hi, 4.0), 0.2)
        else:
            lo, hi = b.limit(lo, 2.0), b.limit(hi, 2.0)
        extra = b.choice(["", ", endpoint=False"] + ([", axis=-1"] if shape else []))
        if kind == "logspace" and b.coin(0.3):
            extra += ", base=2.0"
        return b.emit(f"fnp.{kind}({lo}, {hi}, {num}{extra})")
    a = b.pick()
    if kind == "full":
        s = b.pick(lambda v: v.ndim == 0)
        return b.emit(f"fnp.full({a.shape}, {s}) * {a}")
    if kind == "full_like":
        s = b.pick(lambda v: v.ndim == 0 and not v.complex)
        return b.emit(f"fnp.full_like({a}, {s})")
    if kind == "like":
        fn = b.choice(["zeros_like", "ones_like"])
        c = b.partner(a)
        return b.emit(f"{a} * fnp.{fn}({c}) + {c}" if fn == "ones_like"
                      else f"{a} + fnp.zeros_like({c})")
    if kind == "eye":
        if a.ndim < 2:
            raise Skip
        m, n = a.shape[-2:]
        return b.emit(f"{a} * fnp.eye({m}, {n}, k={b.integer(-1, 1)})"
                      if b.coin() else f"fnp.identity({m}) @ {a}")
    if kind == "tri":
        if a.ndim < 2:
            raise Skip
        m, n = a.shape[-2:]
        return b.emit(f"fnp.tri({m}, {n}, {b.integer(-1, 1)}) * {a}")
    if a.ndim == 0:
        raise Skip
    d = a.shape[-1]
    b.emit(f"{a} * fnp.arange(1.0, {d + 1}.0) / {d}")


# -- families that arrived later: statistics, signal, polynomial (and newer names) -----

def need(*names):
    """Skip unless fgrad.numpy exports these names with rules (its namespace grows family by
    family; any other NumPy name is NumPy's own, refusing traced values)."""
    for name in names:
        module, _, short = name.rpartition(".")
        if short not in getattr(fnp, module, fnp).__all__ if module else name not in fnp.__all__:
            raise Skip


@family("shape")
def edit(b):
    """append, insert, delete, resize, trim_zeros."""
    kind = b.choice(["append", "insert", "delete", "resize", "trim_zeros", "concat"])
    need(kind)
    a = b.pick(lambda v: v.ndim >= 1)
    axis = axis_of(b, a.ndim)
    d = a.size if axis is None else a.shape[axis]
    ax = "" if axis is None else f", axis={axis}"
    if kind == "append":
        shape = (b.integer(1, 3),) if axis is None else \
            a.shape[:axis % a.ndim] + (b.integer(1, 2),) + a.shape[axis % a.ndim + 1:]
        return b.emit(f"fnp.append({a}, {b.other(shape)}{ax})")
    if kind == "insert":
        where = b.integer(0, d)
        shape = () if axis is None or b.coin() else \
            a.shape[:axis % a.ndim] + a.shape[axis % a.ndim + 1:]
        values = b.other(shape, complex_ok=a.complex)    # NumPy casts into a's dtype
        return b.emit(f"fnp.insert({a}, {where}, {values}{ax})")
    if kind == "delete":
        if d < 2:
            raise Skip
        idx = sorted(set(b.rng().integers(0, d, b.integer(1, d - 1)).tolist()))
        return b.emit(f"fnp.delete({a}, {idx if len(idx) > 1 else idx[0]}{ax})")
    if kind == "resize":
        shape = tuple(b.integer(1, 4) for _ in range(b.integer(1, 2)))
        return b.emit(f"fnp.resize({a}, {shape})")
    if kind == "concat":
        axis = b.integer(-a.ndim, a.ndim - 1)
        return b.emit(f"fnp.concat([{a}, {a}], axis={axis})")
    # trim_zeros: zeros at constant positions at both ends, the rest away from zero
    v = b.nonzero(b.as_shape(a, (a.size,)))
    mask = np.zeros(v.size, bool)
    mask[:b.integer(0, 1)] = True
    mask[v.size - b.integer(0, 1):] = True
    if mask.all():
        raise Skip
    b.emit(f"fnp.trim_zeros(fnp.where({b.const(mask)}, 0.0, {v}), "
           f"trim='{b.choice(['fb', 'f', 'b'])}')")


@family("indexing")
def index_helpers(b):
    """Index arrays from NumPy's helpers: ix_, tril/triu/diag_indices, unravel_index..."""
    kind = b.choice(["ix_", "tril_indices", "triu_indices", "diag_indices", "unravel_index",
                     "ravel_multi_index", "indices", "mask_indices"])
    need(kind)
    rng = b.rng()
    if kind == "ix_":
        a = b.pick(lambda v: v.ndim >= 2)
        i = b.const(rng.integers(0, a.shape[0], b.integer(1, 3)))
        j = b.const(rng.integers(0, a.shape[1], b.integer(1, 3)))
        return b.emit(f"{a}[fnp.ix_({i}, {j})]")
    if kind in ("tril_indices", "triu_indices", "mask_indices"):
        a = b.pick(lambda v: v.ndim == 2)
        m, n = a.shape
        k = b.integer(-1, 1)
        if kind == "mask_indices":
            if m != n:
                raise Skip
            return b.emit(f"{a}[fnp.mask_indices({n}, np.{b.choice(['triu', 'tril'])}, {k})]")
        index = f"fnp.{kind}({m}, {k}, {n})"
        if np.empty((m, n))[getattr(np, kind)(m, k, n)].size == 0:
            raise Skip
        return b.emit(f"{a}[{index}]")
    if kind == "diag_indices":
        a = b.pick(lambda v: v.ndim >= 2 and len(set(v.shape)) == 1)
        return b.emit(f"{a}[fnp.diag_indices({a.shape[0]}, {a.ndim})]")
    a = b.pick(lambda v: v.ndim >= 1)
    if kind == "unravel_index":
        flat = b.const(rng.integers(0, a.size, b.integer(1, 4)))
        return b.emit(f"{a}[fnp.unravel_index({flat}, {a.shape})]")
    if kind == "ravel_multi_index":
        idx = tuple(b.const(rng.integers(0, d, 3)) for d in a.shape)
        return b.emit(f"fnp.ravel({a})[fnp.ravel_multi_index(({', '.join(idx)},), {a.shape})]")
    return b.emit(f"{a}[tuple(fnp.indices({a.shape}))]")


@family("reductions")
def cumulative(b):
    kind = b.choice(["cumulative_sum", "cumulative_prod", "ediff1d", "counts"])
    a = b.pick(lambda v: v.ndim >= 1)
    if kind == "counts":         # integer and boolean reductions: constant factors
        w = b.nonzero(b.realify(b.partner(a, into=True)))
        fn = b.choice(["count_nonzero", "all", "any", "sum"])
        return b.emit(f"{a} * fnp.{fn}({w} > 0, axis=-1, keepdims=True)")
    need(kind)
    if kind == "ediff1d":
        ends = b.choice(["", ", to_end=1.5", ", to_begin=[0.5, -1.0]"])
        return b.emit(f"fnp.ediff1d({a}{ends})")
    if kind == "cumulative_prod":
        a = b.limit(a, 1.2)
    axis = b.integer(-a.ndim, a.ndim - 1)
    initial = ", include_initial=True" if b.coin(0.3) else ""
    if a.ndim == 1 and b.coin(0.3):
        return b.emit(f"fnp.{kind}({a}{initial})")
    b.emit(f"fnp.{kind}({a}, axis={axis}{initial})")


@family("products")
def matvec(b):
    kind = b.choice(["matvec", "vecmat", "vecdot", "matrix_transpose"])
    need(kind)
    a = b.limit(b.pick(lambda v: v.ndim >= 1), 4.0)
    if kind == "matrix_transpose":
        if a.ndim < 2:
            raise Skip
        return b.emit(f"fnp.matrix_transpose({a})")
    if kind == "vecdot":
        c = b.limit(b.other(a.shape if b.coin() else a.shape[-1:]), 4.0)
        return b.emit(f"fnp.vecdot({a}, {c})")
    if a.ndim < 2:               # a is the vector; a matrix from another value
        m = b.limit(b.other((b.integer(1, 3), a.shape[-1]) if kind == "matvec"
                            else (a.shape[-1], b.integer(1, 3))), 4.0)
        return b.emit(f"fnp.{kind}({m}, {a})" if kind == "matvec" else f"fnp.{kind}({a}, {m})")
    n = a.shape[-1] if kind == "matvec" else a.shape[-2]
    v = b.limit(b.other((n,)), 4.0)
    b.emit(f"fnp.matvec({a}, {v})" if kind == "matvec" else f"fnp.vecmat({v}, {a})")


@family("statistics", weight=2)
def covariance(b):
    kind = b.choice(["cov", "corrcoef", "cov_y", "cov_weights"])
    need("cov", "corrcoef")
    a = b.realify(b.pick(lambda v: v.ndim in (1, 2)))
    rowvar = b.coin(0.7) or a.ndim == 1
    obs_axis = -1 if rowvar else 0
    nobs = a.shape[obs_axis]
    if nobs < 2:
        raise Skip
    rv = "" if rowvar else ", rowvar=False"
    if kind == "corrcoef":       # each variable with some spread: std > 0
        a = b.distinct(a, obs_axis)
        return b.emit(f"fnp.corrcoef({a}{rv})")
    ddof = b.choice(["", ", bias=True", ", ddof=0"])
    if kind == "cov_y":
        y = b.realify(b.other(a.shape))
        return b.emit(f"fnp.cov({a}, {y}{rv}{ddof})")
    if kind == "cov_weights":
        fw = b.const(b.rng().integers(1, 4, nobs))
        aw = b.above(b.limit(b.realify(b.other((nobs,))), 2.0), 0.2)
        which = b.choice([f", fweights={fw}", f", aweights={aw}",
                          f", fweights={fw}, aweights={aw}"])
        return b.emit(f"fnp.cov({a}{rv}{which})")
    b.emit(f"fnp.cov({a}{rv}{ddof})")


@family("statistics")
def histograms(b):
    kind = b.choice(["weights", "density", "edges", "bin_edges", "bincount", "digitize"])
    need("histogram", "bincount", "digitize", "histogram_bin_edges")
    rng = b.rng()
    if kind == "bincount":
        w = b.realify(b.pick(lambda v: v.ndim == 1))
        idx = b.const(rng.integers(0, 4, w.size))
        return b.emit(f"fnp.bincount({idx}, weights={w}, minlength={b.integer(0, 5)})")
    a = b.realify(b.pick(lambda v: v.ndim >= 1))
    if kind in ("edges", "bin_edges"):      # edges from the data's min and max: no ties there
        a = b.distinct(a)
        bins = b.integer(1, 5)
        if kind == "bin_edges":
            return b.emit(f"fnp.histogram_bin_edges({a}, bins={bins})")
        return b.emit(f"fnp.histogram({a}, bins={bins})[1]")
    a = b.offgrid(a)             # samples away from the edges (the integers, range (-3, 3))
    if kind == "digitize":
        w = b.pick(lambda v: v.ndim >= 1)
        return b.emit(f"fnp.take({w}, fnp.digitize({a}, {b.const(np.arange(-3.0, 4.0))}), "
                      "mode='clip')")
    w = b.realify(b.other(a.shape))
    density = ", density=True" if kind == "density" else ""
    if density:                   # counts divide by the total weight: keep it positive
        w = b.above(b.limit(w, 2.0), 0.2)
    b.emit(f"fnp.histogram({a}, bins=6, range=(-3, 3), weights={w}{density})[0]")


@family("signal", weight=2)
def signals(b):
    kind = b.choice(["convolve", "correlate", "interp", "interp_xp", "unwrap", "window"])
    need("convolve", "correlate", "interp", "unwrap", "hanning", "kaiser")
    rng = b.rng()
    if kind in ("convolve", "correlate"):
        a = b.limit(b.as_shape(b.pick(), (b.integer(1, 6),)), 4.0)
        v = b.limit(b.other((b.integer(1, 4),)), 4.0)
        mode = b.choice(["full", "same", "valid"])
        if mode == "valid" and a.size < v.size:
            a, v = v, a
        return b.emit(f"fnp.{kind}({a}, {v}, mode='{mode}')")
    if kind in ("interp", "interp_xp"):  # x away from the knots (near the integers)
        x = b.offgrid(b.pick())
        xp = np.arange(-3.0, 4.0)
        fp = b.realify(b.other(xp.shape)) if b.coin(0.7) else b.const(np.cos(xp))
        xps = b.const(xp)
        if kind == "interp_xp":
            xps = b.emit(f"{xps} + 0.05 * fnp.tanh({b.realify(b.other(xp.shape))})")
        lr = b.choice(["", ", left=-2.0, right=2.0"])
        return b.emit(f"fnp.interp({x}, {xps}, {fp}{lr})")
    if kind == "unwrap":                # consecutive steps far from ±π (mod 2π): no jumps move
        a = b.realify(b.pick(lambda v: v.ndim >= 1))
        n = a.shape[-1]
        steps = rng.choice([0.0, 2.0, -2.0, 4.5, -4.5, 6.3, -8.0], a.shape[:-1] + (n - 1,))
        k = b.const(np.concatenate([np.zeros(a.shape[:-1] + (1,)), np.cumsum(steps, -1)], -1))
        p = b.emit(f"{k} + 0.3 * fnp.tanh({a})", "adapter: unwrap steps")
        return b.emit(f"fnp.unwrap({p})")
    a = b.pick(lambda v: v.ndim >= 1)
    d = a.shape[-1]
    if b.coin():
        beta = b.above(b.limit(b.realify(b.other(())), 3.0), 0.2)
        return b.emit(f"{a} * fnp.kaiser({d}, {beta})")
    fn = b.choice(["bartlett", "blackman", "hamming", "hanning"])
    b.emit(f"{a} * fnp.{fn}({d}) + {a}")


@family("polynomial", weight=2)
def polynomials(b):
    kind = b.choice(["polyval", "polyadd", "polymul", "polyder", "polyint", "polydiv",
                     "polyfit", "roots", "vander"])
    need("polyval", "polyadd", "polysub", "polymul", "polyder", "polyint", "polydiv",
         "polyfit", "roots", "poly", "vander")
    p = b.limit(b.as_shape(b.pick(), (b.integer(1, 4),)), 2.0)
    if kind == "polyval":
        x = b.limit(b.pick(), 2.0)
        return b.emit(f"fnp.polyval({p}, {x})")
    if kind == "polyadd":
        q = b.other((b.integer(1, 4),))
        return b.emit(f"fnp.{b.choice(['polyadd', 'polysub'])}({p}, {q})")
    if kind == "polymul":       # leading coefficients away from 0: no degree drop
        q = b.nonzero(b.limit(b.other((b.integer(1, 3),)), 2.0))
        p = b.nonzero(p)
        return b.emit(f"fnp.polymul({p}, {q})")
    if kind in ("polyder", "polyint"):
        m = b.integer(1, 2)
        if kind == "polyder" and p.size <= m:
            raise Skip
        k = ", k=0.5" if kind == "polyint" and m == 1 and b.coin() else ""
        return b.emit(f"fnp.{kind}({p}, {m}{k})")
    if kind == "polydiv":        # a divisor with its leading coefficient away from 0
        v = b.nonzero(b.limit(b.other((b.integer(1, min(3, p.size)),)), 2.0))
        # and a remainder of full length, its leading coefficient away from 0 (NumPy drops
        # near-zero ones: the remainder's length would depend on the values)
        for dp, dv in zip(p.data, v.data):
            r = np.polydiv(dp, dv)[1]
            if v.size > 1 and (len(r) != v.size - 1 or abs(r[0]) < MARGIN):
                raise Skip
        return b.emit(f"fnp.polydiv({p}, {v})[{b.integer(0, 1)}]")
    if kind == "vander":
        x = b.limit(b.as_shape(b.pick(), (b.integer(1, 4),)), 2.0)
        return b.emit(f"fnp.vander({x}, {b.integer(1, 4)}, increasing={b.coin()})")
    n = b.integer(2, 4)
    x = b.distinct(b.as_shape(b.pick(), (n,)))
    if kind == "polyfit":       # x distinct: full rank; deg < n
        y = b.realify(b.other((n,)))
        return b.emit(f"fnp.polyfit({x}, {y}, {b.integer(0, n - 1)})")
    # roots of a polynomial with distinct real roots, sorted (their order is LAPACK's), away
    # from 0 (a zero root is a trailing zero coefficient, which roots drops)
    if x.absmin() < MARGIN:
        x = b.emit(f"{x} + {math.ceil(abs(x.lo())) + 0.5!r}")
    return b.emit(f"fnp.sort(fnp.real(fnp.roots(fnp.poly({x}))))")


@family("fft")
def frequencies(b):
    a = b.pick(lambda v: v.ndim >= 1)
    d = a.shape[-1]
    fn = b.choice(["fftfreq", "rfftfreq"])
    f = f"fnp.fft.fftfreq({d}, d=0.5)" if fn == "fftfreq" else \
        f"fnp.fft.rfftfreq({2 * d - 1})"
    b.emit(f"{a} * {f}")


@family("creation")
def constants(b):
    a = b.pick()
    kind = b.choice(["ones", "zeros", "full_shape", "asfortranarray", "require",
                     "asarray_chkfinite"])
    need(kind if kind != "full_shape" else "shape")
    if kind in ("ones", "zeros"):
        return b.emit(f"{a} * fnp.ones(fnp.shape({a}))" if kind == "ones"
                      else f"fnp.zeros({a.shape}) + {a}")
    if kind == "full_shape":
        return b.emit(f"fnp.full(fnp.shape({a}), 2.0) * {a} + fnp.ndim({a}) + fnp.size({a})")
    b.emit(f"fnp.{kind}({a})")


# the unselected branch of a where outside its function's domain: its zero cotangent must
# stay zero (no 0 * inf = NaN), in every mode. name -> (f(u), lo): f is smooth for every
# u > lo, and infinite or undefined somewhere below (at 0 at least)
GUARDED = {"log": ("fnp.log({})", 0.1), "sqrt": ("fnp.sqrt({})", 0.1),
           "reciprocal": ("1.0 / {}", 0.1), "arcsin": ("fnp.arcsin(1.0 - 0.3 / {})", 0.3),
           "arccosh": ("fnp.arccosh({} + 1.0)", 0.1), "log1p": ("fnp.log1p({} - 1.0)", 0.1),
           "power": ("{} ** 0.5", 0.1), "arctanh": ("fnp.arctanh(1.0 - 0.2 / {})", 0.2),
           "divide": ("fnp.divide(2.0, {})", 0.1), "log2": ("fnp.log2({})", 0.1),
           "cbrt": ("fnp.cbrt({})", 0.1), "float_power": ("fnp.float_power({}, 1.5)", 0.1),
           "tan": ("fnp.tan(1.5707963 * 0.2 / {})", 0.2)}


@family("elementwise", weight=2)
def guarded(b):
    """where(u > c, f(u), other) with f undefined or infinite at some unselected u."""
    name = b.choice(sorted(GUARDED))
    form, lo = GUARDED[name]
    u = b.realify(b.pick())
    if b.coin(0.3):              # exact zeros where unselected: f's pole itself
        mask = b.const(b.rng().random(u.shape) < 0.5)
        u = b.emit(f"fnp.where({mask}, 0.0, {b.above(b.limit(u, 2.0), lo)})")
    else:                        # the threshold lo + 0.05 at least MARGIN from every u
        if any(np.min(np.abs(d - lo - MARGIN)) < MARGIN for d in u.data):
            s = b.signs(u.shape)
            u = b.emit(f"{lo + MARGIN!r} + {s} * (0.1 + fnp.square({b.limit(u, 2.0)}))")
    other = b.choice(["0.0", str(b.partner(u, into=True)) if u.ndim else "-1.0"])
    if b.coin(0.3):              # the double-where form, safe by construction
        return b.emit(f"fnp.where({u} > {lo + MARGIN!r}, "
                      f"{form.format(f'fnp.where({u} > {lo + MARGIN!r}, {u}, 1.0)')}, {other})")
    b.emit(f"fnp.where({u} > {lo + MARGIN!r}, {form.format(u)}, {other})", "guarded where")


@family("elementwise")
def integer_path(b):
    """Integer and boolean values computed from data (no derivative), mixed back in."""
    a = b.pick()
    w = b.offgrid(b.realify(b.partner(a, into=True)))
    form = b.choice([f"fnp.floor({w}).astype(np.int64)", f"fnp.astype(fnp.rint({w}), np.int32)",
                     f"fnp.sum(fnp.floor({w}), axis=-1, keepdims=True, dtype=np.int64)"
                     if w.ndim else f"fnp.floor({w}).astype(int)",
                     f"fnp.trunc({w}).astype(np.int8)", f"({w} > 0).astype(np.float64)",
                     f"fnp.sign({w}).astype(np.int64)"])
    b.emit(f"{a} * {form}" if b.coin() else f"{form} + {a}")


# -- transforms inside programs --------------------------------------------------------

@family("transforms", weight=2)
def nested(b):
    """fgrad's own transforms inside the program: nested derivatives (the outer checks then
    differentiate through them), closures over traced values (perturbation confusion), vmap
    inside, checkpoint."""
    a = b.pick()
    kind = b.choice(["elementwise_grad", "grad_closure", "jvp", "vjp", "vmap", "checkpoint",
                     "hessian_diag", "custom"])
    if kind == "elementwise_grad":
        fn = b.choice(["fnp.sin", "fnp.tanh", "fnp.arctan", "fnp.square",
                       "lambda u: fnp.exp(0.5 * u)"])
        return b.emit(f"fgrad.elementwise_grad({fn})({b.limit(a, 4.0)})")
    if kind == "grad_closure":       # d/ds sum(tanh(s * a)) at s = 0.5: a closure over a
        a = b.limit(a, 4.0)
        return b.emit(f"fgrad.grad(lambda s: fnp.sum(fnp.real(fnp.tanh(s * {a}))))(0.5)"
                      if not a.complex else
                      f"fgrad.grad(lambda s: fnp.sum(fnp.real(fnp.sin(s * {a}))))(0.5)")
    if kind == "jvp":
        c = b.partner(a, into=True)
        return b.emit(f"fgrad.jvp(lambda u: fnp.sin(u) * {c}, ({b.limit(a, 4.0)},), "
                      f"(fnp.ones_like({a}),))[1]")
    if kind == "vjp":
        a = b.limit(a, 4.0)
        return b.emit(f"fgrad.vjp(lambda u: fnp.tanh(u) * u, {a})[1]({a})[0]")
    if kind == "vmap":
        if a.ndim == 0:
            raise Skip
        return b.emit(f"fgrad.vmap(lambda r: fnp.sum(r * r) * r)({a})")
    if kind == "checkpoint":
        c = b.partner(a, into=True)
        return b.emit(f"fgrad.checkpoint(lambda u, w: fnp.sin(u) * w + u)({b.limit(a, 4.0)}, "
                      f"{c})")
    if kind == "hessian_diag":       # the Hessian of a small function, read off its diagonal
        v = b.limit(b.realify(b.as_shape(a, (b.integer(1, 3),))), 2.0)
        return b.emit(f"fnp.diagonal(fgrad.hessian(lambda u: fnp.sum(fnp.sin(u) ** 3))({v}))")
    b.emit(f"custom_softplus({b.limit(b.realify(a), 8.0)})")


# A custom_vjp for the "transforms" family, its rule written with fgrad.numpy (so it has
# higher derivatives, and a forward mode through the transpose); a reproducer that uses it
# prints this source.
CUSTOM_SOURCE = """\
@fgrad.custom_vjp
def custom_softplus(x):
    return fnp.logaddexp(x, 0.0)

custom_softplus.defvjp(lambda x: (custom_softplus(x), x),
                       lambda x, g: (g / (1 + fnp.exp(-x)),))
"""
_namespace = {"fgrad": fgrad, "fnp": fnp}
exec(CUSTOM_SOURCE, _namespace)
custom_softplus = _namespace["custom_softplus"]


# -- programs --------------------------------------------------------------------------

FAMILY_NAMES = list(FAMILIES)
FAMILY_DRAW = [name for name in FAMILY_NAMES for _ in range(FAMILY_WEIGHTS[name])]


class Program:
    """A drawn program: its source, its inputs and its vmap batch.

    ``repr`` is a runnable script that reproduces it (hypothesis prints it for a failing
    example).
    """

    def __init__(self, builder, inputs, layouts, batch, in_axes, out_axis, out, weights):
        self.lines, self.consts = builder.lines, builder.consts
        self.layouts, self.made = layouts, inputs       # the inputs as made, for printing
        self.inputs = tuple(eval(LAYOUTS[lay].format("x"), {"np": np, "x": x})
                            for x, lay in zip(inputs, layouts, strict=True))
        self.batch, self.in_axes, self.out_axis = batch, in_axes, out_axis
        self.out, self.weights = out, weights
        self.params = ", ".join(f"x{i}" for i in range(len(inputs)))
        ns = {"np": np, "fnp": fnp, "fgrad": fgrad, "custom_softplus": custom_softplus,
              **self.consts, **weights}
        exec(self.code(), ns)
        self.fun, self.loss = ns["f"], ns["loss"]
        self.fun.__qualname__ = "program"

    def code(self):
        body = "".join(f"    {name} = {expr}\n" for name, expr in self.lines)
        loss = " + ".join(f"fnp.sum({part}(out) * {w})" for w, part in
                          zip(self.weights, ("fnp.real", "fnp.imag")))
        return (f"def f({self.params}):\n{body}    return {self.out}\n\n"
                f"def loss({self.params}):\n    out = f({self.params})\n"
                f"    return {loss}\n")

    def __repr__(self):
        consts = "".join(f"{k} = {lit(v)}\n" for k, v in {**self.consts, **self.weights}.items())
        data = "".join(f"x{i} = np.array({x.tolist()!r})\n"
                       + (f"x{i} = {LAYOUTS[lay].format(f'x{i}')}\n" if lay else "")
                       for i, (x, lay) in enumerate(zip(self.made, self.layouts)))
        batch = "".join(f"bx{i} = np.array({x.tolist()!r})\n" for i, x in enumerate(self.batch))
        ops = len(self.lines)
        custom = CUSTOM_SOURCE + "\n" if "custom_softplus" in self.code() else ""
        return (f"\n# --- a program of {ops} operations: paste into a file to reproduce ---\n"
                "import numpy as np\nimport fgrad\nimport fgrad.numpy as fnp\n\n"
                f"{custom}{consts}\n{self.code()}\n{data}args = ({self.params},)\n"
                f"# the vmap batch: in_axes={self.in_axes}, out_axes={self.out_axis}\n{batch}"
                f"batched = ({', '.join(f'bx{i}' for i in range(len(self.batch)))},)\n")


# how an input is handed over: "" as made, or a layout that holds the same values
LAYOUTS = {"": "{}", "fortran": "np.asfortranarray({})",
           "strided": "np.repeat({}, 2, axis=-1)[..., ::2]",    # a view with strides
           "readonly": "np.broadcast_to({0}, np.shape({0}))",     # a read-only view
           "scalar": "{}.item()"}                                 # a Python float or complex


def _input(rng, shape, complex_, scale):
    x = rng.standard_normal(shape) * scale
    if complex_:
        x = x + 1j * rng.standard_normal(shape) * scale
    return np.asarray(x)


@st.composite
def programs(draw, max_ops=8):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_inputs = draw(st.integers(1, 3))
    shapes = [tuple(draw(st.lists(st.integers(1, 4), max_size=3))) for _ in range(n_inputs)]
    complex_ = [draw(st.integers(0, 99)) < 12 for _ in range(n_inputs)]
    scale = draw(st.sampled_from([1.0, 0.5, 2.0]))
    inputs = [_input(rng, s, c, scale) for s, c in zip(shapes, complex_)]
    layouts = [draw(st.sampled_from(["", "", "readonly"] + (["scalar"] if not s else
                                                             ["strided", "fortran"])))
               for s in shapes]
    # vmap: each input batched along some axis, or shared (None); at least one batched
    in_axes = [draw(st.sampled_from([0, 0, None, -1] + ([1] if len(s) >= 1 else [])))
               for s in shapes]
    if all(ax is None for ax in in_axes):
        in_axes[0] = 0
    batch = []
    for x, s, c, ax in zip(inputs, shapes, complex_, in_axes):
        if ax is None:
            batch.append(x)
        else:
            batch.append(np.moveaxis(_input(rng, (BATCH,) + s, c, scale), 0, ax))
    worlds = [tuple(inputs)] + [
        tuple(x if ax is None else np.take(x, k, axis=ax) for x, ax in zip(batch, in_axes))
        for k in range(BATCH)]
    b = Builder(draw, worlds)
    for x, layout in zip(list(b.vars), layouts):
        if layout == "scalar":   # a Python scalar has no array methods: fgrad.numpy first
            b.emit(b.choice([f"fnp.asarray({x})", f"fnp.multiply({x}, 1.0)", f"fnp.sin({x})",
                             f"fnp.array({x})"]))
            b.vars.remove(x)
    for _ in range(draw(st.integers(1, max_ops))):
        for _attempt in range(8):
            saved = (len(b.lines), len(b.vars), dict(b.consts), set(b.used))
            name = draw(st.sampled_from(FAMILY_DRAW))
            op = draw(st.sampled_from(FAMILIES[name]))
            try:
                op(b)
                b.tame(b.vars[-1])
                event(f"family: {name}")
                break
            except Skip:
                del b.lines[saved[0]:]
                del b.vars[saved[1]:]
                b.consts, b.used = saved[2], saved[3]
    # the output: the last value, plus the mean of every value nothing else used
    out = b.vars[-1]
    dead = [v for v in b.vars[:-1] if v.name not in b.used]
    if dead:
        out = b.emit(" + ".join([str(out)] + [f"fnp.mean({v})" for v in dead]))
    w_rng = np.random.default_rng(seed + 1)       # nonzero: no output leaves the loss
    nonzero = [-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0]
    weights = {"w_re": w_rng.choice(nonzero, out.shape)}
    if out.complex:
        weights["w_im"] = w_rng.choice(nonzero, out.shape)
    out_axis = draw(st.sampled_from([0, -1]))
    return Program(b, inputs, layouts, batch, tuple(in_axes), out_axis, out.name, weights)


# -- checks ----------------------------------------------------------------------------

def _random_like(x, rng):
    x = np.asarray(x)
    v = rng.standard_normal(x.shape)
    if x.dtype.kind == "c":
        v = v + 1j * rng.standard_normal(x.shape)
    return v.astype(x.dtype)


def _inner_terms(xs, ys):
    """(sum of Re(x y), sum of |x y|) over matching leaves."""
    total = scale = 0.0
    for x, y in zip(tree_leaves(xs), tree_leaves(ys), strict=True):
        p = np.asarray(x) * np.asarray(y)
        total += float(np.sum(np.real(p)))
        scale += float(np.sum(np.abs(p)))
    return total, scale


def _norm(xs):
    return math.sqrt(sum(float(np.sum(np.abs(np.asarray(x)) ** 2)) for x in tree_leaves(xs)))


def _close(actual, expected, what, size=1.0, rtol=1e-5):
    """actual ≈ expected, leaf by leaf, within rtol of the largest magnitude involved
    (``size``, the scale of the program's values, bounds finite-difference round-off)."""
    for a, e in zip(tree_leaves(actual), tree_leaves(expected), strict=True):
        a, e = np.asarray(a), np.asarray(e)
        assert a.shape == e.shape, f"{what}: shape {a.shape}, expected {e.shape}"
        assert np.all(np.isfinite(a)), f"{what}: non-finite derivative\n{a}"
        scale = max(float(np.max(np.abs(e), initial=0)), float(np.max(np.abs(a), initial=0)))
        err = float(np.max(np.abs(a - e), initial=0))
        assert err <= rtol * scale + 1e-7 * (1 + size), (
            f"{what}: largest discrepancy {err:.3g} (scale {scale:.3g})\n"
            f"  fgrad:              {a}\n  finite differences: {e}")


def _size(prog):
    return 1 + max(float(np.max(np.abs(x), initial=0)) for x in
                   tree_leaves(prog.fun(*prog.inputs)))


def quiet(check):
    """NumPy's floating-point warnings off: the unselected branch of a guarded where
    computes log(-1) on purpose (non-finite derivatives are still caught, by value)."""
    @functools.wraps(check)
    def run(prog):
        with np.errstate(all="ignore"):
            return check(prog)
    return run


def finite_differences(fun, args, u):
    """Estimates of fun's derivative along u: the central difference of
    fgrad.testing.numerical_jvp (step 1e-6), then, wanted only where that one disagrees,
    Richardson extrapolations (4 D(h) - D(2h)) / 3 at larger steps, which round-off
    troubles far less (roots of close roots, say) and are still O(h⁴) accurate."""
    yield numerical_jvp(fun, args, u)
    for h in (1e-4, 1e-3):
        d1, d2 = numerical_jvp(fun, args, u, h), numerical_jvp(fun, args, u, 2 * h)
        yield tree_map(lambda a, b: (4 * np.asarray(a) - np.asarray(b)) / 3, d1, d2)


def against_finite_differences(fun, args, u, compare):
    """``compare(fd)`` for the estimates of ``finite_differences`` in turn, until one agrees:
    a wrong derivative disagrees with every one, and the first one's error is raised."""
    first = None
    for fd in finite_differences(fun, args, u):
        try:
            return compare(fd)
        except AssertionError as e:
            first = first or e
    raise first


@quiet
def check_first_order(prog):
    args = tuple(prog.inputs)
    rng = np.random.default_rng(0)
    plain = prog.fun(*args)
    size = _size(prog)
    u = tuple(_random_like(x, rng) for x in args)
    out, ju = fgrad.jvp(prog.fun, args, u)
    np.testing.assert_allclose(out, plain, rtol=1e-12, atol=1e-12 * size,
                               err_msg="traced value differs from the plain one")
    _, linear = fgrad.linearize(prog.fun, *args)
    _close(linear(*u), ju, "linearize against jvp", size, rtol=1e-9)
    v = _random_like(out, rng)
    jtv = fgrad.vjp(prog.fun, *args)[1](v)
    for g, x in zip(jtv, args, strict=True):
        x = np.asarray(x)
        assert np.shape(g) == x.shape and np.asarray(g).dtype == x.dtype, \
            f"vjp: cotangent {np.shape(g)} {np.asarray(g).dtype} for a {x.shape} {x.dtype} input"
    lhs, lscale = _inner_terms(v, ju)
    rhs, rscale = _inner_terms(jtv, u)
    floor = 1e-13 * _norm(v) * _norm(u)       # round-off where J is (nearly) zero
    assert abs(lhs - rhs) <= 1e-9 * max(lscale, rscale) + floor, \
        f"<v, J u> = {lhs!r} but <J^T v, u> = {rhs!r}"

    def jvp_and_vjp(fd):
        _close(ju, fd, "jvp against finite differences", size)
        _close(rhs, _inner_terms(v, fd)[0], "vjp against finite differences",
               size * max(1.0, lscale))
    against_finite_differences(prog.fun, args, u, jvp_and_vjp)
    argnums = tuple(range(len(args)))
    grads = fgrad.grad(prog.loss, argnums)(*args)
    for g, x in zip(grads, args, strict=True):
        x = np.asarray(x)
        assert np.shape(g) == x.shape and np.asarray(g).dtype == x.dtype, \
            f"grad: {np.shape(g)} {np.asarray(g).dtype} for a {x.shape} {x.dtype} input"
    g_dot_u, gscale = _inner_terms(grads, u)
    against_finite_differences(prog.loss, args, u, lambda fd: _close(
        g_dot_u, fd, "grad against finite differences", size * max(1.0, gscale)))


@quiet
def check_second_order(prog):
    args = tuple(prog.inputs)
    rng = np.random.default_rng(1)
    size = _size(prog)
    argnums = tuple(range(len(args)))
    grad = fgrad.grad(prog.loss, argnums)
    u = tuple(_random_like(x, rng) for x in args)
    g, hu = fgrad.hvp(prog.loss, args, u)
    _close(g, grad(*args), "hvp's gradient against grad", size, rtol=1e-9)
    _, hu_fwd = fgrad.jvp(grad, args, u)
    # reverse over reverse: the Hessian is symmetric, so the vjp of grad along u is H u too
    # (for complex inputs the pairing makes it the conjugate-linear partner: real inputs only)
    real = all(np.asarray(x).dtype.kind == "f" for x in args)
    hu_rev = fgrad.vjp(grad, *args)[1](u) if real else None
    # forward over forward: d²/dε² loss(x + ε u) = <u, H u>
    _, d2 = fgrad.jvp(lambda *a: fgrad.jvp(prog.loss, a, u)[1], args, u)
    # the whole Hessian in the first argument (jacfwd of jacrev), where it is small
    x0 = np.asarray(args[0])
    if x0.dtype.kind == "f" and x0.size <= 8:
        along0 = (u[0],) + tuple(np.zeros_like(x) for x in args[1:])
        hess = fgrad.hessian(prog.loss)(*args).reshape(x0.size, x0.size)
        hu0 = tree_leaves(fgrad.hvp(prog.loss, args, along0)[1])[0]
        _close(hess @ u[0].ravel(), np.ravel(hu0), "hessian against hvp", size, rtol=1e-8)

    def against(fd):
        _close(hu, fd, "hvp against finite differences of grad", size)
        _close(hu_fwd, fd, "jvp of grad against finite differences of grad", size)
        if hu_rev is not None:
            _close(hu_rev, fd, "vjp of grad against finite differences of grad", size)
        uhu, scale = _inner_terms(u, fd)
        _close(d2, uhu, "jvp of jvp against finite differences of grad", size * max(1.0, scale))
    against_finite_differences(grad, args, u, against)


@quiet
def check_vmap(prog):
    args, batched, in_axes = tuple(prog.inputs), tuple(prog.batch), prog.in_axes

    def example(k):
        return tuple(x if ax is None else np.take(x, k, axis=ax)
                     for x, ax in zip(batched, in_axes))

    looped = np.moveaxis(np.stack([prog.fun(*example(k)) for k in range(BATCH)]), 0,
                         prog.out_axis)
    mapped = fgrad.vmap(prog.fun, in_axes, prog.out_axis)(*batched)
    np.testing.assert_allclose(mapped, looped, rtol=1e-10, atol=1e-10 * _size(prog),
                               err_msg="vmap of the program against a loop")
    argnums = tuple(range(len(args)))
    grad = fgrad.grad(prog.loss, argnums)
    looped = [grad(*example(k)) for k in range(BATCH)]
    mapped = fgrad.vmap(grad, in_axes)(*batched)
    for i in argnums:
        np.testing.assert_allclose(mapped[i], np.stack([g[i] for g in looped]), rtol=1e-9,
                                   atol=1e-9 * _size(prog),
                                   err_msg=f"vmap(grad) against a loop of grad, argument {i}")
    # forward mode under vmap: one tangent (that of one example) for every example
    u = tuple(_random_like(x, np.random.default_rng(3)) for x in example(0))

    def tangent(*a):
        return fgrad.jvp(prog.fun, a, u)[1]
    looped = np.moveaxis(np.stack([tangent(*example(k)) for k in range(BATCH)]), 0,
                         prog.out_axis)
    np.testing.assert_allclose(fgrad.vmap(tangent, in_axes, prog.out_axis)(*batched), looped,
                               rtol=1e-9, atol=1e-9 * _size(prog),
                               err_msg="vmap(jvp) against a loop of jvp")
    # jacfwd and jacrev push a whole basis through one batched jvp / vjp: they agree, and
    # contract with u to the jvp (real inputs and outputs: the complex Jacobian is a convention)
    out = prog.fun(*args)
    if all(np.asarray(x).dtype.kind == "f" for x in args) and np.asarray(out).dtype.kind == "f":
        jf = fgrad.jacfwd(prog.fun, argnums)(*args)
        jr = fgrad.jacrev(prog.fun, argnums)(*args)
        u = tuple(_random_like(x, np.random.default_rng(2)) for x in args)
        _, ju = fgrad.jvp(prog.fun, args, u)
        contracted = sum(np.tensordot(j, x, axes=np.ndim(x)) for j, x in zip(jf, u))
        for i in argnums:
            np.testing.assert_allclose(jf[i], jr[i], rtol=1e-9, atol=1e-9 * _size(prog),
                                       err_msg=f"jacfwd against jacrev, argument {i}")
        np.testing.assert_allclose(contracted, ju, rtol=1e-9, atol=1e-9 * _size(prog),
                                   err_msg="jacfwd contracted with u against jvp")


# -- the tests -------------------------------------------------------------------------

LONG_RUN = settings.get_current_profile_name() == "fuzz"
pytestmark = [
    pytest.mark.filterwarnings("error:vmap. primitive"),    # every primitive batches
    pytest.mark.filterwarnings("ignore:grad. the output does not depend"),
    pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors:DeprecationWarning"),
]


def budget(ci_examples, shrink=True):
    """CI-sized example counts, unless the "fuzz" profile asks for a long run."""
    examples = settings.default.max_examples if LONG_RUN else ci_examples
    phases = [p for p in Phase if shrink or p not in (Phase.shrink, Phase.explain)]
    return settings(max_examples=examples, deadline=None, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


@budget(300)
@given(programs())
def test_first_derivatives(prog):
    check_first_order(prog)


@budget(200)
@given(programs())
def test_second_derivatives(prog):
    check_second_order(prog)


@budget(200)
@given(programs())
def test_vmap_and_jacobians(prog):
    check_vmap(prog)


@budget(30, shrink=False)     # shrinking a long program takes minutes: it prints whole
@given(programs(max_ops=30))
def test_long_programs(prog):
    note(f"{len(prog.lines)} lines")
    check_first_order(prog)
    check_second_order(prog)
    check_vmap(prog)


def test_the_generator_reaches_every_family():
    """Every family of fgrad.numpy has operations in the catalogue (the broadcasting
    helpers and the set functions, which have no derivative, aside): a new family fails
    this until the fuzzer draws it."""
    from fgrad.numpy import namespace
    families = {f.__name__.rpartition(".")[2] for f in namespace.FAMILIES}
    families |= set(namespace.SUBMODULES)
    assert families - {"broadcast", "sets"} <= set(FAMILY_NAMES), families
    assert all(FAMILIES[name] for name in FAMILY_NAMES)


class Planted:
    """A hand-made program around one function, for testing the checks themselves."""

    def __init__(self, fun):
        self.inputs = (np.array([0.3, -1.2]),)
        self.batch, self.in_axes, self.out_axis = (np.array([[0.3, -1.2], [0.5, 0.1],
                                                             [1.0, 2.0]]),), (0,), 0
        self.fun = lambda x: fun(x) * x
        self.loss = lambda x: fnp.sum(self.fun(x))


def _sin_with(jvp_rule):
    f = fgrad.custom_jvp(lambda x: fnp.sin(x))
    f.defjvp(lambda primals, tangents: (f(primals[0]), jvp_rule(primals[0]) * tangents[0]))
    return f


def test_the_checks_catch_wrong_derivatives():
    """Each check fails on a planted defect of its own order, and passes the right rule."""
    right = Planted(_sin_with(lambda x: fnp.cos(x)))
    for check in (check_first_order, check_second_order, check_vmap):
        check(right)
    with pytest.raises(AssertionError, match="jvp against finite differences"):
        check_first_order(Planted(_sin_with(lambda x: 1.01 * fnp.cos(x))))
    # right at first order, wrong at second: the rule's own derivative is dropped
    second = Planted(_sin_with(lambda x: fgrad.stop_gradient(fnp.cos(x))))
    check_first_order(second)
    with pytest.raises(AssertionError, match="finite differences of grad"):
        check_second_order(second)


def test_the_vmap_check_catches_a_wrong_batching_rule():
    sin = fgrad.extend.primitive(np.sin, name="planted_sin")
    fgrad.extend.defjvp(sin, lambda t, ans, x: t * fnp.cos(x))
    fgrad.extend.defbatch(sin, lambda args, dims, size: (np.sin(args[0][::-1]), dims[0]))
    with pytest.raises(AssertionError, match="vmap of the program against a loop"):
        check_vmap(Planted(sin))
