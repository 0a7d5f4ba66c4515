"""Essays as people drop them in: Markdown structure, plain text with a byline, PDF, HTML, DOCX.

Every file is written by the test itself (the PDF with fpdf2, the DOCX with python-docx), so
no binary fixture is kept that could not be made again. The last tests index the folder with
the real model and ask the assistant: list questions collect a list's items, table questions
quote the row, and nothing quoted is ever a heading, front matter or a marker.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from rag.ingest.chunk import document_sentences
from rag.ingest.load import load_corpus
from rag.ingest.structure import HEADING, blocks
from rag.types import Document

MARKDOWN = """---
title: A Short History of the Printing Press
author: Jane Roe
date: 2024-05-01
---

# Printing press

The press changed _everything_ in **Europe** within a single lifetime.

## Gutenberg's press

Gutenberg combined four things:

1. A metal alloy for casting type.
2. An oil-based ink that clung to metal.
3. A screw press adapted from wine making.
4. A hand mould for casting letters quickly.

- **Cost.** Books became far cheaper, falling by two thirds.
- **Speed.** A press printed 3,600 pages a day.

| City | Year | Presses |
|---|---|---|
| Mainz | 1455 | 1 |
| Venice | 1500 | 150 |

Spread of print

This paragraph is hard-wrapped the way many editors save text, broken at
about seventy columns. Its second sentence also runs over a line break, so a
sentence must not end where a line does.
"""

PLAIN = """Coral reefs
by Priya Raman

Reefs cover less than one percent of the ocean floor. They shelter a quarter of all
marine species.

Why corals bleach

Corals bleach when the water stays too warm for weeks, as it did in 1998.
"""

HTML = """<!doctype html>
<html><head><title>The Salt Roads | Example Site</title>
<meta name="author" content="Mia Chen"><style>p { color: red }</style>
<script>var note = "This script is not essay text.";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<header><div class="site">Example Site</div></header>
<article><h1>The Salt Roads</h1>
<p>Salt was carried from the coast &amp; the mines &mdash; by mule &mdash; in the <em>seventh century</em>.
Traders&rsquo; routes ran 400 km inland.</p>
<h2>Markets</h2>
<p>Salt found three markets:</p>
<ul><li>Salt for curing fish</li><li>Salt for tanning leather</li><li>Salt for the royal table</li></ul>
<table><tr><th>Town</th><th>Founded</th></tr><tr><td>Hallstatt</td><td>800 BCE</td></tr></table>
</article>
<footer>Copyright 2024. We use cookies.</footer></body></html>
"""

PDF_PARAGRAPHS = [
    "The first tidal mills on the estuary were built around 868, and by 1455 there were forty of them "
    "along the coast.",
    "Each mill kept a pond that filled at high tide and drove the wheel as the tide went out.",
] + [
    f"In {1480 + 7 * n} the guild of {town} met to settle who might draw on the ponds, and the "
    f"{'elder' if n % 2 else 'younger'} millers kept the record of what was agreed."
    for n, town in enumerate("Arden Bellmouth Carrow Dunmere Esk Fallow Garth Hythe Ilsby Jarrow Kell Lune "
                             "Marsh Nethy Orwell Penn Quarry Rye Sallow Thorn".split())
]


def write_pdf(path: Path) -> None:
    """A two-page PDF with a title, a byline, a bold heading and wrapped paragraphs."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Tidal Mills of the North")
    pdf.set_author("Ann Lee")
    pdf.add_page()
    line = {"new_x": "LMARGIN", "new_y": "NEXT"}
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, "Tidal Mills of the North", **line)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "by Ann Lee", **line)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, "Origins", **line)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in PDF_PARAGRAPHS:
        pdf.multi_cell(0, 6, paragraph, **line)
        pdf.ln(3)
    pdf.output(str(path))


