"""The symbolic layer against independent references.

1. Every equation's numeric LaTeX, evaluated (by a small LaTeX-to-arithmetic reader written here),
   equals the engine's value, and its value line carries the engine's number.
2. The whole cost built as one SymPy expression of all weights and biases, differentiated with
   sympy.diff, equals the engine's gradients, for every activation (custom formulas included) and cost.
"""

import ast
import math
import operator
import re

import numpy as np
import pytest
import sympy as sp

from core import load_preset, trace
from core.engine.steps import DeltaStep, NeuronStep, UpdateStep, WeightGradStep
from core.symbolic.derive import (
    Equation,
    activation_derivative_latex,
    chain_rule,
    format_number,
    matrix_equations,
    notation_latex,
    step_equation,
)
from core.symbolic.formula import activation_expr

# --- a reader for the numeric LaTeX the layer writes (trusted text we generated, never user input) ---

_FUNCS = {"exp": math.exp, "log": math.log, "max": max, "min": min, "abs": abs, "tanh": math.tanh,
          "sign": lambda x: float(np.sign(x)), "sqrt": math.sqrt, "heav": lambda x: float(x > 0),
          "sinh": math.sinh, "cosh": math.cosh, "atan": math.atan, "erf": math.erf, "sin": math.sin,
          "cos": math.cos}


def _braced(s: str, i: int) -> int:
    """Index just past the brace group that opens at s[i]."""
    depth = 0
    for k in range(i, len(s)):
        depth += {"{": 1, "}": -1}.get(s[k], 0)
        if depth == 0:
            return k + 1
    raise AssertionError(f"unbalanced braces in {s!r}")


def latex_eval(s: str) -> float:
    s = re.sub(r"\\quad\(\\text\{since \}.*$", "", s)
    s = re.sub(r"(\d(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", r"\1e\2", s)
    for m in reversed(list(re.finditer(r"\\(tanh|sinh|cosh|sin|cos|log)\^\{", s))):  # \tanh^{3}{(x)}
        j = _braced(s, m.end() - 1)
        k = _braced(s, j)
        s = s[:m.start()] + f"{{\\{m.group(1)}{s[j:k]}}}^{s[m.end() - 1:j]}" + s[k:]
    while r"\frac{" in s:
        i = s.index(r"\frac{")
        j = _braced(s, i + 5)
        k = _braced(s, j)
        s = s[:i] + f"(({s[i + 6:j - 1]})/({s[j + 1:k - 1]}))" + s[k:]
    for a, b in [(r"\left|", "abs("), (r"\right|", ")"), (r"\left", ""), (r"\right", ""), ("e^{", "exp{"),
                 (r"\cdot", "*"), (r"\operatorname{sign}", "sign"), (r"\theta", "heav"), ("\\", ""),
                 ("^", "**"), ("{", "("), ("}", ")"), ("[", "("), ("]", ")")]:
        s = s.replace(a, b)
    s = re.sub(r"\)\s*\(", ")*(", s)  # juxtaposition, e.g. \frac{1}{2}\left(…\right)
    return float(_arith(ast.parse(s.strip(), mode="eval").body))


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def _arith(node):
    """Arithmetic only: numbers, + - * / **, and the calls in _FUNCS."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    if isinstance(node, ast.UnaryOp):
        return _OPS[type(node.op)](_arith(node.operand))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _FUNCS[node.func.id](*[_arith(a) for a in node.args])
    raise AssertionError(f"not arithmetic: {ast.dump(node)}")


def _number(s: str) -> float:
    return latex_eval(s.split(" = ")[-1].split(r"\leftarrow")[-1])


def _rows(tex: str) -> list[str]:
    tex = tex.replace(r"\begin{aligned} ", "").replace(r" \end{aligned}", "")
    tex = tex.replace(r" \\ &= ", " = ")  # a row that goes on from the one above
    return [r.replace("&=", "=") for r in tex.split(r" \\ ")]


def check_equation(e: Equation, expected: list[float] | float, rel: float = 2e-7):
    """Every '= …' segment of the numeric line evaluates to the value, which is the engine's number."""
    expected = [expected] if np.isscalar(expected) else expected
    for row_n, row_v, want in zip(_rows(e.numeric), _rows(e.value), expected, strict=True):
        v = _number(row_v)
        assert v == pytest.approx(want, rel=1e-8, abs=1e-12), (row_v, want)
        rhs = re.split(r" = |\\leftarrow", row_n)[1:]
        assert rhs, row_n
        for seg in rhs:
            assert latex_eval(seg) == pytest.approx(want, rel=rel, abs=1e-9), (seg, want)
    assert e.sentence and "\\" not in e.sentence and "$" not in e.sentence


