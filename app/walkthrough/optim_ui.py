"""The Update screen's optimizer section: one parameter's step under the scenario's rule (or
another, to compare), worked from the rule's zero state as symbols → numbers → value.

Called from pages/update.py with one line (``optim_ui.update_section(t)``); the equations are
built by ``core.symbolic.optim_steps`` (pure) and cached on plain values.
"""

from __future__ import annotations

import streamlit as st

from app.walkthrough.ui import equation_card, plain
from core.engine.optim import DEFAULTS, WORDS, describe
from core.lab.landscape import param_info
from core.symbolic.latex import sym
from core.symbolic.optim_steps import worked_update

RULE_NAMES = {"sgd": "Gradient descent (sgd)", "momentum": "Momentum", "nesterov": "Nesterov momentum",
              "rmsprop": "RMSprop", "adam": "Adam"}
PARAM_KEY, RULE_KEY = "bp_optim_param", "bp_optim_rule"


def rule_spec(choice: str, scenario_spec: dict) -> dict:
    """The spec for a menu choice: the scenario's own settings for its rule, else the defaults."""
    name = "momentum" if choice == "nesterov" else choice
    if name == scenario_spec["name"] and (choice == "nesterov") == bool(scenario_spec.get("nesterov")):
        return dict(scenario_spec)
    spec = {"name": name, **DEFAULTS[name]}
    if choice == "nesterov":
        spec["nesterov"] = True
    return spec


def _choice(spec: dict) -> str:
    return "nesterov" if spec.get("nesterov") else spec["name"]


@st.cache_data(max_entries=500, show_spinner=False)
def _equations(spec_items: tuple, eta: float, name: str, w: float, g: float, trained: bool, l1: float,
               l2: float, g_data: float | None):
    return worked_update(dict(spec_items), eta, name, w, g, trained=trained, l1=l1, l2=l2, g_data=g_data)


def update_section(t) -> None:
    """The optimizer's update of a chosen parameter, from the zero state (reads the trace only)."""
    s = t.scenario
    st.subheader("The update rule, for one parameter")
    own = _choice(s.optimizer)
    st.markdown(plain(f"This scenario trains with {describe(s.optimizer)}. The new values on this screen are "
                      "its first step from its zero state (every running average and the counter t at 0)."
                      + (f" The cost and the gradients include the penalty"
                         f"{f' λ₂/2 Σw² (λ₂ = {s.l2:g})' if s.l2 else ''}{' +' if s.l1 and s.l2 else ''}"
                         f"{f' λ₁ Σ|w| (λ₁ = {s.l1:g})' if s.l1 else ''} over the weights."
                         if (s.l1 or s.l2) else "")))
    params = param_info(s.layers)
    c1, c2 = st.columns(2)
    if st.session_state.get(PARAM_KEY, 0) >= len(params):
        st.session_state[PARAM_KEY] = 0
    i = c1.selectbox("Parameter", range(len(params)), format_func=lambda i: params[i].label, key=PARAM_KEY)
    choices = list(RULE_NAMES)
    choice = c2.selectbox("Rule", choices, index=choices.index(own), key=f"{RULE_KEY}_{own}",
                          format_func=lambda c: RULE_NAMES[c] + (" (this scenario's)" if c == own else ""))
    p = params[i]
    spec = rule_spec(choice, s.optimizer)
    if p.kind == "w":
        w, g = float(s.weights[p.i][p.j, p.k]), float(t.dC_dW[p.i][p.j, p.k])
        g_data = float(t.dC_dW_examples[p.i][:, p.j, p.k].mean()) if (s.l1 or s.l2) else None
        name, trained = sym("w", p.i + 2, p.j, p.k), True
    else:
        w, g, g_data = float(s.biases[p.i][p.j]), float(t.dC_db[p.i][p.j]), None
        name, trained = sym("b", p.i + 2, p.j), s.train_biases
    eqs = _equations(tuple(spec.items()), float(s.learning_rate), name, w, g, trained,
                     s.l1 if p.kind == "w" else 0.0, s.l2 if p.kind == "w" else 0.0, g_data)
    if choice != own:
        st.caption(plain(f"Shown for comparison: {describe(spec)} from its zero state, on this gradient. "
                         "The table above uses the scenario's own rule."))
    st.info(plain(WORDS[spec["name"]]))
    for eq in eqs:
        equation_card(eq)
