#!/usr/bin/env python3
"""Build the five blind10 PDFs from tests/blind10/sources into the folder given as argv[1].

report.pdf, memo.pdf   : Chromium headless print WITH default header/footer
paper.pdf, guide.pdf   : Chromium headless print with --no-pdf-header-footer
newsletter.pdf         : fpdf2 with DejaVu Sans (Unicode TTF) if available
"""
import datetime
import os
import re
import subprocess
import sys
import tempfile

from fpdf import FPDF

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "sources")
CHROMIUM = "/usr/bin/chromium"
FONT_REG = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def chromium_print(html_name, out_path, header_footer):
    src = os.path.join(SRC, html_name)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu"]
    if not header_footer:
        cmd.append("--no-pdf-header-footer")
    # A throwaway profile keeps runs independent of each other.
    with tempfile.TemporaryDirectory(prefix="blind10-chrome-") as prof:
        cmd += ["--user-data-dir=" + prof, "--print-to-pdf=" + out_path, "file://" + src]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    if not os.path.exists(out_path) or os.path.getsize(out_path) == 0:
        raise RuntimeError("chromium produced no PDF for " + html_name)


class Newsletter(FPDF):
    family = "helvetica"

    def footer(self):
        self.set_y(-15)
        self.set_font(self.family, "", 9)
        self.set_text_color(110, 110, 110)
        self.cell(0, 10, f"The Brindlecombe Bulletin  -  Page {self.page_no()} of {{nb}}", align="C")


def build_newsletter(out_path):
    pdf = Newsletter(format="A4")
    pdf.set_creation_date(datetime.datetime(2024, 4, 1, 9, 0, 0, tzinfo=datetime.timezone.utc))
    pdf.set_title("The Brindlecombe Bulletin - Spring issue")
    pdf.set_author("Brindlecombe Parish Council")
    if os.path.exists(FONT_REG) and os.path.exists(FONT_BOLD):
        pdf.add_font("DejaVu", "", FONT_REG)
        pdf.add_font("DejaVu", "B", FONT_BOLD)
        pdf.family = "DejaVu"
    fam = pdf.family
    pdf.alias_nb_pages()
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()

    with open(os.path.join(SRC, "newsletter.txt"), encoding="utf-8") as fh:
        text = fh.read()
    raw_blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    # A "## " heading line may be followed directly by its paragraph: split it off.
    blocks = []
    for b in raw_blocks:
        ls = b.split("\n")
        if ls[0].startswith("## ") and len(ls) > 1:
            blocks.append(ls[0])
            blocks.append("\n".join(ls[1:]))
        else:
            blocks.append(b)
    for block in blocks:
        lines = block.split("\n")
        first = lines[0]
        if first.startswith("# "):
            pdf.set_font(fam, "B", 24)
            pdf.set_text_color(20, 60, 110)
            pdf.multi_cell(0, 11, first[2:], new_x="LMARGIN", new_y="NEXT")
            rest = [l[2:] for l in lines[1:] if l.startswith("@ ")]
            for sub in rest:
                pdf.set_font(fam, "", 11)
                pdf.set_text_color(90, 90, 90)
                pdf.multi_cell(0, 6, sub, new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(20, 60, 110)
            pdf.set_line_width(0.6)
            y = pdf.get_y() + 2
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.ln(6)
        elif first.startswith("## "):
            pdf.ln(2)
            pdf.set_font(fam, "B", 14)
            pdf.set_text_color(20, 60, 110)
            pdf.multi_cell(0, 8, first[3:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif re.match(r"^\d+\. ", first):
            pdf.set_font(fam, "", 11)
            pdf.set_text_color(30, 30, 30)
            for line in lines:
                m = re.match(r"^(\d+)\. (.*)$", line)
                num, item = m.group(1), m.group(2)
                x0 = pdf.l_margin
                pdf.set_x(x0 + 4)
                pdf.cell(8, 6, num + ".")
                pdf.set_x(x0 + 12)
                pdf.multi_cell(pdf.w - pdf.r_margin - x0 - 12, 6, item, new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            pdf.ln(2)
        else:
            pdf.set_font(fam, "", 11)
            pdf.set_text_color(30, 30, 30)
            pdf.multi_cell(0, 6, " ".join(lines), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(out_path)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_essays.py OUTPUT_FOLDER")
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    chromium_print("report.html", os.path.join(out, "report.pdf"), header_footer=True)
    chromium_print("paper.html", os.path.join(out, "paper.pdf"), header_footer=False)
    build_newsletter(os.path.join(out, "newsletter.pdf"))
    chromium_print("memo.html", os.path.join(out, "memo.pdf"), header_footer=True)
    chromium_print("guide.html", os.path.join(out, "guide.pdf"), header_footer=False)
    for name in ("report.pdf", "paper.pdf", "newsletter.pdf", "memo.pdf", "guide.pdf"):
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
