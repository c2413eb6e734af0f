"""6 · Worksheets: a small random network per seed, with a blank for every value of one training step,
and its answer key; printable HTML and Markdown downloads, a zip for a class, or open it here."""

import streamlit as st

from app.session import state
from app.teaching import worksheet_ui as wu
from app.walkthrough import ui
from core import load_scenario

ui.page_start("6 · Worksheets", "A different network for every student: each seed gives its own small network "
              "with a blank for every z, a, δ, ∂C/∂w, ∂C/∂b and updated weight, and its answer key. The same "
              "seed always gives the same sheet.")

with st.expander("What the worksheets may use", expanded=False):
    wu.choices()

c = st.columns([1, 4], vertical_alignment="bottom")
seed = int(wu.w("number_input", "Seed", "seed", c[0], min_value=0, max_value=2**32 - 1, step=1,
                help="Give each student another seed; the same seed always gives the same sheet."))
key = wu.allowed_key()
try:
    with st.spinner("Making the worksheet and its answer key…"):
        docs = wu.documents(seed, key)
except ValueError as e:
    st.error(f"No worksheet can be made with these choices: {ui.plain(str(e))}.", icon="⚠️")
    st.stop()

c[1].markdown(f"**Worksheet {seed}:** network {ui.plain(docs['summary'])} · {docs['blanks']} blanks")
wu.downloads(seed, docs)
st.caption("The HTML pages work offline and print on A4 (the answer key starts on a new page); to get a PDF, "
           "open one and print it to PDF from the browser.")

if st.button("Open this network in the walkthrough", key="ws_open", icon=":material/play_arrow:"):
    state.set_scenario(load_scenario(docs["scenario"]), f"Opened worksheet {seed}: the steps start from the first one.")
    st.switch_page("../pages/forward.py")

with st.expander("A worksheet for everyone in a class", expanded=False):
    wu.batch(key)

st.divider()
wu.preview(docs)
