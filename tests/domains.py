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
