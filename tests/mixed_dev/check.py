"""Validate tests/mixed_dev/questions.yaml against the essays.

    python check.py [OUTDIR]

Checks, for every case: required fields and types, unique ids, known sources; every gold
quote is a verbatim substring of its source's visible text *and* lies inside one text unit
(a Markdown paragraph line / list item / heading / table cell, one physical line of the .txt,
one HTML text node after entity decoding, one string handed to fpdf2 / python-docx); quotes
are 20-200 characters (a quote equal to a whole table cell may be shorter) and contain no
markup; every answer keyword is inside one of the case's gold quotes; out-of-scope cases carry
no quotes or keywords. Also checks each essay's length (700-1200 words) and that the PDF text
is ASCII. With OUTDIR (made by make_essays.py) it also reads the .docx back with python-docx,
checks the PDF has at least 2 pages, and that every essay file is present there.

Exit code 0 when everything passes, 1 otherwise.
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_essays  # noqa: E402

ESSAYS = HERE / "essays"
MD = "lindqvist-orvenna-ice.md"
TXT = "renwick-vellmarch-clocks.txt"
HTML = "haddouch-saffra-indigo.html"
PDF = make_essays.PDF_NAME
DOCX = make_essays.DOCX_NAME
ALL = [MD, TXT, HTML, PDF, DOCX]


# ---------------------------------------------------------------- text units per format
def md_units(text):
    """(units, table_cells, body_text) for the Markdown essay."""
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4)
        body = text[end + 5:]
    else:
        body = text
    units, cells = [], []
    for line in body.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("|"):
            row = [c.strip() for c in s.strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in row):
                continue
            units += row
            cells += row
            continue
        s = re.sub(r"^#+\s+", "", s)
        s = re.sub(r"^-\s+", "", s)
        s = re.sub(r"^\d+\.\s+", "", s)
        units.append(s)
    return units, cells, body


class _HTMLText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.nodes = []
        self.cells = []
        self.in_cell = False
        self.in_article = False
        self.article_words = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in ("td", "th"):
            self.in_cell = True
        if tag == "article":
            self.in_article = True

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in ("td", "th"):
            self.in_cell = False
        if tag == "article":
            self.in_article = False

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        self.nodes.append(data)
        if self.in_cell:
            self.cells.append(data.strip())
        if self.in_article:
            self.article_words += len(data.split())


def html_units(text):
    p = _HTMLText()
    p.feed(text)
    p.close()
    return p.nodes, p.cells, p.article_words


def pdf_units():
    e = make_essays.PDF_ESSAY
    return [e["title"], "by " + e["author"]] + [t for _, t in e["blocks"]]


def docx_units():
    e = make_essays.DOCX_ESSAY
    units, cells = [e["title"], "by " + e["author"]], []
    for kind, content in e["blocks"]:
        if kind in ("h", "p"):
            units.append(content)
        elif kind in ("bullets", "numbers"):
            units += content
        elif kind == "table":
            for row in content:
                units += row
                cells += row
    return units, cells


def load_essays():
    """name -> dict(units=[...], cells=[...], full=str, words=int)."""
    out = {}
    md_text = (ESSAYS / MD).read_text(encoding="utf-8")
    units, cells, body = md_units(md_text)
    out[MD] = dict(units=units, cells=cells, full=md_text, words=len(body.split()))
    txt = (ESSAYS / TXT).read_text(encoding="utf-8")
    out[TXT] = dict(units=txt.splitlines(), cells=[], full=txt, words=len(txt.split()))
    html = (ESSAYS / HTML).read_text(encoding="utf-8")
    nodes, cells, words = html_units(html)
    out[HTML] = dict(units=nodes, cells=cells, full="".join(nodes), words=words)
    pu = pdf_units()
    out[PDF] = dict(units=pu, cells=[], full="\n".join(pu), words=len(" ".join(pu).split()))
    du, dc = docx_units()
    out[DOCX] = dict(units=du, cells=dc, full="\n".join(du), words=len(" ".join(du).split()))
    return out


def norm(s):
    return " ".join(s.lower().split())


# ---------------------------------------------------------------- checks
def check_essays(essays, problems):
    for name, e in essays.items():
        if not 700 <= e["words"] <= 1200:
            problems.append(f"essay {name}: {e['words']} words, want 700-1200")
    for u in pdf_units():
        if any(ord(ch) > 127 for ch in u):
            problems.append(f"essay {PDF}: non-ASCII text {u[:60]!r}")
    txt_lines = essays[TXT]["units"]
    long = [i + 1 for i, line in enumerate(txt_lines) if len(line) > 80]
    if long:
        problems.append(f"essay {TXT}: lines over 80 columns: {long}")


def check_cases(cases, essays, problems):
    kinds = {}
    if not isinstance(cases, list):
        problems.append("questions.yaml is not a list")
        return kinds
    seen = set()
    for n, case in enumerate(cases, 1):
        if not isinstance(case, dict):
            problems.append(f"case #{n}: not a mapping")
            continue
        cid = case.get("id")
        where = f"case {cid!r} (#{n})"
        if not isinstance(cid, str) or not cid:
            problems.append(f"{where}: missing id")
        elif cid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(cid)
        if not isinstance(case.get("question"), str) or not case["question"].strip():
            problems.append(f"{where}: missing question")
        for key in ("sources", "history", "gold_quotes", "answer_keywords"):
            val = case.get(key)
            if val is not None and not (isinstance(val, list) and all(isinstance(x, str) for x in val)):
                problems.append(f"{where}: field {key!r} must be a list of strings")
        kind = case.get("kind", "(none)")
        kinds[kind] = kinds.get(kind, 0) + 1
        sources = case.get("sources") or []
        quotes = case.get("gold_quotes") or []
        keywords = case.get("answer_keywords") or []
        if kind == "follow-up" and not case.get("history"):
            problems.append(f"{where}: follow-up without history")
        if not sources:
            if quotes or keywords:
                problems.append(f"{where}: out-of-scope case with gold quotes or keywords")
            if kind not in ("out-of-scope", "near-miss"):
                problems.append(f"{where}: no sources but kind {kind!r}")
            continue
        if kind in ("out-of-scope", "near-miss"):
            problems.append(f"{where}: kind {kind!r} with sources")
        for s in sources:
            if s not in essays:
                problems.append(f"{where}: unknown source {s!r}")
        if not quotes:
            problems.append(f"{where}: answerable case without gold quotes")
        if not keywords:
            problems.append(f"{where}: answerable case without answer keywords")
        for q in quotes:
            ok = False
            for s in sources:
                e = essays.get(s)
                if e is None:
                    continue
                if q in e["full"] and any(q in u for u in e["units"]):
                    ok = True
                    is_cell = q in e["cells"]
                    if not is_cell and not 20 <= len(q) <= 200:
                        problems.append(f"{where}: quote length {len(q)} not in 20-200: {q!r}")
                    if kind == "table" and not any(q in c for c in e["cells"]):
                        problems.append(f"{where}: table case quote not in a table cell: {q!r}")
            if not ok:
                hint = ""
                if any(norm(q) in norm(essays[s]["full"]) for s in sources if s in essays):
                    hint = " (matches only after collapsing whitespace/case or spans units)"
                problems.append(f"{where}: quote not verbatim inside one text unit{hint}: {q!r}")
            if "\n" in q or "**" in q or "|" in q or q.startswith(("- ", "#")) or re.match(r"\d+\. ", q):
                problems.append(f"{where}: quote contains markup or a line break: {q!r}")
            if q != q.strip():
                problems.append(f"{where}: quote has leading/trailing whitespace: {q!r}")
        for k in keywords:
            if not any(norm(k) in norm(q) for q in quotes):
                problems.append(f"{where}: keyword {k!r} not inside any gold quote")
        if kind == "list" and len(quotes) != len(keywords):
            problems.append(f"{where}: list case wants one keyword per quote")
    return kinds


def check_outdir(outdir, problems):
    for name in ALL:
        if not (outdir / name).is_file():
            problems.append(f"OUTDIR: {name} missing")
    pdf = outdir / PDF
    if pdf.is_file():
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
        if pages < 2:
            problems.append(f"OUTDIR: {PDF} has {pages} page(s), want >= 2")
    docx_path = outdir / DOCX
    if docx_path.is_file():
        from docx import Document
        doc = Document(str(docx_path))
        got = [p.text for p in doc.paragraphs]
        for t in doc.tables:
            for row in t.rows:
                got += [c.text for c in row.cells]
        want, _ = docx_units()
        missing = [w for w in want if w not in got]
        if missing:
            problems.append(f"OUTDIR: {DOCX} lacks {len(missing)} expected text unit(s), e.g. {missing[0][:60]!r}")
        cp = doc.core_properties
        if cp.title != make_essays.DOCX_ESSAY["title"] or cp.author != make_essays.DOCX_ESSAY["author"]:
            problems.append(f"OUTDIR: {DOCX} core properties wrong: {cp.title!r} / {cp.author!r}")


def main(argv):
    problems = []
    essays = load_essays()
    check_essays(essays, problems)
    cases = yaml.safe_load((HERE / "questions.yaml").read_text(encoding="utf-8"))
    kinds = check_cases(cases, essays, problems)
    if len(argv) > 1:
        check_outdir(Path(argv[1]), problems)
    for name, e in essays.items():
        print(f"essay {name}: {e['words']} words")
    print(f"{len(cases)} cases: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    per_source = {}
    for c in cases:
        for s in c.get("sources") or []:
            per_source[s] = per_source.get(s, 0) + 1
    print("answerable per essay: " + ", ".join(f"{s} {n}" for s, n in sorted(per_source.items())))
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  -", p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
