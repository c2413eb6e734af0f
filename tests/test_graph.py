"""The computational graph: textbook gate examples by hand, random expressions against SymPy, network
graphs against the engine's trace, parser refusals, and the ``graph`` command."""

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from core import load_preset, load_scenario, trace
from core.engine.scenario import preset_names
from core.symbolic.graph import GraphError, run
from core.symbolic.graph_build import expression_graph, network_graph, parameter_names

ROOT = Path(__file__).resolve().parent.parent


def node(p, label):
    (n,) = [n for n in p.graph.nodes if n.label == label]
    return n.id


def test_add_and_multiply_gates_by_hand():
    """(x + y)·z at x = −2, y = 5, z = −4: q = x + y = 3, f = q·z = −12. Backward: ∂f/∂z = q = 3 and
    ∂f/∂q = z = −4 (the multiply gate swaps its inputs); the add gate copies −4 to x and to y."""
    p = run(expression_graph("(x + y) * z"), {"x": -2, "y": 5, "z": -4})
    q, f = node(p, "+"), node(p, "×")
    assert p.values[q] == 3 and p.values[f] == -12 and p.value == -12
    assert p.grads[f] == 1 and p.grads[q] == -4
    assert p.gradient() == {"x": -4, "y": -4, "z": 3}
    assert p.downstream(f) == [(q, 1.0, -4.0, -4.0), (2, 1.0, 3.0, 3.0)]  # upstream × local = downstream
    assert p.downstream(q) == [(0, -4.0, 1.0, -4.0), (1, -4.0, 1.0, -4.0)]


def test_sigmoid_neuron_by_hand():
    """CS231n's 1/(1 + exp(−(w0·x0 + w1·x1 + w2))) at w = (2, −3, −3), x = (−1, −2): the dot product is
    2·(−1) + (−3)·(−2) − 3 = 1, so f = 1/(1 + e⁻¹) ≈ 0.73 and the gradient at the dot product is
    f(1 − f) ≈ 0.197; the multiply gates swap: ∂f/∂w0 = x0·0.197, ∂f/∂x0 = w0·0.197, …"""
    p = run(expression_graph("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"),
            {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3})
    f = 1 / (1 + math.exp(-1))
    s = f * (1 - f)
    assert p.value == pytest.approx(0.7310585786300049, abs=1e-15) == pytest.approx(f)
    g = p.gradient()
    assert g["w0"] == pytest.approx(-1 * s) and g["x0"] == pytest.approx(2 * s)
    assert g["w1"] == pytest.approx(-2 * s) and g["x1"] == pytest.approx(-3 * s)
    assert g["w2"] == pytest.approx(s)
    assert round(g["w0"], 2) == -0.20 and round(g["x0"], 2) == 0.39 and round(g["x1"], 2) == -0.59
    # node by node, as the course's figure: ×−1 → −1, exp → 0.37, +1 → 1.37, 1/x → 0.73; back: the +1 and
    # exp nodes get −1/1.37² = −0.53 (1/x's local gradient), the ×−1 node −0.53·e⁻¹ = −0.20 (exp's local
    # gradient), and the dot product +0.20 (×−1's local gradient is −1)
    vals = {n.label: (p.values[n.id], p.grads[n.id]) for n in p.graph.nodes if n.op in ("neg", "exp", "recip")}
    e1 = math.exp(-1)
    assert vals["×−1"] == pytest.approx((-1.0, -1 / (1 + e1) ** 2 * e1))
    assert round(vals["×−1"][1], 2) == -0.20
    assert vals["exp"] == pytest.approx((e1, -1 / (1 + e1) ** 2))
    assert vals["1/x"] == pytest.approx((f, 1.0))
    plus1 = [n.id for n in p.graph.nodes if n.op == "add" and p.graph.nodes[n.inputs[0]].op == "const"][0]
    assert p.values[plus1] == pytest.approx(1 + e1) and p.grads[plus1] == pytest.approx(-1 / (1 + e1) ** 2)
    assert round(p.grads[plus1], 2) == -0.53


