"""Update rules (optimizers) and the weight penalties, on one flat parameter vector.

The rules are those of PyTorch's ``torch.optim`` so that anyone can check us against it
(g is ∂C/∂θ including the penalty, η the learning rate, every state starts at zero, t counts steps):

- ``sgd``:       θ ← θ − η g
- ``momentum``:  v ← μ v + g;  θ ← θ − η v   (nesterov: θ ← θ − η (g + μ v))   (SGD, dampening 0)
- ``rmsprop``:   s ← α s + (1 − α) g²;  θ ← θ − η g / (√s + ε)   (not centered, no momentum)
- ``adam``:      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);
                 θ ← θ − η m̂ / (√v̂ + ε)   (bias-corrected, ε outside the root, no amsgrad)

Penalties over the weights only (never the biases): l2 adds λ/2 Σ w² to the cost and λ w to the
gradient; l1 adds λ Σ |w| and λ sign(w) (sign(0) = 0), the gradient PyTorch's autograd gives for
``λ * w.abs().sum()``.

The one rule of ours on top (``zero_l1``, only with l1 > 0): a weight that changed sign in a step is
set to exactly 0, and a weight at 0 whose gradient |g| ≤ λ₁ stays at 0 (moving it either way would
raise the penalised cost: the data part falls by at most |g| per unit, the penalty rises by λ₁).
Without it a subgradient step only makes the weight jitter within η·λ₁ of zero; with it weights
reach 0 exactly and stay there, as the L1 penalty means them to. For plain gradient descent from a
non-zero weight this gives the proximal (soft-threshold) step's result unless the data gradient alone
carries the weight more than η·λ₁ past 0 (then: 0). The rules' state (v, s, m) is left as the rule
computed it. With l1 = 0 every rule is PyTorch's exactly.
"""

from __future__ import annotations

import json
import math

import numpy as np

