"""The training lab's panels (Streamlit): data, controls, the live charts, and the inspectors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import app.lab.train_figures as tf
import app.lab.train_state as ts
from app.lab.live_chart import live_chart
from app.walkthrough.ui import plain
from core.lab.datasets import MAX_CSV_BYTES
from core.lab.gradcheck import batch_breakdown, gradient_check
from core.lab.landscape import cost_along, cost_grid, get_param, output_grid, param_info, slope
from core.lab.training import TrainingSession, flat_params

VIEWS = ["Boundary / fit", "Cost along a weight", "Cost over two weights", "Gradient sizes"]
PATH_SHOWN = 25  # gradient-descent steps drawn on the weight charts


def _w(kind, label, key, **kw):
    """The widget ``kind`` (``st.selectbox``, ``st.slider``, …) bound to the lab's setting ``key``."""
    return ts.bound(kind.__name__, label, key, **kw)


def data_panel(s: TrainingSession | None) -> None:
    cfg = ts.settings()
    if st.session_state.get(ts.STARTED_ON) and cfg["source"] == st.session_state[ts.STARTED_ON]:
        n = len(ts.current_scenario().x)
        note, back = st.columns([4, 1.3], vertical_alignment="center")
        note.info(f"The scenario has {n} example{'s' if n != 1 else ''}: too few to watch a network learn, so the "
                  f"lab starts on a small data set it can learn, “{ts.SOURCES[cfg['source']]}” ({cfg['n']} points; "
                  "the network is adapted to it, see “Data and network”).")
        back.button("Use the scenario's own example" + ("s" if n != 1 else ""), key="tl_own_examples",
                    on_click=ts.use_scenario_examples, width="stretch")
    started = st.session_state.get(ts.STARTED_ON) == cfg["source"]  # the notice above says what it is
    with st.expander("Data and network", expanded=s is None or (cfg["source"] != "scenario" and not started)):
        c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
        with c1:
            _w(st.selectbox, "Examples", "source", options=list(ts.SOURCES), format_func=ts.SOURCES.get)
        src = cfg["source"]
        if src not in ("scenario", "csv"):
            with c2:
                _w(st.slider, "Examples in the set", "n", min_value=4, max_value=400, step=4,
                   help="XOR, AND, OR with 4 examples: the exact truth table; with more, noisy copies")
            with c3:
                _w(st.slider, "Noise (standard deviation)", "noise", min_value=0.0, max_value=1.0, step=0.05)
            with c4:
                _w(st.number_input, "Seed", "seed", min_value=0, max_value=9999, step=1)
        if src == "csv":
            st.caption("One example per row: the inputs, then the target column(s). A header row is allowed. "
                       f"At most {MAX_CSV_BYTES // 1000} kB.")
            up, paste = st.columns(2)
            with up:
                st.file_uploader("Upload a CSV file", type=["csv", "txt"], key="tl_upload",
                                 on_change=lambda: ts.use_csv(st.session_state["tl_upload"].getvalue()
                                                              if st.session_state["tl_upload"] else None))
                _w(st.number_input, "Target columns (at the end of each row)", "targets", min_value=1, max_value=10)
            with paste:
                st.text_area("…or paste rows", key="tl_paste", height=140, placeholder="x1,x2,y\n0,0,0\n0,1,1")
                st.button("Use these examples", key="tl_use_paste",
                          on_click=lambda: ts.use_csv(st.session_state.get("tl_paste", "")))
        if err := st.session_state.get(ts.CSV_ERROR):
            kept = " The lab keeps the previous examples." if s is not None else ""
            st.error(plain(f"These examples cannot be used: {str(err).rstrip('.')}.{kept}"))
        if s is not None:
            net = "-".join(map(str, s.scenario.layers))
            st.caption(f"{s.N} example(s), task: {s.task}; network {net}, activations "
                       f"{', '.join(s.scenario.activations)}, loss {s.scenario.loss}.")
            for note in st.session_state.get(ts.NOTES) or []:
                st.info(plain(f"The network was adapted to the data: {note}."))