def write_docx(path: Path) -> None:
    """A Word file with a title, a heading, a paragraph, a bulleted list and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Wind Pumps of the Plains"
    document.core_properties.author = "Ole Berg"
    document.add_paragraph("Wind Pumps of the Plains", style="Title")
    document.add_paragraph("Wind pumps lifted water for cattle across the plains from the 1870s onward.")
    document.add_heading("Parts", level=1)
    for part in ("A tower of riveted steel", "A wheel of curved blades", "A pump rod reaching the water"):
        document.add_paragraph(part, style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Maker", (0, 1): "Units sold", (1, 0): "Aermotor", (1, 1): "800,000"}.items():
        table.cell(r, c).text = text
    document.save(str(path))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one essay of each kind."""
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "press.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "reefs.txt").write_text(PLAIN, encoding="utf-8")
    (folder / "salt.html").write_text(HTML, encoding="utf-8")
    write_pdf(folder / "mills.pdf")
    write_docx(folder / "pumps.docx")
    return folder


@pytest.fixture(scope="module")
def documents(corpus: Path) -> dict[str, Document]:
    return {d.source: d for d in load_corpus(corpus)}


def test_every_format_loads_with_its_metadata(documents: dict[str, Document]) -> None:
    got = {s: (d.title, d.author) for s, d in documents.items()}
    assert got == {
        "press.md": ("A Short History of the Printing Press", "Jane Roe"),
        "reefs.txt": ("Coral reefs", "Priya Raman"),
        "salt.html": ("The Salt Roads", "Mia Chen"),
        "mills.pdf": ("Tidal Mills of the North", "Ann Lee"),
        "pumps.docx": ("Wind Pumps of the Plains", "Ole Berg"),
    }
    assert documents["press.md"].metadata["date"] == "2024-05-01"


def test_the_pdf_has_two_pages_and_its_text_is_whole_paragraphs(corpus: Path, documents: dict[str, Document]) -> None:
    from pypdf import PdfReader

    assert len(PdfReader(corpus / "mills.pdf").pages) >= 2
    text = documents["mills.pdf"].text
    for paragraph in PDF_PARAGRAPHS:  # lines wrapped by the PDF, and a page break, are joined again
        assert f"\n{paragraph}\n" in text
    assert "## Origins" in text or "### Origins" in text


def test_html_keeps_the_article_and_drops_scripts_styles_navigation_and_footer(documents: dict[str, Document]) -> None:
    text = documents["salt.html"].text
    assert "Salt was carried from the coast & the mines — by mule — in the seventh century." in text
    assert "Traders’ routes ran 400 km inland." in text
    for junk in ("script is not", "color: red", "About us", "Example Site", "cookies"):
        assert junk not in text


def test_sentences_are_exact_and_never_a_heading_front_matter_or_marker(documents: dict[str, Document]) -> None:
    sentences = document_sentences(list(documents.values()))
    assert sentences
    for s in sentences:
        text = documents[s.source].text
        assert text[s.start : s.end] == s.text
        assert not re.match(r"[-+•#|]|\*(?!\*)|\d+[.)]\s|title:|author:", s.text), s  # "**Cost.**" is emphasis
        assert s.text not in {d.title for d in documents.values()}
        assert not s.text.lower().startswith("by ")
    headings = {
        documents[src].text[b.start : b.end].strip("# ")
        for src in documents
        for b in blocks(documents[src].text)
        if b.kind == HEADING
    }
    assert {"Gutenberg's press", "Spread of print", "Why corals bleach", "Markets", "Parts", "Origins"} <= headings
    assert not headings & {s.text for s in sentences}


