"""The worked-example handout: teaching order, the classic example's published figures, every
number present, LaTeX hygiene, all input forms, and the command line."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core import explain, load_preset, trace
from core.engine.scenario import PRESETS_DIR

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = PRESETS_DIR / "classic_2-2-2.json"

PUBLISHED = ["0.3775", "0.593269992", "0.596884378", "0.75136507", "0.772928465", "0.274811083",
             "0.023560026", "0.298371109", "0.74136507", "0.186815602", "0.082167041", "0.055399425",
             "0.036350306", "0.241300709", "0.000438568", "0.35891648", "0.408666186", "0.51130127",
             "0.561370121", "0.149780716"]


@pytest.fixture(scope="module")
def classic_md():
    return explain(CLASSIC)


def test_classic_handout_carries_the_published_figures(classic_md):
    for v in PUBLISHED:
        assert v in classic_md, v
    for name in ("w1", "w5", "w8", "net_h1", "out_h1", "out_o1", "E_total", "E_o1"):
        assert name in classic_md, name
    # ∂E/∂out_h1 = 0.055399425 + (−0.019049119) = 0.036350306, shown with the article's slip explained
    assert "−0.019049119" in classic_md and "| -0.019049118 |" in classic_md


def test_teaching_order(classic_md):
    heads = [h for h in re.findall(r"^## (.+)$", classic_md, re.M)]
    assert heads[:5] == ["1. The network and notation", "2. The forward pass", "3. The cost",
                         "4. The backward pass", "5. The update"]
    pos = [classic_md.index(s) for s in ("z^{2}_{1} &= w^{2}_{11}", "C = 0.298371109", r"\delta^{3}_{1} = ",
                                         r"\delta^{2}_{1} = ", r"w^{2}_{11} \leftarrow 0.149780716")]
    assert pos == sorted(pos)


def test_every_weight_and_bias_has_a_chain_rule_card_and_an_update():
    t = trace(load_preset("article000_4-2-2-1"))
    md = explain(t.scenario)
    s = t.scenario
    for l in range(2, s.L + 1):
        for j in range(s.layers[l - 1]):
            for k in range(s.layers[l - 2]):
                w = f"w^{{{l}}}_{{{j + 1}{k + 1}}}"
                assert f"#### $\\partial C / \\partial {w}$" in md
                assert f"{w} \\leftarrow" in md
            assert f"#### $\\partial C / \\partial b^{{{l}}}_{{{j + 1}}}$" in md
    # each gradient's value appears, to 9 significant figures
    for G in t.dC_dW:
        for g in G.ravel():
            assert f"{g:.9g}" in md


def test_latex_hygiene(classic_md):
    blocks = re.findall(r"\$\$(.+?)\$\$", classic_md, re.S)
    assert len(blocks) > 100 and classic_md.count("$$") % 2 == 0
    for b in blocks:
        assert b.count("{") == b.count("}"), b
        assert len(re.findall(r"\\left[(|.]", b)) == len(re.findall(r"\\right[)|.]", b)), b
        assert not re.search(r"\de[-+]?\d", b), b  # no 1e-05: we write \times 10^{-5}
    assert "{A^{2}} = \\sigma\\left(Z^{2}\\right)" in classic_md and "Z^{2} = \\sigma(A" not in classic_md
    assert "(W^{3})^{T}" in classic_md


def test_input_forms_and_digits():
    text = CLASSIC.read_text()
    d = json.loads(text)
    same = explain(d)
    assert explain(text) == same == explain(load_preset("classic_2-2-2")) == explain(str(CLASSIC))
    four = explain(d, digits=4)
    assert "a^{2}_{1} &= 0.5933" in four and "0.593269992" not in four.split("## Check")[0]
    for bad in (0, 18, 2.5, True):
        with pytest.raises(ValueError, match="digits"):
            explain(d, digits=bad)


def test_softmax_custom_formula_and_batch_scenarios():
    sm = {"layers": [2, 3, 2], "activations": ["z/(1 + abs(z))", "softmax"], "loss": "cross_entropy",
          "x": [[0.2, -0.4], [0.5, 0.1]], "y": [[1, 0], [0, 1]], "learning_rate": 0.1}
    md = explain(sm)
    assert r"\sigma(z) = \frac{{z}}{\left|{{z}}\right| + 1}" in md
    assert r"a^{L}_{j} \sum_{i} y_{i} - y_{j}" in md  # the reason δ^L = a − y
    assert "The batch has 2 examples" in md and "mean of the 2 examples" in md
    assert "## Check against" not in md


def test_too_large_a_network_is_refused_with_a_message():
    with pytest.raises(ValueError, match="too many for a handout"):
        explain({"layers": [40, 40, 40], "activations": ["relu", "linear"], "x": [0.0] * 40, "y": [0.0] * 40})


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "core", "explain", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_cli_prints_the_handout_and_refuses_bad_input(tmp_path):
    r = _cli(str(CLASSIC), "--digits", "9")
    assert r.returncode == 0 and "0.000438568" in r.stdout and r.stdout.startswith("# Classic 2-2-2")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"layers": [1, 1], "activations": ["__import__('os').system('x')"],
                               "x": [1], "y": [1]}))
    r = _cli(str(bad))
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert "strings are not allowed in formula" in r.stderr
    r = _cli(str(CLASSIC), "--digits", "40")
    assert r.returncode == 2 and "--digits" in r.stderr


def test_core_exports_the_function():
    from core import explain as e

    assert callable(e) and e is explain
    assert "0.298" in e(CLASSIC, digits=3)


def test_an_overflowing_network_still_explains_and_says_so():
    md = explain({"layers": [1, 1, 1], "activations": ["exp(z)", "linear"], "x": [400.0], "y": [1.0],
                  "weights": [[[2.0]], [[1.0]]]})
    assert "not finite" in md and r"\infty" in md


def test_classic_handout_gives_the_cost_after_the_update_recomputed_from_published_weights():
    """The article's 0.291027924 is a slip: its own published new weights give 0.291027774."""
    import numpy as np

    s = load_preset("classic_2-2-2")
    published = [np.array([[0.149780716, 0.19956143], [0.24975114, 0.29950229]]),
                 np.array([[0.35891648, 0.408666186], [0.511301270, 0.561370121]])]
    independent = trace(s.with_params(published, s.biases)).cost
    md = explain(s)
    assert f"{independent:.9f}" == "0.291027774"
    assert "| E_total after the update |" in md and "0.291027774 |" in md and "0.291027924" in md
