"""fgrad.scipy is optional: without SciPy, importing it says how to install it."""
import subprocess
import sys

import pytest


def test_without_scipy_the_import_error_says_how_to_install_it():
    code = ("import sys; sys.modules['scipy'] = None\n"  # makes `import scipy` fail
            "import fgrad, fgrad.numpy\n"
            "try:\n    import fgrad.scipy\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert 'pip install "fgrad[scipy]"' in out


def test_fgrad_and_its_numpy_import_without_scipy():
    code = "import sys; sys.modules['scipy'] = None\nimport fgrad, fgrad.numpy\nprint('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_with_scipy_every_submodule_is_there():
    pytest.importorskip("scipy")
    import fgrad.scipy
    for name in ("special", "stats", "signal", "linalg", "integrate", "optimize"):
        assert hasattr(fgrad.scipy, name)
