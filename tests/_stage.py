"""Reading what AppTest renders but has no public accessor for: the stage (app/walkthrough/stage.py) and
other custom components' arguments, Plotly charts' figures and configs; and a report from the browser
simulated through the component's session-state value (AppTest cannot run its JavaScript).

Every test reads these through the helpers below, never through an element's ``.proto`` itself
(tests/test_architecture.py holds every other test file to that)."""

from __future__ import annotations

import json
import math
import time

STAGE = "app.walkthrough.stage.stage"  # the stage's component name: its module, then its name


def _proto(el):
    """The protobuf of a rendered element: the single place in the tests that reads the element tree's
    protobuf. AppTest (streamlit.testing.v1) has public accessors for text, widgets and their parameters
    (``Button.label``, ``Button.shortcut``, ``DownloadButton.label``, an element's ``key``), but it has no
    element class for ``st.plotly_chart`` or a custom component: both are an ``UnknownElement`` whose
    figure, config and arguments exist only in its protobuf (``spec``, ``config``, ``json_args``)."""
    return el.proto


def figures(at) -> list[dict]:
    """Every Plotly chart on screen as the browser receives it ({"data": [...], "layout": {...}}), in page
    order; ``figure(at, key)`` for one."""
    return [json.loads(_proto(c).spec) for c in at.get("plotly_chart")]


def _chart(at, key: str):
    found = [c for c in at.get("plotly_chart") if c.key == key]
    assert len(found) == 1, f"expected one chart {key!r}, found keys {[c.key for c in at.get('plotly_chart')]}"
    return found[0]


def figure(at, key: str) -> dict:
    """The figure of the Plotly chart drawn with ``key``."""
    return json.loads(_proto(_chart(at, key)).spec)


def figure_config(at, key: str) -> dict:
    """The ``config`` the Plotly chart ``key`` was drawn with (its mode bar, its camera)."""
    return json.loads(_proto(_chart(at, key)).config)


def component_args(at, name: str | None = None) -> list[dict]:
    """The arguments of every custom component on screen (of the component ``name`` only, e.g. ``STAGE``), as
    the page passed them (``key`` and ``default`` included), in page order."""
    return [json.loads(_proto(c).json_args) for c in at.get("component_instance")
            if name is None or _proto(c).component_name == name]


def stages(at) -> list[dict]:
    """The arguments of every stage on screen, ``data``, ``chain`` and ``onward`` parsed."""
    out = []
    for a in component_args(at, STAGE):
        a["data"] = json.loads(a["data"])
        a["chain"] = json.loads(a["chain"]) if a.get("chain") else {}
        a["onward"] = json.loads(a["onward"]) if a.get("onward") else None
        out.append(a)
    return out


def stage(at) -> dict:
    found = stages(at)
    assert len(found) == 1, f"expected one stage on screen, found {len(found)}"
    return found[0]


def frame(at) -> dict:
    """The frame the stage shows (the server's step)."""
    a = stage(at)
    return a["data"]["frames"][a["step"]]


def node_labels(at, step: int | None = None) -> list[str]:
    """Every neuron's label at a step (the server's step by default): base, then each frame's changes."""
    a = stage(at)
    d = a["data"]
    labels = [""] * len(d["geometry"]["nodes"])
    for i, v in d["base"]["nodes"].items():
        labels[int(i)] = v
    for f in d["frames"][: (a["step"] if step is None else step) + 1]:
        for i, v in f["nodes"].items():
            labels[int(i)] = v
    return labels


def mathml(at) -> str:
    """All MathML of the current frame's cards (and its chain-rule card if sent)."""
    a = stage(at)
    f = a["data"]["frames"][a["step"]]
    cards = list(f["cards"]) + list(a["chain"].get(f.get("chain", ""), []))
    return "".join(p for c in cards for rows in c["rows"] for line in rows for p in line)


def report(at, key: str, step: int, why: str = "idle", **extra) -> None:
    """What the browser sends when it tells the server its step."""
    at.session_state[key] = {"step": step, "why": why, "seq": time.time_ns(), **extra}
    at.run()


def step_caption(at) -> str:
    """The stage's step as the browser shows it: "Step i of n"."""
    a = stage(at)
    return f"Step {a['step'] + 1} of {a['data']['count']}"


def values(label: str) -> dict[str, float]:
    """The quantities a drawing's label shows, by name: "z²₁ = 0.3775<br>a²₁ = 0.5933" → {"z²₁": 0.3775, "a²₁":
    0.5933}. Tests compare them with the trace's numbers (``shows``), not with a formatted string."""
    out = {}
    for part in label.replace("<br>", "\n").replace(", ", "\n").splitlines():
        if " = " in part:
            name, _, number = part.rpartition(" = ")
            out[name.split(" = ")[-1].strip()] = float(number.replace("−", "-"))
    return out


def shows(label: str, expected: dict[str, float], figures: int = 4) -> bool:
    """The label shows exactly these quantities, each the expected value rounded to ``figures`` significant
    figures (within half a unit of the last figure shown)."""
    got = values(label)
    if set(got) != set(expected):
        return False
    return all(abs(got[k] - v) <= 0.5 * 10 ** (math.floor(math.log10(abs(v))) - figures + 1) * 1.000001 if v else
               got[k] == 0 for k, v in expected.items())
