"""core.teaching.quiz: reading a typed prediction, the significant-figure rule (hand-computed tolerances), the
verdict's message, the questions each step asks (checked against published numbers and hand-derived
derivatives) and the score of a pass."""

import math

import pytest

from core import load_preset, load_scenario, trace
from core.engine.steps import DeltaStep, NeuronStep
from core.symbolic.latex import format_number
from core.teaching import quiz as cq

# --- typed text --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("0.593", 0.593), ("5.93e-1", 0.593), ("-.5", -0.5), ("+2", 2.0), ("0,593", 0.593), ("−0.5", -0.5),
    ("  0.5 ", 0.5), ("5.93×10^-1", 0.593), ("5.93x10^(-1)", 0.593), ("-3E2", -300.0), ("7.", 7.0),
])
def test_plain_numbers_in_the_usual_spellings_are_read(text, value):
    assert cq.parse_prediction(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text, says", [
    ("abc", "is not a number"), ("", "Type your prediction first"), ("   ", "Type your prediction first"),
    ("1,234.5", "more than one decimal separator"), ("1,2,3", "more than one decimal separator"),
    ("1e999", "too large"), ("nan", "is not a number"), ("inf", "is not a number"), ("1_000", "is not a number"),
    ("__import__('os')", "is not a number"), ("2*3", "is not a number"), ("0x10", "is not a number"),
    ("1" * 41, "41 characters"),
])
def test_anything_else_gets_a_message_saying_what_to_type(text, says):
    with pytest.raises(cq.PredictionError, match=says):
        cq.parse_prediction(text)


def test_a_prediction_never_reaches_eval(monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "eval", lambda *a, **k: pytest.fail("eval called"))
    with pytest.raises(cq.PredictionError):
        cq.parse_prediction("1+1")


# --- the tolerance rule ------------------------------------------------------------------------

@pytest.mark.parametrize("value, s, tol", [
    (0.5932699921, 3, 0.0005),  # e = -1: half a unit in the 3rd figure, 0.5·10^(-1-3+1)
    (-0.0380982365, 3, 0.00005),  # e = -2
    (123.4, 2, 5.0),  # e = 2: 0.5·10^(2-2+1)
    (7.0, 6, 0.000005),
    (0.0, 3, 0.0005),  # zero: 0 to 3 decimal places
])
def test_tolerance_is_half_a_unit_of_the_last_significant_figure(value, s, tol):
    assert cq.tolerance(value, s) == pytest.approx(tol, rel=1e-12)


@pytest.mark.parametrize("guess, s, right", [
    (0.593, 3, True), (0.5933, 3, True), (0.59327, 3, True), (0.594, 3, False),  # |0.594 − v| = 0.00073
    (0.5927, 3, False),  # 0.00057 > 0.0005
    (0.59, 2, True), (0.6, 2, False),  # 2 s.f.: ± 0.005; 0.6 is 0.0067 away
    (0.5933, 4, True), (0.593, 4, False),  # 4 s.f.: ± 0.00005
])
def test_right_means_within_the_teachers_significant_figures(guess, s, right):
    assert cq.within(guess, 0.5932699921, s) is right


def test_either_rounding_of_a_tie_counts():
    assert cq.within(0.593, 0.5935, 3) and cq.within(0.594, 0.5935, 3)
    assert not cq.within(0.5929, 0.5935, 3)


def test_negative_and_zero_values():
    assert cq.within(-0.0381, -0.0380982365, 3) and not cq.within(0.0381, -0.0380982365, 3)
    assert cq.within(0.0, 0.0, 3) and cq.within(-0.0004, 0.0, 3) and not cq.within(0.0006, 0.0, 3)


# --- the verdict -------------------------------------------------------------------------------

def test_a_wrong_prediction_is_told_how_far_off_and_which_way():
    v = cq.check(0.8, 0.75, 3)
    assert not v.right and v.error == pytest.approx(0.05) and v.relative == pytest.approx(0.05 / 0.75)
    assert v.message == "Off by 0.05 (6.7 % of the value): your prediction is too high."
    low = cq.check(0.7, 0.75, 3)
    assert "too low" in low.message


def test_right_prediction_message():
    v = cq.check(0.751, 0.7513650696, 3)
    assert v.right and v.message == "Right, to 3 significant figures."


