"""Check tests/blind3/questions.yaml against the blind3 essays.

Usage: python tests/blind3/check.py

For each answerable case: every gold quote is an exact substring of one text
unit (paragraph / list item / table cell) of its source essay, and every
answer keyword appears (case-insensitively) in one of the case's gold quotes.
Also checks the shape of the question set. Standard library + pyyaml.
"""

import collections
import html.parser
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")
sys.path.insert(0, HERE)
import make_essays  # noqa: E402

ALLOWED_KINDS = {"factoid", "paraphrase", "date", "figure", "list", "table",
                 "follow-up", "out-of-scope"}
OOS_KEYS = {"id", "question", "kind", "sources"}

BLOCK_TAGS = {"p", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "div",
              "header", "footer", "nav", "main", "article", "aside", "section",
              "td", "th", "tr", "table", "title", "br", "button", "body", "html",
              "head"}
SKIP_TAGS = {"script", "style"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}


class _VisibleText(html.parser.HTMLParser):
    """Collects visible text as blocks; inline tags do not split a block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []          # (tag, text)
        self._buf = []
        self._skip = 0
        self._stack = []

    def _flush(self):
        text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
        if text:
            tag = next((t for t in reversed(self._stack) if t in BLOCK_TAGS), "")
            self.blocks.append((tag, text))
        self._buf = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self._skip += 1
            return
        if tag in BLOCK_TAGS:
            self._flush()
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)


def html_units(path):
    parser = _VisibleText()
    with open(path, encoding="utf-8") as fh:
        parser.feed(fh.read())
    parser.close()
    return [text for tag, text in parser.blocks
            if tag not in HEADING_TAGS and not text.startswith("By ")]


def text_units(path):
    """Paragraphs of a .md/.txt file (blank-line separated), list items and
    table cells split out; headings, titles, bylines and front matter dropped."""
    with open(path, encoding="utf-8") as fh:
        raw = fh.read()
    if raw.startswith("---\n"):
        raw = raw[raw.index("\n---\n", 4) + 5:]
    units = []
    lines = raw.split("\n")
    if path.endswith(".txt"):
        lines = lines[2:]  # title and byline
    para = []

    def flush():
        if para:
            units.append("\n".join(para))
            para.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("#") or (stripped.startswith("*By ") and stripped.endswith("*")):
            flush()
            continue
        if path.endswith(".txt") and len(stripped) < 40 and not stripped.endswith((".", ";", ":", ",")) \
                and not para:
            continue  # a short heading line of the plain-text essay
        m = re.match(r"^(?:- |\d+\. )(.*)$", stripped)
        if m:
            flush()
            units.append(m.group(1))
            continue
        if stripped.startswith("|"):
            flush()
            if re.fullmatch(r"\|[-| :]+\|", stripped):
                continue
            units.extend(c.strip() for c in stripped.strip("|").split("|"))
            continue
        para.append(line)
    flush()
    return units


def load_units():
    units = {}
    for name in sorted(os.listdir(SOURCES)):
        path = os.path.join(SOURCES, name)
        if name.endswith(".html"):
            units[name] = html_units(path)
        elif name.endswith((".md", ".txt")):
            units[name] = text_units(path)
    units[make_essays.PDF_SLUG + ".pdf"] = make_essays.pdf_units()
    units[make_essays.DOCX_SLUG + ".docx"] = make_essays.docx_units()
    return units


def main():
    with open(os.path.join(HERE, "questions.yaml"), encoding="utf-8") as fh:
        cases = yaml.safe_load(fh)
    units = load_units()
    problems = []
    kinds = collections.Counter()
    ids = set()
    per_source = collections.Counter()

    for i, case in enumerate(cases):
        cid = case.get("id", f"#{i}")
        def bad(msg):
            problems.append(f"{cid}: {msg}")
        if cid in ids:
            bad("duplicate id")
        ids.add(cid)
        if not case.get("question"):
            bad("missing question")
        kind = case.get("kind")
        kinds[kind] += 1
        if kind not in ALLOWED_KINDS:
            bad(f"unknown kind {kind!r}")
        sources = case.get("sources") or []
        if kind == "out-of-scope":
            if sources or set(case) - OOS_KEYS:
                bad("out-of-scope case must have only id/question/kind and sources: []")
            continue
        if not sources:
            bad("answerable case without sources")
            continue
        if kind == "follow-up" and not case.get("history"):
            bad("follow-up without history")
        quotes = case.get("gold_quotes") or []
        keywords = case.get("answer_keywords") or []
        if not quotes or not keywords:
            bad("missing gold_quotes or answer_keywords")
        for src in sources:
            per_source[src] += 1
            if src not in units:
                bad(f"unknown source {src}")
        for q in quotes:
            if not isinstance(q, str):
                bad(f"gold quote is not a string: {q!r}")
                continue
            if kind != "table" and not (25 <= len(q) <= 200):
                bad(f"gold quote length {len(q)} out of 25-200: {q!r}")
            if "**" in q or re.search(r"(^|\s)_|_(\s|$)", q) or q.startswith(("- ", "#")):
                bad(f"gold quote contains markup: {q!r}")
            if not any(q in u for src in sources for u in units.get(src, [])):
                bad(f"gold quote not inside one text unit of {sources}: {q!r}")
        for kw in keywords:
            if not any(kw.lower() in q.lower() for q in quotes):
                bad(f"keyword {kw!r} not in any gold quote")
        if kind == "list" and len(keywords) != len(quotes):
            bad("list case should have one keyword per gold quote")

    # script/style text must not leak into the HTML essay's units
    for name, us in units.items():
        if name.endswith(".html"):
            joined = " ".join(us)
            for leak in ("dataLayer", "font-family", "narrowboat holiday"):
                if leak in joined:
                    problems.append(f"{name}: script/style text leaked into units: {leak}")

    print(f"{len(cases)} cases; kinds: " +
          ", ".join(f"{k}={n}" for k, n in sorted(kinds.items())))
    print("answerable per source: " +
          ", ".join(f"{k}={n}" for k, n in sorted(per_source.items())))
    if problems:
        print(f"{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
