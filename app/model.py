"""The engine as the app uses it: one cached trace per scenario, and the app's size limits.

Traces are keyed on the scenario's canonical JSON (a plain string), computed once and shared
read-only by every rerun and page; stepping only moves an index into ``trace.steps(n)``.
"""

from __future__ import annotations

import streamlit as st

from core import Scenario, Trace, load_scenario, trace

MAX_HIDDEN, MAX_NEURONS, MAX_EXAMPLES = 6, 8, 64


@st.cache_resource(max_entries=64, show_spinner=False)
def trace_of(key: str) -> Trace:
    """The trace of the scenario whose canonical JSON is ``key`` (read-only, shared)."""
    return trace(load_scenario(key))


def precheck(d) -> str | None:
    """The same limits on a raw scenario dict, before core builds (and initialises) anything."""
    if not isinstance(d, dict):
        return None  # core says what is wrong
    layers, x = d.get("layers"), d.get("x")
    if isinstance(layers, list) and all(isinstance(n, int) for n in layers):
        if len(layers) - 2 > MAX_HIDDEN:
            return f"the stepper shows at most {MAX_HIDDEN} hidden layers, this network has {len(layers) - 2}"
        if layers and max(layers) > MAX_NEURONS:
            return f"the stepper shows at most {MAX_NEURONS} neurons per layer, this network has {max(layers)}"
    if isinstance(x, list) and x and all(isinstance(e, list) for e in x) and len(x) > MAX_EXAMPLES:
        return f"the stepper takes at most {MAX_EXAMPLES} examples, this scenario has {len(x)}"
    return None


def app_limits(s: Scenario) -> str | None:
    """Why this scenario is too big to step through on screen, or None if it fits."""
    if len(s.layers) - 2 > MAX_HIDDEN:
        return (f"the stepper shows at most {MAX_HIDDEN} hidden layers, this network has "
                f"{len(s.layers) - 2}: remove some layers")
    if max(s.layers) > MAX_NEURONS:
        return (f"the stepper shows at most {MAX_NEURONS} neurons per layer, this network has a layer of "
                f"{max(s.layers)}: make the layers smaller")
    if len(s.x) > MAX_EXAMPLES:
        return f"the stepper takes at most {MAX_EXAMPLES} examples, this scenario has {len(s.x)}"
    return None
