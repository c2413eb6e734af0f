"""Predict, then reveal: check a typed prediction against the engine's value, name the kind of step
a student got wrong, and keep a score per pass. Pure Python (the app draws it, ``app.walkthrough.quiz``).

The tolerance rule, with s significant figures (the teacher's setting, 2–6): a prediction g of a
value v ≠ 0 is right when |g − v| ≤ ½ · 10^(e − s + 1) with e = ⌊log₁₀|v|⌋, i.e. within half a
unit of v's s-th significant figure, so v rounded to s significant figures always counts (either
way at a tie). For v = 0 the prediction must be 0 to s decimal places: |g| ≤ ½ · 10^(−s). For an
updated parameter the change new − old must also be right that way (the smaller tolerance applies),
or the old value would count as right whenever a step is small.

Typed text is read by one regular expression and ``float`` (never eval or SymPy): "0.593",
"5.93e-1", "-.5", "+2", a decimal comma "0,593", a Unicode minus, and "5.93×10^-1".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

SIGFIGS = (2, 6)  # the range the teacher can choose from
SIGFIGS_DEFAULT = 3
MAX_LENGTH = 40  # characters of a typed prediction
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_NUMBER = re.compile(rf"{_NUM}(?:[eE][+-]?\d+)?")
_TIMES_TEN = re.compile(rf"({_NUM})[x×*·]10\^\(?([+-]?\d+)\)?")
EXAMPLES = "e.g. 0.593, -.5, 5.93e-1 or 0,593"


class PredictionError(ValueError):
    """Typed text that is not a number; the message says what to type instead."""


def parse_prediction(text: str) -> float:
    """The number a student typed, or PredictionError with a one-line explanation."""
    s = str(text).strip()
    if not s:
        raise PredictionError(f"Type your prediction first ({EXAMPLES}).")
    if len(s) > MAX_LENGTH:
        raise PredictionError(f"That is {len(s)} characters: a prediction is one number of at most "
                              f"{MAX_LENGTH} ({EXAMPLES}).")
    s = s.replace("−", "-").replace("–", "-").replace(" ", "")
    if "," in s:
        if "." in s or s.count(",") > 1:
            raise PredictionError(f"“{text.strip()}” has more than one decimal separator: write one number "
                                  f"with a single decimal point or comma ({EXAMPLES}).")
        s = s.replace(",", ".")
    m = _TIMES_TEN.fullmatch(s)
    if m:
        s = f"{m.group(1)}e{m.group(2)}"
    if not _NUMBER.fullmatch(s):
        raise PredictionError(f"“{text.strip()}” is not a number: type digits with an optional sign, decimal "
                              f"point and exponent ({EXAMPLES}).")
    v = float(s)
    if not math.isfinite(v):
        raise PredictionError(f"“{text.strip()}” is too large to be a number here: check the exponent.")
    return v


def tolerance(value: float, sigfigs: int = SIGFIGS_DEFAULT) -> float:
    """Half a unit of the s-th significant figure of ``value`` (½ · 10^(−s) for 0)."""
    s = int(sigfigs)
    if not math.isfinite(value):
        return 0.0
    if value == 0:
        return 0.5 * 10.0 ** (-s)
    e = math.floor(math.log10(abs(value)))
    return 0.5 * 10.0 ** (e - s + 1)


def within(guess: float, value: float, sigfigs: int = SIGFIGS_DEFAULT) -> bool:
    """The tolerance rule (a relative slack of 1e-9 absorbs binary rounding of decimal ties)."""
    return abs(guess - value) <= tolerance(value, sigfigs) * (1 + 1e-9)


def rule_text(sigfigs: int) -> str:
    """The rule in one sentence, for the screen."""
    return (f"A prediction counts as right when it is within half a unit of the value's {_ordinal(sigfigs)} "
            f"significant figure: the value rounded to {sigfigs} significant figures always counts. For an "
            f"updated weight or bias the change −η·∂C/∂w must be right to {sigfigs} significant figures too.")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _g2(x: float) -> str:
    return f"{x:.2g}".replace("e-0", "e-").replace("e+0", "e")


@dataclass(frozen=True)
class Verdict:
    """One check: right or not, how far off (error = guess − value), and a sentence for the student."""

    right: bool
    guess: float
    value: float
    error: float
    relative: float | None  # |error| / |value|; None when the value is 0
    message: str


def check(guess: float, value: float, sigfigs: int = SIGFIGS_DEFAULT,
          mistakes: tuple[tuple[float, str], ...] = (), change: float | None = None) -> Verdict:
    """Compare a prediction with the value. For an update, ``change`` = new − old must be right to the
    same significant figures too (else the old value would pass whenever the step is small).
    ``mistakes`` are (value a typical slip gives, what to say); the first one the guess matches (and the
    true value does not) is added to the message."""
    if not math.isfinite(value):
        return Verdict(False, guess, value, math.nan, None, "The value here is not a finite number (the numbers "
                       "overflowed), so no prediction can match it: reveal it.")
    tol = tolerance(value, sigfigs)
    if change and math.isfinite(change):
        tol = min(tol, tolerance(change, sigfigs))
    close = lambda x, y: abs(x - y) <= min(tol, tolerance(y, sigfigs)) * (1 + 1e-9)  # noqa: E731
    error = guess - value
    rel = abs(error) / abs(value) if value != 0 else None
    if abs(error) <= tol * (1 + 1e-9):
        return Verdict(True, guess, value, error, rel, f"Right, to {sigfigs} significant figures.")
    how = f"Off by {_g2(abs(error))}"
    if rel is not None:
        pct = _g2(100 * rel) if rel < 1 else f"{100 * rel:.0f}"
        how += f" ({pct} % of the value)" if rel < 10 else f" ({rel:.0f} times the value's size)"
    hint = ""
    if value != 0 and close(-guess, value):
        hint = " The size is right but the sign is wrong."
    else:
        for alt, say in mistakes:
            if math.isfinite(alt) and close(guess, alt) and not close(value, alt):
                hint = f" {say}"
                break
        else:
            if value != 0 and close(guess, 2 * value):
                hint = " That is twice the value: is a factor ½ missing?"
            elif value != 0 and close(guess, value / 2):
                hint = " That is half the value: is there a factor ½ too many?"
    side = "too high" if error > 0 else "too low"
    return Verdict(False, guess, value, error, rel, f"{how}: your prediction is {side}.{hint}")


# --- one step record → the questions it asks -------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One number to predict: the quantity (plain text and LaTeX), the kind of step (for the teacher),
    its value, the hints (symbolic, then with numbers) and the revealed line (all LaTeX)."""

    index: int  # the record's index in trace.steps(n)
    q: int  # which number of that record (0-based)
    name: str
    symbol: str
    kind: str
    value: float
    symbolic: str
    numeric: str
    reveal: str
    mistakes: tuple[tuple[float, str], ...] = ()
    change: float | None = None  # an update's new − old (see ``check``)


