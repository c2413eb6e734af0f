"""Screen 3: the backward pass from the output back: ∂C/∂a^L, each δ, then ∂C/∂w and ∂C/∂b."""

import streamlit as st

from app import equations, graph_ui, quiz, state, stepping, ui
from core.notation import weight_name
from core.steps import BiasGradStep, WeightGradStep

ui.page_start("3 · Backward pass", "From the cost back to the first layer: how much each neuron's weighted "
              "input (δ) and each weight (∂C/∂w) moves the cost, using the weights from before the update.")
t, key, n = state.current_trace(), state.scenario_key(), state.example()
quiz.screen("backward")  # in quiz mode this draws the rest of the screen and stops
s, steps = t.scenario, t.steps(n)
L = len(s.layers)
view = ui.view_toggle("backward")
graph_ui.step_screen("backward")  # in the graph view this draws the rest of the screen and stops
i = ui.stepper("backward", stepping.count(steps, "backward", view))
start = stepping.phase_range(steps, "backward")[0]
record = steps[start + i] if view == "neuron" else None

left, right = ui.split(s.layers)
with left:
    if not ui.equations_missing():
        if view == "neuron":
            ui.equation_card(equations.step_equation(key, n, start + i))
            if isinstance(record, (WeightGradStep, BiasGradStep)) and record.l < L:
                k = record.k if isinstance(record, WeightGradStep) else None
                with st.expander(f"The full chain rule for {weight_name(record.l, record.j, k)}", expanded=True):
                    for eq in equations.chain_rule(key, record.l, record.j, k, n):
                        ui.equation_card(eq)
        else:
            for eq in equations.matrix_equations(key, stepping.matrix_layer(L, "backward", i), "backward", n):
                ui.equation_card(eq)
with right:
    picked = st.session_state.get(state.SELECTED)
    ui.drawing(dict(stepping.backward_drawing(t, n, view, i).kwargs, picked_edge=picked if picked and picked[2]
                    is not None else None), key="backward_fig", pick="backward")

st.subheader("Any weight's chain rule")
options = [(l, j, k) for l in range(2, L + 1) for j in range(s.layers[l - 1]) for k in range(s.layers[l - 2])]
options += [(l, j, None) for l in range(2, L + 1) for j in range(s.layers[l - 1])]
names = {o: f"{weight_name(*o)}  (layer {o[0]}, {'bias' if o[2] is None else 'weight'})" for o in options}
chosen = ui.bound_select("Choose a weight or bias", options, state.SELECTED, names.get, "chain_select")
if chosen is not None and not ui.equations_missing():
    for eq in equations.chain_rule(key, *chosen, n):
        ui.equation_card(eq)
ui.notation_expander()
