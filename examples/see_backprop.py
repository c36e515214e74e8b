"""See backpropagation happen: the lecture example L = (a + 3b) c² as a graph.

fgrad.make_graph records one evaluation of the function: every primitive call a
node, with its forward value. graph.backward() then runs reverse mode over that
graph, node by node from L, and keeps each node's adjoint ∂L/∂node, the "error
signal" of backprop lectures; graph.forward() runs forward mode the same way. At
(a, b, c) = (2, 3, 4): L = 176, and ∂L/∂(a, b, c) = (16, 48, 88).

The second part is one logistic neuron with a squared error, z = w x + b,
y = σ(z), L = (y − t)² / 2, whose adjoints are the textbook formulas
ȳ = y − t, z̄ = ȳ σ'(z), w̄ = z̄ x, b̄ = z̄.

    python examples/see_backprop.py                 # listing, table, and the picture
    python examples/see_backprop.py --picture PATH  # write it elsewhere (.svg or .png)

The picture needs Graphviz's dot program (apt install graphviz, brew install graphviz);
without it the DOT text is written instead, for any Graphviz viewer.
"""
import argparse
import pathlib
import shutil

import numpy as np

import fgrad
import fgrad.numpy as fnp

DEFAULT_PICTURE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images" / "see_backprop.svg"


def lecture(a, b, c):
    return (a + 3 * b) * c ** 2


def neuron(w, b, x=1.5, t=0.2):
    z = w * x + b
    y = 1 / (1 + fnp.exp(-z))
    return (y - t) ** 2 / 2


def show(title, graph):
    print(f"== {title}\n")
    print(graph, end="\n\n")
    print(graph.table(), end="\n\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picture", metavar="PATH", default=str(DEFAULT_PICTURE),
                        help="where to draw the lecture example (.svg or .png)")
    args = parser.parse_args(argv)

    graph = fgrad.make_graph(lecture, argnums=(0, 1, 2))(2.0, 3.0, 4.0)
    graph.backward()                 # adjoints: ∂L/∂node for every node
    graph.forward((0.0, 1.0, 0.0))   # tangents: ∂node/∂b for every node
    show("L = (a + 3b) c² at (2, 3, 4); tangents along b", graph)

    cell = fgrad.make_graph(neuron, argnums=(0, 1))(0.8, -0.3)
    cell.backward()
    show("one logistic neuron: z = w x + b, y = σ(z), L = (y − t)²/2", cell)
    z = 0.8 * 1.5 - 0.3
    y = 1 / (1 + np.exp(-z))
    z_bar = (y - 0.2) * y * (1 - y)
    print(f"textbook: w̄ = z̄ x = {z_bar * 1.5:.6g}, b̄ = z̄ = {z_bar:.6g}\n")

    picture = pathlib.Path(args.picture)
    picture.parent.mkdir(parents=True, exist_ok=True)
    if shutil.which("dot"):
        graph.render(picture)
        print(f"picture written to {picture}")
    else:
        picture = picture.with_suffix(".dot")
        picture.write_text(graph.to_dot())
        print(f"Graphviz's dot is not installed (apt install graphviz): DOT text written "
              f"to {picture}")
    return graph, cell


if __name__ == "__main__":
    main()
