"""The Network screen's widgets: presets, the builder, the weight tables, JSON import/export, and
the exports of the step (every value as CSV, the drawing as SVG).

Every value a user types lives in ``st.session_state`` under keys no widget owns (the draft,
``app.session.state.DRAFT``), so a bad value stays on screen with a message under it, and nothing is lost
between screens. A new network forgets the draft and the JSON text (``app.session.state``'s hook).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from app.session import state
from app.session.limits import app_limits, precheck
from app.walkthrough import builder
from app.walkthrough.ui import plain
from core import ScenarioError, load_preset, load_scenario, preset_names, trace
from core.symbolic.notation import sup, weight_name
from core.teaching.export import count_values, trace_csv
from core.teaching.svg import network_svg

DRAFT, JSON_TEXT, ERRORS = state.DRAFT, state.JSON_TEXT, state.ERRORS
MAX_CSV_VALUES = 1_000_000  # rows in one trace CSV (about 50 MB)
SVG_MAX_NEURONS = 12  # the SVG drawing writes every weight: beyond this it is unreadable


def _errors() -> dict:
    return st.session_state.setdefault(ERRORS, {})


def draft() -> dict:
    """The builder's fields, made from the current scenario (again after every new network)."""
    if DRAFT not in st.session_state:
        st.session_state[DRAFT] = builder.draft_from(state.current_scenario())
    return st.session_state[DRAFT]


def _accept(s, notice: str, error_slot: str) -> bool:
    why = app_limits(s)
    if why:
        _errors()[error_slot] = why[0].upper() + why[1:] + "."
        return False
    _errors().clear()
    state.set_scenario(s, notice)
    return True


def _load(source, notice: str, error_slot: str) -> bool:
    if isinstance(source, str):  # typed text is parsed here, never handed to core as a file path
        try:
            source = json.loads(source)
        except json.JSONDecodeError as e:
            _errors()[error_slot] = (f"This is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}). "
                                     "Fix it above, or export a scenario to see the format.")
            return False
        except (RecursionError, ValueError):  # brackets nested thousands deep, a 5000-digit number
            _errors()[error_slot] = ("This JSON cannot be read: it is nested too deeply or holds a number too "
                                     "large. Export a scenario to see the format.")
            return False
    why = precheck(source)
    if why:
        _errors()[error_slot] = why[0].upper() + why[1:] + "."
        return False
    try:
        s = load_scenario(source)
    except ScenarioError as e:
        _errors()[error_slot] = f"{e}"
        return False
    except Exception as e:  # noqa: BLE001 - a typed value never shows a traceback
        _errors()[error_slot] = f"This could not be read: {e.__class__.__name__}: {str(e)[:300]}"
        return False
    return _accept(s, notice, error_slot)


# ---- presets -----------------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def preset_keys() -> dict[str, tuple[str, str]]:
    """name -> (title, canonical JSON), the classic worked example first."""
    out = {}
    for name in preset_names():
        s = load_preset(name)
        out[name] = (s.name or name, state.canonical_json(s))
    return out


def _preset_chosen(name: str | None) -> None:
    if name:
        s = load_preset(name)
        _accept(s, f"Loaded the preset “{s.name or name}”: the steps start again from the first one.", "preset")


def preset_picker() -> None:
    presets = preset_keys()
    key = state.scenario_key()
    shown = next((n for n, (_, k) in presets.items() if k == key), None)
    state.bound("selectbox", "Preset", "preset_select", shown, _preset_chosen, options=list(presets), index=None,
                format_func=lambda n: presets[n][0], placeholder="Your own network (choose a preset to load one)")


# ---- builder ----------------------------------------------------------------------------

def _field(widget: str, label: str, field: str, i: int | None = None, container=st, **kw):
    """A widget bound to draft[field] (or draft[field][i])."""
    d = draft()
    wkey = f"nb_{field}" + ("" if i is None else f"_{i}")
    value = d[field] if i is None else d[field][i]
    return state.bound(widget, label, wkey, value, lambda v: _set_default(draft(), field, i, v), container, **kw)