def test_items_rows_and_sections_are_kept(documents: dict[str, Document]) -> None:
    by_text = {s.text: s for s in document_sentences(list(documents.values()))}
    item = by_text["An oil-based ink that clung to metal."]
    assert (item.kind, item.section) == ("item", "Printing press › Gutenberg's press")
    assert by_text["**Cost.** Books became far cheaper, falling by two thirds."].kind == "item"
    assert by_text["Mainz | 1455 | 1"].kind == "row"
    assert "City | Year | Presses" not in by_text  # the header is context, not an answer
    assert by_text["Salt for tanning leather"].section == "The Salt Roads › Markets"
    assert by_text["Aermotor | 800,000"].kind == "row"
    assert by_text["A wheel of curved blades"].section.endswith("Parts")
    wrapped = next(t for t in by_text if t.startswith("Its second sentence"))
    assert wrapped.endswith("where a line does.") and "\n" in wrapped  # one sentence over a line break
    assert by_text["Corals bleach when the water stays too warm for weeks, as it did in 1998."].section == "Coral reefs › Why corals bleach"


def test_a_scanned_pdf_is_skipped_with_a_warning_naming_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # a page with a picture of text, no text layer
    pdf.output(str(tmp_path / "scan.pdf"))
    (tmp_path / "ok.md").write_text("# Fine\n\nA readable essay sentence.\n", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with caplog.at_level(logging.WARNING, logger="rag"):
        docs = load_corpus(tmp_path)
    assert [d.source for d in docs] == ["ok.md"]
    assert "scan.pdf" in caplog.text and "no text layer" in caplog.text and "OCR" in caplog.text
    assert "broken.docx" in caplog.text


def test_sidecar_metadata_wins_over_the_file_properties(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_docx(folder / "pumps.docx")
    (folder / "metadata.json").write_text('{"pumps.docx": {"author": "O. Berg (ed.)"}}', encoding="utf-8")
    (doc,) = load_corpus(folder)
    assert (doc.title, doc.author) == ("Wind Pumps of the Plains", "O. Berg (ed.)")


@pytest.fixture(scope="module")
def assistant(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    from rag import Retriever
    from rag.answer.assistant import Assistant

    index = tmp_path_factory.mktemp("mixed-index")
    return Assistant(Retriever.build(corpus, index))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "items"),
    [
        ("What four things did Gutenberg combine?", ["metal alloy", "oil-based ink", "screw press", "hand mould"]),
        ("What are the parts of a wind pump?", ["riveted steel", "curved blades", "pump rod"]),
        ("What markets did salt find?", ["curing fish", "tanning leather", "royal table"]),
    ],
)
def test_a_list_question_collects_the_items_without_their_markers(assistant, question: str, items: list[str]) -> None:
    answer = assistant.ask(question)
    assert not answer.refused
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(items)
    for item, quote in zip(items, quotes, strict=True):
        assert item in quote
        assert not re.match(r"[-*+•]|\d+[.)]", quote)


@pytest.mark.parametrize(
    ("question", "marks"),
    [("What four things did Gutenberg combine?", ["1. “", "2. “", "3. “", "4. “"]),  # a numbered list: numbered
     ("What markets did salt find?", ["- “", "- “", "- “"])],  # an HTML <ul>: bulleted
)
def test_a_numbered_lists_items_are_numbered_in_the_answer(assistant, question: str, marks: list[str]) -> None:
    """Steps keep their numbers: the items of a numbered list are answered as one, a bulleted
    list's as bullets (the quotes themselves never hold the marker)."""
    lines = [line for line in assistant.ask(question).text.splitlines() if line.startswith(("- ", "1", "2", "3", "4"))]
    assert [line[: len(mark)] for line, mark in zip(lines, marks, strict=True)] == marks


@pytest.mark.slow
@pytest.mark.parametrize(("follow_up", "item"), [("and the second one?", "oil-based ink"), ("and the last one?", "hand mould")])
def test_the_second_item_of_a_written_list_answers_the_follow_up(assistant, follow_up: str, item: str) -> None:
    """After a list answer, "and the second one?" quotes that item of the written list, not the
    line that introduces it (a user found it quoting "... four things:")."""
    first = "What four things did Gutenberg combine?"
    listed = assistant.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": listed.text}]
    answer = assistant.ask(follow_up, history=history)
    assert not answer.refused and item in answer.citations[0].quote, answer.text
    assert "four things" not in answer.text


@pytest.mark.slow
def test_who_wrote_that_cites_the_sentence_the_last_answer_quoted(assistant) -> None:
    """With no sentence about its author in the essay, "who wrote that?" shows the quote "that"
    refers to (a user saw another sentence of the essay cited)."""
    history: list[dict[str, str]] = []
    for question in ("What four things did Gutenberg combine?", "and the second one?"):
        answer = assistant.ask(question, history=history or None)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    who = assistant.ask("who wrote that?", history=history)
    assert "Jane Roe" in who.text and "oil-based ink" in who.citations[0].quote, who.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many units did Aermotor sell?", "800,000"),
        ("When was Hallstatt founded?", "800 BCE"),
        ("When were the first tidal mills built on the estuary?", "868"),
        ("When did corals bleach badly?", "1998"),
        ("How many pages a day could a press print?", "3,600"),
    ],
)
def test_facts_from_every_format_are_quoted_verbatim(assistant, question: str, expected: str) -> None:
    answer = assistant.ask(question)
    assert not answer.refused, answer.text
    assert expected in answer.citations[0].quote
    for c in answer.citations:
        doc = assistant.retriever.document(c.source)
        assert doc.text[c.quote_start : c.quote_end] == c.quote


