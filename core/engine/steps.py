"""The records a student steps through, in teaching order, read from a trace.

``Steps`` is a sequence: ``steps[i]`` builds the i-th frozen record by index arithmetic from
the trace's read-only arrays (nothing is recomputed), so a wide network costs nothing until
a step is looked at.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from core.engine.backprop import Trace


@dataclass(frozen=True, eq=False)
class NeuronStep:
    """Forward: neuron j of layer l, z^l_j = Σ_k w^l_{jk} a^{l−1}_k + b^l_j and a^l_j = σ(z^l_j)."""

    phase: ClassVar[str] = "forward"
    n: int
    l: int
    j: int
    z: float
    a: float


@dataclass(frozen=True, eq=False)
class CostStep:
    """Forward, last: the cost C of example n (with the weight penalty ``penalty`` when l1/l2 > 0)."""

    phase: ClassVar[str] = "forward"
    n: int
    cost: float
    penalty: float = 0.0


@dataclass(frozen=True, eq=False)
class OutputGradStep:
    """Backward, first: ∂C/∂a^L_j, how the cost changes with output j."""

    phase: ClassVar[str] = "backward"
    n: int
    l: int
    j: int
    dC_da: float


@dataclass(frozen=True, eq=False)
class DeltaStep:
    """Backward: δ^l_j = ∂C/∂a^l_j · σ'(z^l_j); ``dsigma`` is None where δ^L = a^L − y directly
    (softmax with cross-entropy); ``dC_da`` below the output is Σ_i w^{l+1}_{ij} δ^{l+1}_i."""

    phase: ClassVar[str] = "backward"
    n: int
    l: int
    j: int
    dC_da: float
    dsigma: float | None
    delta: float


@dataclass(frozen=True, eq=False)
class WeightGradStep:
    """Backward: ∂C/∂w^l_{jk} = a^{l−1}_k δ^l_j + ∂P/∂w for example n; ``dP_dw`` = λ₂ w + λ₁ sign(w)
    is the penalty's part (0 without one), ``w`` the weight."""

    phase: ClassVar[str] = "backward"
    n: int
    l: int
    j: int
    k: int
    a_prev: float
    delta: float
    dC_dw: float
    w: float = 0.0
    dP_dw: float = 0.0


@dataclass(frozen=True, eq=False)
class BiasGradStep:
    """Backward: ∂C/∂b^l_j = δ^l_j for example n."""

    phase: ClassVar[str] = "backward"
    n: int
    l: int
    j: int
    dC_db: float


@dataclass(frozen=True, eq=False)
class UpdateStep:
    """Update: new = old − η · grad, grad the batch-mean gradient at the old weights.
    ``k`` is None for a bias; ``trained`` is False for a bias held fixed (then new = old);
    ``zeroed``: the L1 rule set this weight to exactly 0 (see core.engine.optim.zero_l1)."""

    phase: ClassVar[str] = "update"
    l: int
    j: int
    k: int | None
    old: float
    grad: float
    eta: float
    new: float
    trained: bool
    zeroed: bool = False


class Steps(Sequence):
    """All records of one example of a trace, in the order the app steps through them."""

    def __init__(self, trace: Trace, n: int = 0):
        if not 0 <= n < trace.N:
            raise IndexError(f"example {n} is not in a batch of {trace.N}")
        self.trace, self.n = trace, n
        layers = trace.scenario.layers
        L = len(layers)
        segs: list[tuple[str, int, int]] = []  # (kind, layer l, number of records)
        segs += [("neuron", l, layers[l - 1]) for l in range(2, L + 1)]
        segs += [("cost", L, 1), ("dC_da", L, layers[-1])]
        for l in range(L, 1, -1):
            segs += [("delta", l, layers[l - 1]), ("dC_dw", l, layers[l - 1] * layers[l - 2]),
                     ("dC_db", l, layers[l - 1])]
        for l in range(2, L + 1):
            segs += [("update_w", l, layers[l - 1] * layers[l - 2]), ("update_b", l, layers[l - 1])]
        self._segs = segs
        self._starts = [0]
        for _, _, count in segs:
            self._starts.append(self._starts[-1] + count)

    def __len__(self) -> int:
        return self._starts[-1]

    def phase_start(self, phase: str) -> int:
        """The index of the first record of a phase ('forward', 'backward', 'update')."""
        first = {"forward": "neuron", "backward": "dC_da", "update": "update_w"}[phase]
        return next(s for s, (kind, _, _) in zip(self._starts, self._segs) if kind == first)

    def index_of(self, kind: str, l: int, j: int = 0, k: int | None = None) -> int:
        """The index of a record: ``kind`` is 'neuron', 'cost', 'dC_da', 'delta', 'dC_dw', 'dC_db',
        'update_w' or 'update_b'; (l, j, k) as in the records (k only for 'dC_dw' and 'update_w').
        Raises IndexError for a record the network does not have."""
        layers = self.trace.scenario.layers
        for start, (kind_, l_, _) in zip(self._starts, self._segs):
            if kind_ != kind or (l_ != l and kind != "cost"):
                continue
            if kind == "cost":
                return start
            two = kind in ("dC_dw", "update_w")
            if (k is None) == two or not 0 <= j < layers[l - 1] or (two and not 0 <= k < layers[l - 2]):
                break
            return start + (j * layers[l - 2] + k if two else j)
        raise IndexError(f"no {kind} step for layer {l}, neuron {j}" + ("" if k is None else f", input {k}"))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"step {i} is not in 0..{len(self) - 1}")
        seg = bisect_right(self._starts, i) - 1
        kind, l, _ = self._segs[seg]
        r = i - self._starts[seg]
        t, n = self.trace, self.n
        m = t.scenario.layers[l - 2]
        f = float
        if kind == "neuron":
            return NeuronStep(n, l, r, f(t.zs[l - 2][n, r]), f(t.activations[l - 1][n, r]))
        if kind == "cost":
            return CostStep(n, f(t.costs[n]), t.penalty)
        if kind == "dC_da":
            return OutputGradStep(n, l, r, f(t.dC_das[l - 2][n, r]))
        if kind == "delta":
            ds = t.dsigmas[l - 2]
            return DeltaStep(n, l, r, f(t.dC_das[l - 2][n, r]), None if ds is None else f(ds[n, r]),
                             f(t.deltas[l - 2][n, r]))
        if kind == "dC_dw":
            j, k = divmod(r, m)
            return WeightGradStep(n, l, j, k, f(t.activations[l - 2][n, k]), f(t.deltas[l - 2][n, j]),
                                  f(t.dC_dW_examples[l - 2][n, j, k]), f(t.W(l)[j, k]),
                                  f(t.dP_dW[l - 2][j, k]) if t.dP_dW else 0.0)
        if kind == "dC_db":
            return BiasGradStep(n, l, r, f(t.deltas[l - 2][n, r]))
        s = t.scenario
        if kind == "update_w":
            j, k = divmod(r, m)
            return UpdateStep(l, j, k, f(s.weights[l - 2][j, k]), f(t.dC_dW[l - 2][j, k]), s.learning_rate,
                              f(t.weights_new[l - 2][j, k]), True, bool(t.zeroed and t.zeroed[l - 2][j, k]))
        return UpdateStep(l, r, None, f(s.biases[l - 2][r]), f(t.dC_db[l - 2][r]), s.learning_rate,
                          f(t.biases_new[l - 2][r]), s.train_biases)
