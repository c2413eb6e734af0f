"""Command line: ``python -m core trace|train|explain FILE``; bad input exits 2 with one line."""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from core.engine import trace, train


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
    r = train(source, steps)
    out = {"loss_history": r.loss_history, "weights": list(r.weights), "biases": list(r.biases)}
    if r.diverged_at is not None:
        out["diverged_at"] = r.diverged_at
    return _json(out)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit 2
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def main(argv=None) -> int:
    p = _Parser(prog="python -m core", description="Backprop Stepper engine: trace, train or explain a scenario file.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("trace", help="one forward and backward pass, as JSON").add_argument("file")
    tp = sub.add_parser("train", help="full-batch gradient descent, as JSON")
    tp.add_argument("file")
    tp.add_argument("--steps", type=int, default=100, help="number of updates (default 100)")
    ep = sub.add_parser("explain", help="the worked example as Markdown with LaTeX")
    ep.add_argument("file")
    ep.add_argument("--digits", type=int, default=9, help="significant figures (default 9)")
    args = p.parse_args(argv)
    try:
        if args.command == "trace":
            out = json.dumps(trace_json(args.file))
        elif args.command == "train":
            if args.steps < 0 or args.steps > 10_000_000:
                raise ValueError(f"--steps: expected a whole number from 0 to 10000000, found {args.steps}")
            out = json.dumps(train_json(args.file, args.steps))
        else:
            if not 1 <= args.digits <= 17:
                raise ValueError(f"--digits: expected a whole number from 1 to 17, found {args.digits}")
            from core.explain import explain

            out = explain(args.file, digits=args.digits)
    except ValueError as e:  # ScenarioError and formula errors are ValueErrors
        sys.stderr.write(f"error: {e}\n".replace("\n", " ").rstrip() + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    sys.stdout.write(out + "\n")
    return 0
