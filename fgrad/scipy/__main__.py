"""``python -m fgrad.scipy > docs/scipy_coverage.md``: print the coverage page."""
from .census import markdown

if __name__ == "__main__":
    print(markdown(), end="")