def test_max_routes_to_the_winner_and_fan_out_adds():
    p = run(expression_graph("max(x, y) * x"), {"x": 3, "y": 1})
    assert p.gradient() == {"x": 6.0, "y": 0.0}  # 3 via the max (it won) + 3 via the product
    p = run(expression_graph("max(x, y) * x"), {"x": -3, "y": 1})
    assert p.gradient() == {"x": 1.0, "y": -3.0}


_FUNS = ["exp({})", "tanh({})", "sin({})", "cos({})", "atan({})", "log(1 + ({})**2)", "sqrt(2 + ({})**2)",
         "sigmoid({})", "erf({})", "abs({})", "cosh({})", "sinh({})"]


def _random_expr(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["a", "b", "c", "d", f"{rng.randint(1, 9)}", f"{rng.uniform(0.1, 3):.3f}"])
    r = rng.random()
    left, right = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    if r < 0.45:
        return f"({left} {rng.choice(['+', '-', '*'])} {right})"
    if r < 0.55:
        return f"({left} / (1 + ({right})**2))"
    if r < 0.62:
        return f"({left})**{rng.choice([2, 3])}"
    if r < 0.68:
        return f"max({left}, {right})"
    return rng.choice(_FUNS).format(left)


def test_random_expressions_match_sympy():
    """The graph's value and gradient against SymPy's own parse and derivative of the same text."""
    rng = random.Random(13)
    syms = sp.symbols("a b c d", real=True)
    local = dict(zip("abcd", syms), sigmoid=lambda u: 1 / (1 + sp.exp(-u)), max=sp.Max)
    compared = 0
    for _ in range(150):
        text = _random_expr(rng, 4)
        at = {k: rng.uniform(-2, 2) for k in "abcd"}
        try:
            p = run(expression_graph(text), at)
        except GraphError:  # overflow: refused, not compared
            continue
        ref = sp.sympify(text, locals=local)  # trusted text from this test, SymPy as the independent reference
        subs = {s: at[s.name] for s in syms}
        assert p.value == pytest.approx(float(ref.evalf(30, subs=subs)), rel=1e-9, abs=1e-12), text
        for name, g in p.gradient().items():
            want = float(sp.diff(ref, local[name]).evalf(30, subs=subs))
            assert g == pytest.approx(want, rel=1e-8, abs=1e-10), (text, name)
        compared += 1
    assert compared >= 120


def _close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def _check_against_trace(s, n):
    """Every z, a, δ = ∂C/∂z, ∂C/∂a, ∂C/∂w and ∂C/∂b of example n (None: the batch mean) as in the trace."""
    t = trace(s)
    g, values = network_graph(s, n)
    p = run(g, values)
    grad = p.gradient()
    m = 0 if n is None else n
    assert _close(p.value, t.cost if n is None else t.costs[n])
    for l in range(2, len(s.layers) + 1):
        dW = t.dC_dW[l - 2] if n is None else t.dC_dW_examples[l - 2][n]
        db = t.dC_db[l - 2] if n is None else t.deltas[l - 2][n]
        for j in range(s.layers[l - 1]):
            assert _close(grad[f"b{l}[{j}]"], db[j])
            for k in range(s.layers[l - 2]):
                assert _close(grad[f"W{l}[{j}][{k}]"], dW[j, k]), (l, j, k)
            if n is not None:
                (z,) = [nd.id for nd in g.nodes if nd.role == "z" and nd.group == (l, j)]
                (a,) = [nd.id for nd in g.nodes if nd.role == "a" and nd.group == (l, j)]
                assert _close(p.grads[z], t.deltas[l - 2][m][j]), ("delta", l, j)  # δ is the sum node's gradient
                assert _close(p.grads[a], t.dC_das[l - 2][m][j])
                assert _close(p.values[z], t.zs[l - 2][m][j]) and _close(p.values[a], t.activations[l - 1][m][j])
    assert len(parameter_names(g)) == sum(W.size + b.size for W, b in zip(s.weights, s.biases))


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_matches_the_trace(name):
    s = load_preset(name)
    for n in range(len(s.x)):
        _check_against_trace(s, n)
    _check_against_trace(s, None)


