"""The engine as the app uses it: one cached trace per scenario, of the network after its update, and of
the update screen's mistake.

Traces are keyed on the scenario's canonical JSON (a plain string), computed once and shared
read-only by every rerun and page; stepping only moves an index into ``trace.steps(n)``.
"""

from __future__ import annotations

import streamlit as st

from core import Trace, load_scenario, trace
from core.engine.mistake import updated_weights_by_mistake


@st.cache_resource(max_entries=64, show_spinner=False)
def trace_of(key: str) -> Trace:
    """The trace of the scenario whose canonical JSON is ``key`` (read-only, shared)."""
    return trace(load_scenario(key))


@st.cache_resource(max_entries=64, show_spinner=False)
def trace_after_update(key: str) -> Trace:
    """The trace of the same network with the updated weights and biases (keyed on the scenario before
    the update: after a huge step the new weights may not be finite, so they have no JSON)."""
    t = trace_of(key)
    return trace(t.scenario.with_params(t.weights_new, t.biases_new))


@st.cache_resource(max_entries=16, show_spinner=False)
def mistake_of(key: str):
    """The update screen's "hidden gradients through the already-updated weights" mistake, computed once."""
    return updated_weights_by_mistake(trace_of(key))
