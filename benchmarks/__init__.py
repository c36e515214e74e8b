"""fgrad benchmark suite. Run `python -m benchmarks --help` from the repo root; see README.md.

This file must stay free of heavy imports: `pin_threads` has to run before numpy,
torch or jax is imported anywhere in the process.
"""
import os

WORKLOADS = ("overhead", "mlp", "rnn", "jacobian", "linalg", "memory", "namespace",
             "distributed")


def pin_threads(n):
    """Limit BLAS, OpenMP, torch and XLA to `n` threads (through the environment, so
    it only takes effect if numpy, torch and jax have not been imported yet)."""
    n = str(n)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "FGRAD_BENCH_THREADS"):
        os.environ[var] = n
    eigen = "false" if n == "1" else "true"
    os.environ["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={n}"
