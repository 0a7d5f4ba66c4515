"""The web chat through its HTTP API: a real server on a free loopback port, the real model and index.

Each independent conversation uses a new ``gradio_client.Client`` (a Client keeps chat history).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime
from html import escape as html_escape
from pathlib import Path
from types import SimpleNamespace

import pytest
from ui_conftest_helpers import free_port, read_jsonl, wait_for

from rag import Assistant
from rag.settings import Settings
from rag.types import Citation, Document, Passage

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What three areas are ripe for cooperation?"
FOLLOW_UP = "What does he say about the first one?"


@pytest.fixture(scope="module")
def app(retriever, index_dir, tmp_path_factory):
    """The chat app over the session index, served on a free loopback port for this module."""
    from gradio_client import Client  # noqa: F401  (fail early if the client is missing)
    from ui_conftest_helpers import launch

    from ui.app import build_app

    data_dir = tmp_path_factory.mktemp("ui-data")
    settings = Settings(index_dir=str(index_dir), data_dir=str(data_dir), k=5)
    demo = build_app(retriever, settings)
    url = launch(demo)
    yield SimpleNamespace(url=url, data_dir=data_dir, retriever=retriever, settings=settings)
    demo.close()


def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False)


def ask(app, question: str, history: list | None = None, k: int = 5) -> dict:
    return client(app).predict(question, json.dumps(history or []), k, api_name="/ask")


def test_example_questions_are_offered_only_over_the_essays_they_ask_about(app):
    """The seed essays' example questions would only be refused over any other folder of essays,
    which is offered the one question every folder answers."""
    import urllib.request

    from ui.app import ANY_FOLDER, EXAMPLES, example_questions

    seeds = {d.source for d in app.retriever.heads}
    assert example_questions(seeds) == EXAMPLES
    assert example_questions({"molasses-flood.md", "voyager.md"}) == ANY_FOLDER
    assert example_questions(seeds - {"cooper-korea-japan-new-chapter.txt"}) == ANY_FOLDER
    assert not Assistant(app.retriever).ask(ANY_FOLDER[0]).refused
    with urllib.request.urlopen(f"{app.url.rstrip('/')}/config", timeout=30) as page:
        assert EXAMPLES[0] in page.read().decode("utf-8")  # served over the seed essays


# -- answers and citations ------------------------------------------------------------------
def test_chat_streams_an_answer_with_markers_and_highlighted_sources(app):
    job = client(app).submit(QUESTION, 5, api_name="/chat")
    markdown, panel = job.result(timeout=60)
    updates = [out[0] for out in job.outputs()]
    assert "[1]" in markdown
    assert len(updates) > 2, "the answer should arrive in several streamed updates"
    assert all(markdown.startswith(u) for u in updates), "each update extends the previous one"
    assert '<mark class="rag-q1">' in panel and 'class="rag-source"' in panel
    assert "Read the whole essay" in panel


def test_api_citations_are_verbatim_document_text_at_their_offsets(app):
    answer = ask(app, QUESTION)
    assert answer["error"] is None and not answer["refused"]
    assert answer["citations"], "an answered question cites its sources"
    numbers = {c["number"] for c in answer["citations"]}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer["text"])} <= numbers
    for c in answer["citations"]:
        text = app.retriever.document(c["source"]).text
        assert c["quote"] and c["quote"] in text
        assert text[c["quote_start"] : c["quote_end"]] == c["quote"]
        assert text[c["start"] : c["end"]] == c["passage"]
        assert c["title"] and isinstance(c["score"], float)


def test_follow_up_in_the_chat_uses_the_conversation(app):
    conversation = client(app)
    first, _ = conversation.predict(QUESTION, 5, api_name="/chat")
    second, panel = conversation.predict(FOLLOW_UP, 5, api_name="/chat")
    assert "[1]" in first and "[1]" in second
    assert "<mark class=" in panel
    alone = client(app).predict(FOLLOW_UP, 5, api_name="/chat")[0]
    assert alone != second, "without the earlier turn the follow-up cannot be resolved the same way"


def test_api_follow_up_takes_history_as_json(app):
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": ask(app, QUESTION)["text"]}]
    answer = ask(app, FOLLOW_UP, history)
    assert not answer["refused"] and answer["citations"]
    assert QUESTION.rstrip("?") in answer["search_query"]


def test_passage_count_setting_reaches_the_assistant_and_is_checked(app):
    """The slider's value is clamped; the API says when k is out of range instead of changing it."""
    from ui.chat import MAX_K, Answerer

    answerer = Answerer(app.retriever, default_k=5)
    assert [answerer.assistant(k).k for k in (None, 0, 3, 99)] == [5, 1, 3, MAX_K]
    for k in (1, MAX_K):
        answer = ask(app, QUESTION, k=k)
        assert answer["error"] is None and "[1]" in answer["text"]
    for k in (0, 11, 2.5):
        answer = ask(app, QUESTION, k=k)
        assert answer["error"] and "whole number from 1 to 10" in answer["error"] and not answer["citations"]


