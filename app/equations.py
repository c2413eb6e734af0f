"""The equations on screen: ``core.derive`` / ``core.explain`` behind st.cache_data, keyed on
plain values (the scenario's canonical JSON, example n, step index, digits).

Each equation is an ``Eq`` of three LaTeX strings (symbolic, with numbers, value) and one
plain sentence.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from app.model import trace_of


class Eq(NamedTuple):
    symbolic: str
    numeric: str
    value: str
    sentence: str


def _eq(e) -> Eq:
    return Eq(str(e.symbolic), str(e.numeric), str(e.value), str(e.sentence))


@st.cache_data(max_entries=4000, show_spinner=False)
def step_equation(key: str, n: int, index: int, digits: int = 9) -> Eq:
    """The equation of record ``index`` of ``trace.steps(n)``."""
    from core import derive

    t = trace_of(key)
    return _eq(derive.step_equation(t, t.steps(n)[index], digits=digits))


@st.cache_data(max_entries=2000, show_spinner=False)
def chain_rule(key: str, l: int, j: int, k: int | None, n: int, digits: int = 9) -> list[Eq]:
    """The chain-rule card of w^l_{jk} (k None: the bias b^l_j)."""
    from core import derive

    return [_eq(e) for e in derive.chain_rule(trace_of(key), l, j, k, n=n, digits=digits)]


@st.cache_data(max_entries=2000, show_spinner=False)
def matrix_equations(key: str, l: int, phase: str, n: int, digits: int = 4) -> list[Eq]:
    """Layer l in matrix form, with the actual matrices and their shapes."""
    from core import derive

    return [_eq(e) for e in derive.matrix_equations(trace_of(key), l, phase, n=n, digits=digits)]


@st.cache_data(max_entries=1, show_spinner=False)
def notation() -> list[str]:
    from core import derive

    return list(derive.notation_latex())


@st.cache_data(max_entries=64, show_spinner=False)
def handout(key: str) -> str:
    """The worked-example handout (Markdown) of the scenario."""
    from core.explain import explain

    return explain(key)


def available(module: str = "derive") -> str | None:
    """None when core.<module> (derive: the equations, explain: the handout) can be imported,
    else why not (the app then steps and draws without it)."""
    import importlib

    try:
        importlib.import_module(f"core.{module}")
    except Exception as e:  # noqa: BLE001
        return f"core.{module} is not available ({e.__class__.__name__}: {e})"
    return None
