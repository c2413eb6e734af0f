"""The stage's data: what the Forward, Backward and Update screens show at every step, built once
from a trace by pure functions (no Streamlit, no Plotly) and played in the browser
(``app/components/stage``).

``stage(trace, n, screen, view)`` returns plain JSON-able data: the geometry once (neurons and
edges with their positions), the base state of the drawing, and one frame per step holding only
what the step changes — labels and values of the neurons and edges it sets (they stay set
afterwards), the active neurons and edges, the motion (``flow``), the equation cards as MathML
and a text description of the step for screen readers.

The quiz hides values with ``revealed_up_to=(i, q)``: frames 0 … i−1 whole, frame i with only
its first q questions' values (``core.teaching.quiz.questions`` order), and no frame after i, so no value
of a later step is anywhere in the data.
"""

from __future__ import annotations

from app.session.screens import STEPPED
from app.walkthrough.mathml import lines
from app.walkthrough.stepping import count, jump, matrix_layer, phase_range
from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep, WeightGradStep
from core.symbolic import derive
from core.symbolic.notation import compact, positions, sub, sup, weight_name
from core.symbolic.notation import short_number as fmt

SCREENS = STEPPED  # the step screens a stage plays
ALL = 10**9  # "every question of the step"


def geometry(layers) -> dict:
    """Neurons (flat, layer by layer) and edges (w^l_{jk} for l = 2 … L, j, k) with positions."""
    pos = positions(layers)
    offset = [0]
    for m in layers:
        offset.append(offset[-1] + m)
    nodes = [{"l": l, "j": j, "x": x, "y": y, "name": f"neuron {j + 1} of layer {l}"}
             for l, col in enumerate(pos, 1) for j, (x, y) in enumerate(col)]
    edges = []
    for l in range(2, len(layers) + 1):
        few = layers[l - 1] * layers[l - 2] <= 16  # more edges than 4-4: numbers only on the active step
        for j in range(layers[l - 1]):
            for k in range(layers[l - 2]):
                edges.append({"l": l, "j": j, "k": k, "src": offset[l - 2] + k, "dst": offset[l - 1] + j,
                              "name": weight_name(l, j, k), "few": few,
                              "at": 0.3 if layers[l - 2] >= layers[l - 1] else 0.65})
    L = len(layers)
    names = ["input (layer 1)"] + [f"layer {l}" for l in range(2, L)] + [f"output (layer {L} = L)"]
    return {"layers": list(layers), "nodes": nodes, "edges": edges, "layer_names": names,
            "small": compact(layers)}


class _Index:
    def __init__(self, layers):
        self.layers = layers
        self.noff = [0]
        for m in layers:
            self.noff.append(self.noff[-1] + m)
        self.eoff = [0]
        for l in range(2, len(layers) + 1):
            self.eoff.append(self.eoff[-1] + layers[l - 1] * layers[l - 2])

    def node(self, l: int, j: int) -> int:
        return self.noff[l - 1] + j

    def edge(self, l: int, j: int, k: int) -> int:
        return self.eoff[l - 2] + j * self.layers[l - 2] + k


def questions_at(trace, r) -> int:
    """How many numbers the quiz asks at record r (as ``core.teaching.quiz.questions``)."""
    if isinstance(r, NeuronStep):
        return 2
    if isinstance(r, DeltaStep):
        return (r.l < trace.scenario.L) + (r.dsigma is not None) + 1
    return 1


def _card(e, heading: str = "") -> dict:
    return {"h": heading, "s": str(e.sentence),
            "rows": [[list(line) for line in lines(str(x))] for x in (e.symbolic, e.numeric, e.value) if str(x)]}


def chain_key(l: int, j: int, k: int | None) -> str:
    """The key of a chain-rule card: "l,j,k" for w^l_{jk}, "l,j" for the bias b^l_j."""
    return f"{l},{j}" if k is None else f"{l},{j},{k}"


def chain_cards(trace, n: int, keys) -> dict:
    """The chain-rule cards (all the equations from the cost to the parameter) of the given keys."""
    out = {}
    for key in keys:
        l, j, *k = (int(v) for v in key.split(","))
        kk = k[0] if k else None
        out[key] = [_card(e, f"The full chain rule for {weight_name(l, j, kk)}")
                    for e in derive.chain_rule(trace, l, j, kk, n=n)]
    return out


