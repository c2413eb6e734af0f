"""Quiz mode in a real browser (the server and Chromium shared by the browser tests, conftest.py): the value of the
step is hidden, typing a letter into the prediction box does not trigger a shortcut, the Reveal
shortcut key shows the value, and a prediction submitted with Enter is checked."""

from __future__ import annotations

from tests.test_browser import ARTIFACTS, _go, _idle, _open

Z21, A21 = "0.3775", "0.593269992"  # z²₁ and a²₁ of the classic 2-2-2 example (Mazur's numbers)


def _equations(page) -> str:
    """The equations on screen: the quiz's (KaTeX) and the stage's cards (MathML in its frame)."""
    text = " ".join(page.locator(".katex-display").all_inner_texts())
    for frame in page.frames:
        if frame.url.endswith("index.html") or "component" in frame.url:
            try:
                text += " " + frame.evaluate("() => (document.getElementById('cards') || {}).innerText || ''")
            except Exception:  # noqa: BLE001 - a frame that went away while reading
                pass
    return text.replace("\n", "")


def _wait_for(page, text: str, present: bool = True) -> None:
    for _ in range(60):
        if (text in _equations(page)) is present:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{text!r} {'never appeared' if present else 'is still shown'}: {_equations(page)}")


def test_the_reveal_shortcut_shows_the_hidden_value(server, tabs):
    page = _open(tabs, server, "light")
    try:
        _go(page, "2 · Forward pass")
        _wait_for(page, Z21)  # without the quiz the step's card shows z²₁
        page.get_by_text("Quiz: predict each value before it is shown").click()
        page.get_by_role("button", name="Reveal the value").wait_for()
        _idle(page)
        _wait_for(page, Z21, present=False)
        box = page.get_by_label("Your prediction")
        box.click()
        box.type("a")  # typing into the box is not the shortcut
        page.wait_for_timeout(800)
        assert Z21 not in _equations(page)
        box.fill("")
        page.get_by_role("heading", name="2 · Forward pass").click()  # focus out of the box
        page.screenshot(path=str(ARTIFACTS / "quiz_hidden_light.png"), full_page=True)
        page.keyboard.press("a")  # the Reveal button's shortcut
        _wait_for(page, Z21)
        assert A21 not in _equations(page)  # a²₁, the next number of the step, stays hidden
        box = page.get_by_label("Your prediction")
        box.fill("0.5933")
        box.press("Enter")  # submits the prediction form
        page.get_by_text("Right first time (you predicted 0.5933).").wait_for()
        _wait_for(page, A21)
        page.get_by_text("Forward pass: 1 of 2 right first time").wait_for()
        _idle(page)
        page.screenshot(path=str(ARTIFACTS / "quiz_revealed_light.png"), full_page=True)
    finally:
        tabs.close(page)
