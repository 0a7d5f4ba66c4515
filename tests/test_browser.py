"""The web chat in a real browser: headless Debian Chromium driven by Playwright.

The app serves an index built from a copy of seeds/ plus an essay whose sentences hold
``<script>``, an ``<img onerror>`` and a ``javascript:`` Markdown link, so they can be cited
and must appear as text. Set RAG_UPDATE_SCREENSHOT=1 to refresh docs/screenshot.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from ui_conftest_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOSTILE_AUTHOR,
    add_hostile_essay,
    launch,
    read_jsonl,
    wait_for,
)

from rag.settings import Settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing: install Debian's chromium (`make browser-deps`), never `playwright install`",
    ),
]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "screenshot.png"
QUESTION = "What three areas are ripe for cooperation?"
FOLLOW_UP = "What does he say about the first one?"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def app(seeds_dir, tmp_path_factory):
    """The chat over a fresh index of seeds/ + the hostile essay, built with progress reports."""
    from rag import Retriever
    from rag.console import progress_bar
    from ui.app import build_app

    root = tmp_path_factory.mktemp("browser")
    seeds = root / "seeds"
    shutil.copytree(seeds_dir, seeds)
    add_hostile_essay(seeds)
    settings = Settings(seeds_dir=str(seeds), index_dir=str(root / "index"), data_dir=str(root / "data"))
    bar, reports = progress_bar("building the index"), []

    def progress(done: int, total: int, what: str) -> None:
        reports.append((done, total))
        bar(done, total, what)

    retriever = Retriever.open(settings.seeds_dir, settings.index_dir, settings, progress)
    assert reports and reports[-1][0] == reports[-1][1], "the index build reports its progress to the end"
    demo = build_app(retriever, settings)
    url = launch(demo)
    yield SimpleNamespace(url=url, settings=settings)
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app.url, wait_until="domcontentloaded")  # never networkidle: Gradio keeps a connection open
    page.wait_for_selector("#rag-input textarea")
    yield page
    context.close()


def ask(page, question: str) -> str:
    """Type a question, wait until its streamed answer is complete, return the answer's text."""
    before = page.locator("#rag-chat .bot").count()
    box = page.locator("#rag-input textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """([n]) => {
            const bots = document.querySelectorAll('#rag-chat .bot');
            return bots.length > n && bots[bots.length - 1].innerText.trim().length > 0;
        }""",
        arg=[before],
    )
    # the reply is done when the text box is enabled again (it is disabled while streaming)
    page.wait_for_function("() => !document.querySelector('#rag-input textarea').disabled")
    return page.locator("#rag-chat .bot").last.inner_text()


def squash(text: str) -> str:
    return " ".join(text.split())


def test_question_follow_up_highlighted_sources_and_thumbs_up(page, app):
    answer = ask(page, QUESTION)
    assert "[1]" in answer
    marks = page.locator("#rag-sources mark")
    assert marks.count() >= 1
    first_quote = squash(marks.first.inner_text())
    assert first_quote and first_quote in squash(answer), "the highlighted quote is the one in the answer"
    assert "Read the whole essay" in page.locator("#rag-sources").inner_text()

    second = ask(page, FOLLOW_UP)
    assert "[1]" in second
    assert page.locator("#rag-chat .bot").count() == 2
    assert page.locator("#rag-sources .rag-asked").first.inner_text().strip() == FOLLOW_UP

    page.screenshot(path=str(Path(app.settings.data_dir).parent / "screenshot.png"))
    if os.environ.get("RAG_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))

    feedback = Path(app.settings.data_dir) / "feedback.jsonl"
    page.locator("#rag-chat button[aria-label='Like']").last.click()
    votes = wait_for(lambda: [v for v in read_jsonl(feedback) if v["question"] == FOLLOW_UP])
    assert votes and votes[-1]["vote"] == "up"
    assert votes[-1]["citations"] and votes[-1]["citations"][0]["quote"] in votes[-1]["answer"]


def shown_in_panel(page, number: str) -> bool:
    """Whether the quote citing [number] is flashed and in view within the sources panel."""
    return page.evaluate(
        """(n) => {
            const panel = document.querySelector('#rag-sources');
            const quote = panel.querySelector(`.rag-passage mark.rag-q${n}, .rag-quote mark.rag-q${n}`);
            if (!quote || !quote.classList.contains('rag-flash')) return false;
            const p = panel.getBoundingClientRect(), q = quote.getBoundingClientRect();
            return q.top >= p.top - 1 && q.bottom <= p.bottom + 1;
        }""",
        number,
    )


def test_a_marker_shows_its_quote_and_an_earlier_answer_its_own_sources(page):
    """Each [n] is a link to its quote; a click on an earlier answer brings its sources back."""
    first = ask(page, QUESTION)
    assert "[3]" in first
    markers = page.locator("#rag-chat .bot").first.locator(".rag-cite")
    assert markers.count() == first.count("[") and markers.last.inner_text() == "[3]"
    assert squash(page.locator("#rag-chat .bot").first.inner_text()) == squash(first)  # the text unchanged
    footer = page.locator("#rag-chat .bot").first.locator(".rag-footer")
    assert footer.inner_text().startswith("Sources: [1]") and "cooper-korea-japan-new-chapter.txt" in footer.inner_text()
    markers.last.click()
    assert wait_for(lambda: shown_in_panel(page, "3"))

    ask(page, FOLLOW_UP)
    asked = page.locator("#rag-sources .rag-asked").first
    assert asked.inner_text().strip() == FOLLOW_UP
    page.locator("#rag-chat .bot").first.locator(".rag-cite").nth(1).click()  # [2] of the first answer
    assert wait_for(lambda: asked.inner_text().strip() == QUESTION)
    assert wait_for(lambda: shown_in_panel(page, "2"))
    page.locator("#rag-chat .bot").last.click()
    assert wait_for(lambda: asked.inner_text().strip() == FOLLOW_UP)


def test_a_marker_is_reached_and_opened_with_the_keyboard(page):
    ask(page, QUESTION)
    marker = page.locator("#rag-chat .bot").last.locator(".rag-cite").nth(1)
    assert marker.get_attribute("tabindex") == "0" and marker.get_attribute("role") == "button"
    marker.focus()
    page.keyboard.press("Enter")
    assert wait_for(lambda: shown_in_panel(page, "2"))


def test_the_whole_essay_opens_at_the_quote(page):
    """The quote of the Cooper essay lies far down its text: opening the essay shows it."""
    ask(page, QUESTION)
    page.locator("#rag-sources details summary").first.click()
    box = page.locator("#rag-sources .rag-essay-text").first
    assert wait_for(lambda: box.evaluate("b => b.scrollTop") > 0)
    quote = box.locator(".rag-in-passage mark").first
    top, bottom = box.evaluate("b => [b.getBoundingClientRect().top, b.getBoundingClientRect().bottom]")
    assert top <= quote.evaluate("q => q.getBoundingClientRect().top") < bottom


def test_a_new_answers_first_quote_is_in_view_in_the_sources_panel(browser, app):
    """On a short screen the quote lies below the panel's fold at the end of a long passage: the
    panel (not the page) scrolls to it as the answer arrives, and the page stays where it was."""
    context = browser.new_context(viewport={"width": 1280, "height": 700})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app.url, wait_until="domcontentloaded")
    page.wait_for_selector("#rag-input textarea")
    ask(page, "what subject does kristi govella teach at oxford?")
    panel = page.locator("#rag-sources")
    quote = panel.locator(".rag-passage mark").first

    def in_view() -> bool:
        top, bottom = panel.evaluate("p => [p.getBoundingClientRect().top, p.getBoundingClientRect().bottom]")
        q = quote.evaluate("q => [q.getBoundingClientRect().top, q.getBoundingClientRect().bottom]")
        return top <= q[0] and q[1] <= bottom

    assert wait_for(lambda: panel.evaluate("p => p.scrollTop") > 0 and in_view())
    assert page.evaluate("() => window.scrollY") == 0
    context.close()


def test_undo_shows_the_sources_of_the_answer_left_last(page):
    ask(page, QUESTION)
    ask(page, "What tariffs does Japan face?")
    page.locator('#rag-chat button[aria-label="Undo"]').last.click()
    page.wait_for_function("() => document.querySelectorAll('#rag-chat .bot').length === 1")
    asked = page.locator("#rag-sources .rag-asked").first
    assert wait_for(lambda: asked.inner_text().strip() == QUESTION)


def test_a_question_of_only_spaces_is_not_sent(page):
    ask(page, QUESTION)
    box = page.locator("#rag-input textarea")
    box.fill("   ")
    box.press("Enter")
    page.locator("#rag-input button.submit-button").click()
    page.wait_for_timeout(1500)
    assert page.locator("#rag-chat .user").count() == 1 and page.locator("#rag-chat .bot").count() == 1


def test_on_a_wide_screen_the_question_box_has_the_focus(page):
    assert wait_for(lambda: page.evaluate("() => document.activeElement === document.querySelector('#rag-input textarea')"))


def test_on_a_phone_the_page_opens_at_its_top(browser, app):
    """The question box took the focus, which scrolled a phone's page past the title to it."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(app.url, wait_until="domcontentloaded")
        page.wait_for_selector("#rag-input textarea")
        page.wait_for_timeout(1500)
        assert page.evaluate("() => window.scrollY") == 0
        assert page.evaluate("() => document.activeElement !== document.querySelector('#rag-input textarea')")
    finally:
        context.close()


def test_essay_html_and_markdown_links_are_shown_as_text(page):
    answer = ask(page, "What does the festival programme list as the opening act?")
    assert "<script>window.__xss=1</script>" in answer
    answer = ask(page, "Where are tickets for the cherry blossom festival sold?")
    assert "[the riverside booth](javascript:window.__xss=2)" in answer

    panel = page.locator("#rag-sources")
    assert HOSTILE_AUTHOR in panel.inner_text()
    page.locator("#rag-sources details summary").first.click()
    essay = page.locator("#rag-sources .rag-essay-text").first
    assert essay.is_visible()
    assert '<img src=x onerror="window.__xss=3">' in essay.inner_text()
    assert "<script>window.__xss=1</script>" in essay.inner_text()
    assert essay.locator("mark").count() == 1

    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("#rag-chat script, #rag-sources script, #rag-chat img[onerror], #rag-sources img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0


def test_an_essays_emphasis_is_emphasis_in_the_answer_and_the_panel(page):
    """"the *Gion Maru*" shows in italics, not with its asterisks, in the quote and the highlight."""
    answer = ask(page, "What is the oldest float in the festival parade?")
    assert "Gion Maru" in answer and "*" not in answer, answer
    bot = page.locator("#rag-chat .bot").last
    assert bot.locator("em", has_text="Gion Maru").count() == 1 and bot.locator("strong", has_text="forty").count() == 1
    assert page.locator("#rag-sources mark em", has_text="Gion Maru").count() >= 1
    assert "*" not in page.locator("#rag-sources .rag-passage").first.inner_text()


def test_a_question_shows_as_typed_and_makes_the_browser_fetch_nothing(page, app):
    """HTML and Markdown in the user's own bubble stay text: no image, no link, no request."""
    origin = app.url.rstrip("/")
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(origin) else elsewhere.append(r.url))
    payloads = ["<img src=x onerror=window.__xss=4> what are the tariffs?",
                "![pic](http://127.0.0.1:9/evil.png) and [a link](http://127.0.0.1:9/) about tariffs?"]  # fmt: skip
    for question in payloads:
        ask(page, question)
        assert squash(page.locator("#rag-chat .user").last.inner_text()) == squash(question)
    assert page.locator("#rag-chat .user img, #rag-chat .user a").count() == 0
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert elsewhere == [], elsewhere


def test_clear_button_empties_the_chat_and_the_sources(page):
    ask(page, QUESTION)
    assert page.locator("#rag-sources mark").count() >= 1
    # the one clear control: Gradio's own trash icon floated over the messages' copy buttons
    assert page.locator("#rag-chat .top-panel").count() == 1 and not page.locator("#rag-chat .top-panel").is_visible()
    page.locator("#rag-clear").click()
    page.wait_for_function("() => document.querySelectorAll('#rag-chat .bot').length === 0")
    page.wait_for_function("() => document.querySelector('#rag-sources .rag-empty') !== null")
    assert page.locator("#rag-sources mark").count() == 0


def test_undo_takes_the_last_answers_sources_away(page):
    """After Undo the panel said "Sources for <the question undone>" (seen by a user)."""
    ask(page, QUESTION)
    assert page.locator("#rag-sources mark").count() >= 1
    page.locator('#rag-chat button[aria-label="Undo"]').last.click()
    page.wait_for_function("() => document.querySelector('#rag-sources .rag-empty') !== null")
    assert page.locator("#rag-sources mark").count() == 0


def test_a_waiting_user_sees_their_place_in_the_queue(browser, retriever, tmp_path, monkeypatch):
    """More questions than answer slots: the one still waiting shows its place ("queue: 2/2") in the chat.
    Each answer is held for 6 s here (the real answerer, behind a sleep) so that a queue forms and
    stays long enough to be seen on a loaded machine (3 s and 10 s to see it failed in full runs)."""
    import time

    import ui.chat
    from ui.app import build_app, launch_options
    from ui_conftest_helpers import free_port

    real = ui.chat.Answerer.ask
    monkeypatch.setattr(ui.chat.Answerer, "ask", lambda self, *a, **k: (time.sleep(6), real(self, *a, **k))[1])
    demo = build_app(retriever, Settings(data_dir=str(tmp_path)))
    demo.queue(default_concurrency_limit=1)  # one answer at a time, as under heavy load
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, **launch_options())
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            p.wait_for_selector("#rag-input textarea")
        for p in pages:
            p.locator("#rag-input textarea").fill(QUESTION)
            p.locator("#rag-input textarea").press("Enter")
        # "queue: 2/2" once the first answer is running, "3/3" if all three are still waiting, "1/1"
        # if the first is done before the third is sent (a busy machine): any shown place counts
        pages[-1].wait_for_function("() => /queue: \\d+\\/\\d+/.test(document.querySelector('#rag-chat').innerText)",
                                    timeout=20_000)  # fmt: skip
    finally:
        for c in contexts:
            c.close()
        demo.close()