def controls(s: TrainingSession | None, eta_note=None) -> None:
    """The buttons and the live settings; ``eta_note(s)`` draws under the η control (the bound)."""
    off = s is None
    b = st.columns(6)
    if ts.playing():
        b[0].button("Pause", key="tl_pause", icon=":material/pause:", on_click=ts.pause, width="stretch",
                    type="primary")
    else:
        b[0].button("Play", key="tl_play", icon=":material/play_arrow:", on_click=ts.play, width="stretch",
                    disabled=off or s.diverged, type="primary")
    b[1].button("Step one update", key="tl_step", on_click=ts.step_once, disabled=off, width="stretch")
    b[2].button("Step one epoch", key="tl_step_epoch", on_click=ts.step_epoch, disabled=off, width="stretch")
    b[3].button("Reset", key="tl_reset", icon=":material/restart_alt:", on_click=ts.reset, disabled=off,
                width="stretch")
    send = b[4].button("Send to walkthrough", key="tl_send", disabled=off, width="stretch",
                       help="Make these weights the app's scenario and open the forward pass")
    with b[5]:
        _w(st.checkbox, "Log scale", "log_y")
    c = st.columns([4, 2, 2, 2, 2])
    with c[0]:
        _w(st.select_slider, "Learning rate η (log scale; change it while training)", "eta", options=ts.ETAS,
           format_func=lambda v: f"{v:g}")
        if eta_note is not None and s is not None:
            eta_note(s)
    with c[1]:
        _w(st.select_slider, "Steps per chart update", "speed", options=ts.SPEEDS,
           format_func=lambda v: "max" if v == ts.SPEEDS[-1] else str(v))
    with c[2]:
        _w(st.number_input, "Epochs per Play", "epochs", min_value=1, max_value=5000, step=10)
    with c[3]:
        n = s.N if s else 1
        if ts.settings()["batch"] > n:
            ts.settings()["batch"] = 0
        _w(st.number_input, f"Mini-batch size (0 = all {n})", "batch", min_value=0, max_value=n, step=1)
    with c[4]:
        _w(st.checkbox, "Hold biases fixed", "hold_biases")
    st.caption("A **step** is one update W ← W − η ∂C/∂W on one mini-batch; an **epoch** is one pass over "
               "all examples (article 004 calls a single step an epoch; we do not).")
    if send:
        if ts.send_to_walkthrough():
            st.switch_page("../pages/forward.py")
        st.warning("These weights are not finite numbers (training diverged): press Reset first.")


def live_view(s: TrainingSession) -> None:
    """The numbers and the two live charts; while playing the charts show this tick's frames
    one by one (``tl_cuts``, see app/lab/live_chart.py)."""
    cfg, cuts = ts.settings(), st.session_state.get(ts.CUTS) or []
    m = st.columns(5)
    m[0].metric("Step", f"{s.steps:,}")
    m[1].metric("Epoch", f"{s.epoch:,}")
    m[2].metric("Cost (whole set)", f"{s.epoch_costs[-1]:.4g}" if not s.diverged else "overflow")
    acc = s.epoch_accuracy[-1]
    m[3].metric("Accuracy", "—" if acc is None else f"{acc:.0%}")
    m[4].metric("η", f"{s.eta:g}")
    if s.diverged:
        st.warning(f"**Diverged at step {s.diverged_at}**: the cost overflowed with η = {s.eta:g}. Each update "
                   f"jumped over the minimum and landed higher up the other side (article 004). Try a smaller "
                   f"learning rate, e.g. η = {ts.snap_eta(s.eta / 10):g}, and press Reset.")
    left, right = st.columns(2)
    with left:
        live_chart(tf.cost_figure(s.step_index, s.step_costs, s.epoch_steps, s.epoch_costs,
                                  s.epoch_accuracy if s.task != "regression" else None, s.diverged_at,
                                  cfg["log_y"], show_steps=s.batch_size < s.N or s.steps < 2000),
                   "tl_chart_cost", cuts, grow=True)
    with right:
        view = _w(st.radio, "Chart", "view", options=VIEWS, horizontal=True, label_visibility="collapsed")
        if s.diverged and view in VIEWS[1:3]:
            st.info("Training diverged: the weights have run off to huge values, so the cost around them says "
                    "nothing. Press Reset to look at the landscape from the start again.")
            return
        fig = VIEW_FIGURES[view](s, cfg)
        if fig is not None:  # the step-by-step gradient sizes grow like the cost; the others redraw
            live_chart(fig, "tl_chart_view", cuts, grow=view == VIEWS[3])


