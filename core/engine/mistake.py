"""Article 001's point made visible: what goes wrong if the backward pass uses weights that were
already updated. Pure NumPy on a Trace (no Streamlit); the correct numbers stay in the trace.

The mistake: update W^L first, then compute δ^{L−1} = (δ^L W^L_new) ⊙ σ'(z^{L−1}) with the
*new* W^L, update W^{L−1}, and so on down (an in-place loop that updates as it goes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.backprop import Trace, trace


@dataclass(frozen=True)
class Mistake:
    dC_dW: tuple[np.ndarray, ...]  # per layer 2..L, batch mean, as the mistaken loop computes them
    dC_db: tuple[np.ndarray, ...]
    weights_new: tuple[np.ndarray, ...]
    biases_new: tuple[np.ndarray, ...]
    cost_after: float  # cost on the batch after the mistaken update


def updated_weights_by_mistake(t: Trace) -> Mistake:
    """The gradients and update when each layer's δ is propagated through already-updated weights."""
    s = t.scenario
    eta, n_layers = s.learning_rate, len(s.weights)
    dW, db = [None] * n_layers, [None] * n_layers
    W_new, b_new = [None] * n_layers, [None] * n_layers
    delta = np.asarray(t.deltas[-1])  # δ^L does not involve any weight matrix above it
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n_layers - 1, -1, -1):
            dW[i] = delta.T @ t.activations[i] / len(delta) + t.dP_dW[i]  # the penalty's slope at the old W
            db[i] = delta.mean(axis=0)
            W_new[i] = s.weights[i] - eta * dW[i]
            b_new[i] = s.biases[i] - eta * db[i] if s.train_biases else np.array(s.biases[i])
            if i:
                delta = (delta @ W_new[i]) * t.dsigmas[i - 1]  # the mistake: W_new, not s.weights[i]
    after = trace(s.with_params(W_new, b_new)).cost
    return Mistake(tuple(dW), tuple(db), tuple(W_new), tuple(b_new), after)
