"""The stage's frames (app/walkthrough/frames.py) without a browser: every value a frame shows is the network's
(recomputed here with NumPy from the scenario, or read from the trace for the backward pass), the
quiz's reveal rule (no value of a step ≥ i in a stage built with reveal up to i), and the MathML."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from app.walkthrough import frames, mathml, stepping
from core import load_preset, load_scenario, preset_names, trace
from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep, WeightGradStep
from core.symbolic.notation import short_number as fmt
from tests._stage import shows, values

WIDE = {"layers": [4, 8, 8, 3], "activations": ["tanh", "relu", "sigmoid"], "x": [0.5, -1, 0.25, 2],
        "y": [0, 1, 0], "init": {"scheme": "xavier", "seed": 7}}


def _replay(d: dict, upto: int) -> tuple[list[str], list]:
    """Node labels and edge states after frames 0 … upto (as the browser builds them)."""
    labels = [""] * len(d["geometry"]["nodes"])
    edges = [None] * len(d["geometry"]["edges"])
    for i, v in d["base"]["nodes"].items():
        labels[int(i)] = v
    for i, v in d["base"]["edges"].items():
        edges[int(i)] = v
    for f in d["frames"][: upto + 1]:
        for i, v in f["nodes"].items():
            labels[int(i)] = v
        for i, v in f["edges"].items():
            edges[int(i)] = v
    return labels, edges


def _numpy_forward(s, n=0):
    """z and a of every layer, recomputed from the scenario's weights with NumPy."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
         "linear": lambda z: z, "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()}
    a, zs, acts = np.asarray(s.x[n], float), [], [np.asarray(s.x[n], float)]
    for W, b, name in zip(s.weights, s.biases, s.activations):
        z = W @ a + b
        a = f[name](z) if name in f else None  # (other activations: their a is not checked here)
        zs.append(z)
        acts.append(a)
    return zs, acts


def test_classic_forward_frames_show_mazurs_numbers():
    d = frames.stage(trace(load_preset("classic_2-2-2")), 0, "forward")
    labels, edges = _replay(d, 1)
    assert shows(labels[2], {"z²₁": 0.3775, "a²₁": 0.593269992})  # Mazur: net h1 = 0.3775, out h1 = 0.593269992
    assert shows(labels[3], {"z²₂": 0.3925, "a²₂": 0.596884378})
    assert labels[4] == labels[5] == ""  # the output layer is not computed yet
    assert [e[0] for e in edges[:4]] == [0.15, 0.2, 0.25, 0.3]  # w1 … w4 colour the edges
    assert d["frames"][0]["flow"] == [[0, 1, fmt(0.15 * 0.05, 3)], [1, 1, fmt(0.2 * 0.1, 3)]]  # w·a travels


def test_classic_update_moves_w5_to_mazurs_new_value():
    d = frames.stage(trace(load_preset("classic_2-2-2")), 0, "update")
    i = next(i for i, f in enumerate(d["frames"]) if f["desc"].startswith("w³₁₁"))
    (edge, kind, old, new), = d["frames"][i]["flow"]
    assert kind == 2 and old == 0.4 and new == pytest.approx(0.35891648, abs=5e-9)  # Mazur's w5+


@pytest.mark.parametrize("name", [*preset_names(), "4-8-8-3"])
def test_every_value_a_frame_shows_is_the_networks(name):
    s = load_scenario(WIDE) if name == "4-8-8-3" else load_preset(name)
    t = trace(s)
    small = frames.compact(s.layers)
    zs, acts = _numpy_forward(s)
    g = frames.geometry(s.layers)
    steps = t.steps(0)
    for screen in frames.SCREENS:
        d = frames.stage(t, 0, screen, cards=False)
        a0 = stepping.phase_range(steps, screen)[0]
        for i in range(len(d["frames"])):
            r = steps[a0 + i]
            labels, edges = _replay(d, i)
            node = {(n["l"], n["j"]): q for q, n in enumerate(g["nodes"])}
            if isinstance(r, NeuronStep) and acts[r.l - 1] is not None:
                lab = labels[node[r.l, r.j]]
                assert f"={fmt(acts[r.l - 1][r.j], 3)}" in lab.replace(" ", "") or fmt(acts[r.l - 1][r.j]) in lab
                if not small:
                    assert f"= {fmt(zs[r.l - 2][r.j])}<br>" in lab
            elif isinstance(r, WeightGradStep):
                e = next(q for q, e in enumerate(g["edges"]) if (e["l"], e["j"], e["k"]) == (r.l, r.j, r.k))
                assert edges[e][0] == pytest.approx(float(t.activations[r.l - 2][0, r.k] * t.deltas[r.l - 2][0, r.j]))
            elif isinstance(r, DeltaStep):
                assert fmt(float(t.deltas[r.l - 2][0, r.j]), 3 if small else 4) in labels[node[r.l, r.j]]
            elif isinstance(r, UpdateStep) and r.k is not None:
                e = next(q for q, e in enumerate(g["edges"]) if (e["l"], e["j"], e["k"]) == (r.l, r.j, r.k))
                W, G = s.weights[r.l - 2], t.dC_dW[r.l - 2]
                assert edges[e][0] == pytest.approx(W[r.j, r.k] - s.learning_rate * G[r.j, r.k])