def _pick(label, key, params, default):
    if ts.settings()[key] >= len(params):
        ts.settings()[key] = default
    return _w(st.selectbox, label, key, options=range(len(params)), format_func=lambda i: params[i].label)


def _params(s):
    ps = param_info(s.scenario.layers)
    n_w = sum(W.size for W in s.weights)
    last = n_w - s.weights[-1].size  # first weight into the output layer
    return ps, last, (last + 1 if s.weights[-1].size > 1 else 0)


def _slice(s, cfg):
    ps, p0, _ = _params(s)
    ts.settings().setdefault("p", p0)
    p = ps[_pick("Weight", "p", ps, p0)]
    x, y = s.x[s.next_batch()], s.y[s.next_batch()]
    w, c, g = slope(s.weights, s.biases, s.scenario, x, y, p)
    path = [v[ps.index(p)] for v in s.path[-PATH_SHOWN:]] + [w]
    lo, hi = min(path), max(path)
    pad = max(1.0, 0.5 * (hi - lo), abs(s.eta * g) * 1.2)
    vals = np.linspace(lo - pad, hi + pad, 121)
    costs = cost_along(s.weights, s.biases, s.scenario, x, y, p, vals)
    path_c = cost_along(s.weights, s.biases, s.scenario, x, y, p, path)
    st.caption("The curve is C with every other parameter where it is now, on the next mini-batch; the dots "
               "are the last steps' values of this weight."
               + ("" if s.optimizer["name"] == "sgd" else f" The ring is where a plain gradient-descent step would "
                  f"land; this session's {s.optimizer['name']} step differs (its state is in 'Optimizer state')."))
    return tf.slice_figure(vals, costs, p.label, w, c, g, s.eta, path, path_c)


def _contour(s, cfg):
    ps, p0, q0 = _params(s)
    ts.settings().setdefault("q1", p0)
    ts.settings().setdefault("q2", q0)
    a, b = st.columns(2)
    with a:
        p = ps[_pick("Across", "q1", ps, p0)]
    with b:
        q = ps[_pick("Up", "q2", ps, q0)]
    ip, iq = ps.index(p), ps.index(q)
    pu = [v[ip] for v in s.path] + [get_param(s.weights, s.biases, p)]
    pv = [v[iq] for v in s.path] + [get_param(s.weights, s.biases, q)]
    pad_u, pad_v = max(1.0, 0.3 * np.ptp(pu)), max(1.0, 0.3 * np.ptp(pv))
    u = np.linspace(min(pu) - pad_u, max(pu) + pad_u, 41)
    v = np.linspace(min(pv) - pad_v, max(pv) + pad_v, 41)
    grid = cost_grid(s.weights, s.biases, s.scenario, s.x, s.y, p, q, u, v)
    return tf.contour_figure(u, v, grid, p.label, q.label, pu, pv)


def _boundary(s, cfg):
    if s.x.shape[1] == 2:
        lo, hi = s.x.min(axis=0), s.x.max(axis=0)
        pad = 0.25 * np.maximum(hi - lo, 1.0)
        xs, ys = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 50), np.linspace(lo[1] - pad[1], hi[1] + pad[1], 50)
        out = output_grid(s.weights, s.biases, s.scenario, xs, ys)
        return tf.boundary_figure(xs, ys, out, s.x, s.y, multiclass=s.y.shape[1] > 1)
    if s.x.shape[1] == 1:
        from core.engine.backprop import forward

        gx = np.linspace(s.x.min() - 0.5, s.x.max() + 0.5, 200)[:, None]
        with np.errstate(all="ignore"):
            pred = forward(s.weights, s.biases, [a.output for a in s.scenario.acts], gx)[1][-1][:, 0]
        return tf.fit_figure(s.x, s.y, gx[:, 0], pred)
    st.info(f"The boundary is drawn for data with 1 or 2 inputs (these have {s.x.shape[1]}).")
    return None


