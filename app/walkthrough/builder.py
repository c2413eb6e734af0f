"""The "build your own network" form as plain data: a draft (what the widgets show) made from a
scenario, and the scenario dict a draft describes. Pure functions, no Streamlit; validation of
the network itself (including typed activation formulas) is core's ``load_scenario``.
"""

from __future__ import annotations

import json
import math

from core import Scenario
from core.engine.activations import ACTIVATIONS
from core.engine.costs import COSTS

ACTIVATION_CHOICES = [*ACTIVATIONS, "formula"]  # every built-in activation, then a typed formula
HIDDEN_CHOICES = [c for c in ACTIVATION_CHOICES if c not in ACTIVATIONS or not ACTIVATIONS[c].output_only]
LOSSES = list(COSTS)
LOSS_HELP = "; ".join(c.menu for c in COSTS.values())
SCHEMES = ["xavier", "he", "uniform", "zeros"]
MAX_HIDDEN, MAX_NEURONS = 6, 8


class DraftError(ValueError):
    """A draft field that is not usable, with what to type instead."""


def draft_from(s: Scenario) -> dict:
    """The form's fields for a scenario (hidden layers padded to the maximum so counts can grow)."""
    hidden = list(s.layers[1:-1])
    names = [a if a in ACTIVATIONS else "formula" for a in s.activations]
    formulas = [a if a not in ACTIVATIONS else "log(1 + exp(z))" for a in s.activations]
    pad = MAX_HIDDEN - len(hidden)
    return {
        "hidden": len(hidden),
        "n_in": s.layers[0], "n_out": s.layers[-1],
        "sizes": [min(n, MAX_NEURONS) for n in hidden] + [2] * pad,
        "activations": names[:-1] + ["sigmoid"] * pad, "formulas": formulas[:-1] + ["log(1 + exp(z))"] * pad,
        "activation_out": names[-1], "formula_out": formulas[-1],
        "loss": s.loss, "scheme": s.init.get("scheme", "xavier"), "seed": int(s.init.get("seed", 0)),
        "x": examples_text(s.x), "y": examples_text(s.y),
        "eta": float(s.learning_rate), "train_biases": bool(s.train_biases), "keep": True,
    }


def examples_text(a) -> str:
    return "; ".join(", ".join(f"{v:g}" if abs(v) >= 1e-4 or v == 0 else repr(float(v)) for v in row) for row in a)


def parse_examples(text: str, name: str, n: int) -> list:
    """'0.05, 0.1' (one example) or '0, 0; 0, 1' (several, separated by ';') as JSON values."""
    rows = [r for r in str(text).split(";")]
    out = []
    for r, row in enumerate(rows):
        parts = [p.strip() for p in row.split(",")]
        if parts == [""]:
            raise DraftError(f"{name}: type {n} number(s) separated by commas, e.g. "
                             f"{', '.join(['0.5'] * n)}" + (" (several examples: separate them with ;)"))
        vals = []
        for p in parts:
            try:
                v = float(p)
            except ValueError:
                raise DraftError(f"{name}: '{p[:30]}' is not a number; type numbers like 0.05 or -1.5, "
                                 "separated by commas") from None
            if not math.isfinite(v):
                raise DraftError(f"{name}: '{p[:30]}' is not a finite number")
            vals.append(v)
        if len(vals) != n:
            where = f" (example {r + 1})" if len(rows) > 1 else ""
            raise DraftError(f"{name}{where}: the layer has {n} neuron(s), so type {n} number(s), found {len(vals)}")
        out.append(vals)
    return out[0] if len(out) == 1 else out


def whole(v, name: str, lo: int, hi: int) -> int:
    """A widget's value as a whole number in [lo, hi], else a DraftError saying what to type."""
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and float(v).is_integer()
    if not ok or not lo <= v <= hi:
        found = repr(v)[:20] if not isinstance(v, str) else f"'{v[:20]}'"
        raise DraftError(f"{name}: choose a whole number from {lo} to {hi}, found {found}")
    return int(v)


def scenario_dict(d: dict, current: Scenario | None = None) -> dict:
    """The scenario a draft describes; the current weights are kept when asked and the sizes match."""
    hidden = whole(d["hidden"], "hidden layers", 0, MAX_HIDDEN)
    layers = [whole(d["n_in"], "inputs n₁", 1, MAX_NEURONS),
              *[whole(n, f"neurons in layer {i + 2}", 1, MAX_NEURONS) for i, n in enumerate(d["sizes"][:hidden])],
              whole(d["n_out"], "outputs n_L", 1, MAX_NEURONS)]
    eta = d["eta"]
    if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not math.isfinite(eta) or not 0 < eta <= 1000:
        raise DraftError(f"learning rate η: choose a number with 0 < η ≤ 1000, found {str(eta)[:20]}")
    activations = []
    chosen = [*zip(d["activations"][:hidden], d["formulas"][:hidden]), (d["activation_out"], d["formula_out"])]
    for name, formula in chosen:
        activations.append(str(formula).strip() if name == "formula" else name)
    for i, a in enumerate(activations):
        if not a:
            raise DraftError(f"activation of layer {i + 2}: type a formula in z, e.g. log(1 + exp(z))")
    out = {
        "layers": layers, "activations": activations, "loss": d["loss"],
        "init": {"scheme": d["scheme"], "seed": whole(d["seed"], "seed", 0, 2**32 - 1)},
        "x": parse_examples(d["x"], "input x", layers[0]),
        "y": parse_examples(d["y"], "target y", layers[-1]),
        "learning_rate": float(eta), "train_biases": bool(d["train_biases"]),
    }
    if d.get("keep") and current is not None and list(current.layers) == layers:
        out["weights"] = [W.tolist() for W in current.weights]
        out["biases"] = [b.tolist() for b in current.biases]
        if current.name:
            out["name"] = current.name + " (edited)" if not current.name.endswith("(edited)") else current.name
    return out


def pretty_json(s: Scenario) -> str:
    return json.dumps(s.to_dict(), indent=2, ensure_ascii=False)
