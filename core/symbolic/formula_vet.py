"""A typed formula is prepared once, in a worker bounded in CPU time (``core.symbolic.deadline``), before this
server spends any SymPy work on it; the verdict, kept or refused, is remembered (at most MAX_VERDICTS)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from core.symbolic import deadline

IN_WORKER = False  # True inside the worker process that prepares a formula
VERDICTS: OrderedDict[str, str | None] = OrderedDict()  # formula -> None (prepared in time) or its refusal
MAXVERDICTS = 4096
_verdicts_lock = threading.Lock()


def prepare(text: str) -> str | None:
    """Everything SymPy and NumPy do for a formula (σ, σ', their check, their LaTeX), run in the worker:
    None if it is fine, else the one-line refusal."""
    global IN_WORKER
    IN_WORKER = True
    from core.symbolic.formula import _q, formula_activation
    from core.symbolic.latex import activation_derivative_latex

    try:
        formula_activation(text)
        activation_derivative_latex(text)
    except ValueError as e:
        return str(e)
    except (TypeError, ArithmeticError, AttributeError, NameError) as e:  # SymPy failing on a case: refuse it
        return f"formula '{_q(text)}' cannot be prepared ({e.__class__.__name__})"
    return None


def vet(text: str) -> None:
    """Refuse (ValueError, one line) a formula whose preparation takes more than the deadline of CPU time
    (core.symbolic.deadline), trying each formula once: the verdict, kept or refused, is remembered."""
    if IN_WORKER:
        return
    from core.symbolic.formula import _q

    with _verdicts_lock:
        known = text in VERDICTS
        verdict = VERDICTS.get(text)
    if not known:
        try:
            verdict = deadline.run("formula", text, cpu=deadline.CPU_SECONDS)
        except deadline.OverBudgetError as e:
            what = {"time": f"more than {deadline.CPU_SECONDS:g} s of computing",
                    "memory": "too much memory"}.get(e.what, "more than this server allows")
            verdict = (f"formula '{_q(text)}' needs {what} to prepare (a limit that keeps a shared server "
                       "responsive): write a shorter formula, e.g. with fewer max/min arguments")
        except deadline.BusyError:
            raise ValueError(f"formula '{_q(text)}': the server is too busy to prepare it now; try again in a "
                             "moment") from None
        except OSError as e:
            raise ValueError(f"formula '{_q(text)}': this server cannot prepare formulas now "
                             f"({e.__class__.__name__}); use a built-in activation") from None
        with _verdicts_lock:
            VERDICTS[text] = verdict
            while len(VERDICTS) > MAXVERDICTS:
                VERDICTS.popitem(last=False)
    if verdict is not None:
        raise ValueError(verdict)