def _gradnorms(s, cfg):
    if not s.grad_norms:
        st.info("Take a step to see the gradients.")
        return None
    return tf.gradnorm_figure(s.step_index, np.array(s.grad_norms), cfg["log_y"])


VIEW_FIGURES = {VIEWS[0]: _boundary, VIEWS[1]: _slice, VIEWS[2]: _contour, VIEWS[3]: _gradnorms}


def inspectors(s: TrainingSession) -> None:
    """The gradient check and the mini-batch breakdown for the next step (drawn while paused)."""
    idx = s.next_batch()
    ps = param_info(s.scenario.layers)
    from core.teaching.export import session_csv

    st.download_button("⬇ Training history (.csv)", lambda: session_csv(s), file_name="training_history.csv",
                       mime="text/csv", key="tl_history_csv", on_click="ignore",
                       help="Every recorded step (cost, η, gradient sizes) and every epoch (cost, accuracy).")
    if st.toggle("Gradient check: backpropagation against finite differences", key="tl_gc"):
        rows = gradient_check(s.weights, s.biases, s.scenario, s.x[idx], s.y[idx])
        df = pd.DataFrame({"parameter": [r.param.label for r in rows], "value": [r.value for r in rows],
                           "∂C/∂w backprop": [r.backprop for r in rows],
                           "central difference": [r.numeric for r in rows],
                           "relative error": [r.rel_error for r in rows]})
        worst = df["relative error"].max()
        st.caption(f"Next step's mini-batch ({len(idx)} example(s)); (C(w+ε) − C(w−ε)) / 2ε with ε = 1e-5. "
                   f"Largest relative error: {worst:.1e} — {'they agree' if worst < 1e-4 else 'check this!'}.")
        st.dataframe(df, hide_index=True, height=min(420, 38 + 35 * len(df)),
                     column_config={k: st.column_config.NumberColumn(format="%.3e") for k in df.columns[2:]})
    if st.toggle("Inside the mini-batch: each example's gradient, their mean, the update", key="tl_mb"):
        bd = batch_breakdown(s.weights, s.biases, s.scenario, s.x, s.y, idx[:16], s.eta, s.train_biases)
        ex = np.array([flat_params([W[i] for W in bd.dW_examples], [b[i] for b in bd.db_examples])[:12]
                       for i in range(len(bd.indices))])
        mean = flat_params(bd.dW_mean, bd.db_mean)[:12]
        now = flat_params(s.weights, s.biases)[:12]
        new = flat_params(bd.weights_new, bd.biases_new)[:12]
        plain_gd = s.optimizer["name"] == "sgd" and not (s.l1 or s.l2)
        rows = [f"∂C/∂w, example {i + 1}" for i in bd.indices] + ["mean = batch gradient", "w now",
                                                                  f"w − η·mean (η = {s.eta:g})"]
        if not plain_gd:
            st.caption(f"The last row is plain gradient descent on the cost's own gradient; this session's step "
                       f"uses {s.optimizer['name']}" + (" and adds the penalty's gradient" if s.l1 or s.l2 else "")
                       + " (see the Update screen for its equations).")
        df = pd.DataFrame(np.vstack([ex, mean, now, new]), index=rows, columns=[p.label for p in ps[:12]])
        st.caption(f"The next step's {len(bd.indices)} example(s)" + (" (first 16 shown)" if len(idx) > 16 else "")
                   + ("; first 12 parameters" if len(ps) > 12 else "") + ".")
        st.dataframe(df.style.format("{:.4g}"))
