"""What the graph view shows at a step: which nodes, where, and the step's sentences. Pure functions
of a ``core.symbolic.graph.Pass`` (no Streamlit, no Plotly); every number comes from the graph's own pass.

Forward step i computes the i-th operation node (inputs first); backward step i is the i-th node
from the output back, passing upstream × local = downstream to each of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.symbolic.graph import LEAVES, OPS, Pass
from core.symbolic.notation import short_number as _fmt


def fmt(v: float) -> str:
    """Numbers in the step's sentences: six significant figures."""
    return _fmt(v, 6)


MAX_WHOLE_WEIGHTS = 12  # a network with more weights shows one neuron's graph (or the cost's) at a time

LOCAL = {  # the local gradient ∂out/∂input of each operation, in words
    "add": "1 for every input", "sub": "1 for the first input, −1 for the second", "mul": "the other input",
    "div": "1/b for a, −a/b² for b", "neg": "−1", "scale": "the constant factor", "recip": "−1/x²",
    "pow": "p·x^(p−1)", "powv": "b·a^(b−1) for a, a^b·ln a for b", "exp": "exp(x), the node's own value",
    "log": "1/x", "sqrt": "1/(2√x)", "abs": "sign(x)", "tanh": "1 − tanh², from the node's value",
    "sinh": "cosh(x)", "cosh": "sinh(x)", "sin": "cos(x)", "cos": "−sin(x)", "atan": "1/(1 + x²)",
    "erf": "2/√π·exp(−x²)", "sign": "0 (a step)", "heaviside": "0 (a step)",
    "sigmoid": "σ(1 − σ) = a(1 − a), from the node's value", "identity": "1",
    "leaky_relu": "1 if its input > 0, else the slope", "max": "1 for the winner, 0 for the others",
    "min": "1 for the smallest, 0 for the others", "softmax": "a_j(δ_ij − a_i)",
}


@dataclass(frozen=True)
class View:
    """The nodes drawn (``shown``), the operation nodes stepped through (``steps``, forward order),
    the nodes drawn as inputs from outside (``boundary``: their gradient is not complete here), and
    each drawn node's (column, row)."""

    p: Pass
    shown: tuple[int, ...]
    steps: tuple[int, ...]
    boundary: frozenset[int]
    pos: dict[int, tuple[int, float]]


def whole(weights: int) -> bool:
    """Draw the whole network as one graph (else one neuron's graph at a time)."""
    return weights <= MAX_WHOLE_WEIGHTS


def groups(p: Pass) -> list[tuple]:
    """The neurons (l, j) of a network graph, in order, then ("cost",)."""
    out: list[tuple] = []
    for n in p.graph.nodes:
        if n.group and n.group[0] != 1 and n.group not in out and n.op not in LEAVES:
            out.append(n.group)
    return sorted(out, key=lambda g: (g == ("cost",), g))


def view(p: Pass, group: tuple | None = None) -> View:
    """The whole graph, or one group's nodes (a neuron's or the cost's) with their inputs from outside."""
    nodes = p.graph.nodes
    if group is None:
        shown = [n.id for n in nodes]
        boundary: set[int] = set()
    else:
        mine = {n.id for n in nodes if n.group == group}
        boundary = {u for v in mine for u in nodes[v].inputs if u not in mine}
        shown = sorted(mine | boundary)
    steps = tuple(v for v in shown if nodes[v].op not in LEAVES and v not in boundary)
    return View(p, tuple(shown), steps, frozenset(boundary), layout(p, shown, boundary))


def layout(p: Pass, shown, boundary=frozenset()) -> dict[int, tuple[int, float]]:
    """Layered left to right: an operation one column right of its latest input, a leaf (or an input
    from outside) one column left of its first user; rows ordered by the mean row of the neighbours."""
    nodes, S = p.graph.nodes, set(shown)
    ins = {v: [u for u in nodes[v].inputs if u in S] if v not in boundary else [] for v in shown}
    users: dict[int, list[int]] = {v: [] for v in shown}
    for v in shown:
        for u in ins[v]:
            users[u].append(v)
    col: dict[int, int] = {}
    for v in shown:  # topological order
        col[v] = 1 + max(col[u] for u in ins[v]) if ins[v] else 0
    for v in shown:
        if not ins[v] and users[v]:
            col[v] = max(0, min(col[w] for w in users[v]) - 1)
    shift = min(col.values(), default=0)
    columns: dict[int, list[int]] = {}
    for v in shown:
        columns.setdefault(col[v] - shift, []).append(v)
    row = {}
    for vs in columns.values():
        for r, v in enumerate(vs):
            row[v] = r - (len(vs) - 1) / 2
    for _ in range(6):  # barycentre sweeps: each node towards the mean row of its neighbours
        for c in sorted(columns):
            vs = columns[c]
            key = {v: (sum(row[w] for w in ins[v] + users[v]) / len(ins[v] + users[v]) if ins[v] + users[v]
                       else row[v], v) for v in vs}
            vs.sort(key=key.get)
            for r, v in enumerate(vs):
                row[v] = r - (len(vs) - 1) / 2
    return {v: (col[v] - shift, -row[v]) for v in shown}


NAMED = ("z", "a", "cost", "product")
FUNCTION_FORM = ("add", "sub", "mul", "div", "neg", "scale", "recip", "pow", "powv")  # infix; the rest f(x)


def name(p: Pass, v: int) -> str:
    """How the text names node v: its maths name (x₁, w²₁₁, z²₁, a²₁, C) or variable, else what it
    computes from its inputs (w²₁₁·x₁, a³₁ − y₁, x + y) when that is short, else #id and its op."""
    return _names(p)[v]


