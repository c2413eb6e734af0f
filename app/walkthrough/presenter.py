"""Presenter controls: the keyboard scheme of the step screens and presenter mode (larger
equations, no sidebar) for a projector.

Keys are Streamlit's native button shortcuts. Streamlit ignores a plain-key shortcut while a text
or number input has focus, so typing a number never steps. "C" and "R" are reserved by Streamlit
and cannot be shortcuts; the quiz (app/walkthrough/quiz.py) uses "A" for Reveal and "H" for a hint.
"""

from __future__ import annotations

import streamlit as st

from app.session import state

KEYS = {"previous": "Left", "next": "Right", "reset": "Home", "presenter": "P"}
HINT = "Keys: ← previous · → next · Home first step · P presenter mode"

CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] { display: none !important; }
html { font-size: 125% !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 0.6rem; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none !important; }
[data-testid="stHeader"] button, [data-testid="stHeader"] a,
[data-testid="stHeader"] button * { pointer-events: auto !important; }
.st-key-presenter_off { position: fixed; top: 0.55rem; right: 3.6rem; width: auto !important; z-index: 999991; }
.st-key-presenter_off button { min-height: 0; padding: 0.1rem 0.6rem; }
.st-key-presenter_off button p { font-size: 0.8rem !important; }
[data-testid="stElementContainer"]:has(h1) { order: -2; }
[data-testid="stElementContainer"]:has(iframe[title="app.walkthrough.stage.stage"]),
[data-testid="stLayoutWrapper"]:has(iframe[title="app.walkthrough.stage.stage"]) { order: -1; }
.katex-display > .katex { font-size: 1.75em !important; }
.katex { font-size: 1.3em; }
[data-testid="stMarkdownContainer"] p { font-size: 1.3rem; }
[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"] { zoom: 1.25; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.6rem; padding: 0; margin-right: 16rem; }
[data-testid="stElementContainer"]:has(h1) + [data-testid="stElementContainer"] { display: none; }
</style>"""  # fixed CSS for presenter mode (no user text): the sidebar hidden; every text sized in rem
# (captions, hints, labels, metrics) grows with the root size, equations more; the canvas tables zoom.
# One step fits a 1280×720 projector: a compact heading in the header's band (the header transparent,
# the way out in its corner), the stage straight under it, the toggles and the rest below it (CSS order; the
# stage's fragment is a block of its own, so its wrapper moves up too)


def on() -> bool:
    """Whether presenter mode is on (kept across screens under a fixed key)."""
    return bool(st.session_state.get(state.PRESENTER, False))


def _flip() -> None:
    st.session_state[state.PRESENTER] = not on()


def sidebar_button() -> None:
    """In the sidebar (presenter mode off): the button that turns it on."""
    st.button("Presenter mode", key="presenter_on", icon=":material/co_present:", on_click=_flip,
              shortcut=KEYS["presenter"], width="stretch",
              help="Larger equations and no sidebar, for a projector. Press P again (or the button at the "
                   "top of the screen) to leave it. " + HINT + ".")


def apply() -> None:
    """In presenter mode: the CSS and, at the top of the screen, the way out (the sidebar is hidden)."""
    if not on():
        return
    st.html(CSS)
    st.button("Leave presenter mode", key="presenter_off", icon=":material/close:", on_click=_flip,
              shortcut=KEYS["presenter"], help="Shows the sidebar again (screens, network, example).")
