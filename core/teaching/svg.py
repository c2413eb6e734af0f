"""The network drawn as a small standalone SVG (pure Python, no plotly, no browser).

Used where a picture must travel inside a file: the printable worksheet (inline SVG), its
Markdown (a data URI) and the "drawing as SVG" download. Same layout and Okabe–Ito colours as
the app's plotly drawing: layer l at the l-th column, neurons top to bottom, w^l_{jk} labelled
on its edge, b^l_j under its neuron.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np

from core.symbolic.notation import decimals as _num
from core.symbolic.notation import sub, sup

POSITIVE, NEGATIVE = "#0072B2", "#D55E00"  # Okabe–Ito blue (> 0) and vermillion (< 0)
# (app.walkthrough.figures draws with the same two)
COL, ROW, PAD, R = 190, 96, 56, 22  # column and row spacing, margin, neuron radius (px)


def _text(x: float, y: float, s: str, size: int = 13, anchor: str = "middle", weight: str = "normal",
          colour: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke">{escape(s)}</text>')


def layer_words(layers: Sequence[int]) -> str:
    """'layer 1 (input) 2 neurons, layer 2 (hidden) 3 neurons, layer 3 (output) 1 neuron'."""
    L = len(layers)
    role = lambda l: "input" if l == 1 else "output" if l == L else "hidden"  # noqa: E731
    return ", ".join(f"layer {l} ({role(l)}) {n} neuron{'s' if n != 1 else ''}" for l, n in enumerate(layers, 1))


def network_alt(layers: Sequence[int], weights: Sequence[np.ndarray] | None = None,
                biases: Sequence[np.ndarray] | None = None, digits: int = 2) -> str:
    """The drawing in words (its text alternative): the layers and sizes, then every number it shows."""
    out = [f"The {'-'.join(map(str, layers))} network: {layer_words(layers)}."]
    if weights is not None:
        out.append("Weights: " + ", ".join(
            f"w{sup(l)}{sub(j + 1)}{sub(k + 1)} = {_num(v, digits)}"
            for l, W in enumerate(weights, 2) for (j, k), v in np.ndenumerate(np.asarray(W, float))) + ".")
    if biases is not None:
        out.append("Biases: " + ", ".join(
            f"b{sup(l)}{sub(j + 1)} = {_num(v, digits)}"
            for l, b in enumerate(biases, 2) for j, v in enumerate(np.asarray(b, float))) + ".")
    return " ".join(out)


def network_svg(layers: Sequence[int], weights: Sequence[np.ndarray] | None = None,
                biases: Sequence[np.ndarray] | None = None, digits: int = 2, title: str = "") -> str:
    """An SVG document of the network; with ``weights``/``biases`` their values (to ``digits``
    decimals) are written on the edges and under the neurons, edges coloured by sign."""
    L, top = len(layers), max(layers)
    width, height = 2 * PAD + COL * (L - 1), 2 * PAD + ROW * (top - 1) + 40 + (24 if title else 0)
    y0 = PAD + (24 if title else 0)
    alt = network_alt(layers, weights, biases, digits)

    def pos(l: int, j: int) -> tuple[float, float]:
        return PAD + COL * (l - 1), y0 + ROW * ((top - layers[l - 1]) / 2 + j)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-family="DejaVu Sans, Arial, sans-serif" role="img" '
           f'aria-label="{escape(alt, {chr(34): "&quot;"})}">', f"<title>{escape(alt)}</title>"]
    if title:
        out.append(_text(width / 2, 22, title, 15, weight="bold"))
    edges, labels = [], []
    for l in range(2, L + 1):
        W = None if weights is None else np.asarray(weights[l - 2], float)
        for j in range(layers[l - 1]):
            x1, y1 = pos(l, j)
            for k in range(layers[l - 2]):
                x0, y0_ = pos(l - 1, k)
                colour = "#888" if W is None else POSITIVE if W[j, k] >= 0 else NEGATIVE
                edges.append(f'<line x1="{x0 + R:.1f}" y1="{y0_:.1f}" x2="{x1 - R:.1f}" y2="{y1:.1f}" '
                             f'stroke="{colour}" stroke-width="2"/>')
                if W is not None:
                    at = (k + 1) / (layers[l - 2] + 1)  # each source's labels at their own distance: no overlap
                    lx, ly = x0 + at * (x1 - x0), y0_ + at * (y1 - y0_)
                    labels.append(_text(lx, ly - 4, _num(W[j, k], digits), 12, colour=colour))
    out += edges
    for l in range(1, L + 1):
        for j in range(layers[l - 1]):
            x, y = pos(l, j)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{R}" fill="#E8F4FB" stroke="#555" stroke-width="1.5"/>')
            name_sub = sub(j + 1)
            name = f"x{name_sub}" if l == 1 else f"a{sup(l)}{name_sub}"
            out.append(_text(x, y + 5, name, 14))
            if l > 1 and biases is not None:
                out.append(_text(x, y + R + 15, f"b = {_num(biases[l - 2][j], digits)}", 12))
    out += labels
    for l in range(1, L + 1):
        name = "input" if l == 1 else "output" if l == L else "hidden"
        out.append(_text(pos(l, 0)[0], height - 12, f"layer {l} ({name})", 13, colour="#555"))
    out.append("</svg>")
    return "\n".join(out)


def data_uri(svg: str) -> str:
    """The SVG as a data: URI (for a Markdown image that needs no separate file)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