@pytest.mark.slow
def test_a_hard_wrapped_quote_reads_as_one_line_and_stays_verbatim_at_its_offsets(assistant) -> None:
    """A blind walk-through's hard-wrapped text and padded table rows were quoted with their line
    breaks and runs of spaces ("Our best year so⏎far"): the answer shows each as one space, the
    citation keeps the text exactly as written."""
    answer = assistant.ask("What share of marine species do reefs shelter?")
    quote = next(c for c in answer.citations if "marine species" in c.quote)
    assert quote.quote.endswith("They shelter a quarter of all\nmarine species.")
    assert "They shelter a quarter of all marine species.”" in answer.text, answer.text
    doc = assistant.retriever.document(quote.source)
    assert doc.text[quote.quote_start : quote.quote_end] == quote.quote


@pytest.mark.slow
def test_the_source_card_shows_the_section_and_the_extracted_text(assistant) -> None:
    from ui.render import sources_html

    answer = assistant.ask("When were the first tidal mills built on the estuary?")
    panel = sources_html(answer, assistant.retriever.document)
    assert '<div class="rag-section">Origins</div>' in panel
    assert '<mark class="rag-q1">The first tidal mills on the estuary were built around 868' in panel
    assert "Read the whole essay" in panel and "%PDF" not in panel


@pytest.mark.slow
def test_a_follow_up_is_read_as_its_own_question(assistant) -> None:
    """'and what drove the wheel?' after a when-question is a what-question about the mills."""
    history = ["When were the first tidal mills on the estuary built?"]
    answer = assistant.ask("and what drove the wheel?", history=history)
    assert not answer.refused, answer.text
    assert "pond that filled at high tide" in answer.citations[0].quote


@pytest.mark.slow
def test_a_how_many_question_is_answered_by_a_table_row(assistant) -> None:
    """'how many ... sell' is answered by a row that says 'Units sold', read with its header."""
    answer = assistant.ask("How many wind pumps did Aermotor sell?")
    assert not answer.refused, answer.text
    assert "800,000" in answer.citations[0].quote
    assert "800,000” [1] (its columns: “Maker | Units sold”)" in answer.text  # the row's numbers under their names


