"""Scenario files: one JSON format for presets, the command line and the app.

A scenario names the network (layers, activations, loss), its parameters (given, or
initialised from a seeded scheme), the examples x/y, the learning rate η and whether biases
train. ``load_scenario`` validates everything and says which field is wrong and why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.engine.activations import ACTIVATIONS, Activation, get_activation
from core.engine.costs import COSTS, Cost, check_pairing
from core.engine.optim import parse_optimizer, parse_penalty

PRESETS_DIR = Path(__file__).resolve().parents[1] / "presets"  # core/presets: the CLI examples name them there
INIT_SCHEMES = ("xavier", "he", "uniform", "zeros")
FIELDS = ("name", "description", "layers", "activations", "loss", "weights", "biases", "x", "y",
          "learning_rate", "train_biases", "init", "optimizer", "l1", "l2")
MAX_LAYERS, MAX_NEURONS, MAX_EXAMPLES, MAX_WEIGHTS = 32, 1024, 100_000, 1_000_000
MAX_FORMULAS = 6  # different typed activation formulas in one scenario
MAX_FILE_BYTES = 64_000_000  # a scenario at the size limits is about 25 MB of JSON
REQUIRED = {
    "layers": "the neuron count of each layer, input first, e.g. [2, 2, 1]",
    "activations": "one activation per layer after the input, e.g. [\"sigmoid\", \"sigmoid\"]",
    "x": "the input: n_1 numbers, or a list of such examples",
    "y": "the target: n_L numbers, or one list per example of x",
}


class ScenarioError(ValueError):
    """A scenario that cannot be used, with a message naming the field and what was expected."""


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.flags.writeable = False
    return a


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated network, its parameters and its examples.

    ``weights[i]`` is W^{i+2} of shape (n_{i+2}, n_{i+1}); ``x`` has shape (N, n_1) and ``y``
    shape (N, n_L), one row per example. All arrays are read-only.
    """

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    x: np.ndarray
    y: np.ndarray
    learning_rate: float
    train_biases: bool = True
    init: dict = field(default_factory=lambda: {"scheme": "xavier", "seed": 0})
    name: str = ""
    description: str = ""
    single_example: bool = True  # x/y were given as one example, not a list of examples
    optimizer: dict = field(default_factory=lambda: {"name": "sgd"})  # full spec, see core.engine.optim
    l1: float = 0.0  # λ of the penalty λ Σ|w| over the weights
    l2: float = 0.0  # λ of the penalty λ/2 Σw² over the weights

    @property
    def L(self) -> int:
        """The number of layers, input included (the output layer is layer L)."""
        return len(self.layers)

    @property
    def eta(self) -> float:
        return self.learning_rate

    @property
    def acts(self) -> tuple[Activation, ...]:
        """The activation of each non-input layer, layer 2 first."""
        return tuple(get_activation(n) for n in self.activations)

    @property
    def cost(self) -> Cost:
        return COSTS[self.loss]

    def with_params(self, weights, biases) -> Scenario:
        """The same scenario with other weights and biases (e.g. after training)."""
        return replace(self, weights=tuple(_readonly(W) for W in weights),
                       biases=tuple(_readonly(b) for b in biases))

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain JSON values, weights and biases always written out."""
        def ex(a: np.ndarray):
            return a[0].tolist() if self.single_example else a.tolist()

        d: dict[str, Any] = {}
        if self.name:
            d["name"] = self.name
        if self.description:
            d["description"] = self.description
        d.update(
            layers=list(self.layers), activations=list(self.activations), loss=self.loss,
            weights=[W.tolist() for W in self.weights], biases=[b.tolist() for b in self.biases],
            x=ex(self.x), y=ex(self.y), learning_rate=self.learning_rate,
            train_biases=self.train_biases, init=dict(self.init),
        )
        if self.optimizer.get("name", "sgd") != "sgd":
            d["optimizer"] = dict(self.optimizer)
        d.update({k: getattr(self, k) for k in ("l1", "l2") if getattr(self, k)})
        return d


def initial_weights(layers, scheme: str, seed: int) -> list[np.ndarray]:
    """Seeded initial weights W^2..W^L: xavier (Glorot uniform), he (normal, sd √(2/n_in)),
    uniform U(−0.5, 0.5), or zeros (to show that symmetric neurons stay symmetric)."""
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        if scheme == "xavier":
            r = math.sqrt(6.0 / (n_in + n_out))
            out.append(rng.uniform(-r, r, (n_out, n_in)))
        elif scheme == "he":
            out.append(rng.normal(0.0, math.sqrt(2.0 / n_in), (n_out, n_in)))
        elif scheme == "uniform":
            out.append(rng.uniform(-0.5, 0.5, (n_out, n_in)))
        else:
            out.append(np.zeros((n_out, n_in)))
    return out


def _is_number(v) -> bool:
    if isinstance(v, int) and not isinstance(v, bool):
        return abs(v) <= 1.7976931348623157e308  # a 400-digit integer is not a float (math.isfinite would raise)
    return isinstance(v, float) and math.isfinite(v)


def _found(v) -> str:
    """A short, one-line rendering of a found value for an error message (never raises)."""
    try:
        s = json.dumps(v) if not isinstance(v, float) or math.isfinite(v) else str(v)
    except (ValueError, TypeError, RecursionError):  # a huge integer, a very deep list
        s = f"a {type(v).__name__}" if not isinstance(v, int) else "a very large integer"
    return s if len(s) <= 60 else s[:57] + "..."


def _huge(v, where: str) -> None:
    """Refuse an integer too large for a float (JSON allows 400 digits) with its size, not a traceback."""
    if isinstance(v, int) and not isinstance(v, bool) and not _is_number(v):
        try:
            digits = str(len(str(abs(v))))
        except ValueError:  # above Python's 4300-digit limit for str(int)
            digits = "over 4300"
        raise ScenarioError(f"{where}: expected a finite number, found an integer of {digits} digits, "
                            "too large for a floating-point number (at most about 1.8e308)")


def _vector(v, where: str, n: int) -> list[float]:
    for e in v if isinstance(v, list) else ():
        _huge(e, where)
    if not isinstance(v, list) or len(v) != n or not all(_is_number(e) for e in v):
        raise ScenarioError(f"{where}: expected a list of {n} finite number{'s' * (n != 1)}, found {_found(v)}")
    return [float(e) for e in v]


def _matrix(v, where: str, n: int, m: int) -> list[list[float]]:
    if not isinstance(v, list) or len(v) != n:
        raise ScenarioError(f"{where}: expected {n} rows of {m} numbers (shape {n}×{m}), found {_found(v)}")
    return [_vector(row, f"{where}[{j}]", m) for j, row in enumerate(v)]


def _examples(v, where: str, n: int) -> tuple[np.ndarray, bool]:
    """One example (a list of n numbers) or several (a list of such lists) as an (N, n) array."""
    if isinstance(v, list) and v and all(isinstance(e, list) for e in v):
        if len(v) > MAX_EXAMPLES:
            raise ScenarioError(f"{where}: at most {MAX_EXAMPLES} examples, found {len(v)}")
        return np.array([_vector(e, f"{where}[{i}]", n) for i, e in enumerate(v)]), False
    return np.array([_vector(v, where, n)]), True


def _check_text(v, where: str) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate such as \\ud800, which JSON can spell but no
    page or terminal can draw), naming the field and the position."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ScenarioError(f"{where}: expected text, found an invalid character (a lone surrogate "
                                f"\\u{ord(v[e.start]):04x}) at character {e.start + 1}; remove it") from None


def _check_texts(d: dict) -> None:
    """Every text a scenario can hold, keys included, checked where it enters."""
    for key in d:
        _check_text(key, "a field name")
    for key in ("name", "description", "loss"):
        _check_text(d.get(key), key)
    names = d.get("activations")
    for i, name in enumerate(names if isinstance(names, list) else ()):
        _check_text(name, f"activations[{i}]")
    init = d.get("init")
    if isinstance(init, dict):
        for key in init:
            _check_text(key, "init: a field name")
        _check_text(init.get("scheme"), "init.scheme")


def parse_scenario(d: Any) -> Scenario:
    """Validate a scenario dict (as read from JSON) and build the Scenario."""
    if not isinstance(d, dict):
        raise ScenarioError("scenario: expected a JSON object {\"layers\": …, \"activations\": …, \"x\": …, "
                            f"\"y\": …}}, found {_found(d)}")
    _check_texts(d)
    unknown = sorted(set(d) - set(FIELDS))
    if unknown:
        name = json.dumps(unknown[0], ensure_ascii=False)[1:-1]  # escapes a newline
        raise ScenarioError(f"unknown field '{name if len(name) <= 40 else name[:39] + '…'}': "
                            f"the fields are {', '.join(FIELDS)}")
    for req, what in REQUIRED.items():
        if req not in d:
            raise ScenarioError(f"missing field '{req}': expected {what}")

    layers = d["layers"]
    if (not isinstance(layers, list) or not 2 <= len(layers) <= MAX_LAYERS
            or not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_NEURONS for n in layers)):
        raise ScenarioError(
            f"layers: expected a list of 2 to {MAX_LAYERS} neuron counts from 1 to {MAX_NEURONS} "
            f"(input first, output last), found {_found(layers)}")
    L = len(layers)
    n_weights = sum(m * n for m, n in zip(layers[:-1], layers[1:]))
    if n_weights > MAX_WEIGHTS:
        raise ScenarioError(f"layers: at most {MAX_WEIGHTS:,} weights in all, found {n_weights:,} in {layers}; "
                            "use fewer or narrower layers")

    names = d["activations"]
    if not isinstance(names, list) or len(names) != L - 1 or not all(isinstance(a, str) for a in names):
        raise ScenarioError(
            f"activations: expected {L - 1} names (one per layer after the input), found {_found(names)}")
    typed = {n for n in names if n not in ACTIVATIONS}
    if len(typed) > MAX_FORMULAS:  # each is prepared within a CPU deadline: this bounds what one link costs
        raise ScenarioError(f"activations: at most {MAX_FORMULAS} different typed formulas in one network, found "
                            f"{len(typed)}; use one formula for several layers, or built-in names")
    acts = []
    for i, name in enumerate(names):
        try:
            acts.append(get_activation(name))
        except ValueError as e:
            raise ScenarioError(f"activations[{i}]: {e}") from None
        if acts[-1].output_only and i != L - 2:
            raise ScenarioError(
                f"activations[{i}]: '{name}' is for the output layer only; use e.g. 'sigmoid' or 'relu' here")

    loss = d.get("loss", "mse")
    if not isinstance(loss, str) or loss not in COSTS:
        raise ScenarioError(f"loss: expected one of {', '.join(COSTS)}, found {_found(loss)}")
    why = check_pairing(COSTS[loss], acts[-1])
    if why:
        raise ScenarioError(f"loss: {why}")

    init = d.get("init", {"scheme": "xavier", "seed": 0})
    if not isinstance(init, dict) or set(init) - {"scheme", "seed"}:
        raise ScenarioError(f"init: expected {{\"scheme\": one of {', '.join(INIT_SCHEMES)}, "
                            f"\"seed\": an integer}}, found {_found(init)}")
    scheme, seed = init.get("scheme", "xavier"), init.get("seed", 0)
    if scheme not in INIT_SCHEMES:
        raise ScenarioError(f"init.scheme: expected one of {', '.join(INIT_SCHEMES)}, found {_found(scheme)}")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ScenarioError(f"init.seed: expected an integer from 0 to 4294967295, found {_found(seed)}")

    if "weights" in d:
        ws = d["weights"]
        if not isinstance(ws, list) or len(ws) != L - 1:
            raise ScenarioError(f"weights: expected {L - 1} matrices (W^2 … W^{L}), found {_found(ws)}")
        weights = [np.array(_matrix(W, f"weights[{i}] (W^{i + 2})", layers[i + 1], layers[i]))
                   for i, W in enumerate(ws)]
    else:
        weights = initial_weights(layers, scheme, seed)
    if "biases" in d:
        bs = d["biases"]
        if not isinstance(bs, list) or len(bs) != L - 1:
            raise ScenarioError(f"biases: expected {L - 1} vectors (b^2 … b^{L}), found {_found(bs)}")
        biases = [np.array(_vector(b, f"biases[{i}] (b^{i + 2})", layers[i + 1])) for i, b in enumerate(bs)]
    else:
        biases = [np.zeros(n) for n in layers[1:]]

    x, single_x = _examples(d["x"], "x", layers[0])
    y, single_y = _examples(d["y"], "y", layers[-1])
    if len(x) != len(y):
        raise ScenarioError(f"y: expected {len(x)} targets, one per example of x, found {len(y)}")
    if loss in ("bce", "cross_entropy") and (np.any(y < 0) or np.any(y > 1)):
        raise ScenarioError(f"y: loss '{loss}' needs targets between 0 and 1, found {_found(y.tolist())}")
    if loss == "cross_entropy" and not np.allclose(y.sum(axis=1), 1.0):
        raise ScenarioError("y: loss 'cross_entropy' needs each target to sum to 1 (e.g. one-hot [0, 1]), "
                            f"found {_found(y.tolist())}")

    eta = d.get("learning_rate", 0.5)
    _huge(eta, "learning_rate")
    if not _is_number(eta) or not 0 < eta <= 1000:
        raise ScenarioError(f"learning_rate: expected a number η with 0 < η ≤ 1000, found {_found(eta)}")
    tb = d.get("train_biases", True)
    if not isinstance(tb, bool):
        raise ScenarioError(f"train_biases: expected true or false, found {_found(tb)}")
    for key in ("name", "description"):
        if not isinstance(d.get(key, ""), str):
            raise ScenarioError(f"{key}: expected a string, found {_found(d[key])}")

    try:
        optimizer = parse_optimizer(d.get("optimizer", {"name": "sgd"}))
        l1, l2 = parse_penalty(d.get("l1", 0), "l1"), parse_penalty(d.get("l2", 0), "l2")
    except ValueError as e:
        raise ScenarioError(str(e)) from None

    return Scenario(
        optimizer=optimizer, l1=l1, l2=l2,
        layers=tuple(layers), activations=tuple(names), loss=loss,
        weights=tuple(_readonly(W) for W in weights), biases=tuple(_readonly(b) for b in biases),
        x=_readonly(x), y=_readonly(y), learning_rate=float(eta), train_biases=tb,
        init={"scheme": scheme, "seed": seed}, name=d.get("name", ""),
        description=d.get("description", ""), single_example=single_x and single_y,
    )


def load_scenario(source) -> Scenario:
    """A Scenario from a Scenario, a dict, a JSON string, or a path to a JSON file."""
    if isinstance(source, Scenario):
        return source
    if not isinstance(source, (str, Path)):
        return parse_scenario(source)  # a dict, or anything else, refused with a message
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, "scenario"
    else:
        path = Path(source)
        where = "".join(c if c.isprintable() else "?" for c in str(path))  # one line, whatever the name
        where = where if len(where) <= 200 else where[:199] + "…"
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ScenarioError(f"{where}: expected a scenario file of at most {MAX_FILE_BYTES:,} bytes, "
                                    f"found {size:,} bytes")
            text = path.read_text(encoding="utf-8")
        except ScenarioError:
            raise
        except FileNotFoundError:
            raise ScenarioError(f"{where}: no such file") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ScenarioError(f"{where}: cannot be read as a text file ({e.__class__.__name__})") from None
        except ValueError:  # a NUL character in the name
            raise ScenarioError(f"{where}: expected a file name, found one with a NUL character") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{where}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except RecursionError:
        raise ScenarioError(f"{where}: expected JSON nested a few levels deep, found brackets nested too deeply "
                            "to read") from None
    except ValueError as e:  # e.g. an integer with more than 4300 digits
        raise ScenarioError(f"{where}: expected JSON numbers of ordinary size, found one that cannot be read "
                            f"({str(e)[:60]})") from None
    return parse_scenario(d)


def preset_names() -> list[str]:
    """The shipped presets, the classic worked example first."""
    names = sorted(p.stem for p in PRESETS_DIR.glob("*.json"))
    return sorted(names, key=lambda n: n != "classic_2-2-2")


def load_preset(name: str) -> Scenario:
    """A shipped preset by file stem (see ``preset_names``)."""
    if name not in preset_names():
        raise ScenarioError(f"no preset '{name}': the presets are {', '.join(preset_names())}")
    return load_scenario(PRESETS_DIR / f"{name}.json")