def _activation(cols, label: str, act_field: str, formula_field: str, i: int | None, output: bool) -> None:
    choices = builder.ACTIVATION_CHOICES if output else builder.HIDDEN_CHOICES
    d = draft()
    if (d[act_field] if i is None else d[act_field][i]) not in choices:
        _set_default(d, act_field, i, "sigmoid")
    _field("selectbox", label, act_field, i, container=cols, options=choices,
           format_func=lambda c: "typed formula…" if c == "formula" else c)
    if (d[act_field] if i is None else d[act_field][i]) == "formula":
        _field("text_input", "σ(z) =", formula_field, i, container=cols,
               help="A formula in z, e.g. log(1 + exp(z)) or z/(1 + abs(z)); core checks it and derives σ'.")


def _set_default(d, field, i, v):
    if i is None:
        d[field] = v
    else:
        d[field][i] = v


def _build() -> None:
    try:
        dct = builder.scenario_dict(draft(), state.current_scenario())
    except builder.DraftError as e:
        _errors()["build"] = str(e)
        return
    except (KeyError, TypeError, ValueError) as e:  # a draft field of the wrong type: never a traceback
        _errors()["build"] = f"A field of the form cannot be used ({e.__class__.__name__}); check the values above."
        return
    _load(dct, "Built your network: the steps start again from the first one.", "build")


def builder_form() -> None:
    d = draft()
    c = st.columns(4)
    _field("number_input", "Hidden layers (0–6)", "hidden", container=c[0], min_value=0, max_value=6, step=1)
    _field("number_input", "Inputs n₁ (1–8)", "n_in", container=c[1], min_value=1, max_value=8, step=1)
    _field("number_input", "Outputs n_L (1–8)", "n_out", container=c[2], min_value=1, max_value=8, step=1)
    _field("number_input", "Learning rate η", "eta", container=c[3], min_value=1e-6, max_value=1000.0,
           format="%g", step=0.1)
    hidden = int(d["hidden"])
    cols = st.columns(max(1, hidden + 1))
    for i in range(hidden):
        _field("number_input", f"Layer {i + 2}: neurons", "sizes", i, container=cols[i], min_value=1, max_value=8)
        _activation(cols[i], f"Layer {i + 2}: activation", "activations", "formulas", i, output=False)
    _activation(cols[hidden], f"Output layer {hidden + 2}: activation", "activation_out", "formula_out", None,
                output=True)
    c = st.columns(4)
    _field("selectbox", "Cost", "loss", container=c[0], options=builder.LOSSES,
           help=builder.LOSS_HELP)
    _field("selectbox", "Initialisation", "scheme", container=c[1], options=builder.SCHEMES)
    _field("number_input", "Seed", "seed", container=c[2], min_value=0, max_value=2**32 - 1, step=1)
    _field("toggle", "Train the biases", "train_biases", container=c[3])
    c = st.columns(2)
    _field("text_input", "Input x (comma-separated; examples separated by ;)", "x", container=c[0])
    _field("text_input", "Target y", "y", container=c[1])
    _field("checkbox", "Keep the current weights and biases when the layer sizes stay the same", "keep")
    st.button("Build this network", key="build", type="primary", on_click=_build)
    if _errors().get("build"):
        st.error(plain(_errors()["build"]), icon="⚠️")


# ---- weight tables ----------------------------------------------------------------------

def _edited(l: int, wkey: str) -> None:
    s = state.current_scenario()
    Ws = [np.array(W) for W in s.weights]
    bs = [np.array(b) for b in s.biases]
    m = s.layers[l - 2]
    edits = st.session_state[wkey].get("edited_rows", {})
    for row, change in edits.items():
        for col, v in change.items():
            kk = None if col == "bias b" else int(str(col).split("=")[-1]) - 1
            name = weight_name(l, int(row), kk)
            if v is None or not isinstance(v, (int, float)) or not np.isfinite(v):
                _errors()[f"edit_{l}"] = f"{name} is empty or not a number: type a number such as 0.25."
                return
            if col == "bias b":
                bs[l - 2][int(row)] = v
            elif 0 <= kk < m:
                Ws[l - 2][int(row), kk] = v
    _errors().pop(f"edit_{l}", None)
    edited = replace(s.with_params(Ws, bs), description="",
                     name=s.name if not s.name or s.name.endswith("(edited)") else f"{s.name} (edited)")
    state.set_scenario(edited, f"You changed W{sup(l)}/b{sup(l)}: the steps start again.")


