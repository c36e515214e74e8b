"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build/html``."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

project = "fgrad"
author = "the fgrad developers"
extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
html_theme = "alabaster"
html_static_path = []
suppress_warnings = ["myst.xref_missing"]  # links to the repository's files (README, examples)
