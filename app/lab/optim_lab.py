"""The training lab's optimizer sections (Streamlit): the update rule and its settings, the
η bound from the curvature, the divergence and symmetry warnings, and the tabs for the
optimizer state, regularization, why η diverges, and initialization and depth.

Settings live in the lab's settings (app/lab/train_state.py) like every other lab control; the maths
is in core (optim, curvature, init_explorer, training)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import app.lab.optim_figures as of
import app.lab.train_figures as tf
import app.lab.train_state as ts
from app.lab.train_ui import _w
from app.session import state
from app.walkthrough.ui import plain
from core.engine.backprop import train
from core.engine.divergence import FAR
from core.engine.optim import WORDS, describe
from core.lab.curvature import curvature, eigen_slice
from core.lab.init_explorer import ACTIVATIONS, INITS, MAX_DEPTH, MIN_DEPTH, health, scenario_dict, symmetric_layers
from core.lab.landscape import cost_grid, param_info
from core.lab.training import TrainingSession

RULES = {"sgd": "Gradient descent (sgd)", "momentum": "Momentum", "rmsprop": "RMSprop", "adam": "Adam"}
LAMBDAS = [0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0]
STATE_NAMES = {"sgd": (), "momentum": ("v",), "rmsprop": ("s",), "adam": ("m", "v", "m̂", "v̂")}
CURV = state.LAB_CURVATURE
WIDTHS = [2, 4, 8, 16, 32, 64, 128]


def controls(s: TrainingSession | None) -> None:
    """The update rule, its settings and the penalties: changeable while paused."""
    cfg, busy = ts.settings(), ts.playing()
    with st.expander("Update rule and regularization", expanded=cfg["opt"] != "sgd" or bool(cfg["l1"] or cfg["l2"])):
        c = st.columns([3, 2, 2, 2])
        with c[0]:
            _w(st.selectbox, "Update rule", "opt", options=list(RULES), format_func=RULES.get, disabled=busy)
        rule = cfg["opt"]
        if rule == "momentum":
            with c[1]:
                _w(st.number_input, "Momentum μ", "momentum", min_value=0.0, max_value=0.999, step=0.05,
                   disabled=busy)
            with c[2]:
                _w(st.checkbox, "Nesterov", "nesterov", disabled=busy or cfg["momentum"] == 0)
        elif rule == "rmsprop":
            with c[1]:
                _w(st.number_input, "Decay α", "alpha", min_value=0.0, max_value=0.999, step=0.01, disabled=busy)
        elif rule == "adam":
            with c[1]:
                _w(st.number_input, "β₁", "beta1", min_value=0.0, max_value=0.999, step=0.05, disabled=busy)
            with c[2]:
                _w(st.number_input, "β₂", "beta2", min_value=0.0, max_value=0.9999, step=0.001, format="%.4f",
                   disabled=busy)
        l1, l2 = st.columns(2)
        with l1:
            _w(st.select_slider, "L2 penalty λ₂ (adds λ₂/2 Σw² to the cost)", "l2", options=LAMBDAS,
               format_func=lambda v: f"{v:g}", disabled=busy)
        with l2:
            _w(st.select_slider, "L1 penalty λ₁ (adds λ₁ Σ|w| to the cost)", "l1", options=LAMBDAS,
               format_func=lambda v: f"{v:g}", disabled=busy)
        if busy:
            st.caption("Pause to change the rule or the penalty.")
        st.caption(plain(WORDS[rule] + " A new rule or new settings start its state (running averages, t) "
                         "from zero at the next step."))
        if cfg["l1"] or cfg["l2"]:
            st.caption("The cost on the charts and the gradients include the penalty (over the weights, not "
                       "the biases).")


def curvature_now(s: TrainingSession):
    """λ_max at the session's current weights on the whole set (cached per step; kept while playing)."""
    cached = st.session_state.get(CURV)
    if cached and cached[0] == id(s) and (cached[1] == s.steps or ts.playing()):
        return cached[2]
    if s.diverged or not all(np.all(np.isfinite(w)) for w in (*s.weights, *s.biases)):
        return None
    try:
        c = curvature(s.to_scenario(), s.x, s.y)
    except ValueError:
        return None
    st.session_state[CURV] = (id(s), s.steps, c)
    return c


