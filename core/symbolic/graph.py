"""A computational graph of scalar operations: a forward pass and a reverse-mode pass over its nodes.

Every node is one scalar operation (micrograd style): its value is computed from its inputs'
values in topological order, and on the way back each node passes to each input
"upstream gradient × local gradient", with one small function per local derivative. Graphs
are built by ``core.symbolic.graph_build`` from a typed expression or from a network and an example.
Plain floats (``math``), no NumPy: a graph is small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_NODES = 20_000  # a network graph of a whole batch is refused beyond this


class GraphError(ValueError):
    """A graph that cannot be built or evaluated, with a one-line reason."""


@dataclass(frozen=True)
class Node:
    """One scalar operation. ``op`` is a key of ``OPS`` (or "input"/"const" for a leaf);
    ``param`` is a constant the op needs (an exponent, a softmax index, a leaf's value);
    ``role`` and ``group`` tie a network graph's node to the maths (e.g. role "z", group (2, 0))."""

    id: int
    op: str
    inputs: tuple[int, ...]
    label: str
    name: str | None = None  # a leaf's variable name (the key of its gradient)
    param: float | None = None
    role: str = ""
    group: tuple = ()


def _sigmoid(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def _erf_d(x: float) -> float:
    return 2.0 / math.sqrt(math.pi) * math.exp(-x * x)


def _winner(xs, better) -> int:
    """The first input holding the max (or min): the one a max gate routes the gradient to."""
    w = 0
    for i, v in enumerate(xs):
        if better(v, xs[w]):
            w = i
    return w


def _route(xs, better):
    w = _winner(xs, better)
    return tuple(1.0 if i == w else 0.0 for i in range(len(xs)))


def _softmax(xs, j):
    m = max(xs)
    e = [math.exp(v - m) for v in xs]
    return e[int(j)] / math.fsum(e)


def _softmax_d(xs, out, j):
    j = int(j)
    a = [_softmax(xs, i) for i in range(len(xs))]
    return tuple(out * ((1.0 if i == j else 0.0) - a[i]) for i in range(len(xs)))


def _pow_d(xs, out, p):  # x^p, p constant
    return (p * xs[0] ** (p - 1) if p != 0 else 0.0,)


def _powv_d(xs, out, p):  # a^b, both variable
    a, b = xs
    return (b * a ** (b - 1), out * math.log(a) if a > 0 else 0.0)


@dataclass(frozen=True)
class Op:
    """An operation: ``f(inputs, param)`` its value, ``d(inputs, out, param)`` its local gradients
    (one per input), ``symbol`` how the drawing writes it, ``gate`` the pattern it follows."""

    f: Callable
    d: Callable
    symbol: str
    gate: str = ""


ADD = "add gate: it copies the upstream gradient to every input"
MUL = "multiply gate: each input gets the upstream gradient times the other input (the inputs swap)"
MAX = "max gate: it routes the upstream gradient to the winning input; the others get 0"
MIN = "min gate: it routes the upstream gradient to the smallest input; the others get 0"

OPS: dict[str, Op] = {
    "add": Op(lambda x, p: math.fsum(x), lambda x, o, p: (1.0,) * len(x), "+", ADD),
    "sub": Op(lambda x, p: x[0] - x[1], lambda x, o, p: (1.0, -1.0), "−"),
    "mul": Op(lambda x, p: x[0] * x[1], lambda x, o, p: (x[1], x[0]), "×", MUL),
    "div": Op(lambda x, p: x[0] / x[1], lambda x, o, p: (1.0 / x[1], -x[0] / (x[1] * x[1])), "÷"),
    "neg": Op(lambda x, p: -x[0], lambda x, o, p: (-1.0,), "×−1"),
    "scale": Op(lambda x, p: p * x[0], lambda x, o, p: (p,), "×c"),  # a constant factor (½, 1/N)
    "recip": Op(lambda x, p: 1.0 / x[0], lambda x, o, p: (-1.0 / (x[0] * x[0]),), "1/x"),
    "pow": Op(lambda x, p: x[0] ** p, _pow_d, "x^p"),
    "powv": Op(lambda x, p: x[0] ** x[1], _powv_d, "a^b"),
    "exp": Op(lambda x, p: math.exp(x[0]), lambda x, o, p: (o,), "exp"),
    "log": Op(lambda x, p: math.log(x[0]), lambda x, o, p: (1.0 / x[0],), "log"),
    "sqrt": Op(lambda x, p: math.sqrt(x[0]), lambda x, o, p: (0.5 / o,), "√"),
    "abs": Op(lambda x, p: abs(x[0]), lambda x, o, p: (float(x[0] > 0) - float(x[0] < 0),), "|x|"),
    "tanh": Op(lambda x, p: math.tanh(x[0]), lambda x, o, p: (1.0 - o * o,), "tanh"),
    "sinh": Op(lambda x, p: math.sinh(x[0]), lambda x, o, p: (math.cosh(x[0]),), "sinh"),
    "cosh": Op(lambda x, p: math.cosh(x[0]), lambda x, o, p: (math.sinh(x[0]),), "cosh"),
    "sin": Op(lambda x, p: math.sin(x[0]), lambda x, o, p: (math.cos(x[0]),), "sin"),
    "cos": Op(lambda x, p: math.cos(x[0]), lambda x, o, p: (-math.sin(x[0]),), "cos"),
    "atan": Op(lambda x, p: math.atan(x[0]), lambda x, o, p: (1.0 / (1.0 + x[0] * x[0]),), "atan"),
    "erf": Op(lambda x, p: math.erf(x[0]), lambda x, o, p: (_erf_d(x[0]),), "erf"),
    "sign": Op(lambda x, p: float(x[0] > 0) - float(x[0] < 0), lambda x, o, p: (0.0,), "sign"),
    "heaviside": Op(lambda x, p: 1.0 if x[0] > 0 else 0.0 if x[0] < 0 else 0.5, lambda x, o, p: (0.0,), "H"),
    "sigmoid": Op(lambda x, p: _sigmoid(x[0]), lambda x, o, p: (o * (1.0 - o),), "σ"),
    "identity": Op(lambda x, p: x[0], lambda x, o, p: (1.0,), "id"),
    "leaky_relu": Op(lambda x, p: x[0] if x[0] > 0 else p * x[0], lambda x, o, p: (1.0 if x[0] > 0 else p,),
                     "leaky"),
    "max": Op(lambda x, p: max(x), lambda x, o, p: _route(x, lambda a, b: a > b), "max", MAX),
    "min": Op(lambda x, p: min(x), lambda x, o, p: _route(x, lambda a, b: a < b), "min", MIN),
    "softmax": Op(lambda x, p: _softmax(x, p), _softmax_d, "softmax"),
}
LEAVES = ("input", "const")


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order (every input before its user); ``root`` is the output node."""

    nodes: tuple[Node, ...]
    root: int

    def names(self) -> list[str]:
        """The variable names of the leaves, in order."""
        return [n.name for n in self.nodes if n.op == "input"]

    def users(self) -> list[list[int]]:
        """For each node, the nodes that take it as an input."""
        out: list[list[int]] = [[] for _ in self.nodes]
        for n in self.nodes:
            for i in n.inputs:
                out[i].append(n.id)
        return out


@dataclass(frozen=True)
class Pass:
    """A graph evaluated: every node's value (forward) and gradient ∂root/∂node (backward), and for
    each node its local gradients ∂node/∂input, one per input."""

    graph: Graph
    values: tuple[float, ...]
    grads: tuple[float, ...]
    local: tuple[tuple[float, ...], ...]

    @property
    def value(self) -> float:
        return self.values[self.graph.root]

    def gradient(self) -> dict[str, float]:
        """∂root/∂v for every named leaf v."""
        return {n.name: self.grads[n.id] for n in self.graph.nodes if n.op == "input"}

    def downstream(self, v: int) -> list[tuple[int, float, float, float]]:
        """Node v's backward step: (input, upstream, local, upstream × local) for each input."""
        up = self.grads[v]
        return [(u, up, loc, up * loc) for u, loc in zip(self.graph.nodes[v].inputs, self.local[v])]


def forward(graph: Graph, values: Mapping[str, float]) -> tuple[float, ...]:
    """The value of every node, inputs first: the forward pass. Raises GraphError (naming the node)
    where an operation is undefined (log of a negative number, 1/0) or overflows."""
    out: list[float] = []
    for n in graph.nodes:
        if n.op == "input":
            if n.name not in values:
                raise GraphError(f"no value given for '{n.name}'")
            out.append(float(values[n.name]))
        elif n.op == "const":
            out.append(float(n.param))
        else:
            xs = [out[i] for i in n.inputs]
            at = ", ".join(f"{x:.6g}" for x in xs[:4]) + (", …" if len(xs) > 4 else "")
            try:
                v = OPS[n.op].f(xs, n.param)
            except (ValueError, ZeroDivisionError, OverflowError) as e:
                raise GraphError(f"node {n.id} ({n.label}) cannot be computed from {at} ({_why(e)})") from None
            if isinstance(v, complex) or not math.isfinite(v):
                raise GraphError(f"node {n.id} ({n.label}) is not a finite real number at {at}")
            out.append(float(v))
    return tuple(out)


def _why(e: Exception) -> str:
    if isinstance(e, ZeroDivisionError):
        return "division by zero"
    if isinstance(e, OverflowError):
        return "it overflows"
    return "outside the function's domain"


def backward(graph: Graph, values: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]:
    """Reverse mode: ∂root/∂node for every node (root first, 1), and the local gradients used.
    Each node adds upstream × local to each input's gradient (a value used twice adds both)."""
    local: list[tuple[float, ...]] = []
    for n in graph.nodes:
        if n.op in LEAVES:
            local.append(())
            continue
        try:
            d = OPS[n.op].d([values[i] for i in n.inputs], values[n.id], n.param)
        except (ValueError, ZeroDivisionError, OverflowError) as e:
            raise GraphError(f"the local gradient of {n.label} cannot be computed here ({_why(e)})") from None
        local.append(tuple(float(v) for v in d))
    grads = [0.0] * len(graph.nodes)
    grads[graph.root] = 1.0
    for n in reversed(graph.nodes):
        for u, loc in zip(n.inputs, local[n.id]):
            grads[u] += grads[n.id] * loc
    return tuple(grads), tuple(local)


def run(graph: Graph, values: Mapping[str, float]) -> Pass:
    """Forward then backward."""
    vals = forward(graph, values)
    grads, local = backward(graph, vals)
    return Pass(graph, vals, grads, local)


class Builder:
    """Appends nodes in topological order (an input must exist before its user)."""

    def __init__(self, max_nodes: int = MAX_NODES):
        self.nodes: list[Node] = []
        self.max_nodes = max_nodes

    def _add(self, **kw) -> int:
        if len(self.nodes) >= self.max_nodes:
            raise GraphError(f"the graph would have more than {self.max_nodes:,} nodes")
        n = Node(id=len(self.nodes), **kw)
        self.nodes.append(n)
        return n.id

    def input(self, name: str, label: str | None = None, role: str = "", group: tuple = ()) -> int:
        return self._add(op="input", inputs=(), label=label or name, name=name, role=role, group=group)

    def const(self, value: float, label: str | None = None, group: tuple = ()) -> int:
        label = label or f"{value:g}".replace("-", "−")
        return self._add(op="const", inputs=(), label=label, param=float(value), role="const", group=group)

    def op(self, op: str, *inputs: int, param: float | None = None, label: str | None = None,
           role: str = "", group: tuple = ()) -> int:
        if op not in OPS:
            raise GraphError(f"unknown operation '{op}'")
        return self._add(op=op, inputs=tuple(inputs), param=param, label=label or OPS[op].symbol, role=role,
                         group=group)

    def graph(self, root: int | None = None) -> Graph:
        return Graph(tuple(self.nodes), len(self.nodes) - 1 if root is None else root)



def to_json(p: Pass, keys: list[str] | None = None) -> dict:
    """The pass as the command line prints it: the value, the gradient of each named leaf (``keys``:
    which ones, default all), and every node in topological order. Non-finite numbers become None."""
    num = lambda v: v if math.isfinite(v) else None  # noqa: E731
    grad = p.gradient()
    nodes = []
    for n in p.graph.nodes:
        d = {"id": n.id, "op": n.op, "inputs": list(n.inputs), "value": num(p.values[n.id]),
             "grad": num(p.grads[n.id]), "label": n.label}
        if n.name is not None:
            d["name"] = n.name
        nodes.append(d)
    return {"value": num(p.value), "gradient": {k: num(grad[k]) for k in (keys if keys is not None else grad)},
            "nodes": nodes}