def engine_values(t, st):
    """What the engine says each step's value is (independently of the step record's fields)."""
    n = getattr(st, "n", 0)
    name = type(st).__name__
    if name == "NeuronStep":
        return [t.zs[st.l - 2][n, st.j], t.activations[st.l - 1][n, st.j]]
    if name == "CostStep":
        return t.costs[n]
    if name == "OutputGradStep":
        return t.dC_das[-1][n, st.j]
    if name == "DeltaStep":
        return t.deltas[st.l - 2][n, st.j]
    if name == "WeightGradStep":
        return t.dC_dW_examples[st.l - 2][n, st.j, st.k]
    if name == "BiasGradStep":
        return t.deltas[st.l - 2][n, st.j]
    if st.k is None:
        return t.biases_new[st.l - 2][st.j]
    return t.weights_new[st.l - 2][st.j, st.k]


def _scenario(layers, acts, loss="mse", seed=0, N=1, scale=1.0):
    rng = np.random.default_rng(seed)
    W = [(rng.uniform(-1, 1, (m, k)) * scale).tolist() for k, m in zip(layers[:-1], layers[1:])]
    b = [rng.uniform(-0.5, 0.5, m).tolist() for m in layers[1:]]
    x = rng.uniform(-1, 1, (N, layers[0]))
    if loss == "cross_entropy":
        y = np.eye(layers[-1])[rng.integers(0, layers[-1], N)]
    else:
        y = rng.uniform(0.05, 0.95, (N, layers[-1]))
    d = {"layers": layers, "activations": acts, "loss": loss, "weights": W, "biases": b,
         "x": x[0].tolist() if N == 1 else x.tolist(), "y": y[0].tolist() if N == 1 else y.tolist(),
         "learning_rate": 0.3}
    return d


CASES = [
    ("sigmoid", "sigmoid", "mse"), ("tanh", "tanh", "mse"), ("relu", "linear", "mse"),
    ("leaky_relu", "sigmoid", "mse"), ("linear", "tanh", "mse"), ("tanh", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "bce"), ("log(1 + exp(z))", "z/(1 + abs(z))", "mse"),
    ("z/(1 + exp(-z))", "sigmoid", "bce"), ("max(z, 0.1*z)", "tanh(z)^3 + z", "mse"),
    ("exp(-z^2)", "softmax", "cross_entropy"),
]


@pytest.mark.parametrize("hidden,out,loss", CASES)
def test_every_step_equation_evaluates_to_the_engine_value(hidden, out, loss):
    t = trace(_scenario([3, 4, 3, 2], [hidden, hidden, out], loss, seed=1))
    for st in t.steps(0):
        check_equation(step_equation(t, st), engine_values(t, st))


def test_classic_step_equations_carry_the_published_figures():
    t = trace(load_preset("classic_2-2-2"))
    steps = list(t.steps(0))
    first = step_equation(t, steps[0])
    assert first.symbolic.startswith(r"\begin{aligned} z^{2}_{1} &= w^{2}_{11} a^{1}_{1} + w^{2}_{12} a^{1}_{2}"
                                     r" + b^{2}_{1}")
    assert r"0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35" in first.numeric
    assert "z^{2}_{1} &= 0.3775" in first.value and "a^{2}_{1} &= 0.593269992" in first.value
    cost = next(step_equation(t, s) for s in steps if type(s).__name__ == "CostStep")
    assert cost.value == "C = 0.298371109" and "0.274811083 + 0.0235600256" in cost.numeric
    upd = next(s for s in steps if isinstance(s, UpdateStep) and (s.l, s.j, s.k) == (3, 0, 0))
    e = step_equation(t, upd)
    assert e.value == r"w^{3}_{11} \leftarrow 0.35891648"
    assert r"0.4 - 0.5 \cdot 0.0821670406" in e.numeric