BATCH = {"x": [[0.5, -1.0], [1.5, 0.25], [-0.7, 0.3]], "init": {"scheme": "xavier", "seed": 3}}


@pytest.mark.parametrize("acts,loss,y", [
    (["tanh", "sigmoid"], "mse", [[0.2, 0.9], [1, 0], [0.5, 0.5]]),
    (["relu", "sigmoid"], "bce", [[1, 0], [0, 1], [1, 1]]),
    (["leaky_relu", "softmax"], "cross_entropy", [[1, 0], [0, 1], [0.3, 0.7]]),
    (["log(1 + exp(z))", "linear"], "mse", [[2, -1], [0, 3], [1, 1]]),
    (["z*tanh(z) + 0.5*z", "tanh"], "mse", [[0.1, -0.2], [0.3, 0.4], [0, 0]]),
])
@pytest.mark.usefixtures("roomy_formula_budget")
def test_every_cost_and_activation_match_the_trace_on_a_batch(acts, loss, y):
    s = load_scenario(dict(BATCH, layers=[2, 3, 2], activations=acts, loss=loss, y=y,
                           biases=[[0.1, -0.2, 0.3], [0.05, -0.05]]))
    for n in range(3):
        _check_against_trace(s, n)
    _check_against_trace(s, None)


def test_a_neuron_unfolds_into_products_sum_and_activation():
    g, _ = network_graph(load_preset("classic_2-2-2"), 0)
    mine = [nd for nd in g.nodes if nd.group == (2, 0)]
    assert [nd.role for nd in mine] == ["w", "w", "b", "product", "product", "z", "a"]
    assert [nd.op for nd in mine[3:]] == ["mul", "mul", "add", "sigmoid"]
    cost = [nd.op for nd in g.nodes if nd.group == ("cost",) and nd.op != "input"]
    assert cost == ["sub", "pow", "sub", "pow", "add", "scale"]  # a − y, ( )², …, Σ, ½
    assert all(i < nd.id for nd in g.nodes for i in nd.inputs)  # topological order


@pytest.mark.parametrize("text,words", [
    ("x.real", "'.'"), ("'a' + x", "strings"), ("__import__('os')", "not allowed"), ("x[0]", "indexing"),
    ("exp + x", "exp(...)"), ("x +", "unexpected end"), ("2 x", "unexpected"), ("", "empty expression"),
    ("+".join(f"v{i}" for i in range(17)), "more than 16 variables"), ("abcdefghijklmnopq + 1", "too long"),
    ("x" * 201, "too long"), ("x; y", "';'"), ("log(0) + x", "expression"), ("(" * 30 + "x" + ")" * 30, "nesting"),
])
def test_refusals_are_one_line(text, words):
    with pytest.raises(ValueError) as e:
        expression_graph(text)
    msg = str(e.value)
    assert words in msg and "\n" not in msg, msg
    assert "formula in z" not in msg and "use z," not in msg


def test_sixteen_variables_with_digits_and_underscores_are_fine():
    text = " + ".join(f"v_{i}" for i in range(16))
    p = run(expression_graph(text), {f"v_{i}": float(i) for i in range(16)})
    assert p.value == sum(range(16)) and set(p.gradient().values()) == {1.0}


def test_values_outside_a_domain_are_refused_with_the_node():
    with pytest.raises(GraphError, match="log"):
        run(expression_graph("log(x) * y"), {"x": -1.0, "y": 2.0})
    with pytest.raises(GraphError, match="division by zero"):
        run(expression_graph("1 / (x - y)"), {"x": 2.0, "y": 2.0})


def cli(*args):
    return subprocess.run([sys.executable, "-m", "core", "graph", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def _strict(text):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))