def _where(l: int, L: int) -> str:
    return "an output" if l == L else "a hidden"


def questions(trace, index: int, n: int = 0) -> list[Question]:
    """The numbers a student predicts at record ``index`` of ``trace.steps(n)``, in the order asked:
    a neuron's z then a; a δ's ∂C/∂a (hidden), σ' and then δ; otherwise the record's one value."""
    from core.engine.steps import BiasGradStep, CostStep, DeltaStep, NeuronStep, OutputGradStep, UpdateStep
    from core.symbolic import derive
    from core.symbolic.latex import act_latex, dfrac, format_number, put, sym

    r = trace.steps(n)[index]
    L = trace.scenario.L
    eq = derive.step_equation(trace, r)
    fv = format_number
    one = lambda name, symbol, kind, value, mistakes=(), change=None: [Question(  # noqa: E731
        index, 0, name, symbol, kind, value, eq.symbolic, eq.numeric, eq.value, tuple(mistakes), change)]
    if isinstance(r, NeuronStep):
        ez, ea = derive.neuron_rows(trace, r)
        w = _where(r.l, L)
        return [Question(index, 0, f"z of neuron {r.j + 1} in layer {r.l}", sym("z", r.l, r.j), f"z of {w} neuron",
                         r.z, ez.symbolic, ez.numeric, ez.value),
                Question(index, 1, f"a of neuron {r.j + 1} in layer {r.l}", sym("a", r.l, r.j),
                         f"a (activation) of {w} neuron", r.a, ea.symbolic, ea.numeric, ea.value,
                         ((r.z, "That is z: the activation σ still has to be applied."),))]
    if isinstance(r, CostStep):  # hint 2 without the row of term values (one output: that row is C)
        eq = derive.cost_equation(trace, r, term_values=False)
        half = [(2 * r.cost, "That is twice the cost: C has a ½ in front of each squared difference.")]
        return one("the cost C", "C", "cost C", r.cost, half if trace.scenario.loss == "mse" else [])
    if isinstance(r, OutputGradStep):
        return one(f"∂C/∂a of output {r.j + 1}", dfrac("C", sym("a", r.l, r.j)), "∂C/∂a of an output neuron",
                   r.dC_da)
    if isinstance(r, DeltaStep):
        Z, A, D = sym("z", r.l, r.j), sym("a", r.l, r.j), sym(r"\delta", r.l, r.j)
        w, where = _where(r.l, L), f"neuron {r.j + 1} in layer {r.l}"
        out: list[Question] = []
        if r.l < L:
            # ∂C/∂a^l_j as the sum over layer l + 1, without the terms' values
            c = derive.chain_rule(trace, r.l, r.j, None, n=n, term_values=False)[1]
            out.append(Question(index, 0, f"∂C/∂a of {where}", dfrac("C", A),
                                "∂C/∂a of a hidden neuron (sum over the next layer)", r.dC_da,
                                c.symbolic, c.numeric, c.value))
        if r.dsigma is not None:
            al = act_latex(trace.scenario.activations[r.l - 2])
            S, z, a = rf"\sigma'({Z})", float(trace.z(r.l, n)[r.j]), float(trace.a(r.l, n)[r.j])
            out.append(Question(index, len(out), f"σ'(z) of {where}", S, f"σ' of {w} neuron", r.dsigma,
                                f"{S} = {put(al.d_sym, Z, A)}", f"{S} = {al.dsigma_numeric(z, a, 9)}",
                                f"{S} = {fv(r.dsigma)}", ((a, "That is a itself, not the slope σ'(z)."),)))
        out.append(Question(index, len(out), f"δ of {where}", D, f"δ of {w} neuron", r.delta, eq.symbolic,
                            eq.numeric, eq.value,
                            ((r.dC_da, "That is ∂C/∂a alone: multiply by σ'(z)."),) if r.dsigma is not None else ()))
        return out
    if isinstance(r, BiasGradStep):
        return one(f"∂C/∂b of neuron {r.j + 1} in layer {r.l}", dfrac("C", sym("b", r.l, r.j)),
                   f"∂C/∂b of {'an output-layer' if r.l == L else 'a hidden-layer'} bias", r.dC_db)
    if isinstance(r, UpdateStep):
        p = sym("w", r.l, r.j, r.k) if r.k is not None else sym("b", r.l, r.j)
        what = "weight" if r.k is not None else "bias"
        kind = f"updated {what}" if r.trained else "bias held fixed"
        to = f"neuron {r.j + 1} in layer {r.l}"
        name = f"the new weight {r.k + 1}→{r.j + 1} into layer {r.l}" if r.k is not None else f"the new bias of {to}"
        return one(name, p, kind, r.new,
                   [(r.old + r.eta * r.grad, "You added η·∂C/∂w: the update subtracts it."),
                    (r.old - r.grad, "The learning rate η is missing."),
                    (r.old, "That is the old value: the parameter moves by −η·∂C/∂w.")] if r.trained else [],
                   r.new - r.old)
    # WeightGradStep
    layer = "an output-layer" if r.l == L else "a hidden-layer"
    return one(f"∂C/∂w of the weight {r.k + 1}→{r.j + 1} into layer {r.l}", dfrac("C", sym("w", r.l, r.j, r.k)),
               f"∂C/∂w of {layer} weight", r.dC_dw,
               [(r.delta, "That is δ alone: multiply by the input a it carries."),
                (r.a_prev, "That is the input a alone: multiply by δ at the weight's end.")])


