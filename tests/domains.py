"""Input domains shared by the spec-table tests: (rng, shape) -> array."""
import zlib

import numpy as np


def rng_for(key):
    """A generator seeded by the case id, so every case is reproducible on its own."""
    return np.random.default_rng(zlib.crc32(key.encode()))


def real(rng, shape):
    return np.asarray(rng.standard_normal(shape))


def positive(rng, shape):
    return np.asarray(rng.uniform(0.5, 2.0, shape))


def nonzero(rng, shape):
    return np.asarray(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape))


def cplx(rng, shape):
    return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def small(rng, shape):
    """Inside (-1, 1): tan away from its poles."""
    return np.asarray(rng.uniform(-1.0, 1.0, shape))


def banded(*bands):
    """Uniform on a randomly chosen band per element: keeps away from the band edges."""
    def draw(rng, shape):
        lo, hi = np.array(bands).T
        k = rng.integers(0, len(bands), shape)
        return np.asarray(rng.uniform(lo[k], hi[k]))
    return draw


def grid(offset):
    """Integers plus ``offset`` plus a little jitter: grid(0.25) and grid(0.75)
    never come closer than 0.4, so maximum/minimum stay away from ties."""
    def draw(rng, shape):
        return np.asarray(rng.integers(-3, 3, shape) + offset + rng.uniform(-0.05, 0.05, shape))
    return draw


def distinct(rng, shape):
    """Values at least 0.4 apart: max/min reductions stay away from ties."""
    n = int(np.prod(shape))
    values = (rng.permutation(n) - n / 2) * 0.5 + rng.uniform(0.0, 0.1, n)
    return np.asarray(values.reshape(shape))


# x % y and x // y with x / y at least 0.09 from an integer, for every sign:
# |x| in [0.5, 1.5] or [4.6, 4.9] and |y| in [2.0, 2.2].
rem_x = banded((-4.9, -4.6), (-1.5, -0.5), (0.5, 1.5), (4.6, 4.9))
rem_y = banded((-2.2, -2.0), (2.0, 2.2))
# clip(x, -0.5, 0.5) with x at least 0.1 from both bounds
clip_x = banded((-1.5, -0.6), (-0.4, 0.4), (0.6, 1.5))
# a pair of domains that never tie: for maximum, minimum and the .min/.max updates
APART = (grid(0.25), grid(0.75))


def cplx_right(rng, shape):
    """Right half plane: log and sqrt away from their branch cut."""
    return np.asarray(rng.uniform(0.5, 2.0, shape) + 1j * rng.uniform(-1.5, 1.5, shape))


def cplx_nonzero(rng, shape):
    """|z| >= 0.5: reciprocal and divide away from the pole."""
    return np.asarray(nonzero(rng, shape) + 1j * rng.standard_normal(shape))
