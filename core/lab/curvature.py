"""Why a learning rate diverges: the largest curvature λ_max of the cost and the bound η < 2/λ_max.

Near a minimum the cost is about C(θ* + d) ≈ C* + ½ dᵀ H d (H the Hessian). Along an
eigenvector u of H with eigenvalue λ, gradient descent multiplies the distance to the minimum
by (1 − ηλ) each step: it shrinks when 0 < η < 2/λ and grows (jumping from side to side) when
η > 2/λ. The steepest direction, λ_max, decides: η < 2/λ_max.

λ_max comes from power iteration on Hessian-vector products Hv, each a central difference of
two backpropagated gradients, (∇C(θ + εv) − ∇C(θ − εv)) / 2ε, over the whole data set (the
penalty's l2 part included; l1 has no curvature away from 0 and is left out). Power iteration
finds the eigenvalue largest in size; when that one is negative it is run again on H − μI,
whose largest is λ_max − μ. Parameters are the weights, and the biases when they train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.backprop import Descent
from core.engine.scenario import Scenario, load_scenario

EPS = 1e-4  # step of the central difference, along a unit vector
MAX_ITER, TOL = 500, 1e-10


@dataclass(frozen=True)
class Curvature:
    lambda_max: float
    eta_max: float | None  # 2 / λ_max, None when λ_max ≤ 0 (no bound from curvature)
    direction: np.ndarray  # the top eigenvector, unit length, in flat_params order (0 for held biases)
    iterations: int


class _HVP:
    """Hessian-vector products of the mean cost at fixed parameters."""

    def __init__(self, s: Scenario, x=None, y=None):
        self.d = Descent(s)
        self.d.l1 = 0.0
        self.x = s.x if x is None else np.asarray(x, dtype=float)
        self.y = s.y if y is None else np.asarray(y, dtype=float)
        self.theta0 = self.d.theta.copy()
        self.n = self.d.theta.size if s.train_biases else self.d.n_w

    def grad(self, theta) -> np.ndarray:
        self.d.theta[:] = theta
        self.d.gradients(self.x, self.y)
        return self.d.grad[: self.n].copy()

    def __call__(self, v: np.ndarray) -> np.ndarray:
        full = np.zeros_like(self.theta0)
        full[: self.n] = v
        g_up = self.grad(self.theta0 + EPS * full)
        g_down = self.grad(self.theta0 - EPS * full)
        self.d.theta[:] = self.theta0
        return (g_up - g_down) / (2 * EPS)


def _power(hvp, n: int, shift: float, rng) -> tuple[float, np.ndarray, int]:
    """The eigenvalue of H − shift·I largest in size, its unit eigenvector, iterations used."""
    v = rng.normal(size=n)
    v /= np.linalg.norm(v)
    rho = 0.0
    for k in range(1, MAX_ITER + 1):
        w = hvp(v) - shift * v
        new_rho = float(v @ w)  # the Rayleigh quotient
        norm = float(np.linalg.norm(w))
        if norm == 0.0 or not math.isfinite(norm):
            return new_rho, v, k
        v = w / norm
        if k > 3 and abs(new_rho - rho) <= TOL * max(abs(new_rho), 1e-300):
            return new_rho, v, k
        rho = new_rho
    return rho, v, MAX_ITER


def curvature(scenario, x=None, y=None, seed: int = 0) -> Curvature:
    """λ_max of the Hessian of the mean cost (over the scenario's examples, or x, y) at the
    scenario's parameters, and η_max = 2/λ_max."""
    s = load_scenario(scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        hvp = _HVP(s, x, y)
        rng = np.random.default_rng(seed)
        mu, v, k = _power(hvp, hvp.n, 0.0, rng)
        if mu < 0:  # the largest in size is negative: the largest one is λ_max = (λ_max − μ) + μ
            top, v, k2 = _power(hvp, hvp.n, mu, rng)
            mu, k = top + mu, k + k2
    if not math.isfinite(mu):
        raise ValueError("curvature: the cost is not finite at these parameters (training diverged?); "
                         "use finite weights")
    direction = np.zeros(hvp.theta0.size)
    direction[: hvp.n] = v
    return Curvature(float(mu), 2.0 / mu if mu > 0 else None, direction, k)


@dataclass(frozen=True)
class EigenSlice:
    """The cost along the top eigenvector, C(θ + t·u) for t in ``t``, and gradient descent on
    that line from the current parameters (t = 0) with the chosen η: t ← t − η dC/dt."""

    t: np.ndarray
    cost: np.ndarray
    path_t: np.ndarray
    path_cost: np.ndarray
    lambda_max: float
    eta: float


def eigen_slice(scenario, eta: float, x=None, y=None, steps: int = 8, points: int = 121,
                c: Curvature | None = None) -> EigenSlice:
    """The picture of why η diverges: the cost along u (the top eigenvector) around the current
    parameters and ``steps`` gradient-descent steps on that line from them (t = 0)."""
    s = load_scenario(scenario)
    c = c or curvature(s, x, y)
    h = _HVP(s, x, y)
    h.d.l1 = s.l1
    u = c.direction
    lam = max(c.lambda_max, 1e-12)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        c0 = h.d.cost(h.x, h.y)
        r = float(np.clip(math.sqrt(2 * max(c0, 0.05) / lam), 0.02, 50.0))

        def phi(t):
            h.d.theta[:] = h.theta0 + t * u
            return h.d.cost(h.x, h.y)

        def dphi(t):
            h.d.theta[:] = h.theta0 + t * u
            h.d.gradients(h.x, h.y)
            return float(h.d.grad @ u)

        path = [0.0]  # the current parameters
        for _ in range(steps):
            g = dphi(path[-1])
            nxt = path[-1] - eta * g
            if not math.isfinite(nxt) or abs(nxt) > 1e6 * r:
                break
            path.append(nxt)
        span = max(1.5 * r, min(max(abs(p) for p in path[:6]) * 1.1, 6 * r))
        ts = np.linspace(-span, span, points)
        costs = np.array([phi(t) for t in ts])
        path_cost = np.array([phi(t) for t in path])
    h.d.theta[:] = h.theta0
    return EigenSlice(ts, costs, np.array(path), path_cost, c.lambda_max, float(eta))