def test_a_pdf_list_keeps_one_item_per_line(tmp_path: Path) -> None:
    """Lines that open with "- " or "•" in a PDF are list items, not one paragraph (a newcomer's
    list question on a PDF got only the line that introduces the list)."""
    from fpdf import FPDF

    from rag.ingest.pdf import pdf_text

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    line = {"new_x": "LMARGIN", "new_y": "NEXT"}
    for text in ("The rules are pinned to the wall of the staff room:", "- One member, one vote.",
                 "- The highest rate is at most one and a half times the lowest, whatever the member's role in "
                 "the bakery and however long they have worked there.", "- Ten per cent goes to training.",
                 "The pay rule is the one visitors ask about.", "The mills closed after the war",
                 "- and never opened again."):  # fmt: skip
        pdf.multi_cell(0, 6, text, **line)
    path = tmp_path / "rules.pdf"
    pdf.output(str(path))
    blocks = pdf_text(path.read_bytes()).text.strip().split("\n\n")
    assert blocks[0] == "The rules are pinned to the wall of the staff room:"
    assert [b[:12] for b in blocks[1:4]] == ["- One member", "- The highes", "- Ten per ce"]
    assert blocks[2].endswith("worked there.") and blocks[4].startswith("The pay rule")  # a wrapped item stays whole
    assert len(blocks) == 5 and blocks[4].endswith("after the war - and never opened again.")  # a dash carries it on


