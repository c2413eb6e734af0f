"""Text alternatives for the drawings: what a screen reader says instead of the drawing's labels
strung together. Pure functions of the same data the drawing is made from (no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

from core.teaching.svg import layer_words

MAX_VALUES = 24  # beyond this the text names how many more there are (the tables list them all)
_HEADING = {"weight": "Weights", "∂C/∂w": "Gradients ∂C/∂w", "change": "Weights after the update"}


def _clean(label: str) -> str:
    return " ".join(str(label).replace("<br>", ", ").split())


def _some(values: list[str]) -> str:
    more = len(values) - MAX_VALUES
    return ", ".join(values[:MAX_VALUES]) + (f" and {more} more (the tables list them all)" if more > 0 else "")


def drawing_alt(layers: Sequence[int], kwargs: dict) -> str:
    """What ``app.walkthrough.figures.network_figure(layers, **kwargs)`` shows: the layers and their sizes, the
    active step (its neurons and their values) where there is one, then the edge values and the
    neurons' labels."""
    name = kwargs.get("value_name", "weight")
    out = [f"Drawing of the {'-'.join(map(str, layers))} network: {layer_words(layers)}."]
    labels = kwargs.get("node_labels") or [[""] * n for n in layers]

    def node(l: int, j: int) -> str:
        text = _clean(labels[l - 1][j]) if l - 1 < len(labels) and j < len(labels[l - 1]) else ""
        return f"neuron {j + 1} of layer {l}" + (f" ({text})" if text else "")

    active = list(kwargs.get("active_nodes") or ())
    if active:
        out.append("This step: " + "; ".join(node(l, j) for l, j in active) + ".")
    elif kwargs.get("active_edges"):
        out.append("This step: the edges " + ", ".join(
            f"from neuron {k + 1} of layer {l - 1} into neuron {j + 1} of layer {l}"
            for l, j, k in kwargs["active_edges"]) + ".")
    hover = kwargs.get("edge_hover") or []
    shown = kwargs.get("edge_shown")
    values = [_clean(h) for q, W in enumerate(hover) for j, row in enumerate(W) for k, h in enumerate(row)
              if h and (shown is None or bool(shown[q][j][k]))]
    if values:
        out.append(f"{_HEADING.get(name, name)}: {_some(values)}.")
    rest = [f"layer {l} neuron {j + 1}: {_clean(t)}" for l, row in enumerate(labels, 1) for j, t in enumerate(row)
            if t and (l, j) not in active]
    if rest:
        out.append(f"Labels by the neurons: {_some(rest)}.")
    return " ".join(out)