def chain_keys(frames: list[dict]) -> list[str]:
    return [f["chain"] for f in frames if "chain" in f]


def _names(small: bool, l: int, j: int):
    return (lambda q: q) if small else (lambda q: f"{q}{sup(l)}{sub(j + 1)}")


class _Builder:
    """Walks a screen's records, keeping the drawing's current labels, and emits each step's changes."""

    def __init__(self, trace, n: int, screen: str, view: str, cards: bool):
        self.t, self.n, self.screen, self.view, self.cards = trace, n, screen, view, cards
        s = trace.scenario
        self.s, self.layers, self.L = s, s.layers, len(s.layers)
        self.ix = _Index(s.layers)
        self.small = compact(s.layers)
        self.steps = trace.steps(n)
        self.labels: dict[int, list[str]] = {}

    # -- the drawing before the first step --
    def base(self) -> dict:
        t, s, n, ix = self.t, self.s, self.n, self.ix
        nodes = {ix.node(1, k): self._input(k, v) for k, v in enumerate(t.a(1, n))}
        edges = {}
        for l in range(2, self.L + 1):
            W = s.weights[l - 2]
            for j in range(self.layers[l - 1]):
                for k in range(self.layers[l - 2]):
                    w = float(W[j, k])
                    name = weight_name(l, j, k)
                    if self.screen == "backward":
                        edges[ix.edge(l, j, k)] = [None, "", f"{name} = {fmt(w, 6)}"]
                    else:
                        edges[ix.edge(l, j, k)] = [w, fmt(w), f"{name} = {fmt(w, 6)}"]
            if self.screen == "update":
                for j, b in enumerate(s.biases[l - 2]):
                    nodes[ix.node(l, j)] = f"b={fmt(b, 3)}" if self.small else f"b{sup(l)}{sub(j + 1)} = {fmt(b)}"
        for i, lab in nodes.items():
            self.labels[i] = [lab]
        return {"nodes": {str(i): v for i, v in nodes.items()}, "edges": {str(i): v for i, v in edges.items()},
                "value_name": {"forward": "weight", "backward": "∂C/∂w", "update": "weight"}[self.screen]}

    def _input(self, k: int, v: float) -> str:
        return f"x={fmt(v, 3)}" if self.small else f"a{sup(1)}{sub(k + 1)} = x{sub(k + 1)} = {fmt(v)}"

    def _set(self, frame: dict, l: int, j: int, line: str, replace: bool = False) -> None:
        i = self.ix.node(l, j)
        have = [] if replace else self.labels.get(i, [])
        self.labels[i] = (have + [line])[-1:] if self.small else have + [line]
        frame["nodes"][str(i)] = "<br>".join(self.labels[i])

    def frame(self, r, shown: int) -> dict:
        """The changes of record r with its first ``shown`` questions revealed."""
        f = {"nodes": {}, "edges": {}, "active_nodes": [], "active_edges": [], "flow": [], "cards": [],
             "desc": ""}
        getattr(self, "_" + type(r).__name__)(f, r, shown)
        if self.cards and shown >= ALL:
            f["cards"].append(_card(derive.step_equation(self.t, r)))
        if isinstance(r, (WeightGradStep, BiasGradStep)) and r.l < self.L:
            f["chain"] = chain_key(r.l, r.j, r.k if isinstance(r, WeightGradStep) else None)
        return f

    # -- one method per kind of record --
    def _NeuronStep(self, f, r: NeuronStep, shown: int) -> None:
        ix, l, j, t, n = self.ix, r.l, r.j, self.t, self.n
        nm = _names(self.small, l, j)
        f["active_nodes"] = [ix.node(l, j)]
        W, a_prev = self.s.weights[l - 2][j], t.a(l - 1, n)
        f["active_edges"] = [ix.edge(l, j, k) for k in range(self.layers[l - 2])]
        f["flow"] = [[ix.edge(l, j, k), 1, f"{fmt(float(W[k]) * float(a_prev[k]), 3)}"]
                     for k in range(self.layers[l - 2])]
        parts = []
        if shown >= 1 and not self.small:
            parts.append(f"{nm('z')} = {fmt(r.z)}")
        if shown >= 2:
            parts.append(f"a={fmt(r.a, 3)}" if self.small else f"{nm('a')} = {fmt(r.a)}")
        if parts:
            self.labels[ix.node(l, j)] = parts
            f["nodes"][str(ix.node(l, j))] = "<br>".join(parts)
        elif shown >= 1 and self.small:
            pass
        vals = "; ".join(p.replace("<br>", "; ") for p in parts)
        f["desc"] = (f"Neuron {j + 1} of layer {l} weighs its {self.layers[l - 2]} inputs and adds its bias"
                     + (f": {vals}." if vals else "; its values are still hidden."))

    def _CostStep(self, f, r: CostStep, shown: int) -> None:
        L, ix = self.L, self.ix  # the targets y are in the card's equation, not on the drawing
        f["desc"] = "The cost compares the outputs with their targets" + (
            f": C = {fmt(r.cost)}." if shown >= 1 else "; its value is still hidden.")
        f["active_nodes"] = [ix.node(L, j) for j in range(self.layers[-1])]

    def _OutputGradStep(self, f, r: OutputGradStep, shown: int) -> None:
        f["active_nodes"] = [self.ix.node(r.l, r.j)]
        if shown >= 1:
            self._set(f, r.l, r.j, f"∂C/∂a{sup(r.l)}{sub(r.j + 1)} = {fmt(r.dC_da)}", replace=True)
        f["desc"] = f"How the cost changes with output {r.j + 1}" + (
            f": ∂C/∂a = {fmt(r.dC_da)}." if shown >= 1 else "; the value is still hidden.")

    def _DeltaStep(self, f, r: DeltaStep, shown: int) -> None:
        ix, l, j, n = self.ix, r.l, r.j, self.n
        f["active_nodes"] = [ix.node(l, j)]
        if l < self.L:  # δ^l_j gathers δ^{l+1} back along its outgoing edges
            f["active_edges"] = [ix.edge(l + 1, i, j) for i in range(self.layers[l])]
            W, dn = self.s.weights[l - 1][:, j], self.t.delta(l + 1, n)
            f["flow"] = [[ix.edge(l + 1, i, j), -1, fmt(float(W[i]) * float(dn[i]), 3)] for i in range(self.layers[l])]
        done = shown >= questions_at(self.t, r)
        if done:
            self._set(f, l, j, f"δ={fmt(r.delta, 3)}" if self.small else f"δ{sup(l)}{sub(j + 1)} = {fmt(r.delta)}",
                      replace=l < self.L)
        f["desc"] = f"The error δ of neuron {j + 1} in layer {l}" + (
            f": δ = {fmt(r.delta)}." if done else "; its value is still hidden.")

    def _WeightGradStep(self, f, r: WeightGradStep, shown: int) -> None:
        ix = self.ix
        e = ix.edge(r.l, r.j, r.k)
        f["active_nodes"] = [ix.node(r.l, r.j), ix.node(r.l - 1, r.k)]
        f["active_edges"] = [e]
        f["flow"] = [[e, 0, f"a={fmt(r.a_prev, 3)}", f"δ={fmt(r.delta, 3)}"]]
        name = weight_name(r.l, r.j, r.k)
        w = fmt(float(self.s.weights[r.l - 2][r.j, r.k]), 6)
        if shown >= 1:
            f["edges"][str(e)] = [r.dC_dw, fmt(r.dC_dw), f"{name} = {w}, ∂C/∂w = {fmt(r.dC_dw, 6)}"]
        f["desc"] = f"The gradient of {name} is its input a times the error δ at its end" + (
            f": ∂C/∂w = {fmt(r.dC_dw)}." if shown >= 1 else "; the value is still hidden.")

    def _BiasGradStep(self, f, r: BiasGradStep, shown: int) -> None:
        f["active_nodes"] = [self.ix.node(r.l, r.j)]
        f["desc"] = f"The gradient of the bias {weight_name(r.l, r.j, None)} is the neuron's δ" + (
            f": ∂C/∂b = {fmt(r.dC_db)}." if shown >= 1 else "; the value is still hidden.")

    def _UpdateStep(self, f, r: UpdateStep, shown: int) -> None:
        ix, name = self.ix, weight_name(r.l, r.j, r.k)
        if r.k is None:
            f["active_nodes"] = [ix.node(r.l, r.j)]
            if shown >= 1:
                self._set(f, r.l, r.j, f"b={fmt(r.new, 3)}" if self.small else f"{name}: {fmt(r.old)} → {fmt(r.new)}",
                          replace=True)
        else:
            e = ix.edge(r.l, r.j, r.k)
            f["active_nodes"] = [ix.node(r.l, r.j), ix.node(r.l - 1, r.k)]
            f["active_edges"] = [e]
            if shown >= 1:
                f["edges"][str(e)] = [r.new, fmt(r.new), f"{name}: {fmt(r.old, 6)} → {fmt(r.new, 6)}"]
                f["flow"] = [[e, 2, r.old, r.new]]
        f["desc"] = f"{name} moves against its gradient" + (
            f": {fmt(r.old)} → {fmt(r.new)}." if shown >= 1 else "; its new value is still hidden.")

    # -- the matrix view: one layer per step --
    def matrix_frame(self, m: int) -> dict:
        ix, t, n, L = self.ix, self.t, self.n, self.L
        f = {"nodes": {}, "edges": {}, "active_nodes": [], "active_edges": [], "flow": [], "cards": [], "desc": ""}
        l = matrix_layer(L, self.screen, m)
        if l is None:  # the forward pass's cost
            return self.frame(self.steps[phase_range(self.steps, "forward")[1] - 1], ALL)
        f["active_nodes"] = [ix.node(l, j) for j in range(self.layers[l - 1])]
        for j in range(self.layers[l - 1]):
            if self.screen == "forward":
                r = self.steps[self.steps.index_of("neuron", l, j)]
                self._NeuronStep({"nodes": f["nodes"], "active_nodes": [], "active_edges": [], "flow": []}, r, ALL)
            else:
                if l == L:
                    self._set(f, l, j, f"∂C/∂a{sup(L)}{sub(j + 1)} = {fmt(float(t.dC_das[L - 2][n][j]))}", True)
                d = float(t.delta(l, n)[j])
                self._set(f, l, j, f"δ={fmt(d, 3)}" if self.small else f"δ{sup(l)}{sub(j + 1)} = {fmt(d)}", l < L)
                G = t.dC_dW_examples[l - 2][n]
                W = self.s.weights[l - 2]
                for k in range(self.layers[l - 2]):
                    g = float(G[j, k])
                    f["edges"][str(ix.edge(l, j, k))] = [g, fmt(g), f"{weight_name(l, j, k)} = {fmt(float(W[j, k]), 6)}"
                                                                   f", ∂C/∂w = {fmt(g, 6)}"]
        if self.cards:
            f["cards"] = [_card(e) for e in derive.matrix_equations(t, l, self.screen, n=n, digits=4)]
        f["desc"] = f"Layer {l} in matrix form: " + ("z and a of every neuron." if self.screen == "forward"
                                                      else "δ of every neuron and ∂C/∂w of every weight into it.")
        return f


