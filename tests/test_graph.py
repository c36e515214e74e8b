"""make_graph: the recorded graph, its listing and table, both modes over it, the
DOT picture, and large graphs."""
import pathlib
import re
import shutil
import subprocess
import time

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import make_graph
from helpers import load_example


def lecture(a, b, c):
    return (a + 3 * b) * c ** 2


@pytest.fixture
def lecture_graph():
    graph = make_graph(lecture, argnums=(0, 1, 2))(2.0, 3.0, 4.0)
    graph.backward()
    return graph


def test_the_lecture_example(lecture_graph):
    listing = str(lecture_graph).splitlines()
    assert listing[:3] == ["a  = 2", "b  = 3", "c  = 4"]
    assert "t2 = add(a, t1)  = 11" in listing
    assert "t3 = power(c, 2)  = 16" in listing
    assert "t4 = multiply(t2, t3)  = 176" in listing and listing[-1] == "output: t4"
    values = {k: float(v) for k, v in lecture_graph.forward_values().items()}
    assert values == {"a": 2, "b": 3, "c": 4, "t1": 9, "t2": 11, "t3": 16, "t4": 176}
    adjoints = {k: float(v) for k, v in lecture_graph.adjoints().items()}
    assert adjoints == {"a": 16, "b": 48, "c": 88, "t1": 16, "t2": 16, "t3": 11, "t4": 1}


def test_the_table_has_values_local_derivatives_adjoints_and_tangents(lecture_graph):
    lecture_graph.forward((0.0, 1.0, 0.0))
    rows = {line.split()[0]: line for line in lecture_graph.table().splitlines()}
    assert rows["node"].split() == ["node", "op", "value", "local", "derivatives", "adjoint",
                                    "tangent"]
    assert "∂/∂t2 = 16, ∂/∂t3 = 11" in rows["t4"] and rows["t4"].split()[-2:] == ["1", "48"]
    assert "∂/∂c = 8" in rows["t3"]
    assert rows["b"].split()[-2:] == ["48", "1"]


def test_forward_mode_over_the_graph_equals_jvp(lecture_graph):
    tangents = (0.5, -1.0, 2.0)
    lecture_graph.forward(tangents)
    expected = fgrad.jvp(lecture, (2.0, 3.0, 4.0), tangents)[1]
    assert lecture_graph.tangents()["t4"] == expected


def test_logistic_least_squares_adjoints_are_the_textbook_formulas():
    """z = w x + b, y = σ(z), L = (y − t)²/2:  ȳ = y − t, z̄ = ȳ σ(z)(1 − σ(z)),
    w̄ = z̄ x, b̄ = z̄."""
    x, t = 1.5, 0.2

    def loss(w, b):
        z = w * x + b
        y = 1 / (1 + fnp.exp(-z))
        return (y - t) ** 2 / 2

    w, b = 0.8, -0.3
    graph = make_graph(loss, argnums=(0, 1))(w, b)
    graph.backward()
    z = w * x + b
    y = 1 / (1 + np.exp(-z))
    y_bar = y - t
    z_bar = y_bar * y * (1 - y)
    nodes = {n.name: n for n in graph}
    by_value = {round(float(n.value), 12): n for n in graph.nodes}
    assert np.isclose(by_value[round(z, 12)].adjoint, z_bar, rtol=1e-14)
    assert np.isclose(by_value[round(y, 12)].adjoint, y_bar, rtol=1e-14)
    assert np.isclose(nodes["w"].adjoint, z_bar * x, rtol=1e-14)
    assert np.isclose(nodes["b"].adjoint, z_bar, rtol=1e-14)


def test_array_inputs_show_shapes_and_the_weight_adjoint_is_the_gradient():
    rng = np.random.default_rng(0)
    W, x = rng.standard_normal((3, 4)), rng.standard_normal((5, 3)).astype(np.float32)

    def loss(W, x):
        return fnp.sum(fnp.tanh(x @ W) ** 2)

    graph = make_graph(loss)(W, x)
    listing = str(graph)
    assert listing.startswith("W  = f64[3,4] mean")
    assert "matmul(const f32[5,3], W)  = f64[5,4]" in listing
    graph.backward()
    np.testing.assert_allclose(graph["W"].adjoint, fgrad.grad(loss)(W, x), rtol=1e-12)


def test_pytree_inputs_are_named_by_their_path():
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    graph = make_graph(lambda params, x: fnp.sum(x @ params["W"] + params["b"]))(params,
                                                                                  np.ones(2))
    assert [n.name for n in graph.inputs] == ["params['W']", "params['b']"]


def test_several_outputs_multi_output_primitives_and_custom_rules():
    clip = fgrad.custom_vjp(lambda x: x)
    clip.defvjp(lambda x: (x, None), lambda res, g: (fnp.clip(g, -1.0, 1.0),))

    def f(a):
        w, v = fnp.linalg.eigh(a @ a.T + np.eye(2))
        return fnp.sum(w) + 5.0 * clip(fnp.sum(v ** 2))

    a = np.array([[1.0, 0.5], [0.2, 2.0]])
    graph = make_graph(f)(a)
    assert "eigh(" in str(graph)
    graph.backward()
    np.testing.assert_allclose(graph["a"].adjoint, fgrad.grad(f)(a), rtol=1e-12)
    ops = [n.op for n in graph.nodes]
    assert "eigh" in ops and "custom_vjp_call" in ops