def test_a_malformed_history_is_reported(app):
    for history in ([1, 2, 3], [{"role": "bogus", "content": "x"}], [{"role": "user"}]):
        answer = ask(app, FOLLOW_UP, history)
        assert answer["error"] and "history_json: History turn 1 is not a message" in answer["error"], history


def test_out_of_scope_question_is_refused(app):
    answer = ask(app, "what is the capital of France?")
    assert answer["refused"] is True and answer["error"] is None
    assert "don't answer" in answer["text"] or "do not answer" in answer["text"]
    markdown, panel = client(app).predict("what is the capital of France?", 5, api_name="/chat")
    assert "answer" in markdown and "Traceback" not in markdown
    assert "rag-source" in panel or "rag-empty" in panel


@pytest.mark.parametrize(
    "question, expected",
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 100_000, "too long"), ("\x00\x01\x02\x03 \ufffd\x7f", "question")],
    ids=["empty", "whitespace", "100k-chars", "binary"],
)
def test_bad_questions_get_a_clear_message(app, question, expected):
    answer = ask(app, question)
    assert answer["error"] and expected in answer["error"].lower()
    assert answer["citations"] == []
    markdown, panel = client(app).predict(question, 5, api_name="/chat")
    assert expected in markdown.lower() and "Traceback" not in markdown
    assert expected in panel.lower()


def test_bad_history_json_is_reported_not_raised(app):
    """Also when a client posts the turns as a list, or a number, rather than a JSON string: the
    list is taken, the number reported (both raised AttributeError, seen by an operator as
    '{"error": null}')."""
    from ui.chat import Answerer, ask_api

    answer = client(app).predict(QUESTION, "{not json", 5, api_name="/ask")
    assert answer["error"] and "history_json" in answer["error"]
    answerer = Answerer(app.retriever)
    listed = ask_api(answerer, FOLLOW_UP, [{"role": "user", "content": QUESTION}], 5)
    assert listed["error"] is None and QUESTION.rstrip("?") in listed["search_query"]
    assert "history_json is not a JSON list of messages: got int" in ask_api(answerer, QUESTION, 5, 5)["error"]


