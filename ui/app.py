"""The Gradio web chat: a cited-answer chat beside a sources panel, plus a data API.

    serve(settings)                      # what `rag serve` and `make chat` run
    demo = build_app(retriever, settings)
    demo.queue(...).launch(**launch_options())

``serve`` opens (building when missing or stale) the index before the server listens, with a
progress bar in the terminal; the one loaded model then serves every user.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from rag.console import progress_bar  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.retrieve.retriever import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402

from .auth import LoginGuard  # noqa: E402
from .chat import MAX_K, Answerer, ask_api, record_vote, sources_for, stream_reply  # noqa: E402
from .feedback import FeedbackLog  # noqa: E402
from .render import empty_panel, literal_markdown  # noqa: E402

CSS_PATH = Path(__file__).with_name("style.css")
JS_PATH = Path(__file__).with_name("citations.js")  # clickable [n] markers; see show_sources below
CONCURRENCY = 4  # answers take ~20 ms of CPU; the rest of a reply is streaming pauses
QUEUE_SIZE = 200
EXAMPLES = [  # about the two seed essays: offered only when the index holds both (see example_questions)
    "What three areas are ripe for cooperation?",
    "Why should Japan and South Korea recommit to cooperation now?",
    "How is the United States driving Seoul and Tokyo closer together?",
    "Do both authors worry about North Korea?",
]
EXAMPLE_ESSAYS = frozenset({"govella-japan-south-korea-cooperation.txt", "cooper-korea-japan-new-chapter.txt"})
ANY_FOLDER = ["What are these essays about?"]  # answered over any folder: one central sentence of each essay


def example_questions(sources: set[str]) -> list[str]:
    """The example questions to offer: the seed essays' own, when the index holds those essays;
    over any other folder, where those would only be refused, the one every folder answers."""
    return EXAMPLES if EXAMPLE_ESSAYS <= sources else ANY_FOLDER


def build_app(retriever: Retriever, settings: Settings) -> gr.Blocks:
    """The chat app over an open retriever; votes go to ``settings.data_dir``/feedback.jsonl."""
    answerer = Answerer(retriever, settings.k, settings.index_dir)
    feedback = FeedbackLog(settings.data_dir)

    def answer(message: str, history: list[dict], k: float, answers: list[dict]):
        """Answer a question about the essays; yields the answer Markdown and the sources panel."""
        yield from stream_reply(answerer, message, history, k, answers)

    def ask(question: str, history_json: str = "[]", k: int = answerer.default_k) -> dict:
        """Answer `question` (with earlier turns as a JSON list of {"role", "content"}) using the
        `k` best passages; returns text, refused, hedged (answered, but it may not answer exactly),
        confidence (the reader's probability, or null), citations (source, title, author, score,
        start, end, quote, quote_start, quote_end, passage) and error (a message, or null)."""
        return ask_api(answerer, question, history_json, k)

    def vote(history: list[dict], answers: list[dict], data: gr.LikeData) -> None:
        record_vote(feedback, history, answers, data.index, data.liked)

    def undone(history: list[dict], answers: list[dict]) -> str:
        """The sources of the answer left last after an Undo (``history`` is the chat after it)."""
        last = max((i for i, m in enumerate(history) if isinstance(m, dict) and m.get("role") == "assistant"), default=None)
        panel = sources_for(answerer, history, answers, last) if last is not None else None
        return panel or empty_panel(retriever.heads)

    def show_sources(history: list[dict], answers: list[dict], data: gr.SelectData) -> Any:
        """A click on an answer shows its sources (the panel holds the latest answer's until then)."""
        panel = sources_for(answerer, history, answers, data.index)
        return gr.skip() if panel is None else panel

    with gr.Blocks(title="Ask the essays", analytics_enabled=False, fill_width=True) as demo:
        answers = gr.State([])
        empty = empty_panel(retriever.heads)
        examples = example_questions({d.source for d in retriever.heads})
        sources = gr.HTML(empty, render=False, elem_id="rag-sources", padding=False, js_on_load=None)
        with gr.Row(equal_height=False, elem_id="rag-top"):
            with gr.Column(scale=3, min_width=380):
                gr.HTML(header_html(), elem_id="rag-header", padding=False, js_on_load=None)
            with gr.Column(scale=2, min_width=340, elem_id="rag-settings"):
                with gr.Row(equal_height=True):
                    passages = gr.Slider(
                        1, MAX_K, value=answerer.default_k, step=1, scale=3, elem_id="rag-k",
                        label="Passages to search",
                    )
                    clear = gr.Button("Clear chat", variant="secondary", scale=1, min_width=120, elem_id="rag-clear")
        with gr.Row(equal_height=False, elem_id="rag-main"):
            with gr.Column(scale=3, min_width=380, elem_id="rag-chat-column"):
                chatbot = gr.Chatbot(
                    label="Chat", show_label=False, elem_id="rag-chat", height="max(420px, calc(100vh - 275px))",
                    latex_delimiters=[], buttons=["copy"], layout="bubble",
                    placeholder="**Ask about the essays.** Answers quote them word for word.",
                )
                chat = LiteralChatInterface(
                    answer,
                    chatbot=chatbot,
                    textbox=gr.Textbox(
                        placeholder="Ask a question about the essays…", label="Your question", show_label=False,
                        submit_btn=True, stop_btn=True, max_lines=6, elem_id="rag-input",  # focus: citations.js
                    ),
                    additional_inputs=[passages, answers],
                    additional_outputs=[sources, answers],
                    examples=[[q, None, None] for q in examples] or None,
                    api_name="chat",
                    fill_height=False,
                    analytics_enabled=False,
                )
            with gr.Column(scale=2, min_width=340, elem_id="rag-sources-column"):
                sources.render()

        chatbot.like(vote, [chatbot, answers], None, api_visibility="private", queue=False)
        # then citations.js brings the quote of the [n] clicked into view (or the panel's top)
        chatbot.select(show_sources, [chatbot, answers], [sources], api_visibility="private", queue=False).then(
            None, None, None, js="() => window.ragShowCited && window.ragShowCited()", queue=False
        )
        chatbot.clear(lambda: ([], empty), None, [answers, sources], api_visibility="private", queue=False)
        # Undo takes the last answer away: the panel shows the answer now last (it showed the undone one's)
        chatbot.undo(undone, [chatbot, answers], [sources], api_visibility="private", queue=False)
        clear.click(
            lambda: ([], [], [], [], empty),
            None,
            [chatbot, chat.chatbot_state, chat.chatbot_value, answers, sources],
            api_visibility="private",
            queue=False,
        )
        gr.api(ask, api_name="ask")
    return demo


class LiteralChatInterface(gr.ChatInterface):
    """The chat, with each question shown in its bubble as typed: Markdown and HTML in it are
    escaped (answers are made safe by ``safe_markdown`` in ui/chat.py; questions here)."""

    def _append_message_to_history(self, message: Any, history: Any, role: Any = "user") -> Any:
        if role == "user" and isinstance(message, str):
            message = literal_markdown(message)
        return super()._append_message_to_history(message, history, role)


def header_html() -> str:
    """Title and what the chat does."""
    return (
        '<div class="rag-header"><h1>Ask the essays</h1>'
        "<p>Answers are quoted word for word from the essays. Click an <code>[n]</code> to see its"
        " passage in the <strong>Sources</strong> panel, with the quote highlighted, or an earlier"
        " answer to see its sources again; when the essays don't answer a question, the assistant"
        " says so, and when it is not sure its quote answers, it says that too.</p></div>"
    )


def launch_options() -> dict[str, Any]:
    """Look and safety settings for ``demo.launch`` (Gradio 6 takes theme and CSS here)."""
    return {
        "theme": gr.themes.Soft(primary_hue="indigo", neutral_hue="slate"),
        "css_paths": [CSS_PATH],
        "js": JS_PATH.read_text(encoding="utf-8"),
        "show_error": False,  # users see our messages, never a traceback
        "footer_links": ["api", "settings"],
        "ssr_mode": False,
    }


def check_port_free(host: str, port: int) -> None:
    """A RagError naming the flag to use when ``port`` on ``host`` is taken (Gradio's own error
    suggests editing ``launch(server_port=…)``, which a user of ``rag serve`` cannot)."""
    probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
    try:
        probe.bind((host, port))
    except OSError as exc:
        reason = "is busy" if exc.errno == errno.EADDRINUSE else f"cannot be used on {host} ({exc.strerror})"
        raise RagError(f"port {port} {reason}; use --port N") from None
    finally:
        probe.close()


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None
) -> None:
    """Open the index (building it first if missing or stale), then serve the chat until Ctrl-C."""
    check_port_free(host, port)  # before the index: a busy port is known in a millisecond
    print(f"rag: opening the index in {settings.index_dir}/ for {settings.seeds_dir}/ …", file=sys.stderr)
    retriever = Retriever.open(settings.seeds_dir, settings.index_dir, settings, progress_bar("building the index"))
    print(f"rag: {len(retriever.documents)} essays, {len(retriever.chunks)} passages ready", file=sys.stderr)
    demo = build_app(retriever, settings)
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    guard = LoginGuard(*auth) if auth else None
    # quiet: Gradio's own banner suggests `share=True` in `launch()`, which a user of `rag serve` cannot set
    demo.launch(server_name=host, server_port=port, auth=guard, quiet=True, prevent_thread_lock=True, **launch_options())
    shown = f"[{host}]" if ":" in host else host
    print(f"rag: the chat is at http://{shown}:{port}/ (Ctrl-C stops it)", file=sys.stderr)
    demo.block_thread()
