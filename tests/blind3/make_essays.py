"""Build the blind3 essay folder.

Usage: python tests/blind3/make_essays.py OUTDIR

Copies the hand-written essays in sources/ into OUTDIR and renders two more
essays from the data below: a PDF (fpdf2) and a DOCX (python-docx).
Deterministic: the same text every run. Standard library, fpdf2, python-docx only.
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.join(HERE, "sources")

# ---------------------------------------------------------------------------
# PDF essay (plain ASCII only: core Helvetica font)
# ---------------------------------------------------------------------------

PDF_SLUG = "first-paper-money"
PDF_TITLE = "Lighter Than Iron: How Paper Became Money"
PDF_AUTHOR = "Roberta Kwan"

# (heading or None, [paragraphs])
PDF_SECTIONS = [
    (None, [
        "Every banknote in your wallet is, in a sense, a promise that nobody "
        "intends to keep. It cannot be exchanged for gold or silver, it is "
        "worth almost nothing as paper, and yet shopkeepers accept it without "
        "a second thought. How people came to trust such a thing is one of "
        "the stranger stories in economic history, and it begins not in a "
        "bank but in a province with a shortage of copper.",
    ]),
    ("Too heavy to spend", [
        "In the late tenth century the province of Sichuan, in the south-west "
        "of Song dynasty China, was cut off from the copper mines that "
        "supplied the rest of the empire. The government's answer was to "
        "mint coins of iron instead. Iron was plentiful, but it was also "
        "cheap, which meant that ordinary purchases required enormous "
        "numbers of coins.",
        "A standard string of 1,000 iron coins weighed about 6 kilograms, "
        "and it bought surprisingly little. A single bolt of good silk in "
        "the markets of Chengdu cost around 20,000 iron coins, a load of "
        "some 120 kilograms that needed a cart or two strong porters to "
        "carry. For merchants trading salt, tea and silk over long distances, "
        "moving money had become almost as difficult as moving the goods "
        "themselves.",
    ]),
    ("Receipts become money", [
        "The solution came from the merchants, not the state. Deposit shops "
        "in Chengdu began to accept heavy strings of coins for safekeeping "
        "and to hand back a paper receipt, printed from a carved block and "
        "marked with the shop's own seal. A merchant could carry the receipt "
        "to another town and redeem it there, or, more and more often, "
        "simply hand it to someone else as payment. The receipts were known "
        "as jiaozi, usually translated as exchange notes.",
        "There was an older precedent. In the early ninth century, under the "
        "Tang dynasty, tea merchants had used certificates nicknamed flying "
        "money to transfer funds between the capital and the provinces. But "
        "flying money was a transfer slip between two named parties. The "
        "jiaozi of Chengdu passed from hand to hand among strangers, and that "
        "is what made it money.",
        "Around 1005, sixteen of the largest merchant houses in Chengdu "
        "formed a consortium to issue jiaozi jointly, backed by a shared "
        "reserve of coins. For a time it worked well. But the houses were "
        "tempted to issue more notes than they had coins to cover, and when "
        "several of them failed in a bad harvest year the holders of their "
        "notes were left with worthless paper. Riots followed in the city.",
    ]),
    ("The state takes over", [
        "In 1023 the Song court decided that something so useful was too "
        "dangerous to leave to private houses. It banned private notes and "
        "set up an official Jiaozi Bureau in Chengdu, and the first "
        "government notes were issued in 1024. The bureau's officials were "
        "well aware of the risks. They fixed a ceiling on the total issue of "
        "1,256,340 strings and kept a reserve of about 360,000 strings of "
        "iron coins to back it, a little under 29% of the face value in "
        "circulation.",
        "Each note was valid for three years. At the end of that period it "
        "had to be brought back to the bureau and exchanged for a new one, "
        "for which the holder paid a fee of 3%. The rule was meant to limit "
        "forgery and to keep track of how much paper was in circulation, and "
        "for several decades the system was remarkably stable.",
        "Forgery was the other great worry. The official notes were printed "
        "in several colours from as many as six separate blocks, carried "
        "pictures of houses, trees and people, and bore a warning that "
        "counterfeiters would be beheaded and that informers would receive a "
        "reward of a thousand strings.",
    ]),
    ("The temptation to print", [
        "The weakness of paper money showed itself whenever a government ran "
        "short of revenue, and governments at war are always short of "
        "revenue. From the 1070s the Song state, fighting on its northern "
        "frontier, began to issue notes far beyond the old ceiling. The value "
        "of a note fell steadily, and by the early twelfth century a jiaozi "
        "with a face value of one string traded for barely a tenth of that in "
        "coin.",
        "The pattern repeated under later dynasties. The Mongol rulers of the "
        "Yuan dynasty made paper the main currency of the empire in 1260, and "
        "foreign visitors wrote with astonishment about a ruler who could "
        "turn the bark of mulberry trees into treasure. The Ming dynasty "
        "introduced its own notes in 1375 but never tied them to any reserve "
        "at all. Within fifty years they had lost almost all of their value, "
        "and by the middle of the fifteenth century the Ming had quietly "
        "returned to silver.",
    ]),
    ("Europe follows late", [
        "Europe came to paper money more than six centuries after Chengdu. "
        "The first true banknotes in the West were issued in 1661 by "
        "Stockholms Banco, a bank founded in the Swedish capital by a "
        "merchant named Johan Palmstruch. Sweden had the opposite problem to "
        "Sichuan: its coins were made of copper, which was so cheap there "
        "that one of the largest coins, a plate of ten dalers, weighed nearly "
        "20 kilograms.",
        "Palmstruch's notes were a great success for about three years. Then, "
        "like the merchant houses of Chengdu, his bank lent out far more than "
        "it could repay. It collapsed in 1668, and Palmstruch was tried and "
        "sentenced to death, although the sentence was later commuted to "
        "imprisonment. The lesson was not lost on the Swedish parliament, "
        "which founded a new state bank the same year under much stricter "
        "rules.",
    ]),
    ("What paper money really is", [
        "Looking back over a thousand years, what is most striking is how "
        "often the same story was told. Paper money solves a real problem: it "
        "is light, cheap to produce and easy to carry. But because it costs "
        "almost nothing to make, the issuer is always tempted to make too "
        "much of it, and the trust on which it rests can vanish in a single "
        "bad season.",
        "The officials of the Jiaozi Bureau understood this in 1024. Their "
        "ceiling on the issue, their reserve of iron coins and their "
        "three-year exchange rule were all attempts to make a promise "
        "believable. Modern central banks use different tools, but they are "
        "trying to solve exactly the same problem: how to persuade millions "
        "of strangers that a piece of paper will still be worth something "
        "tomorrow.",
    ]),
]

# ---------------------------------------------------------------------------
# DOCX essay
# ---------------------------------------------------------------------------

DOCX_SLUG = "murano-glassmakers"
DOCX_TITLE = "The Island of Fire: Glassmakers of Murano"
DOCX_AUTHOR = "Lucia Ferrandi"

# Blocks: ("h2", text) | ("p", text) | ("bullets", [items]) | ("table", [rows])
DOCX_BLOCKS = [
    ("p", "By Lucia Ferrandi"),
    ("p",
     "Visitors who take the short boat ride from Venice to Murano today are "
     "usually looking for souvenirs: glass sweets, glass clowns, glass "
     "chandeliers dripping with coloured flowers. Behind the shops, however, "
     "lies one of the longest continuous industrial traditions in Europe, "
     "and a story of secrecy, privilege and rivalry that shaped how the "
     "whole continent made glass."),
    ("h2", "From the lagoon to the island"),
    ("p",
     "Glass was being made in Venice long before anyone thought of moving it "
     "to Murano. A document of 982 names a certain Domenico as a maker of "
     "small bottles, and by the thirteenth century the city had a glassmakers' "
     "guild with its own written statutes, adopted in 1271. Most of the "
     "furnaces at that time stood in the crowded heart of Venice itself, "
     "among timber houses and warehouses."),
    ("p",
     "That was the problem. Glass furnaces burn day and night at "
     "temperatures above 1,000 degrees, and in a city built of wood a single "
     "spark could be a catastrophe. In 1291 the Great Council ordered all "
     "glass furnaces to be moved out of the city to the island of Murano, "
     "about a mile and a half to the north across the lagoon. Fire was the "
     "official reason, but the move also made it easier to watch the "
     "glassmakers and to keep their techniques inside the Republic."),
    ("h2", "Privilege and a gilded cage"),
    ("p",
     "The glassmakers of Murano lived under an unusual bargain. On one hand, "
     "they were among the most privileged craftsmen in Europe. Master "
     "glassmakers were allowed to wear swords, were protected from many "
     "ordinary prosecutions, and their daughters were permitted to marry into "
     "noble Venetian families without the children losing their noble rank."),
    ("p",
     "On the other hand, they were not free to leave. From 1295 a glassmaker "
     "who set up a furnace outside the Venetian Republic could be declared a "
     "traitor, and in later centuries the Council of Ten sent agents abroad "
     "to persuade runaways to come home, or, according to persistent rumours, "
     "to make sure they never worked again. The island was at once a "
     "privilege and a prison."),
    ("h2", "The tools of the furnace"),
    ("p",
     "Remarkably, the basic equipment of a Murano workshop has hardly changed "
     "in seven hundred years. A master, known as the maestro, works at a "
     "bench with a small team of assistants, and a handful of simple tools "
     "does almost everything:"),
    ("bullets", [
        "the blowpipe, a hollow iron tube about one and a half metres long, "
        "used to gather molten glass and inflate it;",
        "the pontil, a solid iron rod attached to the base of a piece so that "
        "it can be worked from the other end;",
        "the borsella, a pair of steel tongs like large tweezers, used to pull, "
        "pinch and shape the hot glass;",
        "the marver, a flat slab of polished iron or stone on which the "
        "gather is rolled to give it an even shape;",
        "the scagno, the maestro's wooden bench with long flat arms, across "
        "which the blowpipe is rolled while he works.",
    ]),
    ("h2", "Crystal clear"),
    ("p",
     "The most important Murano invention was a glass that looked like rock "
     "crystal. Around 1450 Angelo Barovier, a member of one of the oldest "
     "glassmaking families on the island, developed a recipe for a glass so "
     "clear and colourless that it was called cristallo. The secret lay in "
     "purifying the ash of salt-marsh plants imported from Syria and Egypt, "
     "boiling and filtering it repeatedly until almost all of the iron that "
     "tints ordinary glass green had been removed."),
    ("p",
     "Cristallo transformed the market. Wealthy buyers from London to "
     "Constantinople wanted thin, delicate goblets that showed off the colour "
     "of their wine, and Murano had a near monopoly on supplying them for "
     "over a century. Other techniques followed, each of them guarded as "
     "closely as the first:"),
    ("table", [
        ["Technique", "First recorded", "Credited to"],
        ["Cristallo", "c. 1450", "Angelo Barovier"],
        ["Mirror glass", "1507", "the dal Gallo brothers"],
        ["Filigrana", "1527", "Filippo and Bortolo Serena"],
        ["Murrine revival", "1870s", "Vincenzo Moretti"],
    ]),
    ("p",
     "Filigrana, in which threads of white glass are twisted inside a clear "
     "body, became so fashionable that by the end of the sixteenth century "
     "it was being imitated in workshops across the Low Countries. The "
     "imitations were made, inevitably, by Murano glassmakers who had slipped "
     "away despite the ban."),
    ("h2", "The mirror war"),
    ("p",
     "Mirrors were the greatest prize of all. Venetian mirrors, made of "
     "cristallo backed with a thin layer of tin and mercury, were the finest "
     "in Europe, and in the seventeenth century a large one could cost more "
     "than a painting by a famous master. The French crown was spending huge "
     "sums importing them, and in 1665 the minister Jean-Baptiste Colbert "
     "decided to stop."),
    ("p",
     "Colbert's agents quietly recruited a group of Murano mirror makers with "
     "offers of high wages and French citizenship, and smuggled them to Paris "
     "to work in a new royal workshop. Venice responded with threats, and at "
     "least two of the emigrants died suddenly in circumstances that many "
     "suspected were poisoning. But the French workshop survived, and in 1684 "
     "it supplied the 357 mirrors of the Hall of Mirrors at Versailles. "
     "Murano never recovered its dominance of the mirror trade."),
    ("h2", "Decline and revival"),
    ("p",
     "When Napoleon ended the Venetian Republic in 1797, the guild system "
     "that had protected Murano for five centuries went with it. Many "
     "furnaces closed, and by the 1820s only a handful of workshops were "
     "still making anything more ambitious than beads. The revival came in "
     "the 1860s, when a local priest, Vincenzo Zanetti, founded a glass "
     "museum on the island and a school where young workers could study the "
     "old pieces and recover lost techniques."),
    ("p",
     "Today the industry faces a different threat. Furnaces must be kept "
     "burning around the clock, and the energy crisis of 2022 pushed gas "
     "bills for some workshops up by 400%. Where the island had about 300 "
     "working furnaces in the 1960s, fewer than 60 remain. Whether the "
     "island of fire can keep burning for another seven centuries may depend "
     "less on secret recipes than on the price of gas."),
]


# ---------------------------------------------------------------------------
# Text units (used by check.py): each string exactly as passed to the renderer
# ---------------------------------------------------------------------------

def pdf_units():
    """Paragraph strings of the PDF essay (not headings, title or byline)."""
    return [p for _, paras in PDF_SECTIONS for p in paras]


def docx_units():
    """Paragraphs, bullet items and table cells of the DOCX essay
    (not headings, title or byline)."""
    out = []
    for kind, content in DOCX_BLOCKS:
        if kind == "p" and content.startswith("By "):
            continue
        if kind == "p":
            out.append(content)
        elif kind == "bullets":
            out.extend(content)
        elif kind == "table":
            for row in content[1:]:
                out.extend(row)
    return out


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

def _check_ascii(text):
    text.encode("ascii")  # raises if any non-ASCII character slipped in
    return text


def render_pdf(path):
    import datetime

    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(
        datetime.datetime(2024, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc))
    pdf.set_title(PDF_TITLE)
    pdf.set_author(PDF_AUTHOR)
    pdf.set_margins(22, 22, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _check_ascii(PDF_TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, _check_ascii("by " + PDF_AUTHOR), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    for heading, paras in PDF_SECTIONS:
        if heading:
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 7, _check_ascii(heading), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("Helvetica", "", 11)
        for para in paras:
            pdf.multi_cell(0, 6, _check_ascii(para), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)

    pdf.output(path)


def render_docx(path):
    import datetime

    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = DOCX_TITLE
    props.author = DOCX_AUTHOR
    fixed = datetime.datetime(2024, 1, 1, 12, 0, 0)
    props.created = fixed
    props.modified = fixed
    props.last_modified_by = DOCX_AUTHOR
    props.revision = 1

    document.add_paragraph(DOCX_TITLE, style="Title")
    for kind, content in DOCX_BLOCKS:
        if kind == "h2":
            document.add_heading(content, level=2)
        elif kind == "p":
            document.add_paragraph(content)
        elif kind == "bullets":
            for item in content:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, cell_text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = cell_text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    document.save(path)


def main(argv):
    if len(argv) != 2:
        print("usage: python tests/blind3/make_essays.py OUTDIR", file=sys.stderr)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for name in sorted(os.listdir(SOURCES)):
        src = os.path.join(SOURCES, name)
        if os.path.isfile(src):
            shutil.copyfile(src, os.path.join(outdir, name))
    render_pdf(os.path.join(outdir, PDF_SLUG + ".pdf"))
    render_docx(os.path.join(outdir, DOCX_SLUG + ".docx"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
