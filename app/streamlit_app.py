"""Backprop Stepper: the Streamlit entry point (``streamlit run app/streamlit_app.py``)."""

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so pages can `import core`, `app.x`

import streamlit as st  # noqa: E402

from app import classroom, sidebar, state  # noqa: E402
from core import load_preset  # noqa: E402

st.set_page_config(page_title="Backprop Stepper", page_icon="∂", layout="wide")

start = state.read_url() or "network"  # a shared link opens the screen it names
SCREENS = [
    ("network", "../pages/network.py", "1 · Network"),
    ("forward", "../pages/forward.py", "2 · Forward pass"),
    ("backward", "../pages/backward.py", "3 · Backward pass"),
    ("update", "../pages/update.py", "4 · Update"),
    ("train", "../pages/train.py", "5 · Training lab"),
    ("worksheet", "../pages/worksheet.py", "6 · Worksheets"),
    ("join", "../pages/join.py", "Join a class"),
]
pages = {name: st.Page(path, title=title, url_path=name, default=name == start) for name, path, title in SCREENS}
current = st.navigation(list(pages.values()))
name = next((n for n, p in pages.items() if p is current or p.title == current.title), "network")
sidebar.render(name)
try:
    classroom.render(name, pages)  # class mode: drive the room, or follow it (may stop the screen)
    current.run()
except Exception:  # the last safety net: a message and the way back, never a traceback on screen
    logging.getLogger("backprop_stepper").exception("screen %s failed", name)
    st.error("This screen hit a problem it could not show with this network. Your network is kept: try the "
             "Network screen, or load the classic example there. (The details are in the server log.)")
    if st.button("Open the classic 2-2-2 example", key="recover_default"):
        state.set_scenario(load_preset(state.DEFAULT_PRESET), "Opened the classic 2-2-2 example.")
        st.rerun()
state.write_url(name)
