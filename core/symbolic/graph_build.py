"""Computational graphs of a typed expression and of a network's cost for one example (or a batch).

An expression is parsed by the custom activations' whitelist parser (``core.symbolic.formula``) in named
variables, left as written, and each SymPy node becomes one graph node: (x + y)*z is an add node
and a multiply node. A network unfolds neuron by neuron — each w·a product, the sum with the bias
(the node whose gradient is the neuron's δ = ∂C/∂z), the activation — and the cost into its pieces
(difference, square, sum, ½; or the bce / cross-entropy terms). Weights and biases are leaves
named ``W2[j][k]``, ``b2[j]`` (j, k from 0, as in the scenario's arrays), so their gradients are
∂C/∂w at the weight's edge into its product node.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import sympy as sp

from core.engine.activations import LEAKY_SLOPE
from core.engine.scenario import Scenario
from core.symbolic.extremum import MaxOf, MinOf
from core.symbolic.formula import parse_expression
from core.symbolic.graph import Builder, Graph, GraphError
from core.symbolic.notation import sub, sup

_FUNCS = {sp.exp: "exp", sp.log: "log", sp.sqrt: "sqrt", sp.Abs: "abs", sp.tanh: "tanh", sp.sinh: "sinh",
          sp.cosh: "cosh", sp.sin: "sin", sp.cos: "cos", sp.atan: "atan", sp.erf: "erf", sp.sign: "sign",
          sp.Heaviside: "heaviside"}
_CONSTANTS = {sp.E: "e", sp.pi: "π"}


def _convert(b: Builder, e, leaves: dict, group: tuple = ()) -> int:
    """The node computing SymPy expression ``e`` (symbols looked up in ``leaves``), appended to ``b``."""
    walk = lambda x: _convert(b, x, leaves, group)  # noqa: E731
    if e.is_Symbol:
        return leaves[e.name]
    if e in _CONSTANTS:
        return b.const(float(e), label=_CONSTANTS[e], group=group)
    if e.is_Number:
        return b.const(float(e), group=group)
    args = e.args
    if isinstance(e, sp.Add):
        if len(args) == 2 and isinstance(args[1], sp.Mul) and len(args[1].args) == 2 and args[1].args[0] == -1:
            return b.op("sub", walk(args[0]), walk(args[1].args[1]), group=group)
        return b.op("add", *[walk(a) for a in args], group=group)
    if isinstance(e, sp.Mul):
        if len(args) == 2 and args[0] == -1:
            return b.op("neg", walk(args[1]), group=group)
        if len(args) == 2 and isinstance(args[1], sp.Pow) and args[1].args[1] == -1:
            if args[0] == 1:
                return b.op("recip", walk(args[1].args[0]), group=group)
            return b.op("div", walk(args[0]), walk(args[1].args[0]), group=group)
        out = walk(args[0])
        for a in args[1:]:
            out = b.op("mul", out, walk(a), group=group)
        return out
    if isinstance(e, sp.Pow):
        base, p = args
        if p.is_Number:
            if p == -1:
                return b.op("recip", walk(base), group=group)
            if p == sp.Rational(1, 2):
                return b.op("sqrt", walk(base), group=group)
            return b.op("pow", walk(base), param=float(p), label=f"x^{float(p):g}".replace("-", "−"), group=group)
        return b.op("powv", walk(base), walk(p), group=group)
    if isinstance(e, (sp.Max, sp.Min, MaxOf, MinOf)):
        return b.op("max" if isinstance(e, (sp.Max, MaxOf)) else "min", *[walk(a) for a in args], group=group)
    if e.func in _FUNCS:
        return b.op(_FUNCS[e.func], walk(args[0]), group=group)
    raise GraphError(f"the graph has no node for {e.func.__name__}()")


@lru_cache(maxsize=256)
def expression_graph(text: str) -> Graph:
    """The graph of an expression typed in named variables; its leaves come first, in order of
    appearance. Raises ValueError with the parser's one-line message for a refused expression."""
    e, variables = parse_expression(text)
    b = Builder()
    leaves = {name: b.input(name) for name in variables}
    root = _convert(b, e, leaves)
    if root in leaves.values():  # the expression is one variable: still one node to step through
        root = b.op("identity", root, label="value")
    return b.graph(root)


def _name(letter: str, l: int, *idx: int) -> str:
    """w²₁₂, b²₁, z²₁, a²₁: 1-based neuron numbers as in the notation."""
    return letter + sup(l) + "".join(sub(i + 1) for i in idx)


