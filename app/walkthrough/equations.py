"""The equations on screen: ``core.symbolic.derive`` behind st.cache_data, keyed on plain values (the
scenario's canonical JSON, example n, step index, digits).

Each equation is a ``core.symbolic.latex.Equation``: three LaTeX strings (symbolic, with numbers, value)
and one plain sentence.
"""

from __future__ import annotations

import streamlit as st

from app.session.model import trace_of
from core.symbolic import derive
from core.symbolic.latex import Equation


@st.cache_data(max_entries=4000, show_spinner=False)
def step_equation(key: str, n: int, index: int, digits: int = 9) -> Equation:
    """The equation of record ``index`` of ``trace.steps(n)``."""
    t = trace_of(key)
    return derive.step_equation(t, t.steps(n)[index], digits=digits)


@st.cache_data(max_entries=2000, show_spinner=False)
def chain_rule(key: str, l: int, j: int, k: int | None, n: int, digits: int = 9) -> list[Equation]:
    """The chain-rule card of w^l_{jk} (k None: the bias b^l_j)."""
    return derive.chain_rule(trace_of(key), l, j, k, n=n, digits=digits)


@st.cache_data(max_entries=2000, show_spinner=False)
def matrix_equations(key: str, l: int, phase: str, n: int, digits: int = 4) -> list[Equation]:
    """Layer l in matrix form, with the actual matrices and their shapes."""
    return derive.matrix_equations(trace_of(key), l, phase, n=n, digits=digits)


@st.cache_data(max_entries=1, show_spinner=False)
def notation() -> list[str]:
    return list(derive.notation_latex())
