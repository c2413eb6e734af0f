"""The sidebar every screen shares: presenter mode, the current network, the example, the handout, sharing."""

from __future__ import annotations

import streamlit as st

from app.session import state
from app.walkthrough import presenter
from app.walkthrough.a11y import keyboard_scroll
from app.walkthrough.ui import app_css, plain
from core.teaching.explain import explain


def render(screen: str) -> None:
    s = state.current_scenario()
    app_css()  # one type scale and readable contrast on every screen
    presenter.apply()  # presenter mode: hides this sidebar, shows its way out on the screen
    with st.sidebar:
        if not presenter.on():
            presenter.sidebar_button()
        st.markdown(f"**Network** {'-'.join(map(str, s.layers))}" + (f" — {plain(s.name[:80])}" if s.name else ""))
        st.caption(plain(f"activations {', '.join(s.activations)} · cost {s.loss} · η = {s.learning_rate:g}"))
        if len(s.x) > 1:
            state.bound("number_input", f"Example stepped through (1–{len(s.x)})", "example_select",
                        state.example() + 1, lambda v: state.set_example(int(v) - 1), min_value=1,
                        max_value=len(s.x), help="The forward and backward screens follow one example; the "
                                                 "update uses the mean gradient over all of them.")
        st.download_button("⬇ Worked-example handout (.md)", data=_handout_for(state.scenario_key()),
                           file_name=_file_name(s), mime="text/markdown", key="handout_download",
                           on_click="ignore", width="stretch",
                           help="Every equation of this network's training step, as Markdown.")
        keyboard_scroll()  # equations that scroll sideways: reachable by Tab
        st.caption("**Share this exact screen:** copy the address bar — it holds the network, the screen "
                   "and the step.")


def _handout_for(key: str):
    """Made on click (the callable runs outside the script, so it calls core directly)."""
    def make() -> str:
        return explain(key)
    return make


def _file_name(s) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in (s.name or "network"))[:60]
    return f"backprop_{stem or 'network'}.md"
