"""Hypothesis in CI: the same examples on every run, and no per-example deadline
(a shared machine's pauses are not failures).

"fuzz" is for long local runs of the random-program fuzzer (tests/test_fuzz.py, which
reads the profile's example count; the other tests keep their own):
``python -m pytest tests/test_fuzz.py --hypothesis-profile fuzz`` runs 2,000 programs per
test (8,000 in all, about 3 minutes), new ones on every run; a failure prints the program
and a ``@reproduce_failure`` blob. ``--hypothesis-seed N`` repeats a run.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("fuzz", max_examples=2000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
if os.environ.get("CI"):
    settings.load_profile("ci")
