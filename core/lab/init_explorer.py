"""Initialization and depth: how the starting weights decide whether a deep network can learn.

A network of ``depth`` layers (input included), every layer ``width`` neurons wide and one
linear output, on N(0, 1) inputs and targets. Before any training we measure, layer by layer,
the spread (standard deviation) of the activations a^l and the size of the gradient
‖∂C/∂W^l‖ (root mean square over its entries): shrinking from the output down is a vanishing
gradient, growing an exploding one. With all-zero weights every neuron of a hidden layer
computes the same thing and gets the same gradient, so the rows of W^l stay identical:
``identical_rows`` finds them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.backprop import forward, loss_and_gradients
from core.engine.scenario import load_scenario

INITS = {
    "zeros": "all weights 0",
    "small": "too small: normal, sd 0.01",
    "large": "too large: normal, sd 1",
    "xavier": "Xavier/Glorot: uniform ±√(6/(n_in + n_out))",
    "he": "He: normal, sd √(2/n_in)",
}
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
MIN_DEPTH, MAX_DEPTH, MAX_WIDTH = 2, 10, 128


def init_weights(layers, init: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        if init == "zeros":
            W = np.zeros((n_out, n_in))
        elif init == "small":
            W = rng.normal(0.0, 0.01, (n_out, n_in))
        elif init == "large":
            W = rng.normal(0.0, 1.0, (n_out, n_in))
        elif init == "xavier":
            r = math.sqrt(6.0 / (n_in + n_out))
            W = rng.uniform(-r, r, (n_out, n_in))
        elif init == "he":
            W = rng.normal(0.0, math.sqrt(2.0 / n_in), (n_out, n_in))
        else:
            raise ValueError(f"init: expected one of {', '.join(INITS)}, found {init!r}")
        out.append(W)
    return out


def scenario_dict(depth: int, width: int, activation: str, init: str, seed: int = 0, n: int = 128) -> dict:
    """The explorer's network as a scenario (its data drawn with ``seed``)."""
    if not MIN_DEPTH <= depth <= MAX_DEPTH or not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"depth: expected {MIN_DEPTH} to {MAX_DEPTH} layers of 1 to {MAX_WIDTH} neurons, "
                         f"found {depth} × {width}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}, found {activation!r}")
    layers = [width] * (depth - 1) + [1]
    rng = np.random.default_rng(seed + 1)
    x, y = rng.normal(size=(n, width)), rng.normal(size=(n, 1))
    return {"layers": layers, "activations": [activation] * (depth - 2) + ["linear"], "loss": "mse",
            "weights": [W.tolist() for W in init_weights(layers, init, seed)],
            "biases": [[0.0] * m for m in layers[1:]], "x": x.tolist(), "y": y.tolist(), "learning_rate": 0.1}


@dataclass(frozen=True)
class Health:
    """Per layer l = 2 … L: the spread of a^l and the RMS size of ∂C/∂W^l, before training."""

    layers: tuple[int, ...]
    act_std: tuple[float, ...]
    grad_rms: tuple[float, ...]

    @property
    def summary(self) -> str:
        g = [v for v in self.grad_rms if v > 0]
        if not g or self.grad_rms[0] == 0:
            return ("The gradient of the first layer is exactly 0: with all-zero weights no signal reaches "
                    "it, and every neuron of a layer is the same neuron.")
        ratio = self.grad_rms[0] / self.grad_rms[-1] if self.grad_rms[-1] else math.inf
        if ratio < 1e-2:
            return (f"Vanishing gradients: layer 2's gradient is {ratio:.1e} of the output layer's, so the "
                    "first layers barely learn.")
        if ratio > 1e2:
            return (f"Exploding gradients: layer 2's gradient is {ratio:.1e} times the output layer's; "
                    "a learning rate that suits one end is far too large for the other.")
        return (f"Healthy: the gradient sizes stay within a factor of 100 from layer 2 to the output "
                f"(ratio {ratio:.2g}).")


def health(d: dict) -> Health:
    s = load_scenario(d)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        _, acts = forward(s.weights, s.biases, [a.output for a in s.acts], s.x)
        _, gW, _ = loss_and_gradients(s.weights, s.biases, s.acts, s.cost, s.x, s.y)
    return Health(s.layers, tuple(float(np.std(a)) for a in acts[1:]),
                  tuple(float(np.sqrt(np.mean(g * g))) for g in gW))


def identical_rows(W, tol: float = 0.0) -> list[list[int]]:
    """Groups (two or more, 0-based) of rows of W that are equal to within ``tol``."""
    W = np.asarray(W, dtype=float)
    groups, seen = [], set()
    for j in range(len(W)):
        if j in seen:
            continue
        with np.errstate(over="ignore", invalid="ignore"):  # weights near the largest float: no warning
            same = [k for k in range(j, len(W)) if k not in seen
                    and bool(np.all((W[k] == W[j]) | (np.abs(W[k] - W[j]) <= tol)))]
        seen.update(same)
        if len(same) > 1:
            groups.append(same)
    return groups


def symmetric_layers(weights, biases) -> dict[int, list[list[int]]]:
    """For each hidden layer l (2 … L−1) whose neurons come in identical copies, the groups of
    identical rows of [W^l | b^l] (neurons with the same incoming weights and bias)."""
    out = {}
    for i, (W, b) in enumerate(list(zip(weights, biases))[:-1]):
        g = identical_rows(np.column_stack([W, b]))
        if g:
            out[i + 2] = g
    return out