BROWSER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour Notes print edition</title>
<style>body { font-family: "DejaVu Serif", serif; font-size: 12pt; } h1 { font-size: 26pt; width: 11cm; }
h2 { font-size: 16pt; }</style></head><body>
<h1>The Efficient Ferries of the Northern Fjords and Their Finances</h1>
<h2>Why did the harbour board refit the fleet?</h2>
""" + "".join(
    f"<p>In the {n}th year of the scheme the official figures show that fifty-{n} affluent firms financed "
    f"the refit of the flagship, and the first fleet of efficient ferries flowed through the fjord "
    f"without a single stoppage, while the office in the harbour kept the accounts in a ledger of its own.</p>"
    for n in range(4, 34)
) + "</body></html>"


def print_to_pdf(html: str, folder: Path) -> Path:
    """``html`` printed to PDF by headless Chromium, with its default header and footer."""
    import subprocess

    from ui_conftest_helpers import CHROMIUM, CHROMIUM_ARGS

    page, path = folder / "page.html", folder / "page.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run([str(CHROMIUM), *CHROMIUM_ARGS, "--headless", f"--print-to-pdf={path}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    return path


def test_a_page_printed_to_pdf_by_a_browser_reads_like_the_page(tmp_path: Path) -> None:
    """Chromium's "print to PDF" of a web page (walk-through 7): its ligatures ("ﬁ", "ﬂ") are
    written as letters (the model read "ﬁnal" as "ﬁ ##nal", and no question matched it), its date-and-title header, drawn
    after the page's text, is dropped as a running header, a title wrapped over two lines is one
    heading, and a larger line that asks ("Why did ...?") is a heading."""
    from pypdf import PdfReader

    from rag.ingest.pdf import pdf_text

    path = print_to_pdf(BROWSER_PAGE, tmp_path)
    raw = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert re.search("[\ufb00-\ufb06]", raw) and raw.count("Harbour Notes print edition") >= 3  # what a browser writes
    text = pdf_text(path.read_bytes()).text
    assert not re.search("[\ufb00-\ufb06]", text) and "efficient ferries flowed" in text
    assert "Harbour Notes" not in text
    headings = [text[b.start : b.end] for b in blocks(text) if b.kind == HEADING]
    assert headings == ["The Efficient Ferries of the Northern Fjords and Their Finances",
                        "Why did the harbour board refit the fleet?"]  # fmt: skip


def test_a_printed_pages_bullets_are_drawn_but_its_items_are_kept(tmp_path: Path) -> None:
    """A browser draws a list's bullets as shapes, not text (walk-through 7: six recommendations
    came out as one paragraph): lines set in from the margin that end sentences short of the
    longest are items; a quoted block, set in too, and first-line indents stay paragraphs."""
    from rag.ingest.pdf import pdf_text

    quote = ("The board said that the ferries had carried more people in the winter than in any winter "
             "before, and that the new timetable had been kept in all but the worst storms of the year. It "
             "thanked the crews for their work through the dark months and the long nights at sea.")  # fmt: skip
    items = ["Install meters on every pump that lifts more than five hundred litres an hour, with the board "
             "paying half of what each one costs to buy and fit.", "Publish the readings each month.",
             "Close the old wells by the harbour."]  # fmt: skip
    prose = " ".join(f"Paragraph {n} tells how the harbour grew in the {n}th decade of its life." for n in range(1, 6))
    html = ("<html><head><meta charset='utf-8'><style>body { font-size: 12pt; } p.t { text-indent: 2em; }</style>"
            f"</head><body><p class='t'>{prose}</p><p>The board recommends three measures:</p>"
            f"<ul>{''.join(f'<li>{t}</li>' for t in items)}</ul><blockquote>{quote}</blockquote>"
            f"<p class='t'>{prose}</p></body></html>")  # fmt: skip
    text = pdf_text(print_to_pdf(html, tmp_path).read_bytes()).text
    got = [(b.kind, text[b.start : b.end]) for b in blocks(text)]
    assert [t for kind, t in got if kind == "item"] == items
    assert ("text", quote) in got and [t for kind, t in got if kind == "text"].count(prose) == 2


TABLE_ROWS = [["Route", "Vessel", "Crossings a day", "Passengers in 2024"],
              ["Vessbury Quay to Skellan Island by the northern channel", "MV Grey Tern", "8", "96,450"],
              ["Skellan Island to Haddow Bay", "MV Petrel Star", "4", "38,900"],
              ["Haddow Bay to Vessbury Quay", "MV Heron Lark", "12", "121,300"]]  # fmt: skip


def test_a_pdf_tables_rows_are_kept_as_table_rows(tmp_path: Path) -> None:
    """A table printed by a browser (a wrapped cell, numbers set beside it) and one drawn by fpdf2
    come out as pipe tables, one row a line, as HTML and Word tables do, so a question whose answer
    is one row is answered by it (walk-through 7's table came out as headings and loose lines)."""
    from fpdf import FPDF

    from rag.ingest.pdf import pdf_text

    head = "".join(f"<th>{c}</th>" for c in TABLE_ROWS[0])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE_ROWS[1:])
    html = ("<html><head><meta charset='utf-8'><style>table { border-collapse: collapse; width: 100%; } "
            "th, td { border: 1px solid #999; padding: 6px; } td:first-child { width: 30%; }</style></head><body>"
            "<p>The ferries carried more passengers than ever before in the year of the survey.</p>"
            f"<table><tr>{head}</tr>{body}</table><p>The busiest crossing was the oldest one.</p></body></html>")  # fmt: skip
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "The ferries carried more passengers than ever before in the year of the survey.")
    with pdf.table() as table:
        for row in TABLE_ROWS:
            cells = table.row()
            for text in row:
                cells.cell(text)
    pdf.multi_cell(0, 6, "The busiest crossing was the oldest one.")
    pdf.output(str(tmp_path / "drawn.pdf"))
    want = "\n".join(["| " + " | ".join(TABLE_ROWS[0]) + " |", "|---|---|---|---|"]
                     + ["| " + " | ".join(row) + " |" for row in TABLE_ROWS[1:]])  # fmt: skip
    for path in (print_to_pdf(html, tmp_path), tmp_path / "drawn.pdf"):
        text = pdf_text(path.read_bytes()).text
        assert want in text, (path.name, text)
        assert text.startswith("The ferries carried") and f"{want}\n\nThe busiest crossing was the oldest one.\n" in text