def eta_bound(s: TrainingSession) -> None:
    """"Stable below about …": 2/λ_max at the current weights, next to the η control."""
    c = curvature_now(s)
    if c is None:
        return
    if c.eta_max is None:
        st.caption(plain(f"Curvature here: λ_max = {c.lambda_max:.3g} ≤ 0, so it sets no bound on η."))
        return
    past = s.eta > c.eta_max
    st.caption(plain(f"Gradient descent is stable below about η ≈ {c.eta_max:.3g} here (2/λ_max, λ_max = "
                     f"{c.lambda_max:.3g} at the current weights; it changes as they move)."
                     + (f" η = {s.eta:g} is past it: the steps jump across the minimum." if past else "")))


def warnings(s: TrainingSession) -> None:
    """Diverging (before it overflows) and identical hidden neurons."""
    if s.diverging_at is not None and not s.diverged:
        c0, c = s.step_costs[0], s.step_costs[-1] if s.step_costs else float("nan")
        st.warning(plain(f"Diverging from step {s.diverging_from}: the cost has grown past {FAR:g}× its start "
                         f"({c0:.3g} → {c:.3g}) and keeps growing (seen at step {s.diverging_at}, before the "
                         f"numbers overflow), so Play stopped. Try a smaller η, e.g. η = "
                         f"{ts.snap_eta(s.eta / 10):g}, and press Reset; Play carries on regardless."))
    sym = symmetric_layers(s.weights, s.biases)
    if sym:
        words = "; ".join(f"layer {l}: neurons " + ", ".join("{" + ", ".join(str(j + 1) for j in g) + "}" for g in gs)
                          for l, gs in sym.items())
        st.info(plain(f"Identical hidden neurons ({words}): they started with the same weights, so each gets "
                      "the same gradient and they stay copies of each other, however long you train. Start "
                      "from random weights (Xavier or He) to break the symmetry."))
        l = next(iter(sym))
        st.dataframe(_highlight(s.weights[l - 2], sym[l]), key="tl_sym_rows")


def _highlight(W, groups):
    df = pd.DataFrame(np.asarray(W), index=[f"neuron {j + 1}" for j in range(len(W))],
                      columns=[f"from {k + 1}" for k in range(np.shape(W)[1])])
    rows = {j for g in groups for j in g}
    return df.style.format("{:.4g}").apply(
        lambda r: ["background-color: #F0E442; color: black" if int(r.name.split()[1]) - 1 in rows else ""] * len(r),
        axis=1)


def compare_panel(s: TrainingSession) -> None:
    """Up to five optimizer/η pairs from the same initial weights on one chart (computed once, not
    live), and their paths together on the two-weight contour."""
    cfg = ts.settings()
    a, b = st.columns(2)
    with a:
        etas = _w(st.multiselect, "Learning rates to compare", "rates", options=ts.ETAS, max_selections=5,
                  format_func=lambda v: f"{v:g}")
    with b:
        rules = _w(st.multiselect, "Update rules (each with every η)", "cmp_opts", options=list(RULES),
                   format_func=RULES.get, max_selections=4)
    pairs = ts.rate_pairs(etas, rules)
    if len(pairs) < 2:
        st.info("Pick at least two pairs: two learning rates, or two update rules.")
        return
    if len(etas) * max(len(rules), 1) > 5:
        st.caption(plain(f"{len(etas) * len(rules)} pairs picked: the first 5 are shown."))
    epochs = min(int(cfg["epochs"]), 1000)
    runs = ts.rate_runs(etas, epochs, rules)
    st.plotly_chart(tf.rates_figure(runs, cfg["log_y"]), key="tl_chart_rates")
    st.caption(f"{epochs} epochs (at most 5,000 steps) each, from this network's initial weights with the same "
               "batches: only the rule and η differ. Each rule uses the settings chosen above (the defaults for "
               "a rule not chosen there).")
    compare_paths(s, runs)