def test_sign_and_factor_two_slips_are_named():
    v = cq.check(0.0381, -0.0380982365, 3)
    assert v.message == ("Off by 0.076 (200 % of the value): your prediction is too high. The size is right but "
                         "the sign is wrong.")
    assert "(800 % of the value)" in cq.check(0.9, 0.1, 3).message
    assert "(12 times the value's size)" in cq.check(1.3, 0.1, 3).message
    assert "twice the value" in cq.check(1.5, 0.75, 3).message
    assert "half the value" in cq.check(0.375, 0.75, 3).message


def test_a_typical_mistake_is_named_when_the_guess_matches_it():
    v = cq.check(1.106, 0.7513650696, 3, ((1.10590597, "That is z."),))
    assert v.message.endswith("That is z.")
    # a "mistake" equal to the value is never used against a right answer
    assert cq.check(0.7514, 0.7513650696, 3, ((0.75136, "That is z."),)).right


def test_a_non_finite_value_is_said_plainly():
    for v in (math.inf, -math.inf, math.nan):
        verdict = cq.check(1.0, v, 3)
        assert not verdict.right and "not a finite number" in verdict.message and cq.tolerance(v, 3) == 0.0


def test_off_by_for_zero_has_no_percentage():
    v = cq.check(0.01, 0.0, 3)
    assert not v.right and v.relative is None and v.message.startswith("Off by 0.01: ")


def test_an_update_must_get_the_change_right_not_just_the_weight(classic):
    """w²₁₁: 0.15 − 0.5 · 0.000438567734 = 0.149780716 (Mazur). To 3 s.f. of the weight the old value
    0.15 would pass; the change −0.000219284 to 3 s.f. (± 5·10⁻⁷) decides."""
    u0 = classic.steps(0).phase_start("update")
    (q,) = cq.questions(classic, u0)
    assert q.kind == "updated weight" and q.change == pytest.approx(-0.000219283867, abs=1e-12)
    old = cq.check(0.15, q.value, 3, q.mistakes, q.change)
    assert not old.right and old.message.endswith("That is the old value: the parameter moves by −η·∂C/∂w.")
    assert not cq.check(0.1498, q.value, 3, q.mistakes, q.change).right  # 1.9·10⁻⁵ off
    assert not cq.check(0.14978, q.value, 3, q.mistakes, q.change).right  # 7.2·10⁻⁷ off
    assert cq.check(0.149781, q.value, 3, q.mistakes, q.change).right  # 2.8·10⁻⁷ off
    added = cq.check(0.150219284, q.value, 3, q.mistakes, q.change)
    assert "You added η·∂C/∂w" in added.message
    fixed = cq.questions(classic, u0 + 4)[0]  # b²₁ is held fixed: its new value is its old one
    assert fixed.kind == "bias held fixed" and cq.check(0.35, fixed.value, 3, fixed.mistakes, fixed.change).right


# --- the questions of each step ----------------------------------------------------------------

@pytest.fixture(scope="module")
def classic():
    return trace(load_preset("classic_2-2-2"))


def _all(t, n=0):
    return [q for g in range(len(t.steps(n))) for q in cq.questions(t, g, n)]


def test_classic_questions_match_the_published_worked_example(classic):
    # Matt Mazur, "A Step by Step Backpropagation Example": the same 2-2-2 network
    qs = {(q.kind, q.name): q.value for q in _all(classic)}
    assert qs[("a (activation) of a hidden neuron", "a of neuron 1 in layer 2")] == pytest.approx(0.593269992, abs=1e-9)
    assert qs[("a (activation) of an output neuron", "a of neuron 1 in layer 3")] == pytest.approx(0.75136507, abs=1e-8)
    assert qs[("cost C", "the cost C")] == pytest.approx(0.298371109, abs=1e-9)
    assert qs[("∂C/∂w of an output-layer weight", "∂C/∂w of the weight 1→1 into layer 3")] == pytest.approx(
        0.082167041, abs=1e-9)
    assert qs[("updated weight", "the new weight 1→1 into layer 3")] == pytest.approx(0.35891648, abs=1e-8)
    assert qs[("updated weight", "the new weight 1→1 into layer 2")] == pytest.approx(0.149780716, abs=1e-9)
    # and a student who rounds the published numbers to 3 s.f. is right
    assert cq.within(0.0822, 0.082167041, 3) and cq.within(0.359, 0.35891648, 3)


