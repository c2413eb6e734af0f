"""Screen 2: the forward pass, neuron by neuron (or layer by layer in the matrix view)."""

import streamlit as st

from app import equations, graph_ui, quiz, state, stepping, ui

ui.page_start("2 · Forward pass", "From the input to the cost: every neuron weighs its inputs, adds its bias "
              "and applies its activation. Step with Next; the drawing shows every z and a computed so far.")
t, key, n = state.current_trace(), state.scenario_key(), state.example()
quiz.screen("forward")  # in quiz mode this draws the rest of the screen and stops
steps = t.steps(n)
L = len(t.scenario.layers)
view = ui.view_toggle("forward")
graph_ui.step_screen("forward")  # in the graph view this draws the rest of the screen and stops
count = stepping.count(steps, "forward", view)
i = ui.stepper("forward", count)
layer = stepping.matrix_layer(L, "forward", i) if view == "matrix" else None
record = steps[i] if view == "neuron" else None

left, right = ui.split(t.scenario.layers)
with left:
    if not ui.equations_missing():
        if view == "neuron" or layer is None:  # one scalar equation, or the cost
            g = i if view == "neuron" else stepping.phase_range(steps, "forward")[1] - 1
            ui.equation_card(equations.step_equation(key, n, g))
        else:
            for eq in equations.matrix_equations(key, layer, "forward", n):
                ui.equation_card(eq)
    if i == count - 1:  # the last step of either view is the cost
        st.metric("Cost C of this example", f"{t.costs[n]:.9g}")
with right:
    ui.drawing(stepping.forward_drawing(t, n, view, i).kwargs, key="forward_fig", pick="forward")
ui.notation_expander()
