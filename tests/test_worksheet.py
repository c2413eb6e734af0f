"""Worksheets: the same seed gives the same sheet byte for byte, every seed gives a valid network
within what the teacher allows, the answer key's values are the engine's (and the gradients agree
with finite differences of a plain NumPy forward pass), one blank per value, and the printable
HTML carries MathML, not LaTeX."""

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import trace
from core.engine.activations import ACTIVATIONS
from core.teaching.explain import explain
from core.teaching.worksheet import Allowed, worksheet, worksheet_scenario

ROOT = Path(__file__).resolve().parents[1]
EVERYTHING = Allowed(activations=("sigmoid", "tanh", "relu", "leaky_relu", "linear"),
                     costs=("mse", "bce", "cross_entropy"), inputs=(1, 3), hidden_layers=(0, 2),
                     hidden_neurons=(1, 3), outputs=(1, 3))
ROW = re.compile(r"^\| (\d+) \| \$(.+)\$ \| (.*) \|$", re.M)


def _digest(seed: int) -> str:
    w = worksheet(seed, EVERYTHING)
    return hashlib.sha256((w.markdown() + w.key_markdown() + w.html()).encode()).hexdigest()


def test_same_seed_same_documents_byte_for_byte_even_in_another_process():
    a, b = worksheet(11, EVERYTHING), worksheet(11, EVERYTHING)
    assert a.markdown() == b.markdown() and a.key_markdown() == b.key_markdown() and a.html() == b.html()
    code = ("from core.teaching.worksheet import worksheet, Allowed; import hashlib; "
            "a = Allowed(activations=('sigmoid','tanh','relu','leaky_relu','linear'), "
            "costs=('mse','bce','cross_entropy'), outputs=(1, 3)); w = worksheet(11, a); "
            "print(hashlib.sha256((w.markdown() + w.key_markdown() + w.html()).encode()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _digest(11)


def test_many_seeds_give_valid_different_networks_within_the_bounds():
    seen, costs, sizes = set(), set(), set()
    for seed in range(300):
        s = worksheet_scenario(seed, EVERYTHING)
        L = s.L
        assert 1 <= s.layers[0] <= 3 and 1 <= s.layers[-1] <= 3 and 0 <= L - 2 <= 2
        assert all(1 <= n <= 3 for n in s.layers[1:-1])
        assert all(a in EVERYTHING.activations for a in s.activations[:-1])
        if s.loss == "cross_entropy":
            assert s.activations[-1] == "softmax" and s.layers[-1] >= 2 and s.y.sum() == 1
        elif s.loss == "bce":
            assert s.activations[-1] == "sigmoid" and set(s.y.ravel()) <= {0.0, 1.0}
        else:
            assert s.activations[-1] in EVERYTHING.activations
        for arr in (s.x, s.y, *s.weights, *s.biases):  # "nice" numbers: two decimals
            assert np.allclose(arr, np.round(arr, 2), rtol=0, atol=1e-12)
        assert s.learning_rate in (0.1, 0.2, 0.25, 0.5, 1.0) and len(s.x) == 1
        a = s.x[0]
        for W, b, name in zip(s.weights, s.biases, s.activations):
            z = W @ a + b
            if name in ("relu", "leaky_relu"):  # never at the kink, where σ' is a convention
                assert np.all(np.abs(z) >= 0.01 - 1e-12), (seed, z)
            a = ACTIVATIONS[name].output(z)
        seen.add(str(s.to_dict()))
        costs.add(s.loss)
        sizes.add(s.layers)
    assert len(seen) == 300  # every seed a different sheet
    assert costs == {"mse", "bce", "cross_entropy"} and len(sizes) > 20


def test_the_teachers_choices_are_obeyed():
    for seed in range(40):
        s = worksheet_scenario(seed, Allowed(activations=("tanh",), costs=("mse",), hidden_layers=(1, 1),
                                             hidden_neurons=(2, 2), inputs=(2, 2), outputs=(1, 1)))
        assert s.layers == (2, 2, 1) and s.activations == ("tanh", "tanh") and s.loss == "mse"
        s = worksheet_scenario(seed, Allowed(activations=("relu",), costs=("cross_entropy",), outputs=(1, 3)))
        assert s.activations[-1] == "softmax" and 2 <= s.layers[-1] <= 3 and set(s.activations[:-1]) <= {"relu"}


@pytest.mark.parametrize("allowed, words", [
    (Allowed(activations=("swish",)), "unknown 'swish'"),
    (Allowed(costs=()), "at least one cost"),
    (Allowed(inputs=(3, 2)), "inputs: expected 1 ≤ smallest ≤ largest ≤ 4, found 3–2"),
    (Allowed(activations=("softmax",), costs=("cross_entropy",)), "hidden layers need one of"),
    (Allowed(activations=("sigmoid",), costs=("cross_entropy",), outputs=(1, 1)), "at least 2 outputs"),
])
def test_bad_choices_say_what_to_fix(allowed, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        worksheet(1, allowed)
    with pytest.raises(ValueError, match="seed"):
        worksheet(-1)


def _expected(t, label: str) -> float:
    """The trace's value for a LaTeX label, indexed here (1-based indices in the label)."""
    m = re.fullmatch(r"(z|a|\\delta)\^\{(\d)\}_\{(\d)\}", label)
    if m:
        l, j = int(m[2]), int(m[3]) - 1
        return {"z": t.zs, "a": t.activations[1:], "\\delta": t.deltas}[m[1]][l - 2][0, j]
    if label == "C":
        return t.costs[0]
    m = re.fullmatch(r"\\frac\{\\partial C\}\{\\partial \{(w|b)\^\{(\d)\}_\{(\d)(\d)?\}\}\}", label)
    if m:
        l, j = int(m[2]), int(m[3]) - 1
        return t.dC_dW[l - 2][j, int(m[4]) - 1] if m[1] == "w" else t.dC_db[l - 2][j]
    m = re.fullmatch(r"(w|b)\^\{(\d)\}_\{(\d)(\d)?\}\\ \\text\{new\}", label)
    l, j = int(m[2]), int(m[3]) - 1
    return t.weights_new[l - 2][j, int(m[4]) - 1] if m[1] == "w" else t.biases_new[l - 2][j]


def _plain_cost(s, Ws, bs) -> float:
    """The cost by a plain forward pass (no engine), for finite differences."""
    a = s.x[0]
    for W, b, name in zip(Ws, bs, s.activations):
        z = W @ a + b
        a = ACTIVATIONS[name].output(z)
    y = s.y[0]
    if s.loss == "mse":
        return 0.5 * float(np.sum((a - y) ** 2))
    if s.loss == "bce":
        return -float(np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)))
    return -float(np.sum(y * np.log(a)))


