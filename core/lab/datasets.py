"""Small seeded data sets for the training lab, and examples typed or uploaded as CSV.

Every data set is an ``(x, y)`` pair with one row per example (x of shape (N, n_in), y of
shape (N, n_out)) and a task: "binary" (one 0/1 target, accuracy by threshold 0.5),
"multiclass" (one-hot targets, accuracy by argmax) or "regression" (no accuracy).

CSV text is untrusted: it is read with the ``csv`` module and ``float()`` only, its size,
rows and columns are capped, and every refusal names the row and column at fault.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

DATASETS = {
    "xor": "XOR: output 1 when exactly one input is 1 (no single line separates the classes)",
    "and": "AND: output 1 when both inputs are 1",
    "or": "OR: output 1 when either input is 1",
    "gaussians": "two Gaussian clusters, one per class",
    "circles": "two concentric circles: class 1 inside, class 0 around it",
    "sine": "noisy regression y = sin x + noise, one input, one output",
}
MAX_POINTS = 2000
MAX_CSV_BYTES = 200_000
MAX_CSV_ROWS = 2000
MAX_CSV_COLUMNS = 64
MAX_ABS_VALUE = 1e6


class DatasetError(ValueError):
    """A data set that cannot be used, with a message saying where and why."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Examples x (N, n_in) and targets y (N, n_out), one row each, and the kind of task."""

    name: str
    x: np.ndarray
    y: np.ndarray
    task: str  # "binary" | "multiclass" | "regression"
    description: str = ""

    @property
    def n_in(self) -> int:
        return self.x.shape[1]

    @property
    def n_out(self) -> int:
        return self.y.shape[1]

    def __len__(self) -> int:
        return len(self.x)


def infer_task(y: np.ndarray) -> str:
    """binary: one column of 0/1; multiclass: several columns, each row one-hot; else regression."""
    y = np.asarray(y, dtype=float)
    zero_one = bool(np.all((y == 0) | (y == 1)))
    if y.shape[1] == 1 and zero_one:
        return "binary"
    if y.shape[1] > 1 and zero_one and np.all(y.sum(axis=1) == 1):
        return "multiclass"
    return "regression"