def test_each_step_asks_its_numbers_in_order_with_a_kind_a_teacher_reads(classic):
    steps = classic.steps(0)
    kinds = [[q.kind for q in cq.questions(classic, g)] for g in range(len(steps))]
    assert kinds[0] == ["z of a hidden neuron", "a (activation) of a hidden neuron"]
    assert kinds[2] == ["z of an output neuron", "a (activation) of an output neuron"]
    assert kinds[4] == ["cost C"]
    assert kinds[5] == ["∂C/∂a of an output neuron"]
    assert kinds[7] == ["σ' of an output neuron", "δ of an output neuron"]
    hidden_delta = next(g for g, r in enumerate(steps) if isinstance(r, DeltaStep) and r.l == 2)
    assert kinds[hidden_delta] == ["∂C/∂a of a hidden neuron (sum over the next layer)", "σ' of a hidden neuron",
                                   "δ of a hidden neuron"]
    flat = {k for ks in kinds for k in ks}
    assert {"∂C/∂w of a hidden-layer weight", "∂C/∂b of an output-layer bias", "bias held fixed"} <= flat


def test_a_2_3_1_network_asks_9_forward_and_25_backward_numbers():
    t = trace(load_scenario({"layers": [2, 3, 1], "activations": ["sigmoid", "sigmoid"], "x": [0.3, -0.2],
                             "y": [1], "train_biases": True}))
    steps = t.steps(0)
    b0, u0 = steps.phase_start("backward"), steps.phase_start("update")
    count = lambda a, b: sum(len(cq.questions(t, g)) for g in range(a, b))  # noqa: E731
    assert count(0, b0) == 3 * 2 + 1 * 2 + 1  # z and a of 4 neurons, then C
    assert count(b0, u0) == 1 + 2 + 3 + 1 + 3 * 3 + 6 + 3  # ∂C/∂a^L, σ' δ, 3 ∂C/∂w, ∂C/∂b, 3×(∂C/∂a σ' δ), ...
    assert count(u0, len(steps)) == 6 + 3 + 3 + 1


def test_the_hints_do_not_give_the_answer_away(classic):
    """Hint 1 (symbols) and hint 2 (numbers) never contain the value asked for (a bias gradient's
    numbers are the δ revealed before it, a fixed bias's its old value)."""
    one_output = trace(load_scenario({"layers": [2, 2, 1], "activations": ["tanh", "sigmoid"], "x": [0.3, -0.2],
                                      "y": [1]}))
    for t in (classic, one_output):
        for q in _all(t):
            shown = format_number(q.value, 9)
            assert shown in q.reveal
            assert shown not in q.symbolic
            if not q.kind.startswith(("∂C/∂b", "bias held fixed")):
                assert shown not in q.numeric, (q.kind, q.numeric)


def test_z_and_a_hints_are_the_rows_of_the_neuron_equation(classic):
    from core.symbolic import derive

    eq = derive.step_equation(classic, classic.steps(0)[0])
    z, a = cq.questions(classic, 0)
    assert z.symbolic.replace(" = ", " &= ", 1) in eq.symbolic and "a^{2}_{1}" not in z.symbolic
    assert a.symbolic.replace(" = ", " &= ", 1) in eq.symbolic and a.numeric.startswith("a^{2}_{1} = ")
    assert z.numeric == r"z^{2}_{1} = 0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35"  # Mazur's net_h1 (0.3775)
    assert a.mistakes[0][0] == pytest.approx(0.3775)  # predicting z for a is named


def test_cost_and_hidden_sum_hints_leave_the_term_values_out(classic):
    """The step screen shows each cost term's value and each path's term; the quiz's numbers hint asks
    the derive builders for the equation without them (a parameter, not a cut string)."""
    from core.symbolic import derive

    steps = classic.steps(0)
    g = next(g for g, r in enumerate(steps) if type(r).__name__ == "CostStep")
    (q,) = cq.questions(classic, g)
    terms = [0.5 * (a - y) ** 2 for a, y in zip(classic.a(3, 0), classic.scenario.y[0])]  # Mazur: 0.2748, 0.0236
    shown = [format_number(v, 9, True) for v in terms]
    assert all(v in derive.step_equation(classic, steps[g]).numeric for v in shown)
    assert not any(v in q.numeric for v in shown) and q.numeric.startswith("C = ")
    g = next(g for g, r in enumerate(steps) if type(r).__name__ == "DeltaStep" and r.l == 2)
    r = steps[g]
    q = cq.questions(classic, g)[0]
    W, d = classic.W(3)[:, r.j], classic.delta(3, 0)
    products = [format_number(d[i] * W[i], 9, True) for i in range(2)]
    assert all(v in derive.chain_rule(classic, 2, r.j, None)[1].numeric for v in products)
    assert q.kind.startswith("∂C/∂a") and not any(v in q.numeric for v in products)
    assert format_number(W[0], 9, True) in q.numeric  # the numbers put in are still there


