"""Every number of a trace as the equation that produced it: in symbols, with the numbers put in,
and its value (LaTeX), plus a plain sentence. Pure string formatting of the trace's numbers; the
activations' LaTeX comes from SymPy once per activation (cached in ``core.symbolic.latex``).
"""

from __future__ import annotations

from itertools import islice, product

import numpy as np

from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep, WeightGradStep
from core.symbolic.derive_matrix import matrix_equations
from core.symbolic.latex import (
    Equation,
    act_latex,
    act_out,
    activation_derivative_latex,
    dfrac,
    fold,
    notation_latex,
    put,
    sym,
    wrap,
)
from core.symbolic.notation import format_number, plain_number
from core.symbolic.penalty_tex import penalty_cost as _penalty_cost
from core.symbolic.penalty_tex import penalty_grad as _penalty_grad
from core.symbolic.penalty_tex import penalty_words as _penalty_words

__all__ = ["Equation", "activation_derivative_latex", "chain_rule", "cost_equation", "format_number",
           "matrix_equations", "neuron_rows", "notation_latex", "step_equation"]

MAX_TERMS = 8  # longer sums are folded
DL = r"\delta"


def _aligned(*rows: str) -> str:
    return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"


# --- the cost and its derivative ∂C/∂a^L_j, per output j (the faces of the scenario's ``Cost``) ---

def _cost_terms(t, n: int, digits: int, max_terms: int):
    """(symbolic terms, numeric terms, term values) of the cost of example n."""
    s, L = t.scenario, t.scenario.L
    a, y, z = t.a(L, n), s.y[n], t.z(L, n)
    f = lambda v: format_number(v, digits, True)
    cost = s.cost
    m = min(len(a), max_terms)
    ts = [cost.term_tex(sym("a", L, j), sym("y", None, j), False) for j in range(m)]
    tn = [cost.term_tex(f(a[j]), f(y[j]), True) for j in range(m)]
    return ts, tn, cost.terms(a, y, z)


def _dC_da_latex(t, n: int, j: int, digits: int) -> tuple[str, str]:
    """∂C/∂a^L_j for the scenario's cost: (symbolic, numeric)."""
    s, L = t.scenario, t.scenario.L
    a, y = t.a(L, n)[j], s.y[n][j]
    fa, fy = format_number(a, digits, True), format_number(y, digits, True)
    return s.cost.dC_da_tex(sym("a", L, j), sym("y", None, j), False), s.cost.dC_da_tex(fa, fy, True)


_SOFTMAX_REASON = (r"\sum_{i} \frac{\partial C}{\partial a^{L}_{i}} \frac{\partial a^{L}_{i}}{\partial z^{L}_{j}}"
                   r" = \sum_{i} \left(-\frac{y_{i}}{a^{L}_{i}}\right) a^{L}_{i}\left(\delta_{ij} - a^{L}_{j}\right)"
                   r" = a^{L}_{j} \sum_{i} y_{i} - y_{j}")


# --- one equation per step record ---

def _neuron_rows(t, r: NeuronStep, d: int) -> tuple[tuple[str, str, str, str], ...]:
    """The neuron's two rows, z then a: (left side, symbolic, numeric and value right sides)."""
    s, l, j, n = t.scenario, r.l, r.j, r.n
    f = lambda v: format_number(v, d, True)
    W, a_prev, b = t.W(l)[j], t.a(l - 1, n), t.b(l)[j]
    m = len(a_prev)
    shown = range(min(m, MAX_TERMS))
    zs = fold([f"{sym('w', l, j, k)} {sym('a', l - 1, k)}" for k in shown], m, MAX_TERMS)
    zn = fold([rf"{f(W[k])} \cdot {f(a_prev[k])}" for k in shown], m, MAX_TERMS)
    Z, A = sym("z", l, j), sym("a", l, j)
    name = s.activations[l - 2]
    if name == "softmax":
        zl = t.z(l, n)
        den_s = fold([f"e^{{{sym('z', l, i)}}}" for i in range(min(len(zl), MAX_TERMS))], len(zl), MAX_TERMS)
        den_n = fold([f"e^{{{f(v)}}}" for v in zl[:MAX_TERMS]], len(zl), MAX_TERMS)
        a_s, a_n = rf"\frac{{e^{{{Z}}}}}{{{den_s}}}", rf"\frac{{e^{{{f(r.z)}}}}}{{{den_n}}}"
    else:
        out_sym, out_num = act_out(name)
        a_s, a_n = put(out_sym, Z), put(out_num, f(r.z))
    return ((Z, f"{zs} + {sym('b', l, j)}", f"{zn} + {f(b)}", format_number(r.z, d)),
            (A, rf"\sigma({Z}) = {a_s}", a_n, format_number(r.a, d)))