# -- feedback -------------------------------------------------------------------------------
def test_vote_appends_one_json_line_with_question_answer_and_citations(app):
    from ui.chat import Answerer, record_vote, stream_reply
    from ui.feedback import FeedbackLog

    *_, (markdown, _panel, answers) = stream_reply(Answerer(app.retriever), QUESTION, [], 5, [])
    history = [  # the shape Gradio's Chatbot hands to a .like listener
        {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
        {"role": "assistant", "content": [{"type": "text", "text": markdown}]},
    ]
    log = FeedbackLog(app.data_dir)
    before = len(read_jsonl(log.path))
    record_vote(log, history, answers, 1, True)
    record_vote(log, history, answers, 1, False)
    lines = read_jsonl(log.path)[before:]
    assert [line["vote"] for line in lines] == ["up", "down"]
    line = lines[0]
    assert line["question"] == QUESTION
    assert "[1]" in line["answer"] and "\\" not in line["answer"]
    assert line["citations"] and {"source", "quote"} <= set(line["citations"][0])
    assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_a_click_on_an_earlier_answer_shows_its_own_sources(app):
    """Two refusals share one text; each click shows the closest passage for its own question."""
    from ui.chat import Answerer, sources_for, stream_reply

    answerer, answers, history = Answerer(app.retriever), [], []
    for question in ("What did the 1905 treaty say about fisheries?", "how do I bake bread at home?", QUESTION):
        *_, (markdown, _panel, answers) = stream_reply(answerer, question, history, 5, answers)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": markdown}]
    assert history[1]["content"] == history[3]["content"], "both refused in the same words"
    panels = [sources_for(answerer, history, answers, i) for i in range(len(history))]
    assert panels[0] is None and panels[2] is None, "a question has no sources of its own"
    assert "fisheries" in panels[1] and "bread" in panels[3] and QUESTION in panels[5]
    assert "<mark class=" in panels[5]
    assert sources_for(answerer, history, [], 5) is None, "an answer no longer kept shows nothing"


def test_feedback_log_is_safe_across_threads(tmp_path):
    from ui.feedback import FeedbackLog

    log = FeedbackLog(tmp_path)
    threads = [
        threading.Thread(target=lambda i=i: log.append(f"q{i}", "a" * 5000, [], "up")) for i in range(40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = read_jsonl(log.path)
    assert sorted(line["question"] for line in lines) == sorted(f"q{i}" for i in range(40))


# -- escaping -------------------------------------------------------------------------------
def _hostile_citation() -> tuple[Citation, Document]:
    text = "Intro. The programme lists <script>alert(1)</script> and [a link](javascript:alert(2)) here. End."
    quote = "The programme lists <script>alert(1)</script> and [a link](javascript:alert(2)) here."
    start = text.index(quote)
    doc = Document("evil.md", text, "Evil <b>title</b>", "<img src=x onerror=alert(3)>", "0" * 64)
    passage = Passage(text, doc.source, doc.title, doc.author, 0, len(text), 0.5, quote, start, start + len(quote))
    return Citation(1, passage, quote, start, start + len(quote)), doc


def test_sources_panel_escapes_document_text_titles_and_questions():
    from rag.types import Answer
    from ui.render import sources_html

    citation, doc = _hostile_citation()
    answer = Answer("x [1]", (citation,), False, question="<script>alert(4)</script>?")
    html = sources_html(answer, lambda source: doc)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert html.count("<mark class=") == 2  # the quote in the passage and in the whole essay


def test_two_quotes_from_one_passage_share_one_card_with_both_marked():
    from rag.types import Answer
    from ui.render import sources_html

    text = "First point here. Filler sentence. Second point there. Tail."
    doc = Document("one.md", text, "One", "A. Writer", "0" * 64)
    a, b = text.index("First point here."), text.index("Second point there.")
    passage = Passage(text, doc.source, doc.title, doc.author, 0, len(text), 0.5, text[a : a + 17], a, a + 17)
    cites = (Citation(1, passage, "First point here.", a, a + 17), Citation(2, passage, "Second point there.", b, b + 19))
    html = sources_html(Answer("“First point here.” [1] “Second point there.” [2]", cites, False, question="q"), lambda s: doc)
    assert html.count('class="rag-source"') == 1  # the passage is shown once
    assert '<span class="rag-num">1</span><span class="rag-num">2</span>' in html
    assert html.count("<mark class=") == 4  # both quotes, in the passage and in the whole essay
    assert '<mark class="rag-q1">First point here.</mark>' in html and '<mark class="rag-q2">Second point there.</mark>' in html
    assert "score 0.500" in html


def test_an_essays_emphasis_shows_as_emphasis_in_the_quote_and_the_panel():
    """"the emigrant ship *Aurelia*" was shown with its asterisks; its markup is now emphasis in both
    places, while a lone asterisk, "5 * 3 * 2" and "snake_case" stay as written."""
    from rag.types import Answer
    from ui.render import plain_text, safe_markdown, sources_html

    text = "Intro. The wreck of the *Aurelia* was **never** forgotten, though 5 * 3 * 2 = 30 and odd_name_here. End."
    quote = text[7:-5]
    doc = Document("ships.md", text, "Ships", None, "0" * 64)
    passage = Passage(text, doc.source, doc.title, None, 0, len(text), 0.5, quote, 7, 7 + len(quote))
    answer = f"Someone writes: “{quote}” [1]"
    markdown = safe_markdown(answer, [quote])
    assert "*Aurelia*" in markdown and "**never**" in markdown and "\\*Aurelia" not in markdown
    assert "5 \\* 3 \\* 2" in markdown and "odd\\_name\\_here" in markdown
    assert plain_text(markdown) == answer
    html = sources_html(Answer(answer, (Citation(1, passage, quote, 7, 7 + len(quote)),), False), lambda s: doc)
    assert "<em>Aurelia</em>" in html and "<strong>never</strong>" in html
    assert "5 * 3 * 2" in html and "odd_name_here" in html


def test_a_refusal_without_a_passage_says_why_in_the_panel():
    from rag.types import Answer
    from ui.render import sources_html

    for text in ("The essays don't answer that question.", "There is no earlier answer for that to follow up."):
        panel = sources_html(Answer(text, (), True, question="and the <second> one?"), lambda s: None)
        assert html_escape(text) in panel and "Nothing is cited." in panel and "&lt;second&gt;" in panel


def test_an_answer_in_the_chat_ends_with_its_sources_one_line_per_essay():
    """Copied out of the chat, an answer's [n] still point somewhere; essay names stay literal."""
    from rag.types import Answer
    from ui.render import plain_text, sources_footer

    text = "First point here. Second point there."
    one = Passage(text, "notes_v2.md", "Notes *draft* [v2]", "A. Writer", 0, len(text), 0.5, "First point here.", 0, 17)
    two = Passage(text, "other.md", "Other", None, 0, len(text), 0.4, "Second point there.", 18, 37)
    cites = (Citation(1, one, "First point here.", 0, 17), Citation(2, two, "Second point there.", 18, 37),
             Citation(3, one, "Second point there.", 18, 37))  # fmt: skip
    footer = sources_footer(cites)
    assert footer.startswith("\n\nSources: [1] [3] Notes \\*draft\\* \\[v2\\], A. Writer (notes\\_v2.md)")
    assert plain_text(footer).endswith("[2] Other (other.md)")
    assert sources_footer(()) == "" and Answer("x", (), True).citations == ()


def test_a_quote_the_search_did_not_rank_says_how_it_was_found():
    """A list's next point, what follows the last quote, an essay's central sentences: no score."""
    from rag.types import Answer
    from ui.render import sources_html

    doc = Document("one.md", "Second, do this.", "One", None, "0" * 64)
    passage = Passage(doc.text, doc.source, doc.title, None, 0, 16, 0.0, doc.text, 0, 16)
    html = sources_html(Answer("“Second, do this.” [1]", (Citation(1, passage, doc.text, 0, 16),), False), lambda s: doc)
    assert "read from the essay, not ranked by the search" in html and "score 0.000" not in html


def test_answer_markdown_neutralises_html_and_links_in_quotes():
    from ui.render import plain_text, safe_markdown

    citation, _ = _hostile_citation()
    text = f"Someone writes: “{citation.quote}” [1]"
    markdown = safe_markdown(text, [citation.quote])
    assert "<script" not in markdown and "&lt;script>" in markdown
    assert not re.search(r"(?<!\\)\]\(javascript", markdown), "no live link syntax"
    assert "\\[a link\\]" in markdown
    assert markdown.endswith("[1]")
    assert plain_text(markdown) == text


def test_a_wrapped_quote_is_shown_on_one_line_and_stays_literal(tmp_path):
    """The chat escapes a quote's Markdown where the answer shows it: on one line (Citation.shown),
    so the backticks of a hard-wrapped sentence stay text, not code."""
    from rag import Retriever
    from ui.chat import Answerer, stream_reply

    essays = tmp_path / "essays"
    essays.mkdir()
    (essays / "yields.md").write_text("# Yields\n\nOur best year so\nfar was 2018, when the `north` orchard gave 12.9 tonnes.\n")
    retriever = Retriever.open(essays, tmp_path / "index")
    *_, (markdown, _, answers) = stream_reply(Answerer(retriever), "What was the orchard's best year so far?", [], 5, None)
    assert answers[-1]["citations"][0]["quote"].startswith("Our best year so\nfar was 2018")  # as written
    assert "“Our best year so far was 2018, when the \\`north\\` orchard gave 12.9 tonnes.” [1]" in markdown, markdown


def test_the_sources_panel_joins_a_hard_wrapped_paragraph_and_keeps_short_lines(tmp_path):
    """A blind walk-through's orchard notes, wrapped at 72 columns, showed a line break every few
    words in the panel; a wrapped line now reads on as a space there, while verse keeps its lines."""
    from rag import Assistant, Retriever
    from ui.render import sources_html

    essays = tmp_path / "essays"
    essays.mkdir()
    (essays / "orchard.md").write_text(
        "# Orchard\n\nThe hardest lesson concerned frost. In April 2012 a single night at\nminus four degrees destroyed"
        " almost all of the blossom on the lower\nrows.\n\nRoses are red\nViolets are blue\n"
    )
    retriever = Retriever.open(essays, tmp_path / "index")
    answer = Assistant(retriever).ask("What destroyed the blossom in April 2012?")
    panel = sources_html(answer, retriever.document)
    assert "a single night at minus four degrees destroyed almost all of the blossom on the lower rows." in panel, panel
    assert "Roses are red<br>Violets are blue" in panel


# -- the `rag serve` command --------------------------------------------------------------------
def test_rag_serve_binds_loopback_requires_auth_and_stops_on_ctrl_c(index_copy, seeds_dir, tmp_path):
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    secret = tmp_path / "auth"
    secret.write_text("reader:s3cret\n")
    secret.chmod(0o600)
    command = [
        sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--auth-file", str(secret),
        "--index-dir", str(index_copy), "--seeds-dir", str(seeds_dir),
    ]
    # Ctrl-C as a terminal sends it: a suite started in the background (`make test &`) runs
    # with SIGINT ignored, which the server would inherit and rightly keep
    restore = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=restore)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: _answers(url) or proc.poll() is not None, timeout=90), "server did not start"
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        with pytest.raises(Exception):
            Client(url, verbose=False)  # no credentials
        answer = Client(url, auth=("reader", "s3cret"), verbose=False).predict(QUESTION, "[]", 5, api_name="/ask")
        assert "[1]" in answer["text"]
        assert _login(url, "reader", "s3cret")
        tries = [_login(url, "reader", f"guess{i}") for i in range(30)]
        assert not any(tries)
        assert not _login(url, "reader", "s3cret"), "locked out after 5 wrong passwords in a row"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode in (0, 130), err
    assert f"the chat is at http://127.0.0.1:{port}/" in err and "passages ready" in err
    assert "share=True" not in out + err, "Gradio's hint names a launch() argument rag serve does not have"
    assert "s3cret" not in out + err and "warning" not in err


def _login(url: str, user: str, password: str) -> bool:
    """POST the login form as a browser does; True when the server accepts it."""
    import urllib.error
    import urllib.parse
    import urllib.request

    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=10) as reply:
            return reply.status == 200
    except urllib.error.HTTPError:
        return False