def _gate(name: str, n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = {"xor": [0, 1, 1, 0], "and": [0, 0, 0, 1], "or": [0, 1, 1, 1]}[name]
    idx = np.arange(n) % 4  # n = 4, noise 0: the truth table itself
    x = corners[idx] + noise * rng.standard_normal((n, 2))
    return x, np.array(labels, dtype=float)[idx][:, None]


def make_dataset(name: str, n: int | None = None, noise: float = 0.0, seed: int = 0) -> Dataset:
    """A seeded data set by name (see ``DATASETS``): ``n`` examples, ``noise`` a standard deviation.

    The logic gates default to their 4-row truth table; with more rows the corners repeat,
    each jittered by the noise. Same name, n, noise and seed: the same numbers.
    """
    if name not in DATASETS:
        raise DatasetError(f"no data set '{name}': choose one of {', '.join(DATASETS)}")
    n = (4 if name in ("xor", "and", "or") else 100) if n is None else n
    if not isinstance(n, int) or isinstance(n, bool) or not 2 <= n <= MAX_POINTS:
        raise DatasetError(f"size: expected a whole number of examples from 2 to {MAX_POINTS}, found {n!r}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and 0 <= noise <= 5):
        raise DatasetError(f"noise: expected a standard deviation from 0 to 5, found {noise!r}")
    rng = np.random.default_rng(seed)
    if name in ("xor", "and", "or"):
        x, y = _gate(name, n, noise, rng)
    elif name == "gaussians":
        label = np.arange(n) % 2
        centre = np.where(label[:, None] == 1, 1.0, -1.0) * np.array([1.0, 1.0])
        x = centre + (0.5 + noise) * rng.standard_normal((n, 2))
        y = label[:, None].astype(float)
    elif name == "circles":
        label = np.arange(n) % 2
        radius = np.where(label == 1, 0.5, 1.0) + noise * rng.standard_normal(n)
        angle = rng.uniform(0, 2 * np.pi, n)
        x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        y = label[:, None].astype(float)
    else:  # sine
        x = np.sort(rng.uniform(-np.pi, np.pi, n))[:, None]
        y = np.sin(x) + noise * rng.standard_normal((n, 1))
    task = "regression" if name == "sine" else "binary"
    return Dataset(name, x, y, task, DATASETS[name])


def _cell(text: str, row: int, col: int) -> float:
    s = text.strip()
    if not s:
        raise DatasetError(f"row {row}, column {col} is empty: expected a number")
    try:
        v = float(s)
    except ValueError:
        raise DatasetError(f"row {row}, column {col}: '{_shown(s)}' is not a number") from None
    if not math.isfinite(v) or abs(v) > MAX_ABS_VALUE:
        raise DatasetError(f"row {row}, column {col}: expected a finite number of size at most "
                           f"{MAX_ABS_VALUE:g}, found '{_shown(s)}'")
    return v


def _shown(s: str) -> str:
    """A cell quoted in a message: printable, at most 20 characters."""
    s = "".join(c if c.isprintable() else "?" for c in s)
    return s if len(s) <= 20 else s[:17] + "..."


def _text(data: str | bytes) -> str:
    """CSV bytes or text as text with \\n line ends: BOMs (U+FEFF) dropped, \\r\\n and \\r read as \\n."""
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise DatasetError(f"the file is {len(data):,} bytes; at most {MAX_CSV_BYTES:,} are read")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DatasetError("the file is not UTF-8 text; save it as CSV (comma-separated values)") from None
    if not isinstance(data, str):
        raise DatasetError(f"expected CSV text, found {type(data).__name__}")
    if len(data) > MAX_CSV_BYTES:
        raise DatasetError(f"the text is {len(data):,} characters; at most {MAX_CSV_BYTES:,} are read")
    try:
        data.encode("utf-8")
    except UnicodeEncodeError as e:
        line = data.count("\n", 0, e.start) + 1
        raise DatasetError(f"row {line}: an invalid character (a lone surrogate) that is not text; remove it") from None
    if "\x00" in data:
        raise DatasetError("the file contains NUL bytes: it is not a text CSV file")
    return data.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")  # a BOM pasted anywhere


def _first_row(i: int, r: list[str]) -> bool:
    """True if the first row is a header (no cell a number), False if it is an example (every cell a
    number); refused with the cell at fault if it is neither, so that no row is dropped without a word."""
    numbers = [_is_number(c) for c in r]
    if all(numbers):
        return False
    if not any(numbers):
        return True
    j = numbers.index(False) + 1
    cell = r[j - 1].strip()
    what = f"column {j} is empty" if not cell else f"column {j}: '{_shown(cell)}' is not a number"
    raise DatasetError(f"row {i}, {what}, but other cells of this first row are numbers: it is neither a header "
                       "(column names only) nor an example (numbers only); fix the cell, or write a name in "
                       "every column")


def parse_csv(data: str | bytes, n_targets: int = 1, name: str = "your data") -> Dataset:
    """Examples from CSV text: one example per row, the last ``n_targets`` columns are the targets.

    A first row of names (no cell a number) is read as a header; a first row that mixes numbers with
    text or empty cells is refused. Separators: comma, semicolon or tab; line ends \\n, \\r\\n or
    \\r; a byte-order mark is ignored. Rows and columns are numbered from 1 as a spreadsheet shows them.
    """
    data = _text(data)
    if not isinstance(n_targets, int) or n_targets < 1:
        raise DatasetError(f"target columns: expected a whole number ≥ 1, found {n_targets!r}")
    delimiter = "," if "," in data else ";" if ";" in data else "\t" if "\t" in data else ","
    for i, line in enumerate(data.split("\n"), start=1):
        for j, c in enumerate(line.split(delimiter), start=1):
            if len(c) > 1000:  # the csv module refuses cells over 131072 characters; no number is this long
                raise DatasetError(f"row {i}, column {j}: a cell of {len(c):,} characters; expected a number")
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    rows = []
    try:
        for r in reader:
            if any(c.strip() for c in r):
                rows.append((reader.line_num, r))
    except csv.Error as e:
        raise DatasetError(f"row {reader.line_num}: cannot be read as CSV ({str(e)[:60]})") from None
    if rows and _first_row(*rows[0]):
        rows = rows[1:]  # a header
    if not rows:
        raise DatasetError("no examples found: write one example per row, e.g. '0,1,1' (inputs, then target)")
    if len(rows) > MAX_CSV_ROWS:
        raise DatasetError(f"{len(rows):,} rows: at most {MAX_CSV_ROWS:,} examples are allowed")
    width = len(rows[0][1])
    if width > MAX_CSV_COLUMNS:
        raise DatasetError(f"row {rows[0][0]} has {width} columns: at most {MAX_CSV_COLUMNS} are allowed")
    if width <= n_targets:
        raise DatasetError(f"row {rows[0][0]} has {width} column(s): expected at least one input column "
                           f"before the {n_targets} target column(s)")
    table = []
    for i, r in rows:
        if len(r) != width:
            raise DatasetError(f"row {i} has {len(r)} columns, expected {width} like row {rows[0][0]}")
        table.append([_cell(c, i, j) for j, c in enumerate(r, start=1)])
    a = np.array(table, dtype=float)
    x, y = a[:, :-n_targets], a[:, -n_targets:]
    return Dataset(name, x, y, infer_task(y), f"{len(a)} examples from CSV")


def _is_number(s: str) -> bool:
    try:
        float(s.strip())
    except ValueError:
        return False
    return True


def accuracy(output: np.ndarray, y: np.ndarray, task: str) -> float | None:
    """Share of examples classified right: threshold 0.5 for one output, argmax for several."""
    if task == "regression":
        return None
    if output.shape[1] == 1:
        return float(np.mean((output[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
    return float(np.mean(np.argmax(output, axis=1) == np.argmax(y, axis=1)))
