"""Reading a cost curve: converging, slow, oscillating, diverging (before it overflows), diverged.

- *diverged*: the cost stopped being a finite number.
- *diverging*: the cost has grown past ``FAR`` × its start and kept growing over the last
  ``GROWING`` steps; it began at the step after the last one whose cost was at or below the start.
- *oscillating*: a spike (the cost rose to more than twice the lowest value so far, by more than
  1 % of the start) or a ragged curve (it rose on at least a quarter of the steps); it began at
  the first spike (or the first rise).
- *converging*: it ended below half its start; else *slow*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FAR, GROWING = 10.0, 3


@dataclass(frozen=True)
class Reading:
    verdict: str  # "converging" | "slow" | "oscillating" | "diverging" | "diverged"
    began: int | None  # the step (index into the curve) where the trouble began, else None


class Watch:
    """Sees a cost curve one value at a time and notes when it is first diverging.

    ``at`` is the index at which that was recognised and ``began`` where it began (None until then).
    """

    __slots__ = ("c0", "last_below", "prev", "rises", "at", "began", "k")

    def __init__(self):
        self.c0 = self.prev = None
        self.last_below, self.rises, self.at, self.began, self.k = 0, 0, None, None, -1

    def see(self, c: float) -> bool:
        """Add the next cost; True at the one step where divergence is first recognised."""
        self.k += 1
        if self.c0 is None:
            self.c0 = self.prev = c
            return False
        self.rises = self.rises + 1 if c > self.prev else 0
        self.prev = c
        if c <= self.c0:
            self.last_below = self.k
        if self.at is None and c > FAR * self.c0 and self.rises >= GROWING:
            self.at, self.began = self.k, self.last_below + 1
            return True
        return False


def first_diverging(costs) -> tuple[int | None, int | None]:
    """What a ``Watch`` fed ``costs`` one by one would note, (at, began), computed at once."""
    c = np.asarray(costs, dtype=float)
    if len(c) <= GROWING:
        return None, None
    up = c[1:] > c[:-1]  # up[k − 1]: step k rose
    run = np.ones(len(c) - GROWING, dtype=bool)
    for j in range(GROWING):  # steps k − j rose, for k = GROWING … len − 1
        run &= up[GROWING - 1 - j: len(up) - j]
    hits = np.flatnonzero(run & (c[GROWING:] > FAR * c[0]))
    if not hits.size:
        return None, None
    at = int(hits[0]) + GROWING
    below = np.flatnonzero(c[1: at + 1] <= c[0])
    return at, (int(below[-1]) + 1 if below.size else 0) + 1


def read_curve(costs, diverged: bool = False) -> Reading:
    """The verdict on a whole cost curve (one value per step or epoch) and where the trouble began."""
    c = np.asarray(costs, dtype=float)
    if diverged or not np.all(np.isfinite(c)):
        bad = np.flatnonzero(~np.isfinite(c))
        end = int(bad[0]) if bad.size else len(c)
        return Reading("diverged", _last_below(c[:end]) + 1 if end > 1 else end)
    if len(c) < 3:
        return Reading("slow", None)
    w = Watch()
    for v in c:
        w.see(float(v))
    if w.at is not None and c[-1] > FAR * c[0]:
        return Reading("diverging", w.began)
    if c[-1] > FAR * c[0]:  # far past the start but not growing at the end
        return Reading("diverging", _last_below(c) + 1)
    best = np.minimum.accumulate(c)[:-1]
    spikes = np.flatnonzero((c[1:] > 2 * best) & (c[1:] - best > 0.01 * abs(c[0])))
    if spikes.size:
        return Reading("oscillating", int(spikes[0]) + 1)
    rises = np.diff(c) > 1e-12 * np.abs(c[:-1]).max(initial=1.0)
    if np.mean(rises) >= 0.25:
        return Reading("oscillating", int(np.flatnonzero(rises)[0]) + 1)
    return Reading("converging" if c[-1] < 0.5 * c[0] else "slow", None)


def _last_below(c) -> int:
    """The last index whose value is at or below the first one (0 when none after it)."""
    idx = np.flatnonzero(c <= c[0]) if len(c) else np.array([0])
    return int(idx[-1]) if idx.size else 0


def describe(r: Reading, unit: str = "step") -> str:
    """The verdict in a few words, e.g. "diverging from step 12"."""
    if r.began is None or r.verdict in ("converging", "slow"):
        return r.verdict
    return f"{r.verdict} from {unit} {r.began}"


__all__ = ["FAR", "GROWING", "Reading", "Watch", "describe", "first_diverging", "read_curve"]
