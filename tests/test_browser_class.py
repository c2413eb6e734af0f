"""Class mode in real browsers: a teacher's page (1280×720, then 1920×1080 for the projector) and a
student's phone page (390 px wide) on one server (the README's run command, its own SQLite file).
The student joins with the link's code and a name, follows the teacher's Next, answers the class
question, and sees the verdict after the Reveal; the page never scrolls sideways at 390 px.
Screenshots in test-artifacts/class_*.png."""

from __future__ import annotations

import re

import pytest
from _server import ARTIFACTS, listen, need_chromium, streamlit_server

STAGE = "iframe[title='app.walkthrough.stage.stage']"  # the step player (app/walkthrough/stage.py)

Z22 = "0.3925"  # z²₂ of the classic 2-2-2 example (Mazur: net_h2 = 0.3925)


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    need_chromium()
    mp = pytest.MonkeyPatch()
    mp.setenv("BP_CLASS_DB", str(tmp_path_factory.mktemp("class") / "class.sqlite3"))
    mp.delenv("REDIS_URL", raising=False)
    try:
        with streamlit_server("server_class.log") as (url, _):
            yield url
    finally:
        mp.undo()


def _ask_button(teacher, events: list[str]):
    """The teacher's "Ask the class" button; if it does not come, fail with what the page and the server showed
    (it once stayed away for 30 s in a fresh-clone run at load 6, and did not again in 8 runs under load)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button = teacher.get_by_role("button", name="Ask the class")
    try:
        button.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        teacher.screenshot(path=str(ARTIFACTS / "class_teacher_no_ask_button.png"), full_page=True)
        logs = sorted(ARTIFACTS.glob("server_class*.log"))
        tail = logs[-1].read_text(errors="replace")[-2000:] if logs else "(no server log)"
        pytest.fail("no 'Ask the class' button after the teacher's Next; the page (" + teacher.url + ") said:\n"
                    + teacher.locator("body").inner_text()[:1500] + "\n--- the browser said:\n"
                    + "\n".join(events[-40:]) + "\n--- server log tail:\n" + tail)
    return button


def _idle(page) -> None:
    """Fixed waits, not _server.settle: a class page polls the room, so its runs never stop for long."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    page.wait_for_timeout(500)


def test_a_teacher_and_a_student_on_a_phone(class_server, browser):
    """Chromium is the shared one (conftest.py); the teacher and the phone have contexts of their own."""
    contexts, events = [], []
    try:
        contexts.append(browser.new_context(viewport={"width": 1280, "height": 720}))
        teacher = listen(contexts[-1].new_page(), "teacher", events)
        teacher.set_default_timeout(30_000)
        teacher.goto(class_server + "/?p=forward")
        teacher.get_by_role("heading", name="2 · Forward pass").wait_for()
        teacher.get_by_role("button", name="Start a class").click()
        teacher.get_by_role("heading", name="Join the class").wait_for()
        text = teacher.locator("body").inner_text()
        code = re.search(r"/join\?room=([2-9A-HJKMNP-Z]{7})", text).group(1)
        assert f"{code[:4]}-{code[4:]}" in text
        link = teacher.locator(f'a[href$="/join?room={code}"]')
        assert link.count() == 1 and link.inner_text().startswith("http://127.0.0.1:")  # written out
        teacher.locator("img").first.wait_for()  # the QR code (its image may come a moment after the heading)
        _idle(teacher)
        teacher.screenshot(path=str(ARTIFACTS / "class_teacher_join_1280.png"))

        contexts.append(browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                            has_touch=True))
        phone = listen(contexts[-1].new_page(), "phone", events)
        phone.set_default_timeout(30_000)
        phone.goto(f"{class_server}/join?room={code}")
        phone.get_by_label("Your name (optional, shown to the teacher only)").fill("<b>Ann</b>")
        assert phone.get_by_label("Class code").input_value() == code
        phone.get_by_role("button", name="Join the class").click()
        phone.get_by_role("heading", name="2 · Forward pass").wait_for()
        phone.frame_locator(STAGE).first.get_by_text("Step 1 of 5", exact=True).wait_for()
        teacher.get_by_text("1 joined").wait_for()

        teacher.frame_locator(STAGE).first.get_by_role("button", name="Next step").click()
        # the phone follows within the poll
        phone.frame_locator(STAGE).first.get_by_text("Step 2 of 5", exact=True).wait_for(timeout=20_000)
        _idle(teacher)
        _ask_button(teacher, events).click()
        box = phone.get_by_label("Your prediction")
        box.wait_for(timeout=20_000)
        assert Z22 not in phone.locator("body").inner_text()  # hidden until the Reveal
        _idle(phone)
        phone.screenshot(path=str(ARTIFACTS / "class_student_ask_390.png"), full_page=True)
        box.fill(Z22)
        phone.get_by_role("button", name="Send").click()
        phone.get_by_text("Your answer is in: 0.3925.").wait_for()
        teacher.get_by_text("1 of 1 answered").wait_for(timeout=20_000)
        teacher.get_by_role("button", name="Reveal").click()
        teacher.locator(".js-plotly-plot").first.wait_for()
        teacher.get_by_text("100 %").wait_for()
        phone.get_by_text("Right, to 3 significant figures.").wait_for(timeout=20_000)
        assert phone.locator("b", has_text="Ann").count() == 0  # the name is text, never markup
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the phone page scrolls sideways ({width} px)"
        _idle(phone)
        phone.screenshot(path=str(ARTIFACTS / "class_student_reveal_390.png"), full_page=True)
        _idle(teacher)
        teacher.screenshot(path=str(ARTIFACTS / "class_teacher_reveal_1280.png"), full_page=True)
        teacher.set_viewport_size({"width": 1920, "height": 1080})
        _idle(teacher)
        teacher.screenshot(path=str(ARTIFACTS / "class_teacher_reveal_1920.png"), full_page=True)
    finally:
        for ctx in contexts:
            ctx.close()