def _values(t, r) -> list[float]:
    """The numbers a record computes (what the quiz asks, and what its frame reveals)."""
    if isinstance(r, NeuronStep):
        return [r.z, r.a]
    if isinstance(r, CostStep):
        return [r.cost]
    if isinstance(r, OutputGradStep):
        return [r.dC_da]
    if isinstance(r, DeltaStep):
        return [r.delta]
    if isinstance(r, WeightGradStep):
        return [r.dC_dw]
    if isinstance(r, BiasGradStep):
        return [r.dC_db]
    return [r.new]


def _forms(v: float) -> set[str]:
    """A value as the stage may write it (labels, hover, MathML), without its sign."""
    from core.symbolic.latex import format_number

    out = {fmt(v), fmt(v, 3), fmt(v, 6), format_number(v, 9), repr(float(v))}
    return {x.lstrip("-−") for x in out if len(x.lstrip("-−")) >= 4}  # "0", "0.5": too common to mean anything


def _numbers(text: str) -> set[str]:
    """Every number written in a text (labels, MathML, raw floats), without its sign."""
    return set(re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", text))


@pytest.mark.parametrize("name", ["classic_2-2-2", "xor_2-4-1", "article003_3-4-2"])
@pytest.mark.parametrize("screen", frames.SCREENS)
def test_no_value_of_a_later_or_unrevealed_step_is_anywhere_in_the_data(name, screen):
    t = trace(load_preset(name))
    steps = t.steps(0)
    a0, b0 = stepping.phase_range(steps, screen)
    base = _numbers(json.dumps(frames.stage(t, 0, screen, revealed_up_to=(0, 0))["base"], ensure_ascii=False))
    for i in range(b0 - a0):
        r = steps[a0 + i]
        for q in range(frames.questions_at(t, r)):
            text = _numbers(json.dumps(frames.stage(t, 0, screen, revealed_up_to=(i, q)), ensure_ascii=False))
            shown = set().union(*(_forms(v) for g in range(a0, a0 + i) for v in _values(t, steps[g])), set())
            hidden = [v for g in range(a0 + i + 1, b0) for v in _values(t, steps[g])]
            own = _values(t, r)
            hidden += own[q:] if isinstance(r, NeuronStep) else own  # z, then a; the others: one value at the end
            for v in hidden:
                for form in _forms(v) - shown - base:
                    assert form not in text, (name, screen, i, q, form)


def test_a_revealed_step_shows_its_values_and_nothing_after_it():
    t = trace(load_preset("classic_2-2-2"))
    d = frames.stage(t, 0, "forward", revealed_up_to=(0, 1))
    assert len(d["frames"]) == 1 and d["jumps"] == {}
    assert list(d["frames"][0]["nodes"]) == ["2"] and shows(d["frames"][0]["nodes"]["2"], {"z²₁": 0.3775})  # not a
    nodes = frames.stage(t, 0, "forward", revealed_up_to=(0, 2))["frames"][0]["nodes"]
    assert list(nodes) == ["2"] and shows(nodes["2"], {"z²₁": 0.3775, "a²₁": 0.593269992})


@pytest.mark.parametrize("name", preset_names())
def test_the_number_of_questions_per_step_is_the_quizs(name):
    from core.teaching import quiz

    t = trace(load_preset(name))
    for g, r in enumerate(t.steps(0)):
        assert frames.questions_at(t, r) == len(quiz.questions(t, g, 0))


def test_geometry_and_jumps_agree_with_stepping():
    s = load_scenario(WIDE)
    t = trace(s)
    g = frames.geometry(s.layers)
    assert len(g["nodes"]) == 23 and len(g["edges"]) == 4 * 8 + 8 * 8 + 8 * 3
    assert all(g["nodes"][e["src"]]["l"] == e["l"] - 1 and g["nodes"][e["dst"]]["l"] == e["l"] for e in g["edges"])
    assert not any(e["few"] for e in g["edges"])  # wider than 4-4: numbers only on the active step
    steps = t.steps(0)
    for screen in frames.SCREENS:
        d = frames.stage(t, 0, screen, cards=False)
        a0 = stepping.phase_range(steps, screen)[0]
        for target, i in d["jumps"].items():
            g_ = stepping.jump(steps, screen, "neuron", tuple(int(v) for v in target.split(",")))
            assert i == (g_ - a0 if screen == "update" else g_)
            f = d["frames"][i]
            assert f["active_nodes"], (screen, target)


def test_the_matrix_view_has_one_frame_per_layer_with_its_matrix_equations():
    t = trace(load_preset("classic_2-2-2"))
    d = frames.stage(t, 0, "backward", "matrix")
    assert d["count"] == 2 and [len(f["active_nodes"]) for f in d["frames"]] == [2, 2]
    labels, edges = _replay(d, 1)
    assert all(e[0] is not None for e in edges)  # every ∂C/∂w reached after layer 2
    assert values(labels[4])["δ³₁"] == pytest.approx(0.138498562, abs=5e-5)  # Mazur's δ for o1


def test_mathml_rows_pieces_and_escapes():
    assert mathml.rows(r"\begin{aligned} z &= 1 \\ a &= 2 \end{aligned}") == ["z = 1", "a = 2"]
    assert mathml._top_level(r"w \leftarrow \left(a = b\right) = 3", " = ") == [r"w \leftarrow \left(a = b\right)", "3"]
    (line,), = [mathml.lines(r"x_{1} = 0.5 = \frac{1}{2}")]
    assert len(line) == 3 and all(p.startswith("<math") for p in line)
    assert "<mo>=</mo>" in line[1] and "&#x" not in "".join(line) and "xmlns" not in line[0]
    assert "&lt;" in mathml.lines("a < b")[0][0]  # a bare < stays escaped


def test_mathml_converted_once_per_shape_equals_latex2mathml_on_every_card():
    """Pieces are converted once per shape (numbers left out, then put back): the result is latex2mathml's
    own conversion of the piece, on every card of a preset and the 4-8-8-3 network (negatives, 10^{-n},
    indices like w^{2}_{11}); and a piece whose numbers do not come out as one <mn> each is converted as is."""
    from latex2mathml.converter import convert

    from core.symbolic import derive

    def direct(tex):
        m = convert(tex.replace(r"\_", "_")).replace(' xmlns="http://www.w3.org/1998/Math/MathML" '
                                                     'display="inline"', "", 1)
        m = re.sub(r"&#x([0-9A-Fa-f]+);", lambda g: {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\xa0": "&#xA0;"}.get(
            chr(int(g.group(1), 16)), chr(int(g.group(1), 16))), m)
        return re.sub(r"<mrow>(<m[ino]>[^<]*</m[ino]>)</mrow>", r"\1", m)

    pieces = set()
    for s in (load_preset("classic_2-2-2"), load_preset(preset_names()[-1]), load_scenario(WIDE)):
        t = trace(s)
        for r in t.steps(0):
            e = derive.step_equation(t, r)
            for x in (e.symbolic, e.numeric, e.value):
                for row in mathml.rows(str(x)):
                    for p in mathml._top_level(row, " = "):
                        pieces.update(mathml._top_level(p, " + "))
    assert len(pieces) > 300
    assert any("10^{-" in p for p in pieces) and any("(-" in p for p in pieces)
    for p in pieces:
        assert mathml._math(p) == direct(p), p
    for p in ("x^23 + 0.5", r"\frac12 + 0.25", "a_12 = 3.5"):  # ^2, _1 and \frac12 take one digit each
        assert mathml._math(p) == direct(p), p
