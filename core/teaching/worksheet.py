"""Worksheets: a small random network from a seed, with a blank for every value of one training
step, and the matching answer key (every answer, then the worked-example handout).

The network comes from ``numpy.random.default_rng(seed)`` within what the teacher allows
(``Allowed``), with two-decimal numbers, so the same seed always gives the same sheet, byte for
byte, and each student of a class can get another seed. Rendering: Markdown (``$…$`` LaTeX, the
drawing as a data-URI SVG) and a printable self-contained HTML page (``core.teaching.printable``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from core.engine.activations import ACTIVATIONS
from core.engine.backprop import Trace, trace
from core.engine.costs import COSTS, check_pairing
from core.engine.scenario import Scenario, parse_scenario
from core.symbolic.latex import activation_derivative_latex, dfrac, pmatrix, sym
from core.teaching.explain import explain
from core.teaching.svg import data_uri, network_svg

HIDDEN_CHOICES = tuple(n for n, a in ACTIVATIONS.items() if not a.output_only)
ETAS = (0.1, 0.2, 0.25, 0.5, 1.0)
KINKED = tuple(n for n, a in ACTIVATIONS.items() if a.kink)  # a sheet keeps every z of these ≥ 0.01 from the kink
ANSWER_DIGITS = 6  # significant figures in the answer key (the sheet asks for 4)
LIMITS = {"inputs": 4, "hidden_layers": 3, "hidden_neurons": 4, "outputs": 3}  # a sheet stays hand-sized


@dataclass(frozen=True)
class Allowed:
    """What the teacher allows: activations (hidden and output), cost families and size bounds
    (inclusive). ``bce`` brings its sigmoid output and ``cross_entropy`` its softmax output."""

    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu", "linear")
    costs: tuple[str, ...] = ("mse",)
    inputs: tuple[int, int] = (1, 3)
    hidden_layers: tuple[int, int] = (0, 2)
    hidden_neurons: tuple[int, int] = (1, 3)
    outputs: tuple[int, int] = (1, 2)

    def pairs(self) -> list[tuple[str, str]]:
        """The (cost, output activation) pairs these choices allow, by core.engine.costs' pairing rules."""
        out = []
        for c in self.costs:
            extra = {"bce": ("sigmoid",), "cross_entropy": ("softmax",)}.get(c, ())
            for a in dict.fromkeys(tuple(self.activations) + extra):
                fits = c != "cross_entropy" or self.outputs[1] >= 2  # softmax of one output is always 1
                if fits and check_pairing(COSTS[c], ACTIVATIONS[a]) is None:
                    out.append((c, a))
        return out

    def check(self) -> None:
        """Raise ValueError saying what is wrong with these choices and how to fix it."""
        bad = [a for a in self.activations if a not in ACTIVATIONS]
        if bad:
            raise ValueError(f"activations: unknown '{bad[0]}'; choose from {', '.join(ACTIVATIONS)}")
        bad = [c for c in self.costs if c not in COSTS]
        if bad:
            raise ValueError(f"costs: unknown '{bad[0]}'; choose from {', '.join(COSTS)}")
        for name, (lo, hi) in (("inputs", self.inputs), ("hidden_layers", self.hidden_layers),
                               ("hidden_neurons", self.hidden_neurons), ("outputs", self.outputs)):
            least = 0 if name == "hidden_layers" else 1
            if not (isinstance(lo, int) and isinstance(hi, int) and least <= lo <= hi <= LIMITS[name]):
                raise ValueError(f"{name}: expected {least} ≤ smallest ≤ largest ≤ {LIMITS[name]}, found {lo}–{hi}")
        if self.hidden_layers[1] > 0 and not any(a in HIDDEN_CHOICES for a in self.activations):
            raise ValueError("activations: hidden layers need one of " + ", ".join(HIDDEN_CHOICES)
                             + " (softmax is for the output only); allow one, or no hidden layers")
        if not self.costs:
            raise ValueError("costs: allow at least one cost (mse, bce or cross_entropy)")
        if not self.pairs():
            raise ValueError("no cost fits the allowed output activations: mse needs one of "
                             + ", ".join(HIDDEN_CHOICES) + "; cross_entropy needs at least 2 outputs")


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def _target(rng: np.random.Generator, cost: str, out: str, n: int) -> list[float]:
    if cost == "bce":
        return [float(v) for v in rng.integers(0, 2, n)]
    if cost == "cross_entropy":
        y = [0.0] * n
        y[int(rng.integers(n))] = 1.0
        return y
    lo = 0.0 if out in ("sigmoid", "relu") else -1.0
    return _round(rng.uniform(lo, 1.0, n)).tolist()


def _round(a: np.ndarray) -> np.ndarray:
    return np.round(a, 2) + 0.0  # two decimals, and no −0