def test_chain_rule_for_w1_matches_the_article():
    t = trace(load_preset("classic_2-2-2"))
    card = chain_rule(t, 2, 0, 0)
    three, path_sum = card[0], card[1]
    assert r"\frac{\partial C}{\partial {a^{2}_{1}}} \cdot \frac{\partial a^{2}_{1}}{\partial {z^{2}_{1}}}" \
           in three.symbolic
    assert _number(three.value) == pytest.approx(0.000438568, abs=5e-10)
    # ∂E/∂out_h1 = 0.055399425 + (−0.019049119) = 0.036350306 (to the article's 9 decimals)
    terms = re.findall(r"-?\d+\.\d+", path_sum.numeric.split(" = ")[-1])
    assert [round(float(v), 9) for v in terms] == pytest.approx([0.055399425, -0.019049118], abs=1.1e-9)
    assert _number(path_sum.value) == pytest.approx(0.036350306, abs=5e-10)
    for e in card:
        assert latex_eval(e.numeric.split(" = ")[1]) == pytest.approx(_number(e.value), rel=2e-7)


def test_chain_rule_for_an_output_weight_has_article_002s_three_factors():
    t = trace(load_preset("classic_2-2-2"))
    card = chain_rule(t, 3, 0, 0)
    assert card[0].numeric.endswith(r"0.74136507 \cdot 0.186815602 \cdot 0.593269992")
    assert card[0].value.endswith("= 0.0821670406")
    assert card[-1].symbolic.endswith(r"= a^{2}_{1} \delta^{3}_{1}")


@pytest.mark.parametrize("hidden,out,loss", CASES[:7])
def test_chain_rule_cards_evaluate_for_every_weight_and_bias(hidden, out, loss):
    t = trace(_scenario([2, 3, 2, 2], [hidden, hidden, out], loss, seed=2))
    for l in (2, 3, 4):
        for j in range(t.scenario.layers[l - 1]):
            for k in [*range(t.scenario.layers[l - 2]), None]:
                card = chain_rule(t, l, j, k)
                want = t.dC_dW_examples[l - 2][0, j, k] if k is not None else t.deltas[l - 2][0, j]
                assert _number(card[0].value) == pytest.approx(want, rel=1e-8, abs=1e-13)
                assert _number(card[-1].value) == pytest.approx(want, rel=1e-8, abs=1e-13)
                for e in card:
                    for seg in e.numeric.split(" = ")[1:]:
                        assert latex_eval(seg) == pytest.approx(_number(e.value), rel=2e-7, abs=1e-9)
                if l == 2:  # the path sum over every path to the outputs: 3·2 paths... here 2·2 = 4
                    paths = card[2]
                    assert paths.symbolic.count(r"\delta^{4}") == 4


def test_long_sums_and_path_sums_are_folded():
    t = trace(_scenario([12, 10, 9, 3], ["tanh", "tanh", "sigmoid"], seed=3))
    neuron = next(s for s in t.steps(0) if isinstance(s, NeuronStep) and s.l == 2)
    e = step_equation(t, neuron)
    assert r"\cdots\;(+5\text{ more terms})" in e.symbolic and e.numeric.count(r" \cdot ") == 7
    card = chain_rule(t, 2, 0, 0, max_terms=4)
    assert r"(+24\text{ more terms})" in card[2].symbolic  # 9·3 = 27 paths, 3 shown
    assert r"(+6\text{ more terms})" in card[1].symbolic  # 9 neurons, 3 shown
    assert _number(card[2].value) == pytest.approx(t.dC_das[0][0, 0], rel=1e-8)
    delta = next(s for s in t.steps(0) if isinstance(s, DeltaStep) and s.l == 2)
    assert r"\cdots" in step_equation(t, delta).symbolic


