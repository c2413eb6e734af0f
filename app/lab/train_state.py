"""The training lab's state: the data, the training session and play/pause, kept in
``st.session_state`` under the ``tl_*`` keys declared in ``app.session.state`` (``LAB_*``). The
settings' widgets are ``state.bound`` to them; a new network drops the session through
``state``'s one "on new network" hook (``PER_NETWORK``).
"""

from __future__ import annotations

import math
import time
from collections import deque

import numpy as np
import streamlit as st

from app.session import state
from app.session.state import current_scenario, set_scenario
from core.lab.datasets import Dataset, DatasetError, infer_task, make_dataset, parse_csv
from core.lab.training import TrainingSession, compare_runs, fit_scenario

SESSION, PLAYING, TARGET, DATA, NOTES = state.LAB_SESSION, state.LAB_PLAYING, state.LAB_TARGET, state.LAB_DATA, \
    state.LAB_NOTES
RATES, TICKS, CSV_TEXT, CSV_ERROR, SETTINGS = state.LAB_RATES, state.LAB_TICKS, state.LAB_CSV_TEXT, \
    state.LAB_CSV_ERROR, state.LAB_SETTINGS
REFUSED, CUTS, STARTED_ON = state.LAB_REFUSED, state.LAB_CUTS, state.LAB_STARTED_ON
TICK_S = 0.05  # the live fragment's timer (a browser setInterval; a tick that is still drawing is skipped)
BUDGET_S = 0.03  # training time per tick
FRAME_S = 0.05  # while playing the charts show a new frame every 50 ms: a tick trains the frames until the next
MAX_FRAMES = 10
SOURCES = {"scenario": "The scenario's example(s)", "xor": "XOR", "and": "AND", "or": "OR",
           "gaussians": "Two Gaussian clusters", "circles": "Concentric circles",
           "sine": "Noisy sine (regression)", "csv": "Your examples (CSV)"}
ETAS = [round(m * 10.0**e, 6) for e in range(-4, 1) for m in (1, 2, 3, 5)] + [10.0, 20.0, 50.0, 100.0]
OPT_KEYS = ("opt", "momentum", "nesterov", "alpha", "beta1", "beta2", "eps")
OPT_DEFAULTS = {"opt": "sgd", "momentum": 0.9, "nesterov": False, "alpha": 0.99, "beta1": 0.9, "beta2": 0.999,
                "eps": 1e-8}
DEFAULTS = {"source": "scenario", "n": 100, "noise": 0.1, "seed": 0, "batch": 0, "epochs": 200,
            "eta": 0.5, "hold_biases": False, "targets": 1, "log_y": True, "rates": [0.1, 1.0, 3.0, 10.0],
            "view": "Boundary / fit", "speed": 2, "l1": 0.0, "l2": 0.0, "cmp_opts": ["sgd"], "watch": 0,
            "x_depth": 6, "x_width": 32, "x_act": "sigmoid", "x_init": "xavier", "osec": "Optimizer state",
            **OPT_DEFAULTS}  # Play: 200 steps at 2 a chart update, ~100 frames (~7 s)
FEW, STARTER = 4, "gaussians"  # a scenario with fewer examples opens the lab on this learnable set
SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 10**6]  # steps per chart update (10**6: as many as fit)


def snap_eta(eta: float) -> float:
    """The value on the lab's log scale nearest to η."""
    return min(ETAS, key=lambda e: abs(math.log(e) - math.log(max(eta, 1e-12))))


def settings() -> dict:
    """The lab's settings (data source, size, noise, seed, batch size, epochs, η, …)."""
    if SETTINGS not in st.session_state:
        sc = current_scenario()
        own = {k: v for k, v in sc.optimizer.items() if k != "name"}
        few = len(sc.x) < FEW  # one example cannot show learning: start on a small set the network can learn
        st.session_state[SETTINGS] = dict(DEFAULTS, eta=snap_eta(sc.learning_rate), opt=sc.optimizer["name"], **own,
                                          l1=sc.l1, l2=sc.l2, source=STARTER if few else DEFAULTS["source"])
        st.session_state[STARTED_ON] = STARTER if few else None
    return st.session_state[SETTINGS]


def optimizer_spec(cfg: dict | None = None, name: str | None = None) -> dict:
    """The update rule the settings ask for (``name``: that rule with the settings' values)."""
    cfg = cfg or settings()
    name = name or cfg["opt"]
    keys = {"sgd": (), "momentum": ("momentum", "nesterov"), "rmsprop": ("alpha", "eps"),
            "adam": ("beta1", "beta2", "eps")}[name]
    spec = {"name": name, **{k: cfg[k] for k in keys}}
    if name == "momentum" and spec["momentum"] == 0:
        spec["nesterov"] = False
    return spec