def neuron_rows(trace, r: NeuronStep, digits: int = 9) -> tuple[Equation, Equation]:
    """A neuron step's z and a as two one-row equations (the quiz asks them one at a time)."""
    return tuple(Equation(f"{lhs} = {s}", f"{lhs} = {n}", f"{lhs} = {v}", "")
                 for lhs, s, n, v in _neuron_rows(trace, r, digits))


def _neuron(t, r: NeuronStep, d: int) -> Equation:
    rows = _neuron_rows(t, r, d)
    s, l, j, m = t.scenario, r.l, r.j, len(t.a(r.l - 1, r.n))
    return Equation(
        *(_aligned(*(f"{row[0]} &= {row[face]}" for row in rows)) for face in (1, 2, 3)),
        f"Neuron {j + 1} of layer {l} adds up its {m} weighted input{'s' * (m > 1)} and its bias to get "
        f"z = {plain_number(r.z, d)}; {s.acts[l - 2].in_words} turns that into its activation "
        f"a = {plain_number(r.a, d)}.")


def _cost(t, r: CostStep, d: int, term_values: bool = True) -> Equation:
    s, n = t.scenario, r.n
    ts, tn, tv = _cost_terms(t, n, d, MAX_TERMS)
    k = len(tv)
    vals = [format_number(v, d, True) for v in tv[:MAX_TERMS]]
    pen = _penalty_cost(t, d)
    sym_c, num_c, val_c = fold(ts, k, MAX_TERMS), fold(tn, k, MAX_TERMS), fold(vals, k, MAX_TERMS)
    extra = ""
    if pen is not None:  # the weight penalty is part of the cost (and so of every gradient)
        sym_c, num_c = f"{sym_c} + {pen[0]}", f"{num_c} + {pen[1]}"
        val_c += " + " + " + ".join(format_number(v, d, True) for v in pen[2])
        extra = (f", plus the weight penalty {pen[3]} (over the weights, not the biases; it is in every "
                 f"gradient too)")
    batch = (f" The batch has {t.N} examples; the cost the update follows is their mean, "
             f"{plain_number(t.cost, d)}.") if t.N > 1 else ""
    what = s.cost.words
    return Equation(
        f"C = {sym_c}",
        # two lines: fits beside the drawing
        _aligned(f"C &= {num_c}", f"&= {val_c}") if term_values else f"C = {num_c}",
        f"C = {format_number(r.cost, d)}",
        f"The cost adds up {what} between each output and its target{extra}: C = {plain_number(r.cost, d)}.{batch}")


def _output_grad(t, r: OutputGradStep, d: int) -> Equation:
    cs, cn = _dC_da_latex(t, r.n, r.j, d)
    lhs = dfrac("C", sym("a", r.l, r.j))
    return Equation(f"{lhs} = {cs}", f"{lhs} = {cn}", f"{lhs} = {format_number(r.dC_da, d)}",
                    f"Output {r.j + 1} would change the cost at the rate {plain_number(r.dC_da, d)} "
                    f"per unit increase of its activation.")


