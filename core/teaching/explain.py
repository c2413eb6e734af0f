"""The worked-example handout: one training step of a scenario as Markdown with $$…$$ LaTeX, in
teaching order (network and notation, forward pass, cost, backward pass for every weight and
bias, update). ``python -m core explain FILE`` prints it; the app offers it as a download."""

from __future__ import annotations

import numpy as np

from core.engine.backprop import trace as run_trace
from core.engine.scenario import load_scenario
from core.engine.steps import BiasGradStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep, WeightGradStep
from core.symbolic.derive import chain_rule, matrix_equations, step_equation
from core.symbolic.latex import Equation, activation_derivative_latex, notation_latex, pmatrix, sym
from core.symbolic.notation import decimals, format_number

MAX_PARAMS = 2000  # a handout beyond this would run to thousands of pages


def _eq(e: Equation, title: str = "") -> str:
    head = f"**{title}** " if title else ""
    return f"{head}{e.sentence}\n\n$${e.symbolic}$$\n\n$${e.numeric}$$\n\n$${e.value}$$\n"


def _classic_names(s) -> dict:
    """The article names of the classic 2-2-2 example (w1…w8, net_h1, out_h1, …) by our symbols."""
    if tuple(s.layers) != (2, 2, 2) or s.loss != "mse":
        return {}
    names = {}
    for i, (l, j, k) in enumerate([(2, 0, 0), (2, 0, 1), (2, 1, 0), (2, 1, 1), (3, 0, 0), (3, 0, 1), (3, 1, 0),
                                   (3, 1, 1)]):
        names[("w", l, j, k)] = f"w{i + 1}"
    for j in (0, 1):
        names[("z", 2, j)], names[("a", 2, j)] = f"net_h{j + 1}", f"out_h{j + 1}"
        names[("z", 3, j)], names[("a", 3, j)] = f"net_o{j + 1}", f"out_o{j + 1}"
        names[("b", 2, j)], names[("b", 3, j)] = "b1", "b2"
    return names


def _check_table(t, digits: int) -> str:
    """The published figures of the classic example, to ``digits`` decimal places, with our symbols."""
    s, n = t.scenario, 0
    dp = lambda v: decimals(v, digits, unicode_minus=False) if abs(v) >= 10 ** -digits else format_number(v, 3)
    d3, d2 = t.delta(3, n), t.delta(2, n)
    W3 = t.W(3)
    rows = [
        ("net_h1", "z^{2}_{1}", t.z(2, n)[0]), ("out_h1", "a^{2}_{1}", t.a(2, n)[0]),
        ("out_h2", "a^{2}_{2}", t.a(2, n)[1]), ("net_o1", "z^{3}_{1}", t.z(3, n)[0]),
        ("out_o1", "a^{3}_{1}", t.a(3, n)[0]), ("out_o2", "a^{3}_{2}", t.a(3, n)[1]),
        ("E_o1", r"\tfrac{1}{2}(a^{3}_{1} - y_{1})^{2}", 0.5 * (t.a(3, n)[0] - s.y[n][0]) ** 2),
        ("E_o2", r"\tfrac{1}{2}(a^{3}_{2} - y_{2})^{2}", 0.5 * (t.a(3, n)[1] - s.y[n][1]) ** 2),
        ("E_total", "C", t.costs[n]),
        ("∂E_total/∂out_o1", r"\partial C / \partial a^{3}_{1}", t.dC_das[1][n, 0]),
        ("∂out_o1/∂net_o1", r"\sigma'(z^{3}_{1})", t.dsigmas[1][n, 0]),
        ("∂E_total/∂w5", r"\partial C / \partial w^{3}_{11}", t.dC_dW_examples[1][n, 0, 0]),
        ("∂E_o1/∂out_h1", r"\delta^{3}_{1} w^{3}_{11}", d3[0] * W3[0, 0]),
        ("∂E_o2/∂out_h1", r"\delta^{3}_{2} w^{3}_{21}", d3[1] * W3[1, 0]),
        ("∂E_total/∂out_h1", r"\partial C / \partial a^{2}_{1}", t.dC_das[0][n, 0]),
        ("∂out_h1/∂net_h1", r"\sigma'(z^{2}_{1})", t.dsigmas[0][n, 0]),
        ("∂E_total/∂w1", r"\partial C / \partial w^{2}_{11}", t.dC_dW_examples[0][n, 0, 0]),
        ("δ_h1 = ∂E_total/∂net_h1", r"\delta^{2}_{1}", d2[0]),
    ]
    for i, (l, j, k) in enumerate([(3, 0, 0), (3, 0, 1), (3, 1, 0), (3, 1, 1), (2, 0, 0), (2, 0, 1), (2, 1, 0),
                                   (2, 1, 1)]):
        rows.append((f"w{i + 5 if l == 3 else i - 3}⁺", f"w^{{{l}}}_{{{j + 1}{k + 1}}}"
                     r" \text{ new}", t.weights_new[l - 2][j, k]))
    after = run_trace(s.with_params(t.weights_new, t.biases_new)).costs[n]
    rows.append(("E_total after the update", r"C \text{ with the new weights}", after))
    lines = ["| article | ours | value |", "|---|---|---|"]
    lines += [f"| {a} | ${o}$ | {dp(v)} |" for a, o, v in rows]
    return "\n".join(lines)