def test_format_number():
    assert format_number(0.082167040641, 9) == "0.0821670406"
    assert format_number(1.5e-5, 3) == r"1.5 \times 10^{-5}"
    assert format_number(-2.5e12, 2) == r"-2.5 \times 10^{12}"
    assert format_number(-0.25, 4, paren=True) == "(-0.25)"
    assert format_number(-0.0, 4) == "0" and format_number(float("nan"), 3) == r"\text{NaN}"
    t = trace(_scenario([2, 2, 1], ["sigmoid", "sigmoid"], scale=1e-7, seed=4))
    for st in t.steps(0):
        e = step_equation(t, st)
        for tex in (e.symbolic, e.numeric, e.value):
            assert not re.search(r"\de[-+]?\d", tex), tex


def test_weight_gradient_is_the_per_example_product_and_the_update_uses_the_batch_mean():
    t = trace(_scenario([2, 3, 1], ["tanh", "sigmoid"], N=3, seed=5))
    for n in range(3):
        for st in t.steps(n):
            check_equation(step_equation(t, st), engine_values(t, st))
    upd = next(s for s in t.steps(0) if isinstance(s, UpdateStep))
    assert "mean of the 3 examples" in step_equation(t, upd).sentence
    wg = [s for s in t.steps(1) if isinstance(s, WeightGradStep)][0]
    assert _number(step_equation(t, wg).value) == pytest.approx(t.dC_dW_examples[wg.l - 2][1, 0, 0], rel=1e-8)


def test_activation_derivatives_in_textbook_form():
    sig, dsig = activation_derivative_latex("sigmoid")
    assert sig == r"\sigma(z) = \frac{1}{1 + e^{- {z}}}"
    assert dsig.endswith(r"= {\sigma(z)}\left(1 - {\sigma(z)}\right)")
    assert activation_derivative_latex("tanh")[1] == r"\sigma'(z) = 1 - \tanh^{2}(z) = 1 - \sigma(z)^{2}"
    assert r"\begin{cases} 1" in activation_derivative_latex("relu")[1]
    assert activation_derivative_latex("linear")[1] == r"\sigma'(z) = 1"
    assert activation_derivative_latex("log(1 + exp(z))")[1] == r"\sigma'(z) = \frac{e^{{z}}}{e^{{z}} + 1}"
    # SymPy's derivative of softsign, then the shorter equal form (z·sign z = |z|)
    assert activation_derivative_latex("z/(1 + abs(z))")[1].endswith(
        r"= \frac{1}{\left(\left|{{z}}\right| + 1\right)^{2}}")
    # a formula that is the sigmoid in disguise gets the sigmoid's textbook form too
    assert activation_derivative_latex("1/(1 + exp(-z))")[1].endswith(r"\left(1 - {\sigma(z)}\right)")
    assert "softmax" not in activation_derivative_latex("softmax")[0] and r"\delta_{ij}" in \
        activation_derivative_latex("softmax")[1]


def test_matrix_form_has_the_corrected_equations_shapes_and_actual_matrices():
    t = trace(load_preset("article003_3-4-2"))
    fwd = matrix_equations(t, 2, "forward")
    assert r"\underset{4 \times 1}{Z^{2}} = \underset{4 \times 3}{W^{2}}" in fwd[0].symbolic
    assert fwd[1].symbolic.startswith(r"\underset{4 \times 1}{A^{2}} = \sigma\left(Z^{2}\right)")
    back = matrix_equations(t, 2, "backward")
    assert r"\underset{4 \times 2}{(W^{3})^{T}} \underset{2 \times 1}{\Delta^{3}} \odot \sigma'\left(Z^{2}\right)" \
        in back[0].symbolic
    for eqs, arrays in [(fwd, [t.z(2), t.a(2)]), (back, [t.delta(2), t.dC_dW_examples[0][0], t.delta(2)]),
                        (matrix_equations(t, 2, "update"), [t.weights_new[0], t.biases_new[0]])]:
        for e, want in zip(eqs, arrays):
            got = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", re.sub(
                r"(\d(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", r"\1e\2", e.value.split(" = ")[-1].split("leftarrow")[-1]))]
            np.testing.assert_allclose(got, np.ravel(want), rtol=6e-4, atol=1e-12)
    out = matrix_equations(t, 3, "backward")
    assert "(3)" in out[0].symbolic and "(5)" in out[1].symbolic and "(6)" in out[2].symbolic
    with pytest.raises(ValueError):
        matrix_equations(t, 2, "sideways")


