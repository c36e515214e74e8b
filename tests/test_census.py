"""fgrad.numpy.coverage() tells the truth, and docs/coverage.md is its current report."""
import pathlib

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.numpy import census

PAGE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "coverage.md"


def test_statuses_are_right_for_known_names():
    rows = {r.name: r for r in fnp.coverage()}
    assert rows["sin"].status == "primitive" and rows["sin"].vjp and rows["sin"].batch
    assert rows["stack"].status == "composition"
    assert rows["floor"].status == "nondifferentiable" and rows["floor"].batch
    assert rows["pi"].status == "data" and rows["float32"].status == "data"
    assert rows["gcd"].status == "missing"
    assert rows["put"].status == "in place"
    assert {"linalg.inv", "fft.fft"} <= set(rows)


def test_every_covered_name_works_on_traced_values():
    """A name reported as differentiable really differentiates (or refuses nothing)."""
    rows = {r.name: r for r in fnp.coverage()}
    x = np.array([0.3, 0.5, 0.9])
    for name in ("sin", "exp", "tanh", "sum", "mean", "cumsum", "sort"):
        if rows.get(name) and rows[name].status in ("primitive", "composition"):
            g = fgrad.grad(lambda x: fnp.sum(getattr(fnp, name)(x)))(x)
            assert np.all(np.isfinite(g)), name


def test_missing_names_refuse_traced_values():
    missing = {r.name for r in fnp.coverage() if r.status == "missing"}
    assert {"gcd", "lcm"} <= missing
    for name in ("gcd", "lcm"):
        with pytest.raises(TypeError, match=f"numpy.{name}"):
            fgrad.grad(lambda x: fnp.sum(getattr(fnp, name)(x, x)) * 0.0)(np.ones(3))


@pytest.mark.skipif(f"NumPy {np.__version__}" not in PAGE.read_text().split("\n")[2],
                    reason="docs/coverage.md was generated with another NumPy version")
def test_the_docs_page_is_current():
    assert PAGE.read_text() == census.markdown(), (
        "docs/coverage.md is out of date: run `python -m fgrad.numpy > docs/coverage.md`")


SCIPY_PAGE = PAGE.with_name("scipy_coverage.md")


def test_the_scipy_page_is_current():
    pytest.importorskip("scipy")
    from fgrad.scipy import census as scipy_census
    page = SCIPY_PAGE.read_text()
    if page.split("\n")[2].split("SciPy ")[1].split(";")[0] != __import__("scipy").__version__:
        pytest.skip("docs/scipy_coverage.md was generated with another SciPy version")
    assert page == scipy_census.markdown(), (
        "docs/scipy_coverage.md is out of date: run `python -m fgrad.scipy > "
        "docs/scipy_coverage.md`")