SAVED_PAGE = """<!DOCTYPE html><html><head><title>Orlesk Canal - Openwiki</title>
<meta property="og:title" content="Orlesk Canal - Openwiki"></head><body>
<a class="skip" href="#content">Skip to content</a>
<div class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/growing">Growing</a></li></ul></div>
<div id="content">
<h1>Orlesk Canal<span class="mw-editsection">[<a href="?edit">edit</a>]</span></h1>
<p class="byline">By Ann Lee &middot; 14 January 2025</p>
<div id="toc"><ul><li><a href="#history">1 History</a><ul><li><a href="#origins">1.1 Origins</a></li></ul></li>
<li><a href="#route">2 Route</a></li></ul></div>
<h2 id="history">History<span class="mw-editsection">[<a href="?edit=1">edit</a>]</span></h2>
<p>The canal opened in 1887.<sup class="reference"><a href="#cite-1">[1]</a></sup> It carried slate to the river.</p>
<div class="related-stories"><h3>Related stories</h3><p>Lock keepers strike over pay in 1911.</p></div>
<h2>Questions</h2>
<details><summary>Can boats longer than 21 metres use the canal?</summary><p>No, the locks are 21.3 metres long.</p></details>
<div id="comments"><p>Great article! The canal opened in 1890, my grandfather said.</p></div>
<div class="author-box"><p>Ann Lee writes about waterways.</p><a rel="author" href="/ann">View all posts by Ann Lee &rarr;</a></div>
</div></body></html>"""


def test_a_saved_web_page_keeps_its_article_and_drops_what_wraps_it() -> None:
    """A page saved from a browser (walk-through 8): reference and edit markers, a table of
    contents, a site menu, a skip link, related stories and readers' comments are not the
    article; a <details> FAQ's summary is its question's heading; the author link's "View all
    posts by ... →" names the author; the title is the page's, not "... - Openwiki"."""
    from rag.ingest.formats import html_text

    page = html_text(SAVED_PAGE.encode())
    assert page.metadata["author"] == "Ann Lee" and page.metadata["title"] == "Orlesk Canal"  # not "... - Openwiki"
    assert page.text == (
        "# Orlesk Canal\n\nBy Ann Lee · 14 January 2025\n\n## History\n\n"
        "The canal opened in 1887. It carried slate to the river.\n\n## Questions\n\n"
        "### Can boats longer than 21 metres use the canal?\n\nNo, the locks are 21.3 metres long.\n\n"
        "Ann Lee writes about waterways.\n\nView all posts by Ann Lee →\n"
    )


@pytest.mark.slow
def test_an_infobox_row_is_quoted_without_its_title_row_as_columns(tmp_path: Path) -> None:
    """A wiki infobox is a table whose first row is its title, one cell over two: it names no
    column, so a row quoted from it is not followed by "(its columns: ...)" (walk-through 8)."""
    from rag import Retriever
    from rag.answer.assistant import Assistant

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "canal.html").write_text(
        "<html><body><h1>Orlesk Canal</h1><table><tr><th colspan='2'>Orlesk Canal</th></tr>"
        "<tr><td colspan='2'>The lock flight in 2014</td></tr><tr><th>Length</th><td>14.6 km</td></tr><tr><th>Locks</th><td>9</td></tr>"
        "<tr><th>Date of first use</th><td>14 June 1887</td></tr></table>"
        "<p>The Orlesk Canal links Lake Morvay with the River Aundle.</p></body></html>",
        encoding="utf-8",
    )
    assistant = Assistant(Retriever.build(tmp_path / "seeds", tmp_path / "index"))
    answer = assistant.ask("How many locks does the canal have?")
    assert answer.citations and answer.citations[0].quote == "Locks | 9", answer.text
    assert "its columns" not in answer.text
    answer = assistant.ask("In what year was the lock flight pictured?")
    assert answer.citations and answer.citations[0].quote == "The lock flight in 2014", answer.text
    assert "its columns" not in answer.text  # a one-cell row under the one-cell title row


