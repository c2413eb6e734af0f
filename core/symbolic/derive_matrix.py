"""The matrix form, the articles' equations (1)–(6) written correctly (A^l = σ(Z^l);
Δ^l = (W^{l+1})ᵀ Δ^{l+1} ⊙ σ'(Z^l)), with each matrix's shape, symbolic and with the actual matrices."""

from __future__ import annotations

import numpy as np

from core.symbolic.latex import Equation, pmatrix, shape
from core.symbolic.notation import format_number
from core.symbolic.penalty_tex import penalty_cost


def _under(name: str, n: int, m: int) -> str:
    return rf"\underset{{{shape(n, m)}}}{{{name}}}"


def matrix_equations(trace, l: int, phase: str, n: int = 0, digits: int = 4) -> list[Equation]:
    """Layer l's matrix-form equations for phase 'forward' | 'backward' | 'update', example n
    (one column per vector; the update uses the batch-mean gradients)."""
    t, s = trace, trace.scenario
    L = s.L
    if not 2 <= l <= L:
        raise ValueError(f"layer {l}: the matrix form covers layers 2..{L}")
    nl, nk = s.layers[l - 1], s.layers[l - 2]
    P = lambda M: pmatrix(M, digits)
    name = s.activations[l - 2]
    DLl, DLn, DLL = rf"\Delta^{{{l}}}", rf"\Delta^{{{l + 1}}}", rf"\Delta^{{{L}}}"
    dW, dB = rf"\frac{{\partial C}}{{\partial W^{{{l}}}}}", rf"\frac{{\partial C}}{{\partial B^{{{l}}}}}"
    if phase == "forward":
        Z = t.z(l, n)
        eqs = [Equation(
            rf"{_under(f'Z^{{{l}}}', nl, 1)} = {_under(f'W^{{{l}}}', nl, nk)} {_under(f'A^{{{l - 1}}}', nk, 1)}"
            rf" + {_under(f'B^{{{l}}}', nl, 1)} \qquad (1)",
            rf"Z^{{{l}}} = {P(t.W(l))} {P(t.a(l - 1, n))} + {P(t.b(l))}",
            rf"Z^{{{l}}} = {P(Z)}",
            f"Equation (1): every neuron of layer {l} at once, a ({nl}×{nk}) matrix times a ({nk}×1) column "
            f"plus a ({nl}×1) column.")]
        sig = r"\operatorname{softmax}" if name == "softmax" else r"\sigma"
        eqs.append(Equation(
            rf"{_under(f'A^{{{l}}}', nl, 1)} = {sig}\left(Z^{{{l}}}\right) \qquad (2)",
            rf"A^{{{l}}} = {sig}\left({P(Z)}\right)", rf"A^{{{l}}} = {P(t.a(l, n))}",
            "Equation (2), A = σ(Z), the activation applied to each entry (articles that print Z = σ(A) "
            "have it backwards)."))
        if l == L:
            A, Y, YT = P(t.a(L, n)), P(s.y[n]), P(s.y[n][None, :])
            one_YT = P(1.0 - s.y[n][None, :])
            tex = s.cost.matrix_tex
            sym_c = tex(f"A^{{{L}}}", "Y", "Y^{T}", r"\left(1 - Y\right)^{T}")
            num_c = tex(A, Y, YT, one_YT)
            pen = penalty_cost(t, digits)
            eqs.append(Equation(
                rf"C = {sym_c}" + (f" + {pen[0]}" if pen else ""),
                rf"C = {num_c}" + (f" + {pen[1]}" if pen else ""),
                rf"C = {format_number(t.costs[n], digits)}",
                "The cost of this example" + (f", with the weight penalty {pen[3]}." if pen else ".")))
        return eqs
    if phase == "backward":
        D = t.delta(l, n)
        if l == L:
            if t.dsigmas[l - 2] is None:
                eqs = [Equation(rf"{_under(DLL, nl, 1)} = A^{{{L}}} - Y \qquad (3)",
                                rf"\Delta^{{{L}}} = {P(t.a(L, n))} - {P(s.y[n])}", rf"\Delta^{{{L}}} = {P(D)}",
                                "Equation (3) for softmax with cross-entropy: the output error is A − Y.")]
            else:
                grad = s.cost.grad_tex
                eqs = [Equation(
                    rf"{_under(DLL, nl, 1)} = {grad.replace('L', str(L))} \odot"
                    rf" \sigma'\left(Z^{{{L}}}\right) \qquad (3)",
                    rf"\Delta^{{{L}}} = {P(t.dC_das[L - 2][n])} \odot {P(t.dsigmas[L - 2][n])}",
                    rf"\Delta^{{{L}}} = {P(D)}",
                    "Equation (3): the output error, ∂C/∂a times σ'(z) entry by entry (⊙).")]
        else:
            Wn = t.W(l + 1)
            nn = s.layers[l]
            eqs = [Equation(
                rf"{_under(DLl, nl, 1)} = {_under(f'(W^{{{l + 1}}})^{{T}}', nl, nn)}"
                rf" {_under(DLn, nn, 1)} \odot \sigma'\left(Z^{{{l}}}\right) \qquad (4)",
                rf"\Delta^{{{l}}} = {P(Wn.T)} {P(t.delta(l + 1, n))} \odot {P(t.dsigmas[l - 2][n])}",
                rf"\Delta^{{{l}}} = {P(D)}",
                "Equation (4): the error flows back through the transposed weights, then is scaled by σ'(z) "
                "(articles that drop the transpose get the shapes wrong).")]
        pl2, pl1 = s.l2 and rf" + \lambda_2 W^{{{l}}}", s.l1 and rf" + \lambda_1 \operatorname{{sign}}(W^{{{l}}})"
        pn = (rf" + {format_number(s.l2, digits)} {P(t.W(l))}" if s.l2 else "") + (
            rf" + {format_number(s.l1, digits)} {P(np.sign(t.W(l)))}" if s.l1 else "")
        eqs.append(Equation(
            rf"{_under(dW, nl, nk)} = \Delta^{{{l}}}"
            rf" \left(A^{{{l - 1}}}\right)^{{T}}{pl2 or ''}{pl1 or ''} \qquad (5)",
            rf"{dW} = {P(D)} {P(t.a(l - 1, n)[None, :])}{pn}",
            rf"{dW} = {P(t.dC_dW_examples[l - 2][n])}",
            "Equation (5): entry (j, k) is a_k δ_j, an outer product"
            + (", plus the weight penalty's slope." if (s.l1 or s.l2) else ".")))
        eqs.append(Equation(
            rf"{_under(dB, nl, 1)} = \Delta^{{{l}}} \qquad (6)",
            rf"{dB} = {P(D)}", rf"{dB} = {P(D)}",
            "Equation (6): a bias's gradient is its neuron's error."))
        return eqs
    if phase == "update":
        eta = s.learning_rate
        mean = r"\frac{1}{N}\sum_{n}" if t.N > 1 else ""
        eqs = [Equation(
            rf"W^{{{l}}} \leftarrow W^{{{l}}} - \eta\, {mean}\frac{{\partial C}}{{\partial W^{{{l}}}}}",
            rf"W^{{{l}}} \leftarrow {P(t.W(l))} - {format_number(eta, digits)} {P(t.dC_dW[l - 2])}",
            rf"W^{{{l}}} \leftarrow {P(t.weights_new[l - 2])}",
            "Every weight of the layer moves against its gradient, all computed with the old weights."
            + (f" The L1 rule then sets {int(t.zeroed[l - 2].sum())} weight(s) that would cross or leave 0 to "
               "exactly 0." if t.zeroed and t.zeroed[l - 2].any() else ""))]
        if s.train_biases:
            eqs.append(Equation(
                rf"B^{{{l}}} \leftarrow B^{{{l}}} - \eta\, {mean}\frac{{\partial C}}{{\partial B^{{{l}}}}}",
                rf"B^{{{l}}} \leftarrow {P(t.b(l))} - {format_number(eta, digits)} {P(t.dC_db[l - 2])}",
                rf"B^{{{l}}} \leftarrow {P(t.biases_new[l - 2])}", "The biases move the same way."))
        else:
            eqs.append(Equation(rf"B^{{{l}}} \text{{ is held fixed}}", rf"B^{{{l}}} = {P(t.b(l))}",
                                rf"B^{{{l}}} = {P(t.biases_new[l - 2])}", "The biases do not train here."))
        return eqs
    raise ValueError(f"phase: expected 'forward', 'backward' or 'update', found {phase!r}")

