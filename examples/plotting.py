"""What the examples share for their pictures: matplotlib drawing to files, if installed."""
import pathlib


def pyplot():
    """matplotlib.pyplot on the Agg backend (files, no window), or None, with a note,
    when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        print('plot skipped: matplotlib is not installed (pip install "fgrad[examples]")')
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(fig, path, what="plot"):
    """Write ``fig`` to ``path`` as a PNG (making its folder), close it, and say where."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    import matplotlib.pyplot as plt
    plt.close(fig)
    print(f"{what} written to {path}")
