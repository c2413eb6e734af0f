"""The Worksheets screen's panels: the teacher's choices, the sheet and its key, downloads, a batch.

The teacher's choices live under ``app.session.state.WS_SETTINGS`` (a key no widget owns); widgets are
bound to it (``app.session.state.bound``), so the choices survive a visit to another screen.
"""

from __future__ import annotations

import streamlit as st

from app.session import state
from core.engine.costs import COSTS
from core.teaching.svg import network_alt
from core.teaching.worksheet import HIDDEN_CHOICES, LIMITS, Allowed, batch_zip, worksheet

SETTINGS, ZIP = state.WS_SETTINGS, state.WS_ZIP
DEFAULTS = {"activations": ["sigmoid", "tanh", "relu"], "costs": ["mse"], "inputs": (1, 3),
            "hidden_layers": (0, 2), "hidden_neurons": (1, 3), "outputs": (1, 2), "seed": 1, "batch": 30}
MAX_BATCH = 60


def settings() -> dict:
    if SETTINGS not in st.session_state:
        st.session_state[SETTINGS] = dict(DEFAULTS)
    return st.session_state[SETTINGS]


def w(kind, label: str, key: str, container=st, **kw):
    """A widget bound to the worksheet setting ``key``."""
    return state.bound(kind, label, f"ws_w_{key}", settings()[key], lambda v: settings().__setitem__(key, v),
                       container, **kw)


def choices() -> None:
    """The teacher's choices: activations, costs, size bounds."""
    c = st.columns(2)
    w("multiselect", "Activations allowed", "activations", c[0], options=list(HIDDEN_CHOICES),
      help="Hidden layers use these; the output uses them too with mse.")
    w("multiselect", "Costs allowed", "costs", c[1], options=list(COSTS), format_func=lambda c: COSTS[c].menu,
      help="bce brings a sigmoid output and cross_entropy a softmax output (with 2 or more outputs).")
    c = st.columns(4)
    w("slider", "Inputs", "inputs", c[0], min_value=1, max_value=LIMITS["inputs"])
    w("slider", "Hidden layers", "hidden_layers", c[1], min_value=0, max_value=LIMITS["hidden_layers"])
    w("slider", "Neurons per hidden layer", "hidden_neurons", c[2], min_value=1, max_value=LIMITS["hidden_neurons"])
    w("slider", "Outputs", "outputs", c[3], min_value=1, max_value=LIMITS["outputs"])


def allowed_key() -> tuple:
    """The choices as a plain, hashable value (the cache key)."""
    cfg = settings()
    return (tuple(cfg["activations"]), tuple(cfg["costs"]), *(tuple(int(v) for v in cfg[k]) for k in
                                                              ("inputs", "hidden_layers", "hidden_neurons", "outputs")))


def _allowed(key: tuple) -> Allowed:
    acts, costs, inputs, hidden_layers, hidden_neurons, outputs = key
    return Allowed(acts, costs, inputs, hidden_layers, hidden_neurons, outputs)


@st.cache_data(max_entries=64, show_spinner=False)
def documents(seed: int, key: tuple) -> dict:
    """The sheet of ``seed``: Markdown and HTML of the worksheet and key, the SVG and the scenario JSON
    (raises ValueError for choices that allow no network)."""
    ws = worksheet(seed, _allowed(key))
    s = ws.scenario
    return {"md": ws.markdown(), "key_md": ws.key_markdown(), "html": ws.html("worksheet"),
            "key_html": ws.html("key"), "both_html": ws.html("both"), "svg": ws.svg,
            "scenario": state.canonical_json(s), "blanks": len(ws.blanks),
            "alt": network_alt(s.layers, s.weights, s.biases, digits=2),
            "summary": f"{'-'.join(map(str, s.layers))} · activations {', '.join(s.activations)} · cost {s.loss} · "
                       f"η = {s.learning_rate:g}"}


def downloads(seed: int, docs: dict) -> None:
    stem = f"worksheet_{seed}"
    rows = [[("⬇ Worksheet (.html)", docs["html"], f"{stem}.html", "text/html"),
             ("⬇ Answer key (.html)", docs["key_html"], f"{stem}_key.html", "text/html"),
             ("⬇ Both, to print (.html)", docs["both_html"], f"{stem}_with_key.html", "text/html")],
            [("⬇ Worksheet (.md)", docs["md"], f"{stem}.md", "text/markdown"),
             ("⬇ Answer key (.md)", docs["key_md"], f"{stem}_key.md", "text/markdown")]]
    for row in rows:
        for col, (label, data, name, mime) in zip(st.columns(3), row):
            col.download_button(label, data, file_name=name, mime=mime, key=f"ws_dl_{name}", on_click="ignore",
                                width="stretch")


def batch(key: tuple) -> None:
    """Seeds 1 … N as one zip, made on request with a progress bar (about a second per sheet)."""
    c = st.columns([2, 2, 3], vertical_alignment="bottom")
    n = int(w("number_input", "Seeds 1 … N for a class", "batch", c[0], min_value=1, max_value=MAX_BATCH, step=1))
    made = st.session_state.get(ZIP)
    if c[1].button(f"Make {n} worksheets", key="ws_make_zip", width="stretch"):
        bar = st.progress(0.0, text=f"Worksheet 1 of {n}…")
        data = batch_zip(range(1, n + 1), _allowed(key),
                         progress=lambda i: bar.progress(i / n, text=f"Worksheet {min(i + 1, n)} of {n}…"))
        bar.empty()
        st.session_state[ZIP] = made = ((n, key), data)
    if made and made[0] == (n, key):
        c[2].download_button(f"⬇ Worksheets 1–{n} and their keys (.zip of HTML)", made[1],
                             file_name=f"worksheets_1-{n}.zip", mime="application/zip", key="ws_dl_zip",
                             on_click="ignore", width="stretch")


def preview(docs: dict) -> None:
    tab_sheet, tab_key = st.tabs(["Worksheet", "Answer key"])
    with tab_sheet:
        st.image(docs["svg"], alt=docs["alt"])
        st.markdown(_without_images(docs["md"]))
    with tab_key:
        st.markdown(_without_images(docs["key_md"]))


def _without_images(md: str) -> str:
    return "\n".join(line for line in md.splitlines() if not line.startswith("!["))