def _activation(b: Builder, act: str, z: int, zs: list[int], j: int, l: int) -> int:
    g, label = (l, j), _name("a", l, j)
    if act == "sigmoid" or act == "tanh":
        return b.op(act, z, label=label, role="a", group=g)
    if act == "relu":
        return b.op("max", b.const(0.0, group=g), z, label=label, role="a", group=g)
    if act == "leaky_relu":
        return b.op("leaky_relu", z, param=LEAKY_SLOPE, label=label, role="a", group=g)
    if act == "linear":
        return b.op("identity", z, label=label, role="a", group=g)
    if act == "softmax":
        return b.op("softmax", *zs, param=float(j), label=label, role="a", group=g)
    e, variables = parse_expression(act)  # a formula in z, already accepted by the scenario
    r = _convert(b, e, {"z": z}, group=g)
    if r == z or r != len(b.nodes) - 1:  # the formula is z itself, or ends in a constant
        return b.op("identity", r, label=label, role="a", group=g)
    b.nodes[r] = replace(b.nodes[r], label=label, role="a")
    return r


def _example(b: Builder, s: Scenario, tag: str, params: dict[str, int]) -> int:
    """The nodes of one example's forward pass and cost (``params``: the weight and bias leaves);
    returns the cost node."""
    a = [b.input(f"x{tag}[{k}]", label="x" + sub(k + 1), role="x", group=(1, k))
         for k in range(s.layers[0])]
    for i, act in enumerate(s.activations):
        l, W = i + 2, s.weights[i]
        zs = []
        for j in range(W.shape[0]):
            g = (l, j)
            products = [b.op("mul", params[f"W{l}[{j}][{k}]"], a[k], label="×", role="product", group=g)
                        for k in range(W.shape[1])]
            zs.append(b.op("add", *products, params[f"b{l}[{j}]"], label=_name("z", l, j), role="z", group=g))
        a = [_activation(b, act, zs[j], zs, j, l) for j in range(len(zs))]
    c = ("cost",)
    y = [b.input(f"y{tag}[{j}]", label="y" + sub(j + 1), role="y", group=c)
         for j in range(len(a))]
    if s.loss == "mse":
        terms = [b.op("pow", b.op("sub", aj, yj, label="a − y", group=c), param=2.0, label="( )²", group=c)
                 for aj, yj in zip(a, y)]
        return b.op("scale", b.op("add", *terms, label="Σ", group=c), param=0.5, label="C = ½·Σ", role="cost",
                    group=c)
    if s.loss == "bce":
        terms = []
        for aj, yj in zip(a, y):
            t1 = b.op("mul", yj, b.op("log", aj, label="log a", group=c), label="y·log a", group=c)
            one_a = b.op("sub", b.const(1.0, group=c), aj, label="1 − a", group=c)
            one_y = b.op("sub", b.const(1.0, group=c), yj, label="1 − y", group=c)
            t2 = b.op("mul", one_y, b.op("log", one_a, label="log(1 − a)", group=c), label="(1−y)·log(1−a)",
                      group=c)
            terms.append(b.op("add", t1, t2, label="+", group=c))
    else:  # cross_entropy
        terms = [b.op("mul", yj, b.op("log", aj, label="log a", group=c), label="y·log a", group=c)
                 for aj, yj in zip(a, y)]
    return b.op("neg", b.op("add", *terms, label="Σ", group=c), label="C = −Σ", role="cost", group=c)


def network_graph(s: Scenario, n: int | None = 0) -> tuple[Graph, dict[str, float]]:
    """The graph of the cost of example ``n`` (``None``: the mean cost over the batch), and the values
    of its leaves. Leaves: ``W2[j][k]``, ``b2[j]`` … then per example ``x[k]`` and ``y[j]`` (``x3[k]``
    for example 3 of a batch graph)."""
    b, params, values = Builder(), {}, {}
    for i, (W, bias) in enumerate(zip(s.weights, s.biases)):
        l = i + 2
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                key = f"W{l}[{j}][{k}]"
                params[key] = b.input(key, label=_name("w", l, j, k), role="w", group=(l, j))
                values[key] = float(W[j, k])
            key = f"b{l}[{j}]"
            params[key] = b.input(key, label=_name("b", l, j), role="b", group=(l, j))
            values[key] = float(bias[j])
    examples = range(len(s.x)) if n is None else [n]
    costs = []
    for m in examples:
        tag = str(m) if n is None else ""
        costs.append(_example(b, s, tag, params))
        values.update({f"x{tag}[{k}]": float(v) for k, v in enumerate(s.x[m])})
        values.update({f"y{tag}[{j}]": float(v) for j, v in enumerate(s.y[m])})
    if n is None:
        total = b.op("add", *costs, label="Σ over examples", group=("cost",))
        b.op("scale", total, param=1.0 / len(costs), label="C = mean", role="cost", group=("cost",))
    return b.graph(), values


def parameter_names(graph: Graph) -> list[str]:
    """The weight and bias leaves (the CLI's gradient keys), in order."""
    return [nd.name for nd in graph.nodes if nd.role in ("w", "b")]
