"""The expression screen's part of the URL: ``e`` the expression, ``at`` its values (``x:-2,y:5``),
``gs`` the 1-based step. Pure functions; decoding never raises: a tampered link gives the default
expression and a readable problem. Values typed on the screen are read by ``parse_values``.
"""

from __future__ import annotations

import math

from core.symbolic.formula import MAX_LENGTH, MAX_VARIABLES
from core.symbolic.graph_build import expression_graph

DEFAULT = ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0})
MAX_NUMBER_TEXT = 24  # characters of one value
MAX_VALUES_TEXT = MAX_VARIABLES * 48


def _number(text: str) -> float:
    t = text.strip().replace("−", "-")
    if not t or len(t) > MAX_NUMBER_TEXT or t.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        raise ValueError(f"'{t[:MAX_NUMBER_TEXT]}' is not a number")
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"'{t[:MAX_NUMBER_TEXT]}' is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"'{t[:MAX_NUMBER_TEXT]}' is not a finite number")
    return v


def parse_values(text: str, names: list[str], sep: str = "=", between: str = ",") -> dict[str, float]:
    """``x = -2, y = 5`` as {name: value} for the expression's variables; ValueError (one line) else."""
    if not isinstance(text, str) or len(text) > MAX_VALUES_TEXT:
        raise ValueError(f"the values are too long (at most {MAX_VALUES_TEXT} characters)")
    out: dict[str, float] = {}
    for part in filter(str.strip, text.replace(";", between).split(between)):
        name, eq, value = part.partition(sep)
        name = name.strip()
        if not eq:
            raise ValueError(f"write each value as name {sep} number, e.g. x {sep} -2 (found '{part.strip()[:30]}')")
        if name not in names:
            raise ValueError(f"the expression has no variable '{name[:20]}'" +
                             (f" (its variables are {', '.join(names)})" if names else ""))
        out[name] = _number(value)
    return out


def format_values(values: dict[str, float], sep: str = " = ", between: str = ", ") -> str:
    return between.join(f"{k}{sep}{v:.17g}" for k, v in values.items())


def encode(expr: str, values: dict[str, float], step: int) -> dict[str, str]:
    """Query parameters of the expression screen (step 0-based here, 1-based in the URL)."""
    return {"e": expr, "at": format_values(values, ":", ","), "gs": str(step + 1)}


def decode(params: dict) -> tuple[str, dict[str, float], int, str | None]:
    """(expression, values, step, problem) from query parameters of any type; never raises."""
    one = lambda v: v[-1] if isinstance(v, list) and v else v if isinstance(v, str) else None  # noqa: E731
    expr, at, gs = one(params.get("e")), one(params.get("at")), one(params.get("gs"))
    if expr is None:
        return DEFAULT[0], dict(DEFAULT[1]), 0, None
    try:
        if len(expr) > MAX_LENGTH:
            raise ValueError(f"the expression is too long ({len(expr)} characters, at most {MAX_LENGTH})")
        names = expression_graph(expr).names()
        values = parse_values(at or "", names, ":", ",")
        missing = [k for k in names if k not in values]
        if missing:
            raise ValueError(f"it gives no value for '{missing[0]}'")
        step = int(gs) - 1 if gs and gs.isascii() and gs.isdigit() and len(gs) <= 6 and int(gs) >= 1 else 0
        return expr, values, step, None
    except Exception as e:  # noqa: BLE001 - whatever the link holds, the screen opens
        why = str(e).split(" in expression:")[0][:160]
        return (DEFAULT[0], dict(DEFAULT[1]), 0,
                f"This link's expression could not be opened ({why}). Showing (x + y) * z instead.")