def test_rag_serve_on_a_busy_port_says_which_flag_to_use_and_exits_1(index_copy, seeds_dir):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "rag.cli", "serve", "--port", str(port), "--index-dir", str(index_copy),
             "--seeds-dir", str(seeds_dir)],
            cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"port {port} is busy; use --port N" in done.stderr
    assert "server_port" not in done.stderr and "Traceback" not in done.stderr
    assert "opening the index" not in done.stderr  # it fails before any work


def _answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # listening (auth pages may answer 401)
    except OSError:
        return False


# -- credentials and the login guard --------------------------------------------------------------
def test_the_login_guard_locks_a_user_out_after_five_wrong_passwords():
    from ui.auth import LOCKOUT_S, MAX_FAILURES, LoginGuard

    now = [0.0]
    guard = LoginGuard("reader", "s3cret", clock=lambda: now[0])
    assert guard("reader", "s3cret")
    assert not any(guard("reader", "wrong") for _ in range(MAX_FAILURES))
    assert not guard("reader", "s3cret")  # locked, even with the right password
    now[0] += LOCKOUT_S + 1
    assert guard("reader", "s3cret")
    assert not guard("someone", "s3cret")


def test_credentials_come_from_a_private_file_or_the_environment_and_the_flag_warns(tmp_path, monkeypatch):
    from rag import RagError
    from ui.auth import credentials

    monkeypatch.delenv("RAG_AUTH", raising=False)
    secret = tmp_path / "auth"
    secret.write_text("reader:s3cret\n")
    secret.chmod(0o644)
    with pytest.raises(RagError, match="chmod 600"):
        credentials(None, str(secret))
    secret.chmod(0o600)
    assert credentials(None, str(secret)) == (("reader", "s3cret"), None)
    monkeypatch.setenv("RAG_AUTH", "env:pw")
    assert credentials("flag:pw", None) == (("env", "pw"), None)
    monkeypatch.delenv("RAG_AUTH")
    auth, warning = credentials("flag:pw", None)
    assert auth == ("flag", "pw") and warning is not None and "ps" in warning
    with pytest.raises(RagError, match="USER:PASS"):
        credentials("no-colon", None)


