"""The shareable URL: scenario, screen, step, view and example as compact query parameters.

``s`` is the scenario as zlib-compressed compact JSON in base64url (weights left out when they
are exactly the seeded initialisation), ``p`` the screen, ``step`` the 1-based step, ``v=m``
the matrix view (``v=g`` the graph view), ``n`` the example. Decoding never raises: a broken or tampered link gives the
default example and a readable problem. Pure functions, no Streamlit.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass

import numpy as np

from app.session.limits import app_limits, precheck
from app.session.screens import NAMES, VIEWED
from core import Scenario, load_scenario
from core.engine.scenario import initial_weights

MAX_CODE = 24_000  # characters of ``s``
MAX_JSON = 200_000  # bytes after decompression
FORMAT = "1"


def _compact_dict(s: Scenario) -> dict:
    d = s.to_dict()
    init = s.init
    try:
        W0 = initial_weights(s.layers, init["scheme"], init["seed"])
        if (all(np.array_equal(a, b) for a, b in zip(W0, s.weights))
                and all(not np.any(b) for b in s.biases)):
            d.pop("weights"), d.pop("biases")
    except Exception:  # noqa: BLE001 - then the weights are simply written out
        pass
    return d


def encode_scenario(s: Scenario) -> str:
    raw = json.dumps(_compact_dict(s), separators=(",", ":"), ensure_ascii=False).encode()
    return FORMAT + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_scenario(code: str) -> Scenario:
    """The scenario of a code; raises ValueError with a readable reason."""
    if not isinstance(code, str) or not code:
        raise ValueError("the network code is empty")
    if len(code) > MAX_CODE:
        raise ValueError(f"the network code is too long ({len(code)} characters)")
    if code[0] != FORMAT:
        raise ValueError("the network code is not in a format this app knows")
    body = code[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        z = zlib.decompressobj()
        raw = z.decompress(packed, MAX_JSON)
        if z.unconsumed_tail:
            raise ValueError("the network code unpacks to too much data")
        d = json.loads(raw.decode())
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"the network code is damaged ({e.__class__.__name__})") from None
    why = precheck(d)
    if why:
        raise ValueError(why)
    s = load_scenario(d)  # ScenarioError is a ValueError with the field at fault
    why = app_limits(s)
    if why:
        raise ValueError(why)
    return s


def encode_params(key: str, s: Scenario, screen: str, step: int | None, view: str, example: int,
                  default_key: str | None = None) -> dict[str, str]:
    """The query parameters of this state (step 0-based here, 1-based in the URL)."""
    q: dict[str, str] = {"p": screen}
    if key != default_key:
        q["s"] = encode_scenario(s)
    if example:
        q["n"] = str(example + 1)
    if step is not None:
        q["step"] = str(step + 1)
    if view in ("matrix", "graph") and screen in VIEWED:
        q["v"] = view[0]
    return q


@dataclass
class Link:
    scenario: Scenario | None = None  # None: the URL named no network
    screen: str | None = None
    step: int | None = None  # 0-based
    view: str = "neuron"
    example: int = 0  # 0-based
    problem: str | None = None


def _one(v):
    if isinstance(v, list):
        v = v[-1] if v else None
    return v if isinstance(v, str) else None


def _count(v: str) -> bool:
    """A 1-based number of at most six ASCII digits (no '²', no 5000-digit numbers)."""
    return v.isascii() and v.isdigit() and len(v) <= 6 and int(v) >= 1


def decode_params(params: dict, default: Scenario) -> Link:
    """Read query parameters defensively (any value of any type)."""
    link, problems = Link(), []
    try:
        screen = _one(params.get("p"))
        if screen in NAMES:
            link.screen = screen
        elif screen is not None:
            problems.append(f"the link names an unknown screen '{screen[:20]}'")
        code = _one(params.get("s"))
        if code is not None:
            try:
                link.scenario = decode_scenario(code)
            except ValueError as e:
                link.scenario = default
                problems.append(str(e)[:300])
                code = "bad"
        if code != "bad":
            step, n = _one(params.get("step")), _one(params.get("n"))
            if step is not None:
                if _count(step):
                    link.step = int(step) - 1
                else:
                    problems.append("the link's step is not a step number, so the steps start at the first")
            if n is not None:
                N = len((link.scenario or default).x)
                if _count(n) and int(n) <= N:
                    link.example = int(n) - 1
                else:
                    problems.append(f"the link's example number is not one of 1 to {N}, so example 1 is shown")
            link.view = {"m": "matrix", "g": "graph"}.get(_one(params.get("v")), "neuron")
    except Exception:  # noqa: BLE001 - whatever the URL holds, the app opens
        link = Link(scenario=default)
        problems = ["the link could not be read"]
    if problems:
        link.problem = ("This link could not be opened as it is (" + "; ".join(problems) + ")"
                        + (". Showing the classic 2-2-2 example instead." if link.scenario is default
                           else ". Showing the rest of it."))
    return link