def stage(trace, n: int, screen: str, view: str = "neuron", revealed_up_to: tuple[int, int] | None = None,
          cards: bool = True) -> dict:
    """Everything a step screen shows at each of its steps (see the module docstring)."""
    if screen not in SCREENS:
        raise ValueError(f"screen must be one of {SCREENS}, not {screen!r}")
    view = "neuron" if screen == "update" or revealed_up_to is not None else view
    b = _Builder(trace, n, screen, view, cards)
    base = b.base()
    steps = b.steps
    a0 = phase_range(steps, screen)[0]
    total = count(steps, screen, view)
    last, q = (total - 1, ALL) if revealed_up_to is None else (min(revealed_up_to[0], total - 1), revealed_up_to[1])
    frames = []
    for i in range(last + 1):
        if view == "matrix":
            frames.append(b.matrix_frame(i))
        else:
            frames.append(b.frame(steps[a0 + i], ALL if i < last else q))
    jumps = {}
    if revealed_up_to is None:
        for node in geometry(b.layers)["nodes"]:
            g = jump(steps, screen, view, (node["l"], node["j"]))
            if g is not None:
                jumps[f"{node['l']},{node['j']}"] = g - a0 if screen == "update" else g
        if screen != "forward" or view == "neuron":
            for l in range(2, b.L + 1):
                for j in range(b.layers[l - 1]):
                    for k in range(b.layers[l - 2]):
                        g = jump(steps, screen, view, (l, j, k))
                        jumps[f"{l},{j},{k}"] = g - a0 if screen == "update" else g
    return {"screen": screen, "view": view, "count": total, "geometry": geometry(b.layers), "base": base,
            "frames": frames, "jumps": jumps}
