"""The import graph, read from the source with ``ast`` (nothing is imported): core never imports
Streamlit or Plotly; the modules documented as pure never reach Streamlit, even through another
module; there are no import cycles; and the few imports inside functions are the listed ones.
Also read with ``ast``: every session-state key is declared in one module, and the tests use AppTest's
public API (one documented protobuf read, in tests/_stage.py)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "app")
UI = ("streamlit", "plotly")
# Modules that say "no Streamlit": they must not import it, directly or through another module.
PURE = ("app.session.url", "app.walkthrough.builder", "app.walkthrough.stepping", "app.session.screens",
        "app.session.limits", "app.walkthrough.figures", "app.lab.train_figures", "app.walkthrough.frames",
        "app.walkthrough.mathml", "app.walkthrough.alt_text", "app.graph.graph_view")
# Imports inside a function, each with its reason; any other one hides a dependency.
LAZY = {
    ("core.engine.activations", "core.symbolic.formula"): "SymPy is imported only when a formula is typed",
    ("core.symbolic.latex", "core.symbolic.formula"): "the symbolic layer imports SymPy on first use",
    ("app.session.state", "app.graph.graph_ui"): "the expression screen's own link parameters (graph_ui reads state)",
    ("core.cli", "core.symbolic.graph_build"): "the graph command alone loads SymPy",
    ("app.classroom.ui", "app.classroom.panels"): "the class panels draw with ui's helpers (panels imports ui)",
    ("app.classroom.ui", "app.classroom.watch"): "the room watcher starts only when a class is open",
    ("app.classroom.panels", "app.walkthrough.ui"): "the walkthrough's ui draws the stage, whose class hooks import us",
    ("core.symbolic.extremum", "core.symbolic.formula"): "max/min nodes refuse and value constants as the parser does",
    ("core.symbolic.formula_vet", "core.symbolic.latex"): (
        "the formula worker (core.symbolic.deadline) prepares σ, σ' and their LaTeX"),
    ("core.symbolic.formula_vet", "core.symbolic.formula"): "as above; formula calls vet() before its own SymPy work",
    ("core.engine.steps", "core.engine.backprop"): "a type hint only (under TYPE_CHECKING): engine builds the Steps",
    ("core.teaching.worksheet", "core.teaching.printable"): "latex2mathml only for the HTML sheet",
    ("core.teaching.quiz", "core"): "questions() reads the equations of a trace",
    ("core.teaching.quiz", "core.symbolic.latex"): "as above",
    ("core.teaching.quiz", "core.engine.steps"): "as above",
    ("core.teaching.quiz", "core.symbolic.derive"): "as above",
    ("app.lab.train_ui", "core.engine.backprop"): "the lab's panels: move to the top",
    ("app.lab.train_ui", "core.teaching.export"): "as above",
    ("core.lab.training", "core.engine.scenario"): "fit_scenario builds a scenario only when the data asks",
    ("pages.forward", "app.graph.graph_ui"): "the graph view (SymPy's graph builder) loads only when it is shown",
    ("pages.backward", "app.graph.graph_ui"): "as above",
    ("app.classroom.panels", "pandas"): "pandas and pyarrow load for a class's summary table, not on every screen",
    ("app.walkthrough.quiz", "pandas"): "pandas and pyarrow load for the quiz's summary table",
    **{("app.serve", m): "the warm-up imports the screens' modules once the server listens (off the script)"
       for m in ("app.classroom", "app.classroom.panels", "app.session.state", "app.walkthrough.frames",
                 "app.walkthrough.quiz", "app.walkthrough.sidebar", "app.walkthrough.stage", "app.walkthrough.ui",
                 "core")},
}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            parts = p.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = p
    for p in (ROOT / "pages").glob("*.py"):
        out[f"pages.{p.stem}"] = p
    return out


MODULES = _modules()


def _imports(name: str) -> tuple[set[str], set[str]]:
    """(imported at module level, imported inside a function) — module names, as written."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    top_nodes = {id(n) for n in tree.body}
    top, inner = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from app.session import state` imports app.session.state;
            # `from core.symbolic.latex import sym` imports core.symbolic.latex
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                     for a in node.names]
        else:
            continue
        (top if id(node) in top_nodes else inner).update(names)
    return top, inner


def _internal(names) -> set[str]:
    return {n for n in names if n in MODULES}


@cache
def _reaches(name: str) -> frozenset[str]:
    """Every module imported at module level from ``name``, directly or through project modules."""
    seen, todo = set(), [name]
    while todo:
        m = todo.pop()
        for imp in _imports(m)[0]:
            if imp not in seen:
                seen.add(imp)
                if imp in MODULES:
                    todo.append(imp)
    return frozenset(seen)


def _is_ui(name: str) -> bool:
    return name.split(".")[0] in UI


def test_the_graph_is_read_from_real_files():
    assert {"core.engine.backprop", "core.engine.activations", "app.session.url", "app.session.state",
            "pages.forward"} <= set(MODULES)
    top, _ = _imports("app.session.state")
    assert "streamlit" in top and "app.session.url" in top and "core" in top


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.split(".")[0] == "core"))
def test_core_never_imports_streamlit_or_plotly(name):
    top, inner = _imports(name)
    assert not [m for m in top | inner if _is_ui(m)], name


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_never_reach_streamlit(name):
    assert name in MODULES
    assert not [m for m in _reaches(name) if m.split(".")[0] == "streamlit"], name
    assert "pure" in MODULES[name].read_text(encoding="utf-8").lower() or "no streamlit" in \
        MODULES[name].read_text(encoding="utf-8").lower()


def test_no_import_cycles():
    graph = {m: _internal(_imports(m)[0]) - {m} for m in MODULES}
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles = []

    def visit(m, path):
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_imports_inside_functions_are_the_listed_ones():
    lazy = {(m, n) for m in MODULES for n in _internal(_imports(m)[1])}
    assert lazy <= set(LAZY), sorted(lazy - set(LAZY))


def test_pages_are_thin_and_files_short():
    for name, p in MODULES.items():
        lines = len(p.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, (name, lines)
        if name.startswith("pages."):
            assert lines < 160, (name, lines)


def test_the_engine_does_not_load_sympy_until_the_symbolic_layer_is_used():
    import subprocess
    import sys

    code = ("import sys, core, core.cli; from core import load_preset, trace; trace(load_preset('classic_2-2-2'));"
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # the reason for the lazy imports listed in LAZY


def test_the_forward_screen_does_not_load_sympy():
    """The forward screen's equations are string formatting (σ(z) is the record's ``tex``) and the graph
    view is imported only when shown: its first run, in a fresh process, leaves SymPy unloaded."""
    import subprocess
    import sys

    code = ("import sys; from streamlit.testing.v1 import AppTest; at = AppTest.from_file('app/streamlit_app.py', "
            "default_timeout=120); at.query_params['p'] = 'forward'; at.run(); "
            "print(len(at.exception), 'sympy' in sys.modules, len(at.get('component_instance')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False", "1"], out.stdout + out.stderr[-2000:]  # drawn, the stage in it


# The target packages of ARCHITECTURE.md (the files still sit flat in core/): which may import which.
PACKAGE = {"engine": ["activations", "costs", "scenario", "engine", "steps", "health", "mistake"],
           "symbolic": ["formula", "latex", "notation", "derive", "derive_matrix"],
           "teaching": ["explain", "quiz", "worksheet", "printable", "export", "svg"],
           "lab": ["training", "landscape", "datasets", "gradcheck"]}
MAY_IMPORT = {"engine": {"engine"}, "symbolic": {"engine", "symbolic"},
              "teaching": {"engine", "symbolic", "teaching"}, "lab": {"engine", "lab"}}
_PACKAGE_OF = {f"core.{m}": pkg for pkg, mods in PACKAGE.items() for m in mods}


def _package(name: str) -> str | None:
    """core.<package>.<module> once the files are moved; until then the table above."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "core" and parts[1] in MAY_IMPORT:
        return parts[1]
    return _PACKAGE_OF.get(name)


@pytest.mark.parametrize("name", sorted(m for m in MODULES if _package(m)))
def test_core_modules_import_only_the_packages_below_them(name):
    pkg = _package(name)
    top, _ = _imports(name)
    wrong = [m for m in _internal(top) if _package(m) and _package(m) not in MAY_IMPORT[pkg]]
    assert wrong == [], f"{name} ({pkg}) imports {wrong}"


# ---- session state: every key is declared in app/session/state.py ------------------------------
STATE = "app.session.state"


def _is_session_state(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session_state"


def _session_keys(tree) -> list[ast.expr]:
    """Every key expression read or written on ``st.session_state``: [k], .get/.pop/.setdefault(k),
    ``k in st.session_state`` and .update({k: …})."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_session_state(node.value):
            out.append(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_session_state(
                node.func.value):
            if node.func.attr in ("get", "pop", "setdefault", "__setitem__") and node.args:
                out.append(node.args[0])
            elif node.func.attr == "update" and node.args and isinstance(node.args[0], ast.Dict):
                out.extend(k for k in node.args[0].keys if k is not None)
        elif isinstance(node, ast.Compare) and any(_is_session_state(c) for c in node.comparators):
            out.append(node.left)
    return out


@cache
def _names(name: str) -> dict[str, tuple]:
    """The module's top-level names: ("str", value, module where it is written) or ("module", module)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    out: dict[str, tuple] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname and a.name in MODULES:
                    out[a.asname] = ("module", a.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in MODULES:
                    out[a.asname or a.name] = ("module", full)
                elif node.module in MODULES:
                    out[a.asname or a.name] = ("from", node.module, a.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = [(target, node.value)]
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs = list(zip(target.elts, node.value.elts))
                for t, v in pairs:
                    if isinstance(t, ast.Name):
                        out[t.id] = ("expr", v)
    return out


def _resolve(name: str, node) -> tuple[str, str] | None:
    """(string, module where it is written) for a key expression; None when it is computed at run time
    (a parameter such as ``bound``'s widget key). An f-string or ``X.format(…)`` gives its pattern."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, name
    if isinstance(node, ast.JoinedStr):
        head = node.values[0].value if node.values and isinstance(node.values[0], ast.Constant) else ""
        return head + "{", name
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _resolve(name, node.func.value)
    if isinstance(node, ast.Name):
        entry = _names(name).get(node.id)
        if entry is None:
            return None
        if entry[0] == "expr":
            return _resolve(name, entry[1])
        if entry[0] == "from":
            return _resolve(entry[1], ast.Name(entry[2]))
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        entry = _names(name).get(node.value.id)
        if entry and entry[0] == "module":
            return _resolve(entry[1], ast.Name(node.attr))
    return None


def _widget_keys(name: str) -> set[str]:
    """The keys of the widgets the module draws: ``key=…`` and ``bound(kind, label, key, …)``."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        exprs = [k.value for k in node.keywords if k.arg == "key"]
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if func == "bound" and len(node.args) >= 3:
            exprs.append(node.args[2])
        out |= {r[0] for r in map(lambda e: _resolve(name, e), exprs) if r}
    return out


def _declared() -> set[str]:
    """The string constants of app/session/state.py (a pattern such as ``bp_step_{screen}_{view}`` by
    its head ``bp_step_{``)."""
    return {v if "{" not in v else v.split("{")[0] + "{" for v, _ in
            filter(None, (_resolve(STATE, ast.Name(n)) for n, e in _names(STATE).items() if e[0] == "expr"))}


def _matches(key: str, declared: set[str]) -> bool:
    return key in declared or any(d.endswith("{") and key.startswith(d[:-1]) for d in declared)


def test_the_key_reader_finds_keys_through_aliases_and_patterns():
    assert _resolve("app.lab.train_state", ast.Name("SESSION")) == ("tl_session", STATE)
    assert _resolve("app.classroom.panels", ast.parse("cu.CODE").body[0].value) == ("bp_class_code", STATE)
    assert _resolve(STATE, ast.parse("STEP.format(screen=1)").body[0].value) == ("bp_step_{screen}_{view}", STATE)
    assert "bp_step_{" in _declared() and "tl_w_{" in _declared()
    assert _matches("tl_w_watch", _declared()) and not _matches("tl_x", _declared())
    assert "quiz_sigfigs" in _widget_keys("app.walkthrough.quiz")
    assert len([k for m in MODULES if m.split(".")[0] in ("app", "pages")
                for k in _session_keys(ast.parse(MODULES[m].read_text(encoding="utf-8")))]) > 150


def test_every_session_state_key_is_declared_in_app_session_state():
    """Every key the app reads or writes in ``st.session_state`` is one of state's constants, or the key of a
    widget the same module draws (the widget owns it); none is a string written somewhere else."""
    wrong = []
    for name in sorted(m for m in MODULES if m.split(".")[0] in ("app", "pages")):
        widgets = _widget_keys(name)
        for node in _session_keys(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
            r = _resolve(name, node)
            if r is None or r[0] in widgets:
                continue
            key, where = r
            if where == STATE:
                continue
            wrong.append(f"{name}:{node.lineno} {key!r} (written in {where})")
    assert wrong == []


# ---- tests: AppTest through its public API ------------------------------------------------------
TESTS = ROOT / "tests"
PROTO_READER = TESTS / "_stage.py"  # its _proto() is the one read of a rendered element's protobuf
PRIVATE = ("_tree", "_run")  # AppTest's private element tree and script run


def _apptest_private(tree) -> list[tuple[int, str]]:
    """(line, what) for each read of an element's protobuf (``x.proto``, ``getattr(x, "proto")``), each use of
    AppTest's private ``_tree``/``_run`` and each import of Streamlit's protobuf classes."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("proto", *PRIVATE):
            out.append((node.lineno, f".{node.attr}"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and node.args[1].value in ("proto", *PRIVATE)):
            out.append((node.lineno, f"getattr {node.args[1].value}"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            out += [(node.lineno, f"import {n}") for n in names
                    if n and (n.startswith("streamlit.proto") or n.endswith("_pb2"))]
    return out


def test_the_private_api_finder_finds_what_it_looks_for():
    code = ("from streamlit.proto import WidgetStates_pb2\nat._tree.get_widget_states()\nat._run(ws)\n"
            "c.proto.spec\ngetattr(b, 'proto')\n_tree(pid)\nb.shortcut\nat.get('plotly_chart')[0].key\n")
    assert sorted(_apptest_private(ast.parse(code))) == [
        (1, "import WidgetStates_pb2"), (1, "import streamlit.proto"), (2, "._tree"), (3, "._run"), (4, ".proto"),
        (5, "getattr proto")]  # not the local function _tree, not the public shortcut and key
    # the one read: tests/_stage.py's _proto(), and nothing else there
    assert [w for _, w in _apptest_private(ast.parse(PROTO_READER.read_text(encoding="utf-8")))] == [".proto"]


def test_tests_read_apptest_through_its_public_api():
    """No test reads a rendered element's protobuf except through tests/_stage.py (AppTest has no public
    accessor for a Plotly chart's figure or a component's arguments; everything else has one), and none uses
    AppTest's private ``_tree`` or ``_run``."""
    wrong = []
    for p in sorted(TESTS.rglob("*.py")):
        for line, what in _apptest_private(ast.parse(p.read_text(encoding="utf-8"))):
            if not (p == PROTO_READER and what == ".proto"):
                wrong.append(f"{p.relative_to(ROOT)}:{line} {what}")
    assert wrong == []
