"""The app's server (``make run``): ``streamlit run app/streamlit_app.py`` with the same options, plus a
warm-up.

A fresh server's first script run used to spend most of its 0.85 CPU-s importing (NumPy, the engine,
the screens' modules, pyarrow — Streamlit's components import it on every call — and PIL for the page
icon) and declaring the stage component (inspect.getmodule walks sys.modules once). Once the server
listens, while the first browser is still loading Streamlit's page, the warm-up thread does that work
and builds the default network's forward stage once (the first-call costs inside it: regular
expressions, the MathML converter), so the first screen paints sooner (issue 11: first paint). It
calls the pure functions, not the cached ones, so the app's caches are untouched. If it fails, nothing
is lost: the first script run imports what it needs, as it always did.

Run: python -m app.serve [streamlit run options, e.g. --server.port 8501]
"""

from __future__ import annotations

import inspect
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "app/streamlit_app.py"


def warm_up(timeout: float = 30.0) -> None:
    """Import what the step screens import and build the default forward stage once, off the script."""
    from streamlit.logger import get_logger
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + timeout
    # from the moment the server listens: before, the warm-up would only slow its start
    while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)
    t0, interval = time.perf_counter(), sys.getswitchinterval()
    # the server's thread meanwhile serves Streamlit's page (some 60 files) to the first browser: it gets the GIL
    # back every 0.5 ms instead of every 5 ms
    sys.setswitchinterval(0.0005)
    try:
        import PIL.PngImagePlugin  # noqa: F401 - the page icon
        import pyarrow  # noqa: F401 - imported by Streamlit's component code on the first component call
        import streamlit.components.v1.component_arrow  # noqa: F401
        import streamlit.delta_generator as delta_generator
        import streamlit.material_icon_names  # noqa: F401 - the buttons' icons

        from app import classroom  # noqa: F401 - the entry point's imports and the step screens'
        from app.classroom import panels  # noqa: F401
        from app.session import state
        from app.walkthrough import frames, quiz, sidebar, stage, ui  # noqa: F401
        from core import load_preset, trace

        # Streamlit's "use streamlit run" hint walks the whole stack with inspect.stack() on the first
        # element a process draws (0.19 s); under `streamlit run` the hint never shows.
        delta_generator._use_warning_has_been_displayed = True
        frames.stage(trace(load_preset(state.DEFAULT_PRESET)), 0, "forward")
        # declaring a component finds its module with inspect.getmodule, whose first call walks every module
        # loaded (0.14 s); later calls reuse what it found
        inspect.getmodule(inspect.currentframe())
    except Exception:  # noqa: BLE001 - a convenience: the first script run does the same work if this fails
        get_logger(__name__).warning("Warm-up failed; the first screen will load its modules itself", exc_info=True)
    else:
        get_logger(__name__).info("Warmed up in %.2f s: the first screen imports nothing", time.perf_counter() - t0)
    finally:
        sys.setswitchinterval(interval)


def main(argv: list[str]) -> int:
    from streamlit.web import cli

    sys.path.insert(0, str(ROOT))
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    return cli.main(["run", str(ROOT / SCRIPT), *argv], prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
