"""The stage's two options for class mode, through the component's arguments (AppTest): ``report_all``
(the browser reports every step change) and ``follow`` (the step is the server's; the student cannot
move it, and a report from the browser does not move the server's step)."""

from streamlit.testing.v1 import AppTest

from tests._stage import report, stage


def _script(follow, report_all, root):
    import sys

    sys.path.insert(0, root)
    from app.session import state
    from app.walkthrough import stage

    state.set_step("forward", 2)  # the teacher's step
    stage.screen("forward", follow=follow, report_all=report_all)


def _page(follow: bool, report_all: bool):
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    return AppTest.from_function(_script, kwargs={"follow": follow, "report_all": report_all, "root": root},
                                 default_timeout=60)


def test_report_all_asks_the_browser_for_every_step_change():
    at = _page(False, True).run()
    assert not at.exception, [e.message for e in at.exception]
    a = stage(at)
    assert a["report_all"] is True and a["follow"] is False and a["step"] == 2
    assert a["onward"] == {"screen": "backward", "label": "On to the backward pass"}


def test_follow_gives_the_step_and_ignores_a_students_move():
    at = _page(True, False).run()
    a = stage(at)
    assert a["follow"] is True and a["step"] == 2 and a["onward"] is None  # no way on for a student
    report(at, "stage_forward_neuron", 4, "idle")  # a tampered message from a following browser
    assert stage(at)["step"] == 2
