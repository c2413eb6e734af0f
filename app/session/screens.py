"""The screens of the app, once: name (in the URL's ``p``), page file and title, in order. Pure data,
no Streamlit: ``app/streamlit_app.py`` builds the navigation from it and ``app/session/url.py`` checks a
link's screen against it. Adding a screen is one entry here plus its file under ``pages/``."""

from __future__ import annotations

from typing import NamedTuple


class Screen(NamedTuple):
    name: str  # the URL's p=…
    path: str  # relative to app/streamlit_app.py
    title: str


SCREENS = (
    Screen("network", "../pages/network.py", "1 · Network"),
    Screen("forward", "../pages/forward.py", "2 · Forward pass"),
    Screen("backward", "../pages/backward.py", "3 · Backward pass"),
    Screen("update", "../pages/update.py", "4 · Update"),
    Screen("train", "../pages/train.py", "5 · Training lab"),
    Screen("worksheet", "../pages/worksheet.py", "6 · Worksheets"),
    Screen("graph", "../pages/graph.py", "7 · Computational graph"),
    Screen("join", "../pages/join.py", "Join a class"),
)
NAMES = tuple(s.name for s in SCREENS)
STEPPED = ("forward", "backward", "update")  # the screens with a step index of their own (kept in the URL)
VIEWED = ("forward", "backward")  # the stepped screens with a matrix and a graph view besides the neuron view