def _delta(t, r: DeltaStep, d: int) -> Equation:
    s, l, j, n = t.scenario, r.l, r.j, r.n
    f = lambda v: format_number(v, d, True)
    D, Z, A = sym(DL, l, j), sym("z", l, j), sym("a", l, j)
    val = f"{D} = {format_number(r.delta, d)}"
    if r.dsigma is None:  # softmax with cross-entropy
        y = s.y[n][j]
        return Equation(
            rf"{D} = {dfrac('C', Z)} = {_SOFTMAX_REASON} = {A} - {sym('y', None, j)}",
            rf"{D} = {f(t.a(l, n)[j])} - {f(y)}", val,
            f"With a softmax output and the cross-entropy cost the σ' factors cancel (the targets sum to 1), "
            f"so the error of output {j + 1} is simply a − y = {plain_number(r.delta, d)}.")
    al = act_latex(s.activations[l - 2])
    ds_s = wrap(put(al.d_sym, Z, A))
    ds_n = wrap(al.dsigma_numeric(t.z(l, n)[j], t.a(l, n)[j], d))
    if l == s.L:
        cs, cn = _dC_da_latex(t, n, j, d)
        c = s.cost
        why = f" (for {c.name} with a {c.output} output this is exactly a − y)" if c.delta_is_a_minus_y else ""
        return Equation(
            rf"{D} = {dfrac('C', A)} \cdot \sigma'({Z}) = \left({cs}\right) \cdot {ds_s}",
            rf"{D} = \left({cn}\right) \cdot {ds_n} = {f(r.dC_da)} \cdot {f(r.dsigma)}", val,
            f"The error of output {j + 1} is how the cost changes with its activation "
            f"({plain_number(r.dC_da, d)}) times the slope of the activation σ'(z) = "
            f"{plain_number(r.dsigma, d)}: δ = {plain_number(r.delta, d)}{why}.")
    W, dn = t.W(l + 1)[:, j], t.delta(l + 1, n)
    m = len(dn)
    shown = range(min(m, MAX_TERMS))
    ss = fold([f"{sym('w', l + 1, i, j)} {sym(DL, l + 1, i)}" for i in shown], m, MAX_TERMS)
    sn = fold([rf"{f(W[i])} \cdot {f(dn[i])}" for i in shown], m, MAX_TERMS)
    return Equation(
        rf"{D} = \left(\sum_{{i}} w^{{{l + 1}}}_{{i{',' * (j >= 9)}{j + 1}}} \delta^{{{l + 1}}}_{{i}}\right)"
        rf" \sigma'({Z})"
        rf" = \left({ss}\right) \cdot {ds_s}",
        rf"{D} = \left({sn}\right) \cdot {ds_n} = {f(r.dC_da)} \cdot {f(r.dsigma)}", val,
        f"The error of neuron {j + 1} in layer {l} collects the errors of the {m} neuron{'s' * (m > 1)} it "
        f"feeds, each weighted by the connecting weight ({plain_number(r.dC_da, d)}), times its own slope "
        f"σ'(z) = {plain_number(r.dsigma, d)}: δ = {plain_number(r.delta, d)}.")


def _weight_grad(t, r: WeightGradStep, d: int) -> Equation:
    lhs = dfrac("C", sym("w", r.l, r.j, r.k))
    Ap, D = sym("a", r.l - 1, r.k), sym(DL, r.l, r.j)
    pen = _penalty_grad(t, r.l, r.j, r.k, d)
    ps, pn, pw = ("", "", "") if pen is None else (f" + {pen[0]}", f" + {pen[1]}", (
        f", plus the penalty's slope {_penalty_words(t)}: {plain_number(r.dP_dw, d)}, in all"))
    return Equation(
        f"{lhs} = {dfrac(sym('z', r.l, r.j), sym('w', r.l, r.j, r.k))} {dfrac('C', sym('z', r.l, r.j))}{ps}"
        f" = {Ap} {D}{ps}",
        rf"{lhs} = {format_number(r.a_prev, d, True)} \cdot {format_number(r.delta, d, True)}{pn}",
        f"{lhs} = {format_number(r.dC_dw, d)}",
        f"The gradient of the weight from neuron {r.k + 1} of layer {r.l - 1} to neuron {r.j + 1} of layer "
        f"{r.l} is the input it carries ({plain_number(r.a_prev, d)}) times the error at its end "
        f"({plain_number(r.delta, d)}){pw}: {plain_number(r.dC_dw, d)}.")


