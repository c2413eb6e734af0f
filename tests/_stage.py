"""Reading the stage (app/walkthrough/stage.py) in AppTest: its arguments, and a report from the browser
simulated through the component's session-state value (AppTest cannot run its JavaScript)."""

from __future__ import annotations

import json
import math
import time


def stages(at) -> list[dict]:
    """The arguments of every stage on screen, ``data`` and ``chain`` parsed."""
    out = []
    for el in at.get("component_instance"):
        if el.proto.component_name != "app.walkthrough.stage.stage":
            continue
        a = json.loads(el.proto.json_args)
        a["data"] = json.loads(a["data"])
        a["chain"] = json.loads(a["chain"]) if a.get("chain") else {}
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