# --- the score of one pass -------------------------------------------------------------------------

@dataclass
class Attempt:
    """A student's progress on one question."""

    kind: str
    checks: int = 0
    hints: int = 0  # 0, 1 (symbolic shown), 2 (with numbers shown)
    first_right: bool | None = None  # the first check; False also when revealed before any check
    revealed: bool = False
    last: Verdict | None = None


@dataclass
class PassScore:
    """The quiz of one pass (forward, backward or update) of one network and example. ``key`` names the
    network (the app uses its canonical JSON); ``attempts`` is keyed by (record index, question number)."""

    phase: str
    key: str = ""
    attempts: dict = field(default_factory=dict)

    def attempt(self, q: Question) -> Attempt:
        return self.attempts.setdefault((q.index, q.q), Attempt(q.kind))

    def check(self, q: Question, guess: float, sigfigs: int) -> Verdict:
        """Score the first check of a question; a right prediction also reveals the value."""
        a = self.attempt(q)
        v = check(guess, q.value, sigfigs, q.mistakes, q.change)
        a.checks += 1
        if a.first_right is None:
            a.first_right = v.right
        a.last = v
        a.revealed = a.revealed or v.right
        return v

    def hint(self, q: Question) -> int:
        a = self.attempt(q)
        a.hints = min(2, a.hints + 1)
        return a.hints

    def reveal(self, q: Question) -> None:
        a = self.attempt(q)
        if a.first_right is None:
            a.first_right = False
        a.revealed = True

    def revealed(self, q: Question) -> bool:
        a = self.attempts.get((q.index, q.q))
        return bool(a and a.revealed)

    @property
    def asked(self) -> int:
        return sum(a.first_right is not None for a in self.attempts.values())

    @property
    def right(self) -> int:
        return sum(a.first_right is True for a in self.attempts.values())

    def summary(self) -> list[dict]:
        """Per kind of step: how many were asked, right at the first check, wrong, revealed without a
        prediction, and hints used; the kinds that went wrong most first."""
        rows: dict[str, dict] = {}
        for a in self.attempts.values():
            if a.first_right is None:
                continue
            r = rows.setdefault(a.kind, {"kind of step": a.kind, "asked": 0, "right first time": 0,
                                         "wrong first time": 0, "revealed without a prediction": 0, "hints": 0})
            r["asked"] += 1
            r["hints"] += a.hints
            if a.first_right:
                r["right first time"] += 1
            elif a.checks:
                r["wrong first time"] += 1
            else:
                r["revealed without a prediction"] += 1
        return sorted(rows.values(), key=lambda r: (r["right first time"] - r["asked"], r["kind of step"]))

    def went_wrong(self) -> list[str]:
        """The kinds of step with at least one miss, worst first."""
        return [r["kind of step"] for r in self.summary() if r["right first time"] < r["asked"]]