def _bias_grad(t, r: BiasGradStep, d: int) -> Equation:
    lhs = dfrac("C", sym("b", r.l, r.j))
    Z, D = sym("z", r.l, r.j), sym(DL, r.l, r.j)
    return Equation(
        f"{lhs} = {dfrac(Z, sym('b', r.l, r.j))} {dfrac('C', Z)} = 1 \\cdot {D}",
        rf"{lhs} = 1 \cdot {format_number(r.dC_db, d, True)}",
        f"{lhs} = {format_number(r.dC_db, d)}",
        f"A bias adds 1 × itself to z, so its gradient is the neuron's error δ = {plain_number(r.dC_db, d)}.")


def _update(t, r: UpdateStep, d: int) -> Equation:
    p = sym("w", r.l, r.j, r.k) if r.k is not None else sym("b", r.l, r.j)
    words = "weight" if r.k is not None else "bias"
    if not r.trained:
        return Equation(rf"{p} \text{{ is held fixed (train\_biases is false)}}",
                        f"{p} = {format_number(r.old, d)}", f"{p} = {format_number(r.new, d)}",
                        f"This bias does not train, so it keeps its value {plain_number(r.old, d)}.")
    mean = (f" (the mean of the {t.N} examples' gradients)" if t.N > 1 else "")
    rule = t.scenario.optimizer["name"]
    if r.zeroed:  # the L1 rule (core.engine.optim.zero_l1) set it to 0
        why = ("it would have crossed 0" if r.old else
               f"it is at 0 and its gradient's size {plain_number(abs(r.grad), d)} is at most λ₁ = "
               f"{plain_number(t.scenario.l1, d)}, so moving it either way would raise the cost")
        return Equation(
            rf"{p} \leftarrow 0 \quad \text{{(L1: a weight that would cross or leave 0 is set to 0)}}",
            rf"{p} \leftarrow 0", rf"{p} \leftarrow {format_number(r.new, d)}",
            f"This weight goes to exactly 0: after the {rule} step {why}, and under the L1 penalty a weight "
            f"that would cross 0, or leave it while its gradient is no larger than λ₁, is set to 0 "
            f"(gradient {plain_number(r.grad, d)}{mean}).")
    if rule != "sgd":  # w − η·∂C/∂w is not this rule's step: show the step the rule took (worked out below it)
        step = r.new - r.old
        return Equation(
            rf"{p} \leftarrow {p} + \Delta",
            rf"{p} \leftarrow {format_number(r.old, d, True)} + {format_number(step, d, True)}",
            rf"{p} \leftarrow {format_number(r.new, d)}",
            f"This network updates with {rule}, not plain gradient descent: from its zero state, its first step "
            f"moves the {words} by Δ = {plain_number(step, d)} (gradient {plain_number(r.grad, d)}{mean}); the "
            f"rule's own equations are worked out on the Update screen.")
    return Equation(
        rf"{p} \leftarrow {p} - \eta {dfrac('C', p)}",
        rf"{p} \leftarrow {format_number(r.old, d, True)} - {format_number(r.eta, d, True)} \cdot "
        rf"{format_number(r.grad, d, True)}",
        rf"{p} \leftarrow {format_number(r.new, d)}",
        f"Gradient descent moves the {words} against its gradient{mean}: {plain_number(r.old, d)} − "
        f"{plain_number(r.eta, d)} × {plain_number(r.grad, d)} = {plain_number(r.new, d)}.")


_BUILDERS = {NeuronStep: _neuron, CostStep: _cost, OutputGradStep: _output_grad, DeltaStep: _delta,
             WeightGradStep: _weight_grad, BiasGradStep: _bias_grad, UpdateStep: _update}


def step_equation(trace, step, digits: int = 9) -> Equation:
    """The equation behind one step record of ``trace.steps(n)``."""
    try:
        build = _BUILDERS[type(step)]
    except KeyError:
        raise TypeError(f"not a step record: {type(step).__name__}") from None
    with np.errstate(over="ignore", invalid="ignore"):  # a cost term of 1e400 is ∞, shown as such, silently
        return build(trace, step, digits)