@pytest.mark.parametrize("seed", [0, 3, 17, 42, 99, 123])
def test_answer_key_values_are_the_engines_to_the_printed_precision(seed):
    w = worksheet(seed, EVERYTHING)
    s, t = w.scenario, trace(worksheet_scenario(seed, EVERYTHING))
    rows = ROW.findall(w.key_markdown())
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1))
    answers = {}
    for _n, label, printed in rows:
        v = _expected(t, label)
        assert float(printed) == pytest.approx(v, rel=1e-5, abs=1e-12), (label, printed, v)
        assert len(re.sub(r"[-.]|e.*", "", printed).lstrip("0")) <= 6  # 6 significant figures
        answers[label] = float(printed)
    # the gradients in the key agree with central differences of a plain forward pass
    h = 1e-6
    for l in range(2, s.L + 1):
        for j in range(s.layers[l - 1]):
            for k in range(s.layers[l - 2]):
                Wp = [np.array(W) for W in s.weights]
                Wm = [np.array(W) for W in s.weights]
                Wp[l - 2][j, k] += h
                Wm[l - 2][j, k] -= h
                fd = (_plain_cost(s, Wp, s.biases) - _plain_cost(s, Wm, s.biases)) / (2 * h)
                key = answers[rf"\frac{{\partial C}}{{\partial {{w^{{{l}}}_{{{j + 1}{k + 1}}}}}}}"]
                assert key == pytest.approx(fd, rel=1e-4, abs=1e-6)
                new = answers[rf"w^{{{l}}}_{{{j + 1}{k + 1}}}\ \text{{new}}"]
                assert new == pytest.approx(s.weights[l - 2][j, k] - s.learning_rate * fd, rel=1e-4, abs=1e-6)
    # and the key carries the worked example (without the classic article's names)
    assert explain(s, digits=6, article=False).split("\n", 2)[2].strip()[:200] in w.key_markdown()


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_one_blank_per_value(seed):
    w = worksheet(seed, EVERYTHING)
    s = w.scenario
    n = sum(s.layers[1:])
    weights = sum(a * b for a, b in zip(s.layers[1:], s.layers[:-1]))
    expected = 2 * n + 1 + (n + weights + n) + (weights + n)  # z, a; C; δ, ∂C/∂w, ∂C/∂b; new w, b
    sheet_rows = ROW.findall(w.markdown())
    assert len(sheet_rows) == expected == len(w.blanks)
    assert all(answer == "" for _, _, answer in sheet_rows)
    assert w.html("worksheet").count('<td class="blank"></td>') == expected
    assert w.html("key").count('<td class="blank"></td>') == 0