DEFAULTS: dict[str, dict] = {
    "sgd": {},
    "momentum": {"momentum": 0.9, "nesterov": False},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
STATE = {"sgd": (), "momentum": ("v",), "rmsprop": ("s",), "adam": ("m", "v")}
# setting: (low, high, low included, high included, in words)
RANGES = {
    "momentum": (0.0, 1.0, True, False, "a number μ with 0 ≤ μ < 1"),
    "alpha": (0.0, 1.0, True, False, "a number α with 0 ≤ α < 1"),
    "beta1": (0.0, 1.0, True, False, "a number β₁ with 0 ≤ β₁ < 1"),
    "beta2": (0.0, 1.0, True, False, "a number β₂ with 0 ≤ β₂ < 1"),
    "eps": (0.0, 1.0, False, True, "a number ε with 0 < ε ≤ 1"),
}
WORDS = {
    "sgd": "Plain gradient descent: every parameter moves against its gradient, by η times its size.",
    "momentum": "Momentum keeps a velocity v, a running sum of past gradients (each older one weighted by "
                "another factor μ): steps grow along a direction the gradients agree on and cancel where "
                "they flip sign. Nesterov looks one velocity step ahead.",
    "rmsprop": "RMSprop divides each gradient by the root of s, a running mean of its squares: every "
               "parameter gets its own step size, small where gradients are large and large where they are "
               "small.",
    "adam": "Adam combines momentum's running mean m with RMSprop's running mean of squares v, both "
            "corrected for starting at zero (m̂, v̂). Its first step is m̂/√v̂ = g/|g|: every parameter moves "
            "by about η, whatever the size of its gradient.",
}


def _found(v) -> str:
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (ValueError, TypeError):
        s = f"a {type(v).__name__}"
    return s if len(s) <= 60 else s[:57] + "..."


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def parse_optimizer(v) -> dict:
    """The optimizer as a full spec (every setting, defaults filled in) from a scenario's
    ``optimizer`` value; ValueError with one line naming the field, what was expected and found."""
    if not isinstance(v, dict):
        raise ValueError(f"optimizer: expected an object such as {{\"name\": \"adam\"}}, found {_found(v)}")
    name = v.get("name")
    if name not in DEFAULTS:
        raise ValueError(f"optimizer.name: expected one of {', '.join(DEFAULTS)}, found {_found(name)}")
    spec = {"name": name, **DEFAULTS[name]}
    for key, value in v.items():
        if key == "name":
            continue
        if key not in DEFAULTS[name]:
            known = ", ".join(DEFAULTS[name]) or "no settings"
            raise ValueError(f"optimizer.{key[:40]}: '{name}' takes {known}, found an unknown setting '{key[:40]}'")
        if key == "nesterov":
            if not isinstance(value, bool):
                raise ValueError(f"optimizer.nesterov: expected true or false, found {_found(value)}")
        else:
            lo, hi, lo_in, hi_in, words = RANGES[key]
            ok = _number(value) and (lo <= value if lo_in else lo < value) and (value <= hi if hi_in else value < hi)
            if not ok:
                raise ValueError(f"optimizer.{key}: expected {words}, found {_found(value)}")
            value = float(value)
        spec[key] = value
    if spec.get("nesterov") and spec["momentum"] <= 0:
        raise ValueError(f"optimizer.nesterov: expected momentum > 0 for Nesterov, found momentum {spec['momentum']:g}")
    return spec


def parse_penalty(v, key: str) -> float:
    """λ for ``l1`` or ``l2``: a number from 0 to 100."""
    if not _number(v) or not 0 <= v <= 100:
        raise ValueError(f"{key}: expected a number λ with 0 ≤ λ ≤ 100 (0: no penalty), found {_found(v)}")
    return float(v)


def describe(spec: dict) -> str:
    """The rule in a few words, e.g. "adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-08)"."""
    sym = {"momentum": "μ", "alpha": "α", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
    parts = [f"{sym[k]} = {v:g}" for k, v in spec.items() if k in sym]
    if spec.get("nesterov"):
        parts.append("Nesterov")
    return spec["name"] + (f" ({', '.join(parts)})" if parts else "")


class Optimizer:
    """One update rule and its state over a flat parameter vector of ``n`` entries.

    ``state`` holds v (momentum), s (rmsprop) or m and v (adam), all from zero; ``t`` counts
    steps. ``step`` changes θ in place and leaves g as it was.
    """

    def __init__(self, spec: dict, n: int):
        self.spec = parse_optimizer(spec)
        self.name = self.spec["name"]
        self.t = 0
        self.state = {k: np.zeros(n) for k in STATE[self.name]}
        self._tmp = np.empty(n)

    def step(self, theta: np.ndarray, g: np.ndarray, eta: float) -> None:
        p, tmp = self.spec, self._tmp
        self.t += 1
        if self.name == "sgd":
            np.multiply(g, eta, out=tmp)
        elif self.name == "momentum":
            v, mu = self.state["v"], p["momentum"]
            v *= mu
            v += g
            if p["nesterov"]:
                np.multiply(v, mu, out=tmp)
                tmp += g
                tmp *= eta
            else:
                np.multiply(v, eta, out=tmp)
        elif self.name == "rmsprop":
            s, alpha = self.state["s"], p["alpha"]
            s *= alpha
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - alpha
            s += tmp
            np.sqrt(s, out=tmp)
            tmp += p["eps"]
            np.divide(g, tmp, out=tmp)
            tmp *= eta
        else:  # adam, as torch computes it: (η / bc₁) m / (√v / √bc₂ + ε)
            m, v, b1, b2 = self.state["m"], self.state["v"], p["beta1"], p["beta2"]
            m *= b1
            np.multiply(g, 1.0 - b1, out=tmp)
            m += tmp
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            bc1, bc2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
            np.sqrt(v, out=tmp)
            tmp *= 1.0 / math.sqrt(bc2)
            tmp += p["eps"]
            np.divide(m, tmp, out=tmp)
            tmp *= eta / bc1
        theta -= tmp


def penalty(w: np.ndarray, l1: float, l2: float) -> float:
    """λ₂/2 Σ w² + λ₁ Σ |w| over the weights ``w`` (a flat vector)."""
    out = 0.0
    if l2:
        out += 0.5 * l2 * float(np.dot(w, w))
    if l1:
        out += l1 * float(np.abs(w).sum())
    return out


def zero_l1(w_new: np.ndarray, w_old: np.ndarray, g: np.ndarray, l1: float) -> np.ndarray:
    """The L1 rule after a step, in place on ``w_new`` (see the module docstring): a weight that changed
    sign, or left 0 although |g| ≤ λ₁, is set to exactly 0. Returns the mask of the weights it set."""
    mask = np.multiply(w_new, w_old) < 0.0
    mask |= (w_old == 0.0) & (np.abs(g) <= l1) & (w_new != 0.0)
    w_new[mask] = 0.0
    return mask


def add_penalty_gradient(w: np.ndarray, gw: np.ndarray, l1: float, l2: float) -> None:
    """gw += λ₂ w + λ₁ sign(w), in place (sign(0) = 0)."""
    if l2:
        gw += l2 * w
    if l1:
        gw += l1 * np.sign(w)
