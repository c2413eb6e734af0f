"""The app's size limits: what the stepper can show on screen. Pure functions, no Streamlit
(``app.session.url`` checks a shared link with them, ``app.walkthrough.network_ui`` what a user builds or imports)."""

from __future__ import annotations

from core import Scenario

MAX_HIDDEN, MAX_NEURONS, MAX_EXAMPLES = 6, 8, 64


def precheck(d) -> str | None:
    """The limits on a raw scenario dict, before core builds (and initialises) anything."""
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
    if s.L - 2 > MAX_HIDDEN:
        return (f"the stepper shows at most {MAX_HIDDEN} hidden layers, this network has "
                f"{s.L - 2}: remove some layers")
    if max(s.layers) > MAX_NEURONS:
        return (f"the stepper shows at most {MAX_NEURONS} neurons per layer, this network has a layer of "
                f"{max(s.layers)}: make the layers smaller")
    if len(s.x) > MAX_EXAMPLES:
        return f"the stepper takes at most {MAX_EXAMPLES} examples, this scenario has {len(s.x)}"
    return None