def test_html_is_self_contained_mathml_with_the_drawing_inline():
    w = worksheet(4, EVERYTHING)
    html = w.html()
    text = re.sub(r"<svg.*?</svg>|<math.*?</math>", "", html, flags=re.S)
    assert "$" not in text and "\\" not in text  # no LaTeX left outside the maths
    assert not re.search(r"<m[ion]>[^<]*\\", html)  # no LaTeX command latex2mathml did not know
    md_maths = len(re.findall(r"\$\$.+?\$\$|\$[^$]+\$", w.markdown() + w.key_markdown()))
    assert html.count("<math ") == md_maths > 50
    assert html.count("<svg ") == 1 and html.count("<section>") == 2
    assert not re.search(r"(src|href)=\"(https?:)?//", html) and "<script" not in html
    assert "@page { size: A4" in html and "break-before: page" in html
    assert w.svg.count("<circle") == sum(w.scenario.layers)


def test_batch_zip_holds_each_seeds_sheet_and_key():
    import io
    import zipfile

    from core.teaching.worksheet import batch_zip

    data = batch_zip(range(1, 4), EVERYTHING)
    assert data == batch_zip(range(1, 4), EVERYTHING)  # same seeds, same bytes
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == [f"worksheet_{s}{p}.html" for s in (1, 2, 3) for p in ("", "_key")]
        assert z.read("worksheet_2.html").decode() == worksheet(2, EVERYTHING).html("worksheet")
        assert z.read("worksheet_3_key.html").decode() == worksheet(3, EVERYTHING).html("key")


def test_the_drawing_writes_every_weight_and_bias_on_it():
    from core.teaching.svg import network_svg

    W = [np.array([[0.15, -0.2], [0.25, 0.3]]), np.array([[-0.4, 0.45]])]
    b = [np.array([0.35, -0.05]), np.array([0.6])]
    svg = network_svg((2, 2, 1), W, b)
    texts = re.findall(r">([^<]+)</text>", svg)
    assert sorted(t for t in texts if not t.startswith(("b =", "layer", "x", "a"))) == \
        sorted(["0.15", "−0.2", "0.25", "0.3", "−0.4", "0.45"])
    assert sorted(t for t in texts if t.startswith("b =")) == ["b = 0.35", "b = 0.6", "b = −0.05"]
    assert svg.count('stroke="#D55E00"') == 2 and svg.count('stroke="#0072B2"') == 4  # edges by sign
    assert texts.count("layer 3 (output)") == 1 and "x₂" in texts and "a³₁" in texts
