"""Command line: ``python -m core trace|train|explain|curvature FILE`` and ``graph``; bad input exits 2 with one
line."""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from core.engine.backprop import trace, train
from core.engine.scenario import load_scenario
from core.lab.curvature import curvature
from core.symbolic.graph import run, to_json
from core.teaching.explain import explain


def _json(v):
    """Arrays as nested lists, non-finite numbers (a diverged run) as null."""
    if isinstance(v, np.ndarray):
        return _json(v.tolist())
    if isinstance(v, (list, tuple)):
        return [_json(e) for e in v]
    if isinstance(v, dict):
        return {k: _json(e) for k, e in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def trace_json(source) -> dict:
    """The trace as the command line prints it: a single example without the example axis."""
    t = trace(source)
    one = t.N == 1 and t.scenario.single_example
    ex = (lambda arrs: [a[0] for a in arrs]) if one else list
    return _json({
        "loss": t.cost,
        "a": ex(t.activations), "z": ex(t.zs), "delta": ex(t.deltas),
        "dW": list(t.dC_dW), "db": list(t.dC_db),
        "updated": {"weights": list(t.weights_new), "biases": list(t.biases_new)},
    })


def train_json(source, steps: int) -> dict:
    """The run as the command line prints it; ``diverged_at`` is the first step whose cost was not
    finite (training stopped there; that cost is printed as null), or null; ``diverging_at`` the step
    at which the cost was first seen running away and ``diverging_from`` where that began (or null);
    ``verdict`` one of converging, slow, oscillating, diverging, diverged."""
    r = train(source, steps)
    return _json({"loss_history": r.loss_history, "weights": list(r.weights), "biases": list(r.biases),
                  "diverged_at": r.diverged_at, "diverging_at": r.diverging_at,
                  "diverging_from": r.diverging_from, "verdict": r.verdict})


def curvature_json(source) -> dict:
    """λ_max of the cost's Hessian at the scenario's parameters and η_max = 2/λ_max (null when λ_max ≤ 0)."""
    c = curvature(source)
    return _json({"lambda_max": c.lambda_max, "eta_max": c.eta_max})


MAX_STEPS, MAX_DIGITS = 1_000_000, 17


def _whole(lo: int, hi: int):
    """An argparse type: a whole number in [lo, hi] (argparse names the option in the message)."""
    def parse(text: str) -> int:
        t = text.strip()
        if not (t.isdigit() or (t[:1] == "-" and t[1:].isdigit())) or len(t) > 20 or not lo <= int(t) <= hi:
            raise argparse.ArgumentTypeError(f"expected a whole number from {lo} to {hi}, found {text[:30]!r}")
        return int(t)
    return parse


MAX_AT = 40  # characters of one NAME=VALUE


def _at(text: str) -> tuple[str, float]:
    """An argparse type: NAME=VALUE with a finite number."""
    name, eq, value = text.partition("=")
    name, value = name.strip(), value.strip()
    ok = eq and len(text) <= MAX_AT and name.isidentifier() and name.isascii() and value
    try:
        v = float(value) if ok and value.lower().lstrip("+-") not in ("inf", "infinity", "nan") else None
    except ValueError:
        v = None
    if v is None:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER such as x=-2, found {text[:30]!r}")
    return name, v


def _graph_parser(sub) -> None:
    gp = sub.add_parser("graph", help="an expression's (or a scenario's cost's) computational graph, as JSON")
    gp.add_argument("expr", nargs="?", help="an expression in named variables, e.g. '(x + y) * z'")
    gp.add_argument("--at", type=_at, nargs="+", default=[], metavar="NAME=VALUE", help="the variables' values")
    gp.add_argument("--scenario", metavar="FILE", help="a scenario file: the graph of its cost")
    gp.add_argument("--example", type=_whole(0, MAX_STEPS), default=None,
                    help="which example (row of x, from 0); default: the mean cost over the batch")


def graph_json(args) -> dict:
    """The graph's forward and backward pass as JSON (see core.symbolic.graph.to_json)."""
    from core.symbolic.graph_build import expression_graph, network_graph, parameter_names

    if (args.expr is None) == (args.scenario is None):
        raise ValueError("give either an expression (with --at NAME=VALUE …) or --scenario FILE")
    if args.scenario is not None:
        if args.at:
            raise ValueError("--at is for an expression; a scenario's values are in its file")
        s = load_scenario(args.scenario)
        if args.example is not None and args.example >= len(s.x):
            raise ValueError(f"--example: the scenario has {len(s.x)} example(s), numbered 0 to {len(s.x) - 1}")
        batch = args.example is None and len(s.x) > 1
        try:
            g, values = network_graph(s, None if batch else args.example or 0)
        except ValueError as e:
            hint = " for the whole batch: pick one example with --example N" if batch else ""
            raise ValueError(f"{e}{hint}") from None
        return to_json(run(g, values), parameter_names(g))
    if args.example is not None:
        raise ValueError("--example is for --scenario")
    g = expression_graph(args.expr)
    values = dict(args.at)
    names = g.names()
    extra = [k for k in values if k not in names]
    if extra:
        raise ValueError(f"--at {extra[0]}: the expression has no variable '{extra[0]}' (it has "
                         f"{', '.join(names) or 'none'})")
    missing = [k for k in names if k not in values]
    if missing:
        raise ValueError(f"no value for '{missing[0]}': add --at {missing[0]}=VALUE")
    return to_json(run(g, values))


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit 2
        sys.stderr.write(f"{self.prog}: error: {message}".replace("\n", " ") + "\n")
        sys.exit(2)


def main(argv=None) -> int:
    p = _Parser(prog="python -m core", description="Backprop Stepper engine: trace, train or explain a scenario file.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("trace", help="one forward and backward pass, as JSON").add_argument("file")
    tp = sub.add_parser("train", help="full-batch gradient descent, as JSON")
    tp.add_argument("file")
    tp.add_argument("--steps", type=_whole(0, MAX_STEPS), default=100,
                    help=f"number of updates, 0 to {MAX_STEPS} (default 100)")
    ep = sub.add_parser("explain", help="the worked example as Markdown with LaTeX")
    ep.add_argument("file")
    ep.add_argument("--digits", type=_whole(1, MAX_DIGITS), default=9,
                    help="significant figures, 1 to 17 (default 9)")
    sub.add_parser("curvature", help="the largest curvature λ_max and the bound η_max = 2/λ_max, as JSON"
                   ).add_argument("file")
    _graph_parser(sub)
    args = p.parse_args(argv)
    try:
        if args.command == "graph":
            out = json.dumps(graph_json(args), allow_nan=False)
        elif args.command == "trace":
            out = json.dumps(trace_json(args.file), allow_nan=False)
        elif args.command == "train":
            out = json.dumps(train_json(args.file, args.steps), allow_nan=False)
        elif args.command == "curvature":
            out = json.dumps(curvature_json(args.file), allow_nan=False)
        else:
            out = explain(args.file, digits=args.digits)
    except ValueError as e:  # ScenarioError and formula errors are ValueErrors
        sys.stderr.write(f"error: {e}\n".replace("\n", " ").rstrip() + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except (MemoryError, RecursionError) as e:  # limits in core should make these unreachable
        sys.stderr.write(f"error: the scenario is too large to compute ({e.__class__.__name__}); "
                         "use fewer or smaller layers or examples\n")
        return 2
    try:
        sys.stdout.write(out + "\n")
    except UnicodeEncodeError:  # a terminal that cannot show ∂ or σ: the same text, escaped
        sys.stdout.flush()
        sys.stdout.buffer.write((out + "\n").encode(sys.stdout.encoding or "ascii", "backslashreplace"))
    return 0
