"""The update of one parameter worked out as equations (symbols, numbers, value), from the
optimizer's zero state: what the Update screen shows for the chosen rule (see core.engine.optim).

Pure: numbers in, ``core.symbolic.latex.Equation`` records out. The arithmetic is written in the same
order as ``core.engine.optim.Optimizer.step``, so the last value is the trace's new weight exactly.
"""

from __future__ import annotations

import math

from core.engine.optim import WORDS, parse_optimizer
from core.symbolic.latex import Equation, format_number

STATE_WORDS = {
    "v": "the velocity: a running sum of the gradients, each older one weighted by μ once more",
    "s": "the running mean of the squared gradient",
    "m": "the running mean of the gradient (first moment)",
    "v_adam": "the running mean of the squared gradient (second moment)",
}


def _new(name: str) -> str:
    """The parameter's new value, name⁺: braced, as the name has a superscript of its own (w^{2}_{11})."""
    return "{" + name + "}^{+}"


def worked_update(spec: dict, eta: float, name: str, w: float, g: float, *, trained: bool = True,
                  l1: float = 0.0, l2: float = 0.0, g_data: float | None = None,
                  digits: int = 9) -> list[Equation]:
    """The first step of rule ``spec`` (state from zero, t = 1) for parameter ``name`` (LaTeX,
    e.g. ``w^{3}_{11}``) at value ``w`` with gradient ``g`` (penalty included; ``g_data`` the
    cost's own part, to show the sum when λ > 0). A held bias gives one line: it stays."""
    p = parse_optimizer(spec)
    f = lambda x: format_number(x, digits)  # noqa: E731
    fp = lambda x: format_number(x, digits, paren=True)  # noqa: E731
    plus = _new(name)
    out: list[Equation] = []
    if not trained:
        return [Equation(rf"{plus} = {name}", rf"{plus} = {f(w)}", f(w),
                         "This bias is held fixed: no rule moves it.")]
    if g_data is not None and (l1 or l2):
        sign = 0.0 if w == 0 else math.copysign(1.0, w)
        out.append(Equation(
            rf"g = \frac{{\partial C_0}}{{\partial {name}}}"
            rf" + \lambda_2 {name} + \lambda_1 \operatorname{{sign}}({name})",
            rf"g = {f(g_data)} + {f(l2)} \cdot {fp(w)} + {f(l1)} \cdot {fp(sign)}",
            rf"g = {f(g_data + l2 * w + l1 * sign)}",
            "The gradient the rule uses includes the penalty: λ₂w from L2 and λ₁·sign(w) from L1 "
            "(sign(0) = 0), on weights only."))
    new = _rule(p, eta, name, w, g, f, fp, out)
    out.append(Equation(r"\Delta = " + rf"{plus} - {name}", rf"\Delta = {f(new)} - {fp(w)}", f(new - w),
                        WORDS[p["name"]]))
    return out


def _rule(p, eta, name, w, g, f, fp, out) -> float:
    plus = _new(name)
    rule = p["name"]
    if rule == "sgd":
        step = g * eta
        new = w - step
        out.append(Equation(rf"{plus} = {name} - \eta\, g", rf"{plus} = {f(w)} - {f(eta)} \cdot {fp(g)}",
                            f(new), "Gradient descent: against the gradient, η times its size."))
        return new
    if rule == "momentum":
        mu = p["momentum"]
        v = mu * 0.0 + g
        out.append(Equation(r"v_1 = \mu\, v_0 + g", rf"v_1 = {f(mu)} \cdot 0 + {fp(g)}", f(v),
                            "v starts at 0, so the first velocity is the gradient itself; " + STATE_WORDS["v"] + "."))
        if p["nesterov"]:
            step = (v * mu + g) * eta
            new = w - step
            out.append(Equation(rf"{plus} = {name} - \eta\,(g + \mu\, v_1)",
                                rf"{plus} = {f(w)} - {f(eta)} \cdot ({fp(g)} + {f(mu)} \cdot {fp(v)})",
                                f(new), "Nesterov: the step uses the gradient plus one more velocity step."))
        else:
            step = v * eta
            new = w - step
            out.append(Equation(rf"{plus} = {name} - \eta\, v_1",
                                rf"{plus} = {f(w)} - {f(eta)} \cdot {fp(v)}",
                                f(new), "The parameter moves against the velocity."))
        return new
    if rule == "rmsprop":
        a, eps = p["alpha"], p["eps"]
        s = 0.0 * a + g * g * (1.0 - a)
        out.append(Equation(r"s_1 = \alpha\, s_0 + (1 - \alpha)\, g^2",
                            rf"s_1 = {f(a)} \cdot 0 + (1 - {f(a)}) \cdot {fp(g)}^2",
                            f(s), "s starts at 0; it is " + STATE_WORDS["s"] + "."))
        step = g / (math.sqrt(s) + eps) * eta
        new = w - step
        out.append(Equation(rf"{plus} = {name} - \eta\, \frac{{g}}{{\sqrt{{s_1}} + \varepsilon}}",
                            rf"{plus} = {f(w)} - {f(eta)} \cdot \frac{{{f(g)}}}{{\sqrt{{{f(s)}}} + {f(eps)}}}",
                            f(new), "Each parameter's step is divided by the root of its own running mean square."))
        return new
    b1, b2, eps = p["beta1"], p["beta2"], p["eps"]
    m = 0.0 * b1 + g * (1.0 - b1)
    v = 0.0 * b2 + g * g * (1.0 - b2)
    bc1, bc2 = 1.0 - b1, 1.0 - b2
    m_hat, v_hat = m / bc1, v / bc2
    out += [
        Equation(r"t = 1", r"t = 0 + 1", "1", "The step counter; m and v start at 0."),
        Equation(r"m_1 = \beta_1 m_0 + (1 - \beta_1)\, g", rf"m_1 = {f(b1)} \cdot 0 + (1 - {f(b1)}) \cdot {fp(g)}",
                 f(m), "m is " + STATE_WORDS["m"] + "."),
        Equation(r"v_1 = \beta_2 v_0 + (1 - \beta_2)\, g^2", rf"v_1 = {f(b2)} \cdot 0 + (1 - {f(b2)}) \cdot {fp(g)}^2",
                 f(v), "v is " + STATE_WORDS["v_adam"] + "."),
        Equation(r"\hat m_1 = \frac{m_1}{1 - \beta_1^{t}}",
                 rf"\hat m_1 = \frac{{{f(m)}}}{{1 - {f(b1)}^{{1}}}}", f(m_hat),
                 "Bias correction: m started at 0, so it is divided by 1 − β₁ᵗ (here m̂ = g)."),
        Equation(r"\hat v_1 = \frac{v_1}{1 - \beta_2^{t}}",
                 rf"\hat v_1 = \frac{{{f(v)}}}{{1 - {f(b2)}^{{1}}}}", f(v_hat),
                 "The same for v (here v̂ = g²)."),
    ]
    step = m / (math.sqrt(v) * (1.0 / math.sqrt(bc2)) + eps) * (eta / bc1)  # as Optimizer.step computes it
    new = w - step
    out.append(Equation(rf"{plus} = {name} - \eta\, \frac{{\hat m_1}}{{\sqrt{{\hat v_1}} + \varepsilon}}",
                        rf"{plus} = {f(w)} - {f(eta)} \cdot "
                        rf"\frac{{{f(m_hat)}}}{{\sqrt{{{f(v_hat)}}} + {f(eps)}}}",
                        f(new), "m̂/√v̂ = g/|g| on the first step: the parameter moves by about η, whatever "
                                "the size of its gradient."))
    return new
