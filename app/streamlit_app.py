"""Backprop Stepper: the Streamlit entry point (``streamlit run app/streamlit_app.py``)."""

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so pages can `import core`, `app.x`

import streamlit as st  # noqa: E402

from app import classroom  # noqa: E402
from app.session import state
from app.session.screens import SCREENS  # noqa: E402
from app.walkthrough import sidebar
from core import load_preset  # noqa: E402

st.set_page_config(page_title="Backprop Stepper", page_icon="∂", layout="wide")

start = state.read_url() or "network"  # a shared link opens the screen it names
screens = {name: st.Page(path, title=title, url_path=name, default=name == start) for name, path, title in SCREENS}
current = st.navigation(list(screens.values()))
name = next((n for n, p in screens.items() if p is current or p.title == current.title), "network")


def _recover(where: str, key: str) -> None:
    """The last safety net: a message and the way back, never a traceback on screen."""
    logging.getLogger("backprop_stepper").exception("%s of screen %s failed", where, name)
    st.error(f"The {where} hit a problem it could not show with this network. Your network is kept: try the "
             "Network screen, or load the classic example. (The details are in the server log.)")
    if st.button("Open the classic 2-2-2 example", key=key):
        state.set_scenario(load_preset(state.DEFAULT_PRESET), "Opened the classic 2-2-2 example.")
        st.rerun()


try:
    sidebar.render(name)
except Exception:  # noqa: BLE001 - the sidebar fails alone; the screen below still draws
    with st.sidebar:
        _recover("sidebar", "recover_sidebar")
try:
    classroom.render(name, screens)  # class mode: drive the room, or follow it (may stop the screen)
    current.run()
except Exception:  # noqa: BLE001
    _recover("screen", "recover_default")
state.write_url(name)