def use_scenario_examples() -> None:
    """on_click: back from the starter data set to the scenario's own example(s)."""
    settings()["source"] = "scenario"
    st.session_state[STARTED_ON] = None


def widget(key: str) -> str:
    """The widget key of setting ``key`` (``state.LAB_WIDGET``), seeded from the stored setting
    (``state.bound`` reseeds it on every run)."""
    wkey = state.LAB_WIDGET.format(setting=key)
    if wkey not in st.session_state:
        st.session_state[wkey] = settings()[key]
    return wkey


def bound(kind: str, label: str, key: str, **kw):
    """The widget ``st.<kind>`` of setting ``key``: it shows the stored setting and every edit goes to ``store``."""
    return state.bound(kind, label, widget(key), settings()[key], lambda v: store(key, v), **kw)


def store(key: str, value) -> None:
    """A widget's edit: into the settings, and into the session where it acts live."""
    settings()[key] = value
    if key == "source":  # the logic gates start from their 4-row truth table, the others from 100 points
        st.session_state[STARTED_ON] = None  # the user chose: no more "the lab started on …" notice
        gate, n = value in ("xor", "and", "or"), settings()["n"]
        if gate != (n == 4) and n in (4, 100):
            settings()["n"] = 4 if gate else 100
    s = st.session_state.get(SESSION)
    if s is not None and key == "eta":
        s.eta = float(value)
    elif s is not None and key == "hold_biases":
        s.train_biases = not value
    elif s is not None and key == "batch":
        s.set_batch_size(int(value) or s.N)
    elif s is not None and key in OPT_KEYS:
        s.set_optimizer(optimizer_spec())
    elif s is not None and key in ("l1", "l2"):
        s.set_penalty(float(settings()["l1"]), float(settings()["l2"]))
    elif s is not None and key == "watch":
        s.watch_param(int(value))


def dataset(cfg: dict) -> Dataset:
    """The data the settings ask for (a stored CSV upload for the "csv" source)."""
    src = cfg["source"]
    if src == "scenario":
        s = current_scenario()
        return Dataset("scenario", np.array(s.x), np.array(s.y), infer_task(s.y), "the scenario's example(s)")
    if src == "csv":
        text = st.session_state.get(CSV_TEXT)
        if not text:
            raise DatasetError("no examples yet: upload a CSV file or paste rows, then press 'Use these examples'")
        return parse_csv(text, int(cfg["targets"]))
    n = int(cfg["n"])
    table = src in ("xor", "and", "or") and n == 4  # the exact truth table: no noise
    return make_dataset(src, n, 0.0 if table else float(cfg["noise"]), int(cfg["seed"]))


def data_key(cfg: dict) -> tuple:
    csv = st.session_state.get(CSV_TEXT) if cfg["source"] == "csv" else None  # only the CSV source reads it
    return (cfg["source"], cfg["n"], cfg["noise"], cfg["seed"], cfg["targets"], csv)


def session() -> TrainingSession | None:
    """The training session for the current network and data settings, rebuilt when the data settings
    change (a new network drops it: ``state.PER_NETWORK``). None (with the reason in ``tl_csv_error``)
    when the data cannot be used."""
    cfg, base = settings(), current_scenario()
    s = st.session_state.get(SESSION)
    if s is not None and st.session_state.get(DATA) == data_key(cfg):
        st.session_state[CSV_ERROR] = None  # back on the session's own data: a refusal of other data is over
        return s
    if st.session_state.get(REFUSED) == data_key(cfg):
        return s  # the data was refused: the last good session stays, the message says why
    st.session_state[PLAYING] = False
    st.session_state.pop(RATES, None)
    try:
        d = dataset(cfg)
        sc, notes = fit_scenario(base, d.x, d.y, d.task)
    except (DatasetError, ValueError) as e:
        st.session_state[CSV_ERROR] = str(e)
        st.session_state[REFUSED] = data_key(cfg)
        return s
    st.session_state[CSV_ERROR] = st.session_state[REFUSED] = None
    s = new_session(sc, d.x, d.y, d.task)
    st.session_state[DATA], st.session_state[NOTES] = data_key(cfg), notes
    return s


def new_session(sc, x, y, task) -> TrainingSession:
    cfg = settings()
    s = TrainingSession(sc, x, y, task, int(cfg["batch"]) or None, seed=int(cfg["seed"]))
    s.eta, s.train_biases = float(cfg["eta"]), not cfg["hold_biases"]
    s.set_optimizer(optimizer_spec(cfg))
    s.set_penalty(float(cfg["l1"]), float(cfg["l2"]))
    s.watch_param(int(cfg["watch"]))
    st.session_state[SESSION] = s
    st.session_state[TICKS] = deque(maxlen=30)
    return s