def compare_paths(s: TrainingSession, runs) -> None:
    """The compared runs' paths together on the two-weight contour (cost at the common start)."""
    if not runs or not runs[0].path:
        st.caption("The paths are drawn for networks of up to 500 parameters.")
        return
    ps = param_info(s.scenario.layers)
    n_w = sum(W.size for W in s.weights)
    p0 = n_w - s.weights[-1].size
    ip, iq = int(ts.settings().get("q1", p0)), int(ts.settings().get("q2", p0 + 1 if n_w > p0 + 1 else 0))
    ip, iq = min(ip, len(ps) - 1), min(iq, len(ps) - 1)
    paths, us, vs = [], [], []
    for r in runs:
        arr = np.array(r.path)
        ok = np.all(np.isfinite(arr), axis=1) & (np.max(np.abs(arr), axis=1) < 1e3)
        arr = arr[ok]
        if len(arr):
            paths.append((r.label + f" · {r.verdict}", arr[:, ip], arr[:, iq]))
            us += list(arr[:, ip])
            vs += list(arr[:, iq])
    if not paths:
        return
    pad_u, pad_v = max(0.5, 0.15 * np.ptp(us)), max(0.5, 0.15 * np.ptp(vs))
    u = np.linspace(min(us) - pad_u, max(us) + pad_u, 41)
    v = np.linspace(min(vs) - pad_v, max(vs) + pad_v, 41)
    grid = cost_grid(s.scenario.weights, s.scenario.biases, s.scenario, s.x, s.y, ps[ip], ps[iq], u, v)
    st.plotly_chart(of.paths_figure(u, v, grid, ps[ip].label, ps[iq].label, paths), key="tl_chart_paths")
    st.caption(plain(f"The two weights are those of the 'Cost over two weights' chart ({ps[ip].label} across, "
                     f"{ps[iq].label} up); the contour is the cost at the common start with every other parameter "
                     "there, so it is only a guide once the others move."))


SECTIONS = ["Optimizer state", "Regularization", "Why η diverges", "Initialization and depth"]


def sections(s: TrainingSession) -> None:
    """One of the four sections at a time (only the one shown is computed)."""
    view = _w(st.radio, "Section", "osec", options=SECTIONS, horizontal=True, label_visibility="collapsed")
    {SECTIONS[0]: state_panel, SECTIONS[1]: penalty_panel, SECTIONS[2]: curvature_panel,
     SECTIONS[3]: lambda s: init_explorer()}[view](s)


def state_panel(s: TrainingSession) -> None:
    ps = param_info(s.scenario.layers)
    watch = ts.widget("watch")  # seeded from the stored setting
    if st.session_state[watch] >= len(ps):
        st.session_state[watch] = ts.settings()["watch"] = 0
    i = _w(st.selectbox, "Parameter to follow", "watch", options=range(len(ps)), format_func=lambda i: ps[i].label)
    rule = s.optimizer["name"]
    if not s.state_history:
        st.info(plain(f"Take a step to see the state of {ps[i].label} under {describe(s.optimizer)} (it is "
                      "recorded from the step after you chose the parameter or the rule)."))
        return
    st.plotly_chart(of.state_figure(s.state_history, STATE_NAMES[rule], ps[i].label, describe(s.optimizer)),
                    key="tl_chart_state")
    st.caption({"sgd": "Plain gradient descent keeps no state: the step is −η·g.",
                "momentum": "v is the velocity: it builds up while g keeps its sign and the step is −η·v.",
                "rmsprop": "s is the running mean of g²; the step is −η·g/(√s + ε).",
                "adam": "m and v are the running means of g and g²; m̂ and v̂ are them corrected for starting at "
                        "0, and the step is −η·m̂/(√v̂ + ε)."}[rule])


