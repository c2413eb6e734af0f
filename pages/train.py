"""5 · Training lab: train the network, watch the cost fall (or diverge), compare learning rates.

Thin: the state lives in app/lab/train_state.py, the panels in app/lab/train_ui.py, the charts in
app/lab/train_figures.py and the maths in core/ (training, landscape, gradcheck, datasets).
"""

import streamlit as st

import app.lab.optim_lab as ol
import app.lab.train_state as ts
import app.lab.train_ui as ui
from app.session.state import NOTICE
from app.walkthrough.ui import plain

st.title("Training lab")
st.markdown("Train the network on its example or a small data set and watch the cost fall — or, with a "
            "learning rate η that is too large, watch gradient descent jump over the minimum and diverge.")
if notice := st.session_state.pop(NOTICE, None):
    st.info(plain(notice))

session = ts.session()
ui.data_panel(session)
ui.controls(session, eta_note=ol.eta_bound)  # "stable below about …" under the η control
ol.controls(session)

if session is not None:

    @st.fragment(run_every=ts.TICK_S if ts.playing() else None)
    def live():
        stopped = ts.tick()
        ui.live_view(session)
        ol.warnings(session)
        if stopped:
            st.rerun()  # redraw the whole page: Play comes back, the timer stops

    live()
    rates, check = st.columns(2)
    with rates:
        ol.compare_panel(session)
    with check:
        if ts.playing():
            st.caption("Pause to check the next step: the gradient check and the mini-batch, example by example.")
        else:
            ui.inspectors(session)
    st.subheader("Optimizers, regularization, curvature and initialization")
    ol.sections(session)
