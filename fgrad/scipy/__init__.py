"""fgrad.scipy: SciPy's functions with derivatives, written against fgrad.numpy.

``special`` (gamma, Bessel, error functions, logsumexp...), ``stats`` (log-densities,
distribution functions), ``signal`` (n-d convolution), ``linalg`` (triangular solves,
matrix functions), ``integrate.odeint`` (adjoint method) and ``optimize.root``
(implicit differentiation). SciPy is an optional dependency: ``pip install
"fgrad[scipy]"``.
"""
try:
    import scipy  # noqa: F401
except ImportError as error:
    raise ImportError('fgrad.scipy needs SciPy: install it with pip install "fgrad[scipy]"'
                      ) from error

from . import integrate, linalg, optimize, signal, special, stats  # noqa: E402

__all__ = ["integrate", "linalg", "optimize", "signal", "special", "stats"]
