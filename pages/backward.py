"""Screen 3: the backward pass from the output back: ∂C/∂a^L, each δ, then ∂C/∂w and ∂C/∂b, on the
stage (app/walkthrough/stage.py); any weight's chain rule below."""

import streamlit as st

from app.session import state
from app.walkthrough import equations, quiz, stage, ui
from core.symbolic.notation import weight_name

ui.page_start("3 · Backward pass", "From the cost back to the first layer: how much each neuron's weighted "
              "input (δ) and each weight (∂C/∂w) moves the cost, using the weights from before the update.")
t, key, n = state.current_trace(), state.scenario_key(), state.example()
if not quiz.screen("backward"):  # in quiz mode the quiz is the screen
    s = t.scenario
    L = len(s.layers)
    view = ui.view_toggle("backward")
    if view == "graph":
        from app.graph import graph_ui  # the graph view (and the SymPy it builds on) loads only when shown

        graph_ui.step_screen("backward")  # draws the rest of the screen and stops
    stage.screen("backward", view)

    st.subheader("Any weight's chain rule")
    options = [(l, j, k) for l in range(2, L + 1) for j in range(s.layers[l - 1]) for k in range(s.layers[l - 2])]
    options += [(l, j, None) for l in range(2, L + 1) for j in range(s.layers[l - 1])]
    names = {o: f"{weight_name(*o)}  (layer {o[0]}, {'bias' if o[2] is None else 'weight'})" for o in options}
    chosen = ui.bound_select("Choose a weight or bias", options, state.SELECTED, names.get, "chain_select")
    if chosen is not None:
        for eq in equations.chain_rule(key, *chosen, n):
            ui.equation_card(eq)
    ui.notation_expander()