@pytest.mark.parametrize("typed", ["<img src=x onerror=alert(1)> why?", "![pic](http://127.0.0.1:9/evil.png) [a](www.x.org)",
                                   "mail a@b.org about the U.S. 3.5% rate", "# heading\n1. item *bold* `code` &amp;"])
def test_a_question_bubble_is_literal_markdown_that_reads_back_as_typed(typed):
    from ui.render import literal_markdown, plain_text

    shown = literal_markdown(typed)
    assert "<img" not in shown and "](" not in shown.replace("\\](", "") and "http://" not in shown and "www." not in shown
    assert plain_text(shown) == typed


@pytest.mark.slow
def test_the_chat_answers_from_an_index_rebuilt_while_it_runs(seeds_dir, tmp_path, caplog):
    """`rag index` run in another terminal while the chat served: the chat kept answering from
    the index it had opened until restarted (an operator's finding). It now reads the rebuilt
    index at the next question."""
    import logging
    import shutil

    from rag import Retriever
    from ui.chat import Answerer

    seeds, index = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(seeds_dir, seeds)
    answerer = Answerer(Retriever.build(seeds, index), 5, index)
    question = "When did the brewer dig the first ice house above the north shore?"
    assert answerer.ask(question, []).refused
    (seeds / "ice.md").write_text("# Ice Harvests\n\nby Marta Lindqvist\n\nIn 1781 a brewer dug the first ice house "
                                  "above the north shore.\n", encoding="utf-8")  # fmt: skip
    Retriever.build(seeds, index)
    with caplog.at_level(logging.INFO, logger="rag"):
        answer = answerer.ask(question, [])
    assert not answer.refused and "1781" in answer.citations[0].quote, answer.text
    assert "was rebuilt: answering from it (3 essays)" in caplog.text
    assert answerer.document("ice.md").title == "Ice Harvests"