def cost_equation(trace, r: CostStep, digits: int = 9, term_values: bool = True) -> Equation:
    """The cost step's equation; ``term_values=False`` leaves the row of each term's value out of its numbers
    (the quiz's hint, which must not give them away)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _cost(trace, r, digits, term_values)


# --- the chain-rule card for one weight or bias ---

def _paths(t, l: int, j: int, n: int, digits: int, max_terms: int):
    """Every path from a^l_j to the outputs (l < L − 1): its symbolic term, numbers and value, the first
    ``max_terms`` of them, and how many there are."""
    L = t.scenario.L
    f = lambda v: format_number(v, digits, True)
    ranges = [range(t.scenario.layers[m - 1]) for m in range(l + 1, L + 1)]
    total = int(np.prod([len(r) for r in ranges], dtype=object))
    out = []
    for path in islice(product(*ranges), max_terms):
        prev, ss, nn, v = j, [], [], 1.0
        for m, i in zip(range(l + 1, L + 1), path):
            w = t.W(m)[i, prev]
            ss.append(sym("w", m, i, prev))
            nn.append(f(w))
            v *= w
            if m < L:
                ds = t.dsigmas[m - 2][n, i]
                ss.append(rf"\sigma'({sym('z', m, i)})")
                nn.append(f(ds))
                v *= ds
            prev = i
        ss.append(sym(DL, L, prev))
        nn.append(f(t.delta(L, n)[prev]))
        v *= t.delta(L, n)[prev]
        out.append((" ".join(ss), r" \cdot ".join(nn), v))
    return out, total


def chain_rule(trace, l: int, j: int, k: int | None, n: int = 0, digits: int = 9,
               max_terms: int = 8, term_values: bool = True) -> list[Equation]:
    """The chain-rule card for w^l_{jk} (``k`` None: the bias b^l_j), 0-based j, k: the three-factor
    product, each factor (∂C/∂a^l_j as the sum over paths for a hidden layer, folded beyond
    ``max_terms`` terms; ``term_values=False`` leaves the sum's term values out), and the compact δ form."""
    t, s, d = trace, trace.scenario, digits
    L = s.L
    if not 2 <= l <= L:
        raise ValueError(f"layer {l} has no weights: use 2..{L}")
    if not 0 <= j < s.layers[l - 1] or (k is not None and not 0 <= k < s.layers[l - 2]):
        raise ValueError(f"no {'weight' if k is not None else 'bias'} ({j}, {k}) in layer {l}")
    f = lambda v: format_number(v, d, True)
    fv = lambda v: format_number(v, d)
    P = sym("w", l, j, k) if k is not None else sym("b", l, j)
    Z, A, D = sym("z", l, j), sym("a", l, j), sym(DL, l, j)
    dC_da, delta = t.dC_das[l - 2][n, j], t.delta(l, n)[j]
    dsig = None if t.dsigmas[l - 2] is None else t.dsigmas[l - 2][n, j]
    x = t.a(l - 1, n)[k] if k is not None else 1.0
    grad = t.dC_dW_examples[l - 2][n, j, k] if k is not None else delta
    lhs, dz_dp = dfrac("C", P), dfrac(Z, P)
    pen = _penalty_grad(t, l, j, k, d) if k is not None else None  # the penalty covers weights only
    ps, pn = ("", "") if pen is None else (f" + {pen[0]}", f" + {pen[1]}")
    pw = "" if pen is None else f" The weight penalty adds its own slope, {_penalty_words(t)}, to the product."
    eqs = []
    what = (f"the weight from neuron {k + 1} of layer {l - 1} to neuron {j + 1} of layer {l}" if k is not None
            else f"the bias of neuron {j + 1} of layer {l}")
    if dsig is None:
        eqs.append(Equation(rf"{lhs} = {dfrac('C', Z)} \cdot {dz_dp}{ps}",
                            rf"{lhs} = {f(delta)} \cdot {f(x)}{pn}", f"{lhs} = {fv(grad)}",
                            f"For {what}: with softmax and cross-entropy ∂C/∂z = a − y directly, "
                            f"times how z changes with the parameter.{pw}"))
    else:
        eqs.append(Equation(
            rf"{lhs} = {dfrac('C', A)} \cdot {dfrac(A, Z)} \cdot {dz_dp}{ps}",
            rf"{lhs} = {f(dC_da)} \cdot {f(dsig)} \cdot {f(x)}{pn}", f"{lhs} = {fv(grad)}",
            f"For {what}, the chain rule multiplies three local slopes: how the cost changes with the neuron's "
            f"activation, how the activation changes with z, and how z changes with the parameter.{pw}"))
    if l == L and dsig is None:
        y = s.y[n][j]
        dC_dz = dfrac("C", Z)
        eqs.append(Equation(rf"{dC_dz} = {A} - {sym('y', None, j)}", rf"{dC_dz} = {f(t.a(L, n)[j])} - {f(y)}",
                            rf"{dC_dz} = {fv(delta)}",
                            "The first factor: for softmax with cross-entropy, ∂C/∂z = a − y (the targets sum to 1)."))
    elif l == L:
        cs, cn = _dC_da_latex(t, n, j, d)
        eqs.append(Equation(rf"{dfrac('C', A)} = {cs}", rf"{dfrac('C', A)} = {cn}", rf"{dfrac('C', A)} = {fv(dC_da)}",
                            "The first factor comes straight from the cost."))
    else:
        W, dn = t.W(l + 1)[:, j], t.delta(l + 1, n)
        m = len(dn)
        sh = range(min(m, max_terms))
        terms_s = fold([f"{sym(DL, l + 1, i)} {sym('w', l + 1, i, j)}" for i in sh], m, max_terms)
        terms_n = fold([rf"{f(dn[i])} \cdot {f(W[i])}" for i in sh], m, max_terms)
        terms_v = fold([f(dn[i] * W[i]) for i in sh], m, max_terms)
        gen = (rf"\sum_{{i}} \frac{{\partial C}}{{\partial z^{{{l + 1}}}_{{i}}}}"
               rf" \frac{{\partial z^{{{l + 1}}}_{{i}}}}{{\partial {A}}}")
        eqs.append(Equation(
            rf"{dfrac('C', A)} = {gen} = {terms_s}",
            rf"{dfrac('C', A)} = {terms_n}" + (f" = {terms_v}" if term_values else ""),
            rf"{dfrac('C', A)} = {fv(dC_da)}",
            f"The activation reaches the cost through each of the {m} neuron{'s' * (m > 1)} of layer {l + 1}; "
            f"the first factor is the sum of one term per path (error there times the connecting weight)."))
        if l + 1 < L:
            paths, total = _paths(t, l, j, n, d, max_terms)
            eqs.append(Equation(
                rf"{dfrac('C', A)} = " + fold([p[0] for p in paths], total, max_terms),
                rf"{dfrac('C', A)} = " + fold([p[1] for p in paths], total, max_terms)
                + " = " + fold([f(p[2]) for p in paths], total, max_terms),
                rf"{dfrac('C', A)} = {fv(dC_da)}",
                f"Written out over every path to the outputs: {total} path{'s' * (total > 1)}, each the product "
                f"of the weights and activation slopes along it times the output error at its end."))
    if dsig is not None:
        al = act_latex(s.activations[l - 2])
        ds_n = al.dsigma_numeric(t.z(l, n)[j], t.a(l, n)[j], d)
        eqs.append(Equation(rf"{dfrac(A, Z)} = \sigma'({Z}) = {put(al.d_sym, Z, A)}", rf"{dfrac(A, Z)} = {ds_n}",
                            rf"{dfrac(A, Z)} = {fv(dsig)}", "The second factor is the slope of the activation."))
    third = sym("a", l - 1, k) if k is not None else "1"
    eqs.append(Equation(rf"{dz_dp} = {third}", rf"{dz_dp} = {f(x)}", rf"{dz_dp} = {fv(x)}",
                        "The third factor: z grows by the input for each unit of weight"
                        if k is not None else "The third factor: z grows one for one with the bias."))
    eqs.append(Equation(
        rf"{lhs} = {third if k is not None else ''} {D}{ps}".replace("  ", " "),
        (rf"{lhs} = {f(x)} \cdot {f(delta)}{pn}" if k is not None else rf"{lhs} = {f(delta)}"),
        f"{lhs} = {fv(grad)}",
        ("The compact form: with δ = ∂C/∂z (the first two factors), the gradient is the input times δ"
         + (", plus the penalty's slope." if pen else ".")) if k is not None
        else "The compact form: the bias gradient is δ itself (the penalty covers weights only)."
        if (s.l1 or s.l2) else "The compact form: the bias gradient is δ itself."))
    return eqs
