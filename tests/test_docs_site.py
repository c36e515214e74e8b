"""The documentation site builds without a warning (Sphinx's -W makes one an error)."""
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")
pytest.importorskip("scipy")  # the guides and the reference cover fgrad.scipy
pytest.importorskip("distributed")  # and fgrad.distributed

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_the_site_builds_without_warnings(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-E", "-b", "html",
                             str(DOCS), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "index.html").read_text()
    assert "guide/transforms.html" in index and "api.html" in index
    assert "fgrad.grad" in (tmp_path / "api.html").read_text()
