"""Backprop Stepper: the Streamlit entry point (``streamlit run app/streamlit_app.py``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so pages can `import core`, `app.x`

import streamlit as st  # noqa: E402

st.set_page_config(page_title="Backprop Stepper", page_icon="∂", layout="wide")

pages = [
    st.Page("../pages/network.py", title="1 · Network", url_path="network", default=True),
    st.Page("../pages/forward.py", title="2 · Forward pass", url_path="forward"),
    st.Page("../pages/backward.py", title="3 · Backward pass", url_path="backward"),
    st.Page("../pages/update.py", title="4 · Update", url_path="update"),
    st.Page("../pages/train.py", title="5 · Training lab", url_path="train"),
]
st.navigation(pages).run()