def weight_tables() -> None:
    s = state.current_scenario()
    cols = st.columns(min(3, len(s.weights)))
    for i, (W, b) in enumerate(zip(s.weights, s.biases)):
        l = i + 2
        df = pd.DataFrame(W, columns=[f"k={k + 1}" for k in range(W.shape[1])],
                          index=[f"j={j + 1}" for j in range(W.shape[0])])
        df["bias b"] = b
        with cols[i % len(cols)]:
            st.markdown(f"**Layer {l}:** $w^{{{l}}}_{{jk}}$ (row j = neuron of layer {l}, column k = neuron of "
                        f"layer {l - 1}), shape {W.shape[0]}×{W.shape[1]}")
            wkey = f"wedit_{l}_{state.version()}"
            st.data_editor(df, key=wkey, on_change=_edited, args=(l, wkey), width="stretch",
                           column_config={c: st.column_config.NumberColumn(format="%.6g", required=True)
                                          for c in df.columns})
            if _errors().get(f"edit_{l}"):
                st.error(plain(_errors()[f"edit_{l}"]), icon="⚠️")


# ---- JSON ------------------------------------------------------------------------------

def _import() -> None:
    text = st.session_state.get("json_text_area", st.session_state.get(JSON_TEXT, ""))
    st.session_state[JSON_TEXT] = text
    _load(text, "Imported the scenario: the steps start again.", "import")


def _uploaded() -> None:
    f = st.session_state.get("json_upload")
    if f is None or not hasattr(f, "getvalue"):  # removed (a DeletedFile while Streamlit forgets it)
        return
    raw = f.getvalue()
    if len(raw) > 1_000_000:
        _errors()["import"] = "The file is larger than 1 MB; a scenario file is a few kilobytes."
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _errors()["import"] = "The file is not UTF-8 text; choose a .json scenario file."
        return
    st.session_state[JSON_TEXT] = text  # shown in the text area (kept there if it is refused)
    _load(text, f"Opened {f.name[:80]}: the steps start again.", "import")


def json_io() -> None:
    s = state.current_scenario()
    c1, c2 = st.columns([3, 2])
    with c1:
        if JSON_TEXT not in st.session_state:
            st.session_state[JSON_TEXT] = builder.pretty_json(s)
        state.bound("text_area", "Scenario JSON (edit or paste, then Import)", "json_text_area",
                    st.session_state[JSON_TEXT], state.setter(JSON_TEXT), height=260)
        st.button("Import this JSON", key="import_json", on_click=_import)
        if _errors().get("import"):
            st.error(plain(_errors()["import"]), icon="⚠️")
    with c2:
        st.file_uploader("…or open a scenario file", type=["json"], key="json_upload", on_change=_uploaded)
        st.download_button("⬇ Export this scenario (.json)", builder.pretty_json(s), file_name="scenario.json",
                           mime="application/json", key="export_json", on_click="ignore")
        export_buttons()


# ---- exports of the step ---------------------------------------------------------------------

def _trace_csv(key: str):
    """Made on click (the callable runs outside the script, so it calls core directly)."""
    def make() -> str:
        return trace_csv(trace(key))
    return make


def export_buttons() -> None:
    """Every value of the current step as CSV, and the drawing as SVG (small networks)."""
    s = state.current_scenario()
    n = count_values(s)
    if n <= MAX_CSV_VALUES:
        st.download_button(f"⬇ Every value of this step ({n:,} rows, .csv)", _trace_csv(state.scenario_key()),
                           file_name="backprop_step.csv", mime="text/csv", key="export_trace_csv", on_click="ignore",
                           help="One row per value: phase, layer, j, k, example, quantity (z, a, delta, dC_dW, …), "
                                "value at full precision.")
    else:
        st.caption(f"This step records {n:,} values, too many for one CSV: use fewer examples.")
    if max(s.layers) <= SVG_MAX_NEURONS:
        st.download_button("⬇ Network drawing (.svg)", network_svg(s.layers, s.weights, s.biases, digits=3),
                           file_name="network.svg", mime="image/svg+xml", key="export_svg", on_click="ignore")