def test_a_graph_of_a_gradient_records_the_backward_pass():
    graph = make_graph(fgrad.grad(fnp.sin))(0.3)
    assert np.isclose(graph.outputs[0], np.cos(0.3))
    graph.backward()
    assert np.isclose(graph["x"].adjoint, -np.sin(0.3))


def test_backward_with_a_cotangent_for_each_output():
    graph = make_graph(lambda x: (x * 2.0, fnp.sin(x)))(0.5)
    graph.backward((1.0, 10.0))
    assert np.isclose(graph["x"].adjoint, 2.0 + 10.0 * np.cos(0.5))
    with pytest.raises(ValueError, match="structure"):
        graph.backward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="tangent"):
        graph.forward((1.0, 2.0))


def test_the_dot_text_has_the_labels(lecture_graph):
    dot = lecture_graph.to_dot()
    assert dot.startswith("digraph fgrad {") and dot.rstrip().endswith("}")
    assert '"t4" [label=<<b>t4 = multiply(t2, t3)</b>' in dot
    assert "adjoint 88" in dot and ">176<" in dot
    # the edge c -> t3 carries c's value (4) above and its adjoint share (88) below
    edge = next(line for line in dot.splitlines() if line.startswith('  "c" -> "t3"'))
    assert ">4<" in edge and ">88<" in edge and edge.index(">4<") < edge.index(">88<")


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot program is not installed (apt install graphviz)")
def test_graphviz_renders_it(lecture_graph, tmp_path):
    done = subprocess.run(["dot", "-Tsvg"], input=lecture_graph.to_dot(), text=True,
                          capture_output=True)
    assert done.returncode == 0 and "Warning" not in done.stderr, done.stderr
    lecture_graph.render(tmp_path / "lecture.png")
    assert (tmp_path / "lecture.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in lecture_graph._repr_svg_()


def test_without_graphviz_render_says_how_to_install_it(lecture_graph, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt install graphviz"):
        lecture_graph.render(tmp_path / "x.svg")
    assert lecture_graph._repr_svg_() is None
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        lecture_graph.render(tmp_path / "x.jpg")


def test_a_20000_node_graph_gives_a_message_or_a_usable_picture_in_seconds():
    def chain(x):
        for _ in range(10_000):
            x = fnp.sin(x) * 1.0001
        return x

    start = time.perf_counter()
    graph = make_graph(chain)(0.5)
    graph.backward()
    assert len(graph) == 20_000
    with pytest.raises(ValueError, match="collapse=True draws 2"):
        graph.to_dot()
    dot = graph.to_dot(collapse=True)
    assert "t1 … t20000: sin, multiply (20,000 nodes)" in dot and dot.count("->") == 1
    listing = str(graph).splitlines()
    assert len(listing) < 210 and "19,800 nodes not shown" in listing[101]
    assert time.perf_counter() - start < 10
    np.testing.assert_allclose(graph["x"].adjoint, fgrad.grad(chain)(0.5), rtol=1e-12)


def test_min_size_hides_small_nodes_and_joins_what_they_connected():
    def f(W, x):
        scale = fnp.sum(W) * 0.5            # small nodes: scalars
        return fnp.sum(fnp.tanh(x @ W) * scale)

    graph = make_graph(f)(np.ones((3, 4)), np.ones((5, 3)))
    full, small = graph.to_dot(), graph.to_dot(min_size=10)
    assert full.count("[label") > small.count("[label")
    assert "style=dashed" in small  # a path through hidden nodes
    assert '"t5"' in small  # the output stays


def test_the_guide_shows_what_the_graph_prints(lecture_graph):
    guide = pathlib.Path(__file__).resolve().parents[1] / "docs" / "guide" / "graph.md"
    listing, table = re.findall(r"```text\n(.*?)```", guide.read_text(), flags=re.S)
    lecture_graph.forward((0.0, 1.0, 0.0))
    assert listing.rstrip("\n") == str(lecture_graph)
    assert table.rstrip("\n") == lecture_graph.table()


def test_the_see_backprop_example(tmp_path, capsys):
    graph, cell = load_example("see_backprop").main(["--picture", str(tmp_path / "g.svg")])
    assert float(graph["c"].adjoint) == 88.0
    out = capsys.readouterr().out
    textbook = re.search(r"w̄ = z̄ x = (\S+), b̄ = z̄ = (\S+)", out)
    assert np.isclose(cell["w"].adjoint, float(textbook[1]), rtol=1e-5)
    assert np.isclose(cell["b"].adjoint, float(textbook[2]), rtol=1e-5)
    written = list(tmp_path.iterdir())
    assert len(written) == 1 and written[0].suffix in (".svg", ".dot")