def penalty_panel(s: TrainingSession) -> None:
    w0 = np.concatenate([np.ravel(W) for W in s.scenario.weights])
    w = np.concatenate([np.ravel(W) for W in s.weights])
    if not np.all(np.isfinite(w)):
        st.info("The weights are not finite (training diverged): press Reset.")
        return
    band = s.eta * s.l1 if s.l1 else 0.0
    st.plotly_chart(of.weights_histogram(w0, w, band), key="tl_chart_hist")
    near = int(np.sum(np.abs(w) <= band)) if band else 0
    st.caption(plain(
        f"λ₂ = {s.l2:g}, λ₁ = {s.l1:g}. L2 pulls every weight towards 0 in proportion to its size (the "
        "histogram narrows); L1 pulls each by the same amount λ₁ whatever its size, so small weights reach 0 "
        "and stay there, jittering within one step η·λ₁ of it (the orange band)"
        + (f": {near} of {w.size} weights are there now." if band else ".")
        + f" Mean |w|: {np.mean(np.abs(w0)):.3g} at the start, {np.mean(np.abs(w)):.3g} now."))


def curvature_panel(s: TrainingSession) -> None:
    c = curvature_now(s)
    if c is None:
        st.info("The weights are not finite (training diverged): press Reset to measure the curvature.")
        return
    m = st.columns(3)
    m[0].metric("λ_max (largest curvature)", f"{c.lambda_max:.4g}")
    m[1].metric("Bound 2/λ_max", "none" if c.eta_max is None else f"{c.eta_max:.4g}")
    m[2].metric("η now", f"{s.eta:g}")
    if ts.playing():
        st.caption("Pause to redraw this picture at the current weights.")
        return
    key = (id(s), s.steps, s.eta)
    cached = st.session_state.get(state.LAB_EIGEN)
    if not cached or cached[0] != key:
        cached = (key, eigen_slice(s.to_scenario(), s.eta, s.x, s.y, c=c))
        st.session_state[state.LAB_EIGEN] = cached
    st.plotly_chart(of.eigen_figure(cached[1], c.eta_max), key="tl_chart_eigen")
    st.caption(plain("Along its steepest direction u (the Hessian's top eigenvector) the cost is close to a parabola "
                     "of curvature λ_max. Each gradient-descent step multiplies the distance to its bottom by "
                     "(1 − η·λ_max): below η = 2/λ_max the steps close in, past it they jump across the minimum "
                     "and land higher each time. λ_max comes from power iteration on Hessian-vector products."))


def init_explorer() -> None:
    cfg = ts.settings()
    c = st.columns(4)
    with c[0]:
        _w(st.slider, "Layers (input and output included)", "x_depth", min_value=MIN_DEPTH, max_value=MAX_DEPTH)
    with c[1]:
        _w(st.select_slider, "Width", "x_width", options=WIDTHS)
    with c[2]:
        _w(st.selectbox, "Activation", "x_act", options=list(ACTIVATIONS))
    with c[3]:
        _w(st.selectbox, "Initialization", "x_init", options=list(INITS), format_func=INITS.get)
    d = scenario_dict(int(cfg["x_depth"]), int(cfg["x_width"]), cfg["x_act"], cfg["x_init"])
    h = health(d)
    st.plotly_chart(of.health_figure(h), key="tl_chart_health")
    st.markdown(plain(h.summary))
    st.caption("A fresh network of this shape (one linear output) on 128 random examples, before any training: "
               "the spread of each layer's activations and the size of each layer's gradient.")
    if st.toggle("Train it 200 steps and look at layer 2's neurons", key="tl_x_train"):
        r = train(d, 200)
        sym = symmetric_layers(r.weights, r.biases)
        if sym.get(2):
            st.info(plain(f"After 200 steps the neurons of layer 2 are still identical in groups "
                          f"{[[j + 1 for j in g] for g in sym[2]]}: the same start gives the same gradient."))
            st.dataframe(_highlight(r.weights[0][:, :8], sym[2]), key="tl_x_rows")
        else:
            st.caption(plain(f"After 200 steps no two neurons of layer 2 are identical; the cost went from "
                             f"{r.loss_history[0]:.3g} to {r.loss_history[-1]:.3g}."))