def test_notation_states_the_convention():
    text = " ".join(notation_latex())
    assert "w^{l}_{jk}" in text and "to-from" in text and r"\delta^{l}_{j} = \frac{\partial C}{\partial z^{l}_{j}}" \
        in text


# --- independent reference: the whole cost as one SymPy expression, differentiated by sympy.diff ---

def _sympy_gradients(d):
    """Mean cost over the batch built symbolically from every weight and bias, and its gradients."""
    layers, acts, loss = d["layers"], d["activations"], d["loss"]
    Ws = [sp.Matrix(m, k, lambda j, i, l=l: sp.Symbol(f"w{l}_{j}_{i}", real=True)) for l, (k, m) in
          enumerate(zip(layers[:-1], layers[1:]))]
    bs = [sp.Matrix(m, 1, lambda j, _, l=l: sp.Symbol(f"b{l}_{j}", real=True)) for l, m in enumerate(layers[1:])]
    xs = np.atleast_2d(d["x"])
    ys = np.atleast_2d(d["y"])
    zsym = sp.Symbol("z", real=True)
    total = 0
    for x, y in zip(xs, ys):
        a = sp.Matrix([sp.Float(v) for v in x])
        for W, b, name in zip(Ws, bs, acts):
            z = W * a + b
            if name == "softmax":
                e = [sp.exp(v) for v in z]
                a = sp.Matrix([v / sum(e) for v in e])
            else:
                f = activation_expr(name)
                a = z.applyfunc(lambda v, f=f: f.subs(zsym, v))
        if loss == "mse":
            C = sum((a[j] - y[j]) ** 2 for j in range(len(y))) / 2
        elif loss == "bce":
            C = -sum(y[j] * sp.log(a[j]) + (1 - y[j]) * sp.log(1 - a[j]) for j in range(len(y)))
        else:
            C = -sum(y[j] * sp.log(a[j]) for j in range(len(y)))
        total += C
    C = total / len(xs)
    params = [s for W in Ws for s in W] + [s for b in bs for s in b]
    values = [v for W in d["weights"] for row in W for v in row] + [v for b in d["biases"] for v in b]
    grads = sp.lambdify(params, [sp.diff(C, p) for p in params], modules="numpy", cse=True)(*values)
    cost = float(sp.lambdify(params, C, modules="numpy")(*values))
    return cost, np.array(grads, dtype=float)


@pytest.mark.parametrize("hidden,out,loss", CASES)
def test_engine_gradients_equal_sympy_diff_of_the_whole_cost(hidden, out, loss):
    for seed, N in [(10, 2)]:
        d = _scenario([2, 3, 2], [hidden, out], loss, seed=seed, N=N)
        t = trace(d)
        if "relu" in hidden or "max" in hidden:  # keep away from the kink
            assert np.all(np.abs(np.concatenate([z.ravel() for z in t.zs])) > 1e-3)
        cost, grads = _sympy_gradients(d)
        engine = np.concatenate([g.ravel() for g in t.dC_dW] + [g.ravel() for g in t.dC_db])
        assert t.cost == pytest.approx(cost, rel=1e-10)
        np.testing.assert_allclose(engine, grads, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("acts", [["tanh", "sigmoid", "sigmoid"], ["log(1 + exp(z))", "z/(1 + abs(z))", "linear"]])
def test_engine_gradients_equal_sympy_diff_through_two_hidden_layers(acts):
    d = _scenario([2, 2, 2, 1], acts, "mse", seed=12, N=2)
    cost, grads = _sympy_gradients(d)
    t = trace(d)
    engine = np.concatenate([g.ravel() for g in t.dC_dW] + [g.ravel() for g in t.dC_db])
    assert t.cost == pytest.approx(cost, rel=1e-10)
    np.testing.assert_allclose(engine, grads, rtol=1e-8, atol=1e-12)
