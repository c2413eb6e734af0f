"""Backprop Stepper: the Streamlit entry point (``streamlit run app/streamlit_app.py``; ``make run`` runs it through
``app/serve.py``, which warms the server up)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so pages can `import core`, `app.x`

import streamlit as st  # noqa: E402

from app import classroom  # noqa: E402
from app.session import state
from app.session.screens import SCREENS  # noqa: E402
from app.walkthrough import sidebar, ui

# the icon as a file: "∂" is no emoji, so Streamlit searched its emoji catalog for it (0.1-0.2 s of the first
# run) and then pointed the browser at an icon address that answered 404
ICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
st.set_page_config(page_title="Backprop Stepper", page_icon=str(ICON), layout="wide")

start = state.read_url() or "network"  # a shared link opens the screen it names
screens = {name: st.Page(path, title=title, url_path=name, default=name == start) for name, path, title in SCREENS}
current = st.navigation(list(screens.values()))
name = next((n for n, p in screens.items() if p is current or p.title == current.title), "network")

try:
    sidebar.render(name)
except Exception:  # noqa: BLE001 - the sidebar fails alone; the screen below still draws
    with st.sidebar:
        ui.recover("sidebar", "recover_sidebar", name)
try:
    classroom.render(name, screens)  # class mode: drive the room, or follow it (may stop the screen)
    current.run()
except Exception:  # noqa: BLE001
    ui.recover("screen", "recover_default", name)
state.write_url(name)
