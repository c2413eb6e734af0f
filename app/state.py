"""Session state shared by every page, under fixed keys that no widget owns.

Streamlit drops a widget's value when the widget is not rendered (e.g. on another page),
so the real values live here and widgets only edit them.
"""

from __future__ import annotations

import streamlit as st

from core import Scenario, load_preset

SCENARIO = "bp_scenario"  # the current Scenario
NOTICE = "bp_notice"  # a one-off message to show on the next page drawn
DEFAULT_PRESET = "classic_2-2-2"


def current_scenario() -> Scenario:
    """The scenario every page works on (the classic worked example until one is chosen)."""
    if SCENARIO not in st.session_state:
        st.session_state[SCENARIO] = load_preset(DEFAULT_PRESET)
    return st.session_state[SCENARIO]


def set_scenario(scenario: Scenario, notice: str | None = None) -> None:
    """Make ``scenario`` the current one (steps restart); ``notice`` is shown once."""
    st.session_state[SCENARIO] = scenario
    if notice:
        st.session_state[NOTICE] = notice