def test_a_word_files_bold_lines_are_its_headings(tmp_path: Path) -> None:
    """Office users make headings by setting a short line in bold, not with a heading style
    (walk-through 9: a club's report, meeting minutes with "3. Finance report"): the first is the
    title, the rest section headings; a bold label opening a sentence ("Agreed: ...") is not."""
    import docx

    from rag.ingest.formats import docx_text

    document = docx.Document()
    document.add_paragraph().add_run("Harrowmere Wheelers – Annual Report").bold = True
    document.add_paragraph("Prepared by Gwen Latimer for the meeting in March.")
    document.add_paragraph().add_run("3. Membership").bold = True
    document.add_paragraph("We finished the year with 187 members.")
    agreed = document.add_paragraph()
    agreed.add_run("Agreed:").bold = True
    agreed.add_run(" the rent will rise to £55.")
    document.save(str(tmp_path / "report.docx"))
    text = docx_text((tmp_path / "report.docx").read_bytes()).text
    assert text.split("\n\n") == [
        "# Harrowmere Wheelers – Annual Report", "Prepared by Gwen Latimer for the meeting in March.",
        "## 3. Membership", "We finished the year with 187 members.", "Agreed: the rent will rise to £55.\n",
    ]  # fmt: skip


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_short_first_line_that_a_sentence_wraps_from_is_not_a_heading(tmp_path: Path, suffix: str) -> None:
    """Found building a test for a blind walk-through: a paragraph wrapped after a few words ("Our
    best year so" / "far was 2018, ...") lost its first line to a heading, and the sentence was
    quoted from "far"; a tests/mixed_dev essay lost "Through the nineteenth century the clock was
    repaired more often than" so. A line the next one goes on from in lower case, or that ends on
    "of", "the", "and" or the like, is text."""
    (tmp_path / f"yields{suffix}").write_text(
        "Yields\n\nOur best year so\nfar was 2018, when the orchard gave 12.9 tonnes.\n\nWhy frost matters\nFrost kills the"
        " blossom.\n\nPruning happens in winter, between late November and the end of\nFebruary, while the trees sleep.\n"
        "\nSix Months On\nThe orchard recovered.\n"
    )
    doc = load_corpus(tmp_path)[0]
    assert [s.text for s in document_sentences([doc])] == [
        "Our best year so\nfar was 2018, when the orchard gave 12.9 tonnes.", "Frost kills the blossom.",
        "Pruning happens in winter, between late November and the end of\nFebruary, while the trees sleep.",
        "The orchard recovered."]  # "Six Months On" is a heading: a title may end on "On"


def test_in_an_extracted_file_only_marked_lines_are_headings(tmp_path: Path) -> None:
    """A PDF, HTML or Word file's extractor marks the headings it finds; a short unpunctuated
    paragraph of it is text, and may be quoted (walk-through 9: "Apologies: Lorna Fitch, Eamon
    Quigley" in meeting minutes never could), where in a .txt file it is a plain-text heading."""
    import docx

    from rag.answer.evidence import quotable
    from rag.ingest.structure import TEXT

    document = docx.Document()
    document.add_heading("Minutes of the February meeting", level=1)
    document.add_paragraph("Apologies: Lorna Fitch, Eamon Quigley")
    document.add_paragraph("The minutes of the last meeting were accepted.")
    document.save(str(tmp_path / "minutes.docx"))
    (tmp_path / "minutes.txt").write_text("Minutes\n\nApologies: Lorna Fitch, Eamon Quigley\n\nThe minutes were accepted.\n")
    docs = {d.source: d for d in load_corpus(tmp_path)}
    word = [s for s in document_sentences([docs["minutes.docx"]]) if s.text.startswith("Apologies")]
    assert len(word) == 1 and word[0].kind == TEXT and quotable(word[0])
    assert not [s for s in document_sentences([docs["minutes.txt"]]) if s.text.startswith("Apologies")]
