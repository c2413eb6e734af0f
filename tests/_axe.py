"""axe-core (the accessibility engine of the browsers' own audits) in a Playwright page.

axe-core comes from the npm registry, pinned in package.json / package-lock.json; ``make test``
runs ``npm ci``, which puts it in node_modules/. Nothing is fetched while the tests run:
``axe(page)`` injects the local ``axe.min.js`` with ``add_script_tag(path=...)`` and returns the
violations of the impacts asked for, one short dict per rule.

    from _axe import axe, describe
    bad = axe(page)                      # serious and critical, the whole page
    assert not bad, describe(bad)
"""

from __future__ import annotations

import json
import os

import pytest
from _server import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def need_axe() -> None:
    """Skip locally (fail in CI) when ``npm ci`` has not been run."""
    if not AXE_JS.exists():
        msg = f"{AXE_JS.relative_to(ROOT)} is missing: run `npm ci` at the repo root (make test does)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def axe_version() -> str:
    return json.loads((ROOT / "node_modules" / "axe-core" / "package.json").read_text())["version"]


def axe(page, impacts=BLOCKING, include: str | None = None, exclude: tuple[str, ...] = (),
        rules: dict | None = None) -> list[dict]:
    """The violations axe finds in ``page`` (a Playwright Page) with one of ``impacts``:
    ``[{"id", "impact", "help", "nodes": [(target, summary), ...]}]``. ``include``/``exclude``
    are CSS selectors of the part to check; ``rules`` turns rules on or off, e.g.
    ``{"region": {"enabled": False}}``."""
    need_axe()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    context = {"exclude": [[s] for s in exclude]} if exclude else {}
    if include:
        context["include"] = [[include]]
    options = {"resultTypes": ["violations"], "rules": rules or {}}
    result = page.evaluate("([ctx, opt]) => axe.run(Object.keys(ctx).length ? ctx : document, opt)",
                           [context, options])
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [(" ".join(map(str, n["target"])), (n.get("failureSummary") or "")[:300])
                       for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict], limit: int = 6) -> str:
    """Readable lines for an assertion message."""
    out = []
    for v in violations:
        out.append(f"{v['impact']} {v['id']} ({v['help']}): {len(v['nodes'])} node(s)")
        out += [f"    {t} :: {s}" for t, s in v["nodes"][:limit]]
    return "\n".join(out)
