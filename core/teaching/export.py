"""CSV exports: every recorded value of a trace (tidy, one row per value) and training histories.

Numbers are written with ``repr`` (the shortest text that reads back as the same float), so a
CSV holds full precision. Layers, neurons and examples are numbered from 1 as on screen; an
empty cell means "does not apply" (an empty ``example`` is a batch-level value: the mean
gradient, the parameters, the update).
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right

import numpy as np

TRACE_COLUMNS = ("phase", "layer", "j", "k", "example", "quantity", "value")


def _num(v) -> str:
    return repr(float(v))


def trace_rows(t):
    """(phase, l, j, k, example, quantity, value) for every recorded value of the trace ``t``."""
    s, L, N = t.scenario, t.scenario.L, t.N
    one = lambda v: "" if v is None else v + 1  # noqa: E731

    def vec(phase, q, l, arr, example=None):  # arr: (n,) per neuron j
        for j, v in enumerate(np.asarray(arr)):
            yield phase, l, one(j), "", one(example), q, _num(v)

    def mat(phase, q, l, arr, example=None):  # arr: (n_l, n_{l-1}), [j, k]
        for (j, k), v in np.ndenumerate(np.asarray(arr)):
            yield phase, l, j + 1, k + 1, one(example), q, _num(v)

    for l in range(2, L + 1):
        yield from mat("network", "W", l, s.weights[l - 2])
        yield from vec("network", "b", l, s.biases[l - 2])
    yield "network", "", "", "", "", "eta", _num(s.learning_rate)
    for n in range(N):
        yield from vec("input", "y", L, s.y[n], n)
        yield from vec("forward", "a", 1, t.activations[0][n], n)
        for l in range(2, L + 1):
            yield from vec("forward", "z", l, t.zs[l - 2][n], n)
            yield from vec("forward", "a", l, t.activations[l - 1][n], n)
        yield "cost", "", "", "", n + 1, "cost", _num(t.costs[n])
    yield "cost", "", "", "", "", "cost_mean", _num(t.cost)
    for n in range(N):
        for l in range(L, 1, -1):
            i = l - 2
            yield from vec("backward", "dC_da", l, t.dC_das[i][n], n)
            if t.dsigmas[i] is not None:
                yield from vec("backward", "sigma_prime", l, t.dsigmas[i][n], n)
            yield from vec("backward", "delta", l, t.deltas[i][n], n)
            yield from mat("backward", "dC_dW", l, t.dC_dW_examples[i][n], n)
    for l in range(L, 1, -1):
        yield from mat("backward", "dC_dW", l, t.dC_dW[l - 2])
        yield from vec("backward", "dC_db", l, t.dC_db[l - 2])
    for l in range(2, L + 1):
        yield from mat("update", "W_new", l, t.weights_new[l - 2])
        yield from vec("update", "b_new", l, t.biases_new[l - 2])


def _csv(header, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def trace_csv(t) -> str:
    """Every recorded value of a trace as CSV (columns ``TRACE_COLUMNS``)."""
    return _csv(TRACE_COLUMNS, trace_rows(t))


def session_rows(s):
    """A training session's history: one row per recorded step (the mini-batch cost the step saw,
    η, the gradient norm of each layer), then one per epoch (the whole-set cost and accuracy)."""
    layers = range(2, s.scenario.L + 1)
    for step, cost, eta, norms in zip(s.step_index, s.step_costs, s.step_etas, s.grad_norms):
        epoch = bisect_right(s.epoch_steps, step) - 1  # epochs completed before this step
        yield ["step", step + 1, epoch, _num(cost), "", _num(eta)] + [_num(v) for v in np.asarray(norms)]
    for e, (step, cost, acc) in enumerate(zip(s.epoch_steps, s.epoch_costs, s.epoch_accuracy)):
        yield ["epoch", step, e, _num(cost), "" if acc is None else _num(acc), ""] + [""] * len(layers)


def session_csv(s) -> str:
    """A ``core.lab.training.TrainingSession``'s history as CSV.

    Columns: record (step or epoch), step (a step row: the step's number, 1 = the first update;
    an epoch row: the updates done when the epoch ended), epoch (epochs completed before the
    step / the epoch number, 0 = before training), cost, accuracy, eta, and ‖∂C/∂W^l‖ per layer.
    """
    header = ["record", "step", "epoch", "cost", "accuracy", "eta"]
    header += [f"grad_norm_W{l}" for l in range(2, s.scenario.L + 1)]
    return _csv(header, session_rows(s))


def train_result_csv(result) -> str:
    """A ``core.engine.backprop.train`` run as CSV: step (0 = before training) and the cost there."""
    return _csv(["step", "cost"], ([k, _num(c)] for k, c in enumerate(result.loss_history)))


def count_values(s) -> int:
    """How many rows ``trace_csv`` writes for scenario ``s`` (without tracing it)."""
    sizes, N = list(s.layers[1:]), len(s.x)
    weights = sum(a * b for a, b in zip(s.layers[1:], s.layers[:-1]))
    params = weights + sum(sizes)
    sigma = sum(n for n, act in zip(sizes, s.acts) if act.derivative is not None)
    per_example = s.layers[-1] + s.layers[0] + 2 * sum(sizes) + 1 + 2 * sum(sizes) + sigma + weights
    return params + 1 + N * per_example + 1 + 2 * params