def test_softmax_output_asks_only_delta_as_a_minus_y():
    t = trace(load_scenario({"layers": [3, 4, 3], "activations": ["relu", "softmax"], "loss": "cross_entropy",
                             "x": [1, 0, -1], "y": [0, 1, 0], "init": {"scheme": "he", "seed": 3}}))
    steps = t.steps(0)
    g = next(g for g, r in enumerate(steps) if isinstance(r, DeltaStep) and r.l == 3)
    (q,) = cq.questions(t, g)
    assert q.kind == "δ of an output neuron"
    assert q.value == pytest.approx(t.a(3, 0)[0] - 0.0, abs=1e-15)  # δ = a − y, y₁ = 0


def test_custom_activation_formula_sigma_prime_matches_the_hand_derivative():
    # σ(z) = z / (1 + |z|)  ⇒  σ'(z) = 1 / (1 + |z|)²  (by hand)
    t = trace(load_scenario({"layers": [2, 3, 1], "activations": ["z/(1 + abs(z))", "sigmoid"], "loss": "bce",
                             "x": [[0, 1], [1, 0]], "y": [[1], [0]], "train_biases": True}))
    steps = t.steps(1)
    for g, r in enumerate(steps):
        if isinstance(r, DeltaStep) and r.l == 2:
            q = next(q for q in cq.questions(t, g, 1) if q.kind == "σ' of a hidden neuron")
            z = t.z(2, 1)[r.j]
            assert q.value == pytest.approx(1 / (1 + abs(z)) ** 2, rel=1e-12)
            assert r"\sigma'(z^{2}_{" in q.symbolic and format_number(z, 9, True) in q.numeric
        if isinstance(r, NeuronStep) and r.l == 2:
            z_q, a_q = cq.questions(t, g, 1)
            assert a_q.value == pytest.approx(z_q.value / (1 + abs(z_q.value)), rel=1e-12)


# --- the score of a pass -----------------------------------------------------------------------

def test_the_score_counts_the_first_check_and_the_summary_names_what_went_wrong(classic):
    p = cq.PassScore("forward")
    z, a = cq.questions(classic, 0)
    z2, a2 = cq.questions(classic, 1)
    assert p.check(z, 0.4, 3).right is False  # 0.3775 → off by 0.0225
    assert not p.revealed(z)
    assert p.check(z, 0.3775, 3).right and p.revealed(z)  # right at the second try: still a miss
    assert (p.right, p.asked) == (0, 1)
    assert p.hint(a) == 1 and p.hint(a) == 2 and p.hint(a) == 2
    assert p.check(a, 0.593, 3).right
    assert (p.right, p.asked) == (1, 2)
    p.reveal(z2)  # given up without a prediction
    assert p.revealed(z2) and (p.right, p.asked) == (1, 3)
    assert p.check(a2, 0.597, 3).right
    rows = {r["kind of step"]: r for r in p.summary()}
    assert rows["z of a hidden neuron"] == {"kind of step": "z of a hidden neuron", "asked": 2, "right first time": 0,
                                           "wrong first time": 1, "revealed without a prediction": 1, "hints": 0}
    assert rows["a (activation) of a hidden neuron"]["right first time"] == 2
    assert rows["a (activation) of a hidden neuron"]["hints"] == 2
    assert p.went_wrong() == ["z of a hidden neuron"]
    assert [r["kind of step"] for r in p.summary()][0] == "z of a hidden neuron"  # worst first


def test_rule_text_states_the_rule():
    assert cq.rule_text(3).startswith("A prediction counts as right when it is within half a unit of the value's "
                                      "3rd significant figure: the value rounded to 3 significant figures always "
                                      "counts. For an updated weight or bias the change")
    assert "2nd" in cq.rule_text(2) and "6th" in cq.rule_text(6)
    assert math.isclose(cq.tolerance(1.0, 2), 0.05)
