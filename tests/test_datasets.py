"""Data sets for the training lab: seeded generators against their definitions, and the CSV
reader against good files and every kind of bad one."""

import numpy as np
import pytest

from core.lab.datasets import (
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    DatasetError,
    accuracy,
    infer_task,
    make_dataset,
    parse_csv,
)


@pytest.mark.parametrize("name, labels", [("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])])
def test_logic_gates_default_to_their_truth_table(name, labels):
    d = make_dataset(name)
    assert d.x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert d.y[:, 0].tolist() == labels
    assert d.task == "binary" and (d.n_in, d.n_out) == (2, 1)


def test_noisy_gate_repeats_jittered_corners():
    d = make_dataset("xor", 40, noise=0.1, seed=3)
    assert len(d) == 40
    corners = np.round(d.x)  # noise 0.1 never moves a point half way to another corner here
    assert np.array_equal(d.y[:, 0], np.logical_xor(corners[:, 0], corners[:, 1]).astype(float))
    assert 0.05 < np.std(d.x - corners) < 0.15


def test_same_seed_same_numbers_other_seed_other_numbers():
    a, b, c = (make_dataset("circles", 50, 0.1, s) for s in (7, 7, 8))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.allclose(a.x, c.x)


def test_circles_radii_and_labels():
    d = make_dataset("circles", 60, noise=0.0, seed=1)
    r = np.hypot(d.x[:, 0], d.x[:, 1])
    assert np.allclose(r[d.y[:, 0] == 1], 0.5) and np.allclose(r[d.y[:, 0] == 0], 1.0)
    assert d.y.mean() == 0.5


def test_gaussian_clusters_centre_on_their_class():
    d = make_dataset("gaussians", 400, noise=0.0, seed=2)
    ones = d.y[:, 0] == 1
    assert np.allclose(d.x[ones].mean(axis=0), [1, 1], atol=0.12)
    assert np.allclose(d.x[~ones].mean(axis=0), [-1, -1], atol=0.12)
    assert np.std(d.x[ones] - 1) == pytest.approx(0.5, abs=0.05)


def test_sine_is_sin_x_plus_the_noise_asked_for():
    clean = make_dataset("sine", 200, noise=0.0, seed=4)
    assert clean.task == "regression" and (clean.n_in, clean.n_out) == (1, 1)
    assert np.allclose(clean.y, np.sin(clean.x))
    noisy = make_dataset("sine", 2000, noise=0.3, seed=4)
    assert np.std(noisy.y - np.sin(noisy.x)) == pytest.approx(0.3, rel=0.08)


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="spiral"), "no data set 'spiral'"),
    (dict(name="xor", n=1), "from 2 to"),
    (dict(name="xor", n=10**6), "from 2 to"),
    (dict(name="sine", noise=-1), "noise"),
    (dict(name="sine", noise=float("nan")), "noise"),
])
def test_bad_generator_arguments_are_refused_with_a_message(kwargs, words):
    with pytest.raises(DatasetError, match=words):
        make_dataset(**kwargs)


def test_csv_with_header_and_targets_last():
    d = parse_csv("x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert d.x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and d.y[:, 0].tolist() == [0, 1, 1, 0]
    assert d.task == "binary"


def test_csv_semicolons_blank_lines_bom_and_two_targets():
    d = parse_csv("\ufeff1.5;2;0;1\n\n-3;4e-1;1;0\n".encode(), n_targets=2)
    assert d.x.tolist() == [[1.5, 2], [-3, 0.4]] and d.y.tolist() == [[0, 1], [1, 0]]
    assert d.task == "multiclass"
    assert parse_csv("0.5\t0.25\n1\t2\n").task == "regression"


@pytest.mark.parametrize("text, words", [
    ("", "no examples"),
    ("a,b\n", "no examples"),
    ("0,1,1\n1,x,0\n", "row 2, column 2: 'x' is not a number"),
    ("0,1,1\n1,0\n", "row 2 has 2 columns, expected 3 like row 1"),
    ("1\n2\n", "at least one input column"),
    ("0,nan,1\n", "row 1, column 2"),
    ("0,inf,1\n", "row 1, column 2"),
    ("0,1e300,1\n", "row 1, column 2"),
    ("0,1\n__import__('os').system('x'),1\n", "row 2, column 1"),
    ("h1,h2\n1,2\n3,\n", "row 3, column 2 is empty: expected a number"),
])
def test_bad_csv_is_refused_naming_row_and_column(text, words):
    with pytest.raises(DatasetError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_csv(text)


def test_csv_size_limits_and_binary_files():
    with pytest.raises(DatasetError, match="at most"):
        parse_csv(b"1,2\n" * (MAX_CSV_BYTES // 4 + 1))
    with pytest.raises(DatasetError, match=f"at most {MAX_CSV_ROWS:,} examples"):
        parse_csv("1,2\n" * (MAX_CSV_ROWS + 1))
    with pytest.raises(DatasetError, match="not UTF-8"):
        parse_csv(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(DatasetError, match="NUL"):
        parse_csv("1,2\x00\n")


def test_infer_task_and_accuracy_by_hand():
    assert infer_task(np.array([[0.0], [1.0]])) == "binary"
    assert infer_task(np.array([[0.0, 1.0], [1.0, 0.0]])) == "multiclass"
    assert infer_task(np.array([[0.2], [1.0]])) == "regression"
    out, y = np.array([[0.49], [0.5], [0.9], [0.1]]), np.array([[0.0], [1.0], [0.0], [0.0]])
    assert accuracy(out, y, "binary") == 0.75  # 0.5 counts as class 1
    out2 = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    assert accuracy(out2, np.array([[0, 1, 0], [0, 0, 1.0]]), "multiclass") == 0.5
    assert accuracy(out, y, "regression") is None