def worksheet_scenario(seed: int, allowed: Allowed | None = None) -> Scenario:
    """The sheet's network, drawn from ``default_rng(seed)`` within ``allowed``: sizes, activations,
    a cost that fits the output, and two-decimal x, y, W, b; one example; η from ``ETAS``."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed: expected a whole number from 0 to 4294967295, found {seed!r}")
    allowed = allowed or Allowed()
    allowed.check()
    rng = np.random.default_rng(seed)
    span = lambda lo_hi: int(rng.integers(lo_hi[0], lo_hi[1] + 1))  # noqa: E731
    n_in, hidden = span(allowed.inputs), span(allowed.hidden_layers)
    sizes = [span(allowed.hidden_neurons) for _ in range(hidden)]
    hidden_acts = [a for a in allowed.activations if a in HIDDEN_CHOICES]
    acts = [_pick(rng, hidden_acts) for _ in range(hidden)]
    cost, out = _pick(rng, allowed.pairs())
    lo, hi = allowed.outputs
    n_out = span((max(lo, 2), hi) if cost == "cross_entropy" else (lo, hi))
    eta = _pick(rng, ETAS)
    layers = [n_in, *sizes, n_out]
    acts.append(out)
    for _ in range(100):  # redraw the numbers until no kinked activation sits at its kink
        x = _round(rng.uniform(-1, 1, n_in))
        Ws = [_round(rng.uniform(-1, 1, (n, m))) for m, n in zip(layers[:-1], layers[1:])]
        bs = [_round(rng.uniform(-0.5, 0.5, n)) for n in layers[1:]]
        a, ok = x, True
        for W, b, name in zip(Ws, bs, acts):
            z = W @ a + b
            ok &= name not in KINKED or bool(np.all(np.abs(z) >= 0.01))
            a = ACTIVATIONS[name].output(z)
        if ok:
            break
    y = _target(rng, cost, out, n_out)
    return parse_scenario({
        "name": f"Worksheet {seed}", "layers": layers, "activations": acts, "loss": cost,
        "weights": [W.tolist() for W in Ws], "biases": [b.tolist() for b in bs], "x": x.tolist(), "y": y,
        "learning_rate": eta, "train_biases": True})


@dataclass(frozen=True)
class Blank:
    """One value to work out: its phase, quantity (z, a, C, delta, dC_dW, dC_db, W_new, b_new), layer l,
    neurons j and k (0-based; None where they do not apply), its LaTeX label and its value."""

    number: int
    phase: str
    quantity: str
    l: int | None
    j: int | None
    k: int | None
    label: str
    value: float


def blanks(t: Trace) -> tuple[Blank, ...]:
    """Every value of one step of example 1, in teaching order."""
    L, rows = t.scenario.L, []
    add = lambda *r: rows.append(Blank(len(rows) + 1, *r))  # noqa: E731
    for l in range(2, L + 1):
        for j in range(t.scenario.layers[l - 1]):
            add("forward", "z", l, j, None, sym("z", l, j), float(t.z(l)[j]))
            add("forward", "a", l, j, None, sym("a", l, j), float(t.a(l)[j]))
    add("cost", "C", None, None, None, "C", float(t.costs[0]))
    for l in range(L, 1, -1):
        n, m = t.scenario.layers[l - 1], t.scenario.layers[l - 2]
        for j in range(n):
            add("backward", "delta", l, j, None, sym(r"\delta", l, j), float(t.delta(l)[j]))
        for j in range(n):
            for k in range(m):
                add("backward", "dC_dW", l, j, k, dfrac("C", sym("w", l, j, k)), float(t.dC_dW[l - 2][j, k]))
        for j in range(n):
            add("backward", "dC_db", l, j, None, dfrac("C", sym("b", l, j)), float(t.dC_db[l - 2][j]))
    for l in range(2, L + 1):
        n, m = t.scenario.layers[l - 1], t.scenario.layers[l - 2]
        for j in range(n):
            for k in range(m):
                add("update", "W_new", l, j, k, sym("w", l, j, k) + r"\ \text{new}", float(t.weights_new[l - 2][j, k]))
        for j in range(n):
            add("update", "b_new", l, j, None, sym("b", l, j) + r"\ \text{new}", float(t.biases_new[l - 2][j]))
    return tuple(rows)


PHASES = {"forward": "1. The forward pass", "cost": "2. The cost", "backward": "3. The backward pass",
          "update": "4. The update"}


def _answer(v: float) -> str:
    s = f"{v:.{ANSWER_DIGITS}g}"
    return "0" if s == "-0" else s


@dataclass(frozen=True, eq=False)
class Worksheet:
    """A worksheet and its answer key, from one seed."""

    seed: int
    scenario: Scenario
    trace: Trace = field(repr=False)
    blanks: tuple[Blank, ...] = field(repr=False)

    @cached_property
    def svg(self) -> str:
        s = self.scenario
        return network_svg(s.layers, s.weights, s.biases, digits=2)

    def _given(self) -> list[str]:
        s, L = self.scenario, self.scenario.L
        out = [f"![The network {'-'.join(map(str, s.layers))}: weights on the edges, biases under the neurons]"
               f"({data_uri(self.svg)})", "",
               f"Layers {' → '.join(map(str, s.layers))}: layer 1 is the input, layer {L} the output. "
               "$w^{l}_{jk}$ joins neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$; "
               r"$\delta^{l}_{j} = \partial C / \partial z^{l}_{j}$.", ""]
        for l, name in zip(range(2, L + 1), s.activations):
            sig, dsig = activation_derivative_latex(name)
            out += [f"Layer {l} activation `{name}`: ${sig}$, ${dsig}$", ""]
        out += [f"Cost `{s.loss}`: ${s.cost.tex.replace('{L}', f'{{{L}}}')}$", "",
                f"Input $x = a^{{1}} = {pmatrix(s.x[0], 2)}$, target $y = {pmatrix(s.y[0], 2)}$, learning rate "
                f"$\\eta = {s.learning_rate:g}$; the biases are updated too.", ""]
        out += [f"$$W^{{{l}}} = {pmatrix(s.weights[l - 2], 2)}, \\qquad b^{{{l}}} = {pmatrix(s.biases[l - 2], 2)}$$"
                for l in range(2, L + 1)]
        return out

    def markdown(self) -> str:
        """The worksheet: the network, its numbers, and a blank for every value."""
        out = [f"# Backpropagation worksheet {self.seed}", "",
               "Name: ______________________ Date: ____________", "",
               "Work out one training step of this network by hand: the forward pass, the cost, the backward "
               "pass and the update. Give each answer to 4 significant figures. Every gradient uses the weights "
               "from *before* the update.", "", "## The network", ""] + self._given() + [""]
        for phase, title in PHASES.items():
            out += [f"## {title}", "", "| # | value | your answer |", "|---|---|---|"]
            out += [f"| {b.number} | ${b.label}$ |  |" for b in self.blanks if b.phase == phase]
            out.append("")
        return "\n".join(out).rstrip() + "\n"

    def key_markdown(self) -> str:
        """The answer key: every answer in a table, then the worked example step by step."""
        out = [f"# Answer key: backpropagation worksheet {self.seed}", "",
               f"Every answer to {ANSWER_DIGITS} significant figures (the sheet asks for 4); the worked "
               "example below shows how each one is found.", ""]
        for phase, title in PHASES.items():
            out += [f"## {title}", "", "| # | value | answer |", "|---|---|---|"]
            out += [f"| {b.number} | ${b.label}$ | {_answer(b.value)} |" for b in self.blanks if b.phase == phase]
            out.append("")
        handout = explain(self.scenario, digits=ANSWER_DIGITS, article=False).split("\n", 1)[1]
        out += ["# The worked example", ""]
        out += [("#" + line) if line.startswith("#") else line for line in handout.splitlines()]
        return "\n".join(out).rstrip() + "\n"

    def html(self, part: str = "both") -> str:
        """A printable self-contained HTML page: ``worksheet``, ``key``, or ``both`` (the key on a new page)."""
        from core.teaching.printable import html_page

        parts = {"worksheet": [self.markdown()], "key": [self.key_markdown()],
                 "both": [self.markdown(), self.key_markdown()]}
        if part not in parts:
            raise ValueError(f"part: expected worksheet, key or both, found {part!r}")
        title = f"Backpropagation worksheet {self.seed}" + (": answer key" if part == "key" else "")
        return html_page(title, parts[part])


def worksheet(seed: int, allowed: Allowed | None = None) -> Worksheet:
    """The worksheet of ``seed`` within ``allowed`` (the defaults when None)."""
    s = worksheet_scenario(seed, allowed)
    t = trace(s)
    return Worksheet(seed, s, t, blanks(t))


def batch_zip(seeds, allowed: Allowed | None = None, progress=None) -> bytes:
    """A zip of ``worksheet_<seed>.html`` and ``worksheet_<seed>_key.html`` for each seed (the same
    bytes for the same seeds: fixed file dates). ``progress(i)`` is called after the i-th sheet."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, seed in enumerate(seeds, 1):
            ws = worksheet(int(seed), allowed)
            for name, part in ((f"worksheet_{seed}.html", "worksheet"), (f"worksheet_{seed}_key.html", "key")):
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
                z.writestr(info, ws.html(part))
            if progress is not None:
                progress(i)
    return buf.getvalue()
