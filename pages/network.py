"""Screen 1: choose a network (a preset or your own), edit its weights, import or export it."""

import streamlit as st

from app.session import state
from app.walkthrough import network_ui, stepping, ui

ui.page_start("1 · Network", "Pick a preset — the classic 2-2-2 worked example is loaded — or build your own. "
              "Then step through its forward pass, backward pass and update on the next screens.")
s = state.current_scenario()

left, right = st.columns([2, 3], gap="large")
with left:
    network_ui.preset_picker()
    if s.description:
        st.caption(ui.plain(s.description))
    st.markdown(f"**Layers** {' → '.join(map(str, s.layers))} · **activations** {ui.plain(', '.join(s.activations))} · "
                f"**cost** {s.loss} · **η** = {s.learning_rate:g} · "
                f"**biases** {'trained' if s.train_biases else 'held fixed'} · **examples** {len(s.x)}")
    if st.button("Start the forward pass →", key="start_forward", type="primary",
                 help="Step 2: every z and a of this network, one equation at a time"):
        st.switch_page("../pages/forward.py")
with right:
    ui.drawing(stepping.network_drawing(s).kwargs, key="network_fig", legend="network")

st.subheader("Weights and biases")
st.caption("Edit any cell; the steps restart with the new values. Row j is the neuron the edge goes into, "
           "column k the neuron it comes from.")
network_ui.weight_tables()

with st.expander("Build your own network", expanded=False):
    network_ui.builder_form()
with st.expander("Import or export the scenario as JSON", expanded=False):
    network_ui.json_io()
ui.notation_expander()