def test_cli_expression():
    r = cli("(x + y) * z", "--at", "x=-2", "y=5", "z=-4")
    assert r.returncode == 0, r.stderr
    d = _strict(r.stdout)
    assert d["value"] == -12 and d["gradient"] == {"x": -4, "y": -4, "z": 3}
    assert [n["op"] for n in d["nodes"]] == ["input", "input", "input", "add", "mul"]
    assert all(set(n) >= {"id", "op", "inputs", "value", "grad"} for n in d["nodes"])
    assert all(i < n["id"] for n in d["nodes"] for i in n["inputs"])
    assert d["nodes"][3] == {"id": 3, "op": "add", "inputs": [0, 1], "value": 3.0, "grad": -4.0, "label": "+"}


def test_cli_scenario_keys_and_values():
    t = trace(load_preset("classic_2-2-2"))
    d = _strict(cli("--scenario", str(ROOT / "core/presets/classic_2-2-2.json")).stdout)
    assert d["value"] == pytest.approx(0.298371109, abs=5e-10)
    # W2[0][1] is ∂C/∂w²₁₂, the gradient of weights[0][0][1]
    assert d["gradient"]["W2[0][1]"] == pytest.approx(t.dC_dW[0][0, 1], abs=1e-15)
    assert d["gradient"]["W3[1][0]"] == pytest.approx(t.dC_dW[1][1, 0], abs=1e-15)
    assert d["gradient"]["W3[0][0]"] == pytest.approx(0.082167041, abs=5e-10)  # the published worked example
    assert list(d["gradient"]) == ["W2[0][0]", "W2[0][1]", "b2[0]", "W2[1][0]", "W2[1][1]", "b2[1]",
                                   "W3[0][0]", "W3[0][1]", "b3[0]", "W3[1][0]", "W3[1][1]", "b3[1]"]
    xor = ROOT / "core/presets/xor_2-2-1.json"
    t = trace(load_preset("xor_2-2-1"))
    d = _strict(cli("--scenario", str(xor), "--example", "2").stdout)
    assert d["value"] == pytest.approx(t.costs[2], rel=1e-14)
    assert d["gradient"]["W3[0][1]"] == pytest.approx(t.dC_dW_examples[1][2][0, 1], rel=1e-12)
    d = _strict(cli("--scenario", str(xor)).stdout)  # no --example: the batch's mean cost
    assert d["value"] == pytest.approx(t.cost, rel=1e-14)
    assert np.allclose([d["gradient"][f"W2[{j}][{k}]"] for j in range(2) for k in range(2)],
                       t.dC_dW[0].ravel(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("args,words", [
    (("(x + y) * z", "--at", "x=-2", "y=5"), "no value for 'z'"),
    (("x * 2", "--at", "x=1", "q=2"), "no variable 'q'"),
    (("x * 2", "--at", "x=abc"), "NAME=NUMBER"),
    (("x * 2", "--at", "x=nan"), "NAME=NUMBER"),
    (("x.y", "--at", "x=1"), "'.'"),
    (("log(x)", "--at", "x=-1"), "log"),
    ((), "either an expression"),
    (("--scenario", "/nonexistent.json"), "nonexistent"),
    (("--scenario", str(ROOT / "core/presets/xor_2-2-1.json"), "--example", "4"), "numbered 0 to 3"),
    (("x", "--at", "x=1", "--example", "0"), "--example is for --scenario"),
])
def test_cli_bad_input_exits_2_with_one_line(args, words):
    r = cli(*args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and words in r.stderr, r.stderr


def test_cli_a_batch_too_large_for_one_graph_asks_for_an_example(tmp_path):
    f = tmp_path / "big.json"
    f.write_text(json.dumps({"layers": [2, 3, 1], "activations": ["sigmoid", "sigmoid"], "loss": "mse",
                             "x": [[0.1, 0.2]] * 4000, "y": [[1]] * 4000}))
    r = cli("--scenario", str(f))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "--example N" in r.stderr, r.stderr
    t = trace(load_scenario(f))
    d = _strict(cli("--scenario", str(f), "--example", "3999").stdout)
    assert d["gradient"]["W2[2][1]"] == pytest.approx(t.dC_dW_examples[0][3999][2, 1], rel=1e-12)