def explain(scenario, digits: int = 9, article: bool = True) -> str:
    """The worked example of one training step as Markdown with $$…$$ LaTeX.

    ``scenario`` is a dict, a path, JSON text or a Scenario; numbers to ``digits`` significant figures.
    ``article`` False leaves out the classic article's names (for a 2-2-2 network that is not its example).
    Raises ValueError for a scenario that cannot be used or a network too large for a handout."""
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 17:
        raise ValueError(f"digits: expected a whole number from 1 to 17, found {digits!r}")
    s = load_scenario(scenario)
    params = sum(a * b + a for a, b in zip(s.layers[1:], s.layers[:-1]))
    if params > MAX_PARAMS:
        raise ValueError(f"the network has {params} weights and biases, too many for a handout "
                         f"(at most {MAX_PARAMS}): explain a smaller network")
    t = run_trace(s)
    d, L, n = digits, s.L, 0
    names = _classic_names(s) if article else {}
    art = lambda key: f" (article: {names[key]})" if key in names else ""
    out = [f"# {s.name or 'Worked example'}: one step of backpropagation", ""]
    if s.description:
        out += [s.description, ""]

    out += ["## 1. The network and notation", "",
            f"Layers {' → '.join(map(str, s.layers))} (layer 1 is the input, layer {L} the output). "
            f"Learning rate η = {format_number(s.learning_rate, d)}; biases "
            f"{'train' if s.train_biases else 'are held fixed'}.", ""]
    for l, name in zip(range(2, L + 1), s.activations):
        sig, dsig = activation_derivative_latex(name)
        out += [f"Layer {l} activation: `{name}` (σ' derived by SymPy)", "", f"$${sig}$$", "", f"$${dsig}$$", ""]
    out += [f"Cost `{s.loss}`:", "", f"$${s.cost.tex.replace('{L}', f'{{{L}}}')}$$", ""]
    out += ["Notation:", ""] + [f"$${line}$$\n" for line in notation_latex()]
    if not np.isfinite(t.cost):
        out += ["**Some numbers below are not finite (∞ or NaN)**: an activation overflowed for these inputs and "
                "weights, so this step cannot be checked by hand. Try smaller inputs, weights or another activation.",
                ""]
    if t.N > 1:
        out += [f"The batch has {t.N} examples. The walk-through follows example 1; the update uses the mean of "
                "the examples' gradients.", ""]
    out += [f"Input $x = a^{{1}} = {pmatrix(s.x[n], d)}$, target $y = {pmatrix(s.y[n], d)}$.", ""]
    for l in range(2, L + 1):
        out += [f"$$W^{{{l}}} = {pmatrix(t.W(l), d)}, \\qquad b^{{{l}}} = {pmatrix(t.b(l), d)}$$", ""]
    if names:
        out += ["In the article's names: " + ", ".join(
            f"{v} = ${sym(*k[:2], *k[2:])}$" for k, v in names.items() if k[0] == "w") + "; net_h1 = $z^{2}_{1}$, "
            "out_h1 = $a^{2}_{1}$, net_o1 = $z^{3}_{1}$, out_o1 = $a^{3}_{1}$, E_total = $C$; b1 = $b^{2}_{j}$, "
            "b2 = $b^{3}_{j}$.", ""]

    steps = t.steps(n)
    out += ["## 2. The forward pass", ""]
    for l in range(2, L + 1):
        out += [f"### Layer {l}", ""]
        for st in steps:
            if isinstance(st, NeuronStep) and st.l == l:
                extra = f" (article: {names[('z', l, st.j)]}, {names[('a', l, st.j)]})" if names else ""
                out.append(_eq(step_equation(t, st, d), f"Neuron {st.j + 1}{extra}."))
        out += ["In matrix form:", ""] + [_eq(e) for e in matrix_equations(t, l, "forward", n, d)[:2]]

    out += ["## 3. The cost", "", _eq(step_equation(t, steps[steps.phase_start("backward") - 1], d),
                                       "The cost" + (" (article: E_total = E_o1 + E_o2)." if names else "."))]

    out += ["## 4. The backward pass", "",
            "Every gradient below uses the weights from *before* the update.", ""]
    for st in steps:
        if isinstance(st, OutputGradStep):
            out.append(_eq(step_equation(t, st, d), f"Output {st.j + 1}."))
    for l in range(L, 1, -1):
        out += [f"### Layer {l}", ""]
        for st in steps:
            if isinstance(st, DeltaStep) and st.l == l:
                out.append(_eq(step_equation(t, st, d), f"Error of neuron {st.j + 1}."))
        for st in steps:
            if isinstance(st, (WeightGradStep, BiasGradStep)) and st.l == l:
                k = st.k if isinstance(st, WeightGradStep) else None
                p = sym("w", l, st.j, k) if k is not None else sym("b", l, st.j)
                out += [f"#### $\\partial C / \\partial {p}${art(('w', l, st.j, k)) if k is not None else ''}", ""]
                out += [_eq(e) for e in chain_rule(t, l, st.j, k, n, d)]
        out += ["In matrix form:", ""] + [_eq(e) for e in matrix_equations(t, l, "backward", n, d)]

    out += ["## 5. The update", ""]
    for st in steps:
        if isinstance(st, UpdateStep):
            key = ("w", st.l, st.j, st.k)
            out.append(_eq(step_equation(t, st, d), f"{names[key]}⁺." if key in names else ""))
    for l in range(2, L + 1):
        out += [_eq(e) for e in matrix_equations(t, l, "update", n, d)]

    if names and s.loss == "mse":
        out += ["## Check against the published figures", "",
                f"The classic article's names, our symbols, and the values to {d} decimal places:", "",
                _check_table(t, d), "",
                "The article prints ∂E_o2/∂out_h1 = −0.019049119; the unrounded product δ_o2 · w7 is "
                "−0.0190491183, so its last digit is a rounding of rounded intermediates. "
                "It also quotes E_total = 0.291027924 after the first update; feeding its own published new "
                "weights w1⁺…w8⁺ forward gives 0.291027774 (the row above), so that figure is a slip too.", ""]
    return "\n".join(out).rstrip() + "\n"
