"""Hypothesis in CI: the same examples on every run, and no per-example deadline
(a shared machine's pauses are not failures)."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