def reset() -> None:
    """on_click: back to the initial weights, same data, history cleared."""
    s = st.session_state.get(SESSION)
    if s is not None:
        new_session(s.scenario, s.x, s.y, s.task)
    st.session_state[PLAYING] = False


def play() -> None:
    s = st.session_state.get(SESSION)
    if s is None or s.diverged:
        return
    st.session_state[TARGET] = s.epoch + int(settings()["epochs"])
    st.session_state[PLAYING] = True
    st.session_state[TICKS] = deque(maxlen=30)  # the tick rate while playing, not since the last pause


def pause() -> None:
    st.session_state[PLAYING] = False


def step_once() -> None:
    pause()
    if (s := st.session_state.get(SESSION)) is not None:
        s.step()


def step_epoch() -> None:
    pause()
    if (s := st.session_state.get(SESSION)) is not None:
        s.step_epoch()


def playing() -> bool:
    return bool(st.session_state.get(PLAYING))


def frames_per_tick(rate: float | None) -> int:
    """Frames a tick trains at ``rate`` ticks a second: enough to show one every ``FRAME_S`` until
    the next tick comes (the page reruns ~5–10 times a second; the browser spreads the frames
    over that time). 2 while the rate is not known yet."""
    return 2 if rate is None else max(1, min(MAX_FRAMES, round(1 / (rate * FRAME_S))))


def tick(budget_s: float = BUDGET_S) -> bool:
    """While playing, train a few frames of "steps per chart update" each (within ``budget_s``)
    and keep the step count after each frame in ``tl_cuts`` (the chart shows them one by one).
    True when training just stopped (target epoch reached, diverged, or first seen diverging), so
    the page must be redrawn without the timer."""
    st.session_state.setdefault(TICKS, deque(maxlen=30)).append(time.perf_counter())
    st.session_state[CUTS] = []
    s = st.session_state.get(SESSION)
    if not playing() or s is None:
        return False
    target = st.session_state.get(TARGET, s.epoch + 1)
    k, start = frames_per_tick(tick_rate()), time.perf_counter()
    for i in range(k):
        left = budget_s * (i + 1) / k - (time.perf_counter() - start)
        s.run(int(settings()["speed"]), until_epoch=target, budget_s=max(left, 0.0))
        st.session_state[CUTS].append(s.steps)
        if s.diverged or s.epoch >= target or s.just_started_diverging:
            break
    if s.diverged or s.epoch >= target or s.just_started_diverging:
        st.session_state[PLAYING] = False  # diverging: stopped before the numbers overflow, with a warning
        return True
    return False


def tick_rate() -> float | None:
    """Ticks (page reruns while playing) per second over the last few ticks."""
    t = list(st.session_state.get(TICKS) or ())[-8:]
    return (len(t) - 1) / (t[-1] - t[0]) if len(t) >= 3 and t[-1] > t[0] else None


def rate_pairs(etas, rules) -> list[tuple[dict, float]]:
    """(optimizer spec, η) for every chosen rule and η (the rules with the lab's settings), at most 5."""
    rules = [r for r in ("sgd", "momentum", "rmsprop", "adam") if r in (rules or [])] or [settings()["opt"]]
    return [(optimizer_spec(name=r), float(eta)) for r in rules for eta in sorted(etas)][:5]


def rate_runs(etas, epochs: int, rules=None):
    """The comparison of optimizer/η pairs for the current session's network and data (cached)."""
    s = st.session_state.get(SESSION)
    pairs = rate_pairs(etas, rules)
    key = (id(s), repr(pairs), int(epochs), s.batch_size if s else None, s.l1, s.l2)
    cached = st.session_state.get(RATES)
    if cached and cached[0] == key:
        return cached[1]
    runs = compare_runs(s.scenario, s.x, s.y, pairs, int(epochs), s.batch_size, s.seed, s.task, max_steps=5000)
    st.session_state[RATES] = (key, runs)
    return runs


def use_csv(data: str | bytes | None) -> None:
    """on_change/on_click: store uploaded or pasted CSV and switch the data source to it
    (it is checked when the session is built)."""
    st.session_state[CSV_TEXT] = data or ""  # bytes are decoded (or refused) by the parser
    settings()["source"] = "csv"


def send_to_walkthrough() -> bool:
    """Make the session's current weights the app's scenario; False if they are not finite."""
    s = st.session_state.get(SESSION)
    if s is None or not all(np.all(np.isfinite(w)) for w in (*s.weights, *s.biases)):
        return False
    kept = {k: st.session_state[k] for k in (SESSION, DATA) if k in st.session_state}
    set_scenario(s.to_scenario(), notice=f"Weights from the training lab after step {s.steps} (epoch {s.epoch}), "
                                         f"η = {s.eta:g}.")
    st.session_state.update(kept)  # the lab carries on from these weights instead of rebuilding
    return True