_NAMES: dict[int, tuple[Pass, list[str]]] = {}  # id(pass) -> (pass, every node's name): built once per pass


def _names(p: Pass) -> list[str]:
    hit = _NAMES.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]
    out: list[str] = []
    _NAMES[id(p)] = (p, out)
    for n in p.graph.nodes:  # inputs first, so each name is built from its inputs' names
        if n.op in LEAVES or n.role in ("z", "a", "cost"):
            out.append(n.label)
        elif n.role == "product":
            out.append("·".join(out[u] for u in n.inputs))
        else:
            text = _formula(p, n.id)[0]
            out.append(text if len(text) <= 28 else f"#{n.id} {n.label}")
    while len(_NAMES) > 16:
        _NAMES.pop(next(iter(_NAMES)))
    return out


def numbered(p: Pass, v: int) -> bool:
    """Whether the text names node v by its number (so the drawing writes #v above it)."""
    return name(p, v).startswith("#")


def _inner(p: Pass, u: int) -> str:
    """An input's name inside an infix formula, bracketed when it is itself an infix formula."""
    n, s = p.graph.nodes[u], name(p, u)
    infix = n.op in FUNCTION_FORM and not (n.role in NAMED or s.startswith("#"))
    return f"({s})" if infix else s


def _num(x: float) -> str:
    return f"({fmt(x)})" if x < 0 else fmt(x)


def _formula(p: Pass, v: int) -> tuple[str, str]:
    """The operation written with its inputs' names and with their numbers."""
    n = p.graph.nodes[v]
    infix = n.op in FUNCTION_FORM
    names = [_inner(p, u) if infix else name(p, u) for u in n.inputs]
    nums = [_num(p.values[u]) if infix else fmt(p.values[u]) for u in n.inputs]
    c = fmt(n.param) if n.param is not None else ""
    forms = {
        "add": lambda a: " + ".join(a), "sub": lambda a: f"{a[0]} − {a[1]}", "mul": lambda a: f"{a[0]} × {a[1]}",
        "div": lambda a: f"{a[0]} ÷ {a[1]}", "neg": lambda a: f"−{a[0]}", "scale": lambda a: f"{c} × {a[0]}",
        "recip": lambda a: f"1 / {a[0]}", "pow": lambda a: f"{a[0]}^{c}", "powv": lambda a: f"{a[0]}^{a[1]}",
        "softmax": lambda a: f"softmax_{int(n.param) + 1}({', '.join(a)})",
    }
    f = forms.get(n.op, lambda a: f"{OPS[n.op].symbol}({', '.join(a)})")
    return f(names), f(nums)


def forward_text(p: Pass, v: int) -> str:
    """Forward step at node v: what it computes, with the numbers and the value."""
    symbols, numbers = _formula(p, v)
    head = name(p, v)
    head = "" if head == symbols else f"{head} = "
    return f"{head}{symbols} = {numbers} = {fmt(p.values[v])}"


def backward_lines(p: Pass, v: int) -> list[str]:
    """Backward step at node v: its upstream gradient, then upstream × local = downstream per input."""
    n = p.graph.nodes[v]
    up = p.grads[v]
    head = (f"{name(p, v)} is the output: its gradient is 1." if v == p.graph.root else
            f"{name(p, v)} has received its gradient from the nodes it feeds (summed): upstream = {fmt(up)}.")
    lines = [head, f"Local gradient of {OPS[n.op].symbol}: {LOCAL[n.op]}."]
    if OPS[n.op].gate:
        lines.append(f"Pattern — the {OPS[n.op].gate}.")
    for u, upstream, local, down in p.downstream(v):
        lines.append(f"to {name(p, u)}: upstream × local = {_num(upstream)} × {_num(local)} = {fmt(down)}")
    return lines


def link_text(p: Pass, v: int) -> str | None:
    """For a network graph: how this node's gradient is the Neuron view's δ or ∂C/∂w."""
    n = p.graph.nodes[v]
    if n.role == "z":
        l, j = n.group
        return (f"The gradient at this sum node, {fmt(p.grads[v])}, is δ{n.label[1:]} = ∂C/∂{n.label}: the "
                f"Neuron view's δ step for neuron {j + 1} of layer {l} shows the same number.")
    if n.role == "product":
        w = [u for u in n.inputs if p.graph.nodes[u].role == "w"]
        if w:
            wn = p.graph.nodes[w[0]].label
            return (f"What reaches {wn} along its edge, {fmt(p.grads[w[0]])}, is ∂C/∂{wn} (this example's): the "
                    f"Neuron view's ∂C/∂w step for {wn} shows the same number.")
    return None


def state(vw: View, phase: str, i: int) -> tuple[int, set[int], set[int]]:
    """At step i of ``phase``: the active node, the nodes whose value is shown, and those whose
    gradient is shown (backward: complete once every user drawn here has passed its gradient back)."""
    steps = vw.steps
    if phase == "forward":
        active = steps[i]
        done = set(steps[: i + 1]) | {v for v in vw.shown if v not in steps}
        return active, done, set()
    order = steps[::-1]
    active = order[i]
    passed = set(order[: i + 1])
    nodes = vw.p.graph.nodes
    users: dict[int, list[int]] = {v: [] for v in vw.shown}
    for v in vw.shown:
        for u in nodes[v].inputs:
            if u in users and v not in vw.boundary:
                users[u].append(v)
    known = passed | {v for v in vw.shown if v not in vw.boundary and users[v] and all(w in passed for w in users[v])}
    return active, set(vw.shown), known
