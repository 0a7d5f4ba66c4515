"""Render the mixed-format development essays.

    python make_essays.py OUTDIR

Copies essays/* (the .md, .txt and .html essays) into OUTDIR and writes two more:
OUTDIR/brugger-corvasch-avalanche.pdf (fpdf2) and OUTDIR/varga-ostmark-triangulation.docx
(python-docx). The text of both lives in PDF_ESSAY / DOCX_ESSAY below, so check.py can test
the gold quotes against exactly the strings handed to the libraries.

Needs fpdf2 (2.8.9) and python-docx (1.2.0).
"""

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

PDF_NAME = "brugger-corvasch-avalanche.pdf"
DOCX_NAME = "varga-ostmark-triangulation.docx"

# ---------------------------------------------------------------------------
# PDF essay: ASCII only (core font Helvetica). Blocks are ("h", text) for a bold
# section heading and ("p", text) for a paragraph.
# ---------------------------------------------------------------------------
PDF_ESSAY = {
    "title": "Reading the Snow: Avalanche Watch in the Corvasch Valley",
    "author": "Anselm Brugger",
    "blocks": [
        ("p", "The Corvasch valley runs east to west for nineteen miles beneath a wall of peaks "
              "that rise to more than 3,000 meters. Its villages have lived with avalanches for as "
              "long as anyone has lived there at all, and the history of the valley can be read as "
              "a long argument between its people and the snow on the slopes above them. This "
              "essay follows that argument from a disaster in the seventeenth century to the "
              "watch that now issues a bulletin every winter morning."),
        ("h", "The Ban Forest"),
        ("p", "In the winter of 1689 an avalanche came down the Lauiberg gully above the village of "
              "Albrun, destroying 23 houses and the church and killing 41 people. The survivors "
              "rebuilt the village on the same site, but they had learned something about the "
              "slope. The spruce forest above Albrun had been cut almost bare for firewood and "
              "building timber in the previous decades, and the old men of the village insisted "
              "that the snow had come down where the trees had gone."),
        ("p", "In fact the village assembly had tried to protect that forest once before. A decree "
              "of 1517, preserved in the parish chest, forbade anyone to fell a tree on the slope "
              "above the church on pain of a fine of ten guilders per trunk. The decree had been "
              "ignored for more than a century. After 1689 it was enforced strictly, and the "
              "replanted ban forest, as the villagers called it, still stands above Albrun today, "
              "its oldest spruces now close to three hundred years old."),
        ("h", "The Schoolteacher's Ledger"),
        ("p", "The systematic study of snow in the valley began with one person. In 1892 Regula "
              "Imfeld, the schoolteacher at Albrun, began writing down the depth of snow outside "
              "the schoolhouse every morning at seven, together with the temperature, the wind and "
              "the look of the sky. She kept the ledger for thirty-one winters without missing a "
              "day, and her pupils took turns reading the measuring pole."),
        ("p", "Imfeld's ledger showed a pattern that the old men had only guessed at. Most large "
              "avalanches in the valley came within three days of a snowfall of more than fifty "
              "centimeters, and almost all of them followed a sharp rise in temperature. By 1930 "
              "the cantonal government had set up a network of 14 observation stations modelled "
              "on her schoolhouse pole, and her notebooks are now kept at the Snow Institute in "
              "Davel."),
        ("h", "Digging the Pit"),
        ("p", "The modern observer still learns to read the snow with a shovel. Every week through "
              "the winter, observers dig a pit down to the ground on a slope of known angle and "
              "examine the layers exposed in its wall. They look for three things in particular."),
        ("p", "The first warning sign is a layer of loose, sugary crystals near the ground, which "
              "the valley people call rotten snow. The second is a buried crust of ice left by rain "
              "or a thaw, over which fresh snow can slide like a book off a tilted table. The third "
              "is a slab of wind-packed snow lying on top of a softer layer, which can break away "
              "in a single piece the size of a football field."),
        ("p", "From the pit and the weather, the avalanche watch issues a bulletin each morning at "
              "eight on a five-level danger scale, from low to very high. Most fatal accidents in "
              "the valley happen at level three, considerable, when the danger is real but the "
              "slopes look inviting."),
        ("h", "Steel on the Slopes"),
        ("p", "The winter of 1951 was the worst in living memory. In a single week of January, 17 "
              "avalanches struck the valley, cutting the road in six places and burying the "
              "railway station at Pradella under eight meters of snow. Nobody in Albrun died, which "
              "the villagers credited to the ban forest, but the disaster persuaded the canton to "
              "pay for permanent defences on the open slopes."),
        ("p", "Between 1951 and 1978 workers built 3,800 meters of steel snow bridges across the "
              "starting zones above the valley's villages. The bridges are rows of steel frames "
              "anchored in the rock, which hold the snowpack in place so that it cannot begin to "
              "slide. The programme cost the canton 42 million francs, about two thirds of it paid "
              "from federal funds."),
        ("h", "A Watch That Never Sleeps"),
        ("p", "Today the avalanche watch employs nine full-time observers and relies on more than "
              "60 volunteers, many of them mountain guides and farmers whose families have read "
              "these slopes for generations. Automatic weather stations on the ridges send "
              "readings of wind and snow depth every half hour, and the morning bulletin is read "
              "out on the valley radio before the school buses leave."),
        ("p", "The observers still dig their pits by hand, and the first thing a new recruit is "
              "shown is a photograph of Regula Imfeld standing beside her measuring pole in the "
              "deep winter of 1895. The machines have changed, the old observers say, but the "
              "question has not: what is the snow doing, and what will it do next?"),
    ],
}

# ---------------------------------------------------------------------------
# DOCX essay. Blocks: ("h", text) heading, ("p", text) paragraph,
# ("bullets", [items]) List Bullet, ("numbers", [items]) List Number,
# ("table", [header_row, row, ...]).
# ---------------------------------------------------------------------------
DOCX_ESSAY = {
    "title": "Measuring the Province: The Great Triangulation of Ostmark",
    "author": "Helena Varga",
    "blocks": [
        ("p", "Before the survey, nobody in Ostmark knew how large the province was. Its maps were "
              "copied from older maps, which had been copied from travellers' sketches, and two "
              "villages on the river Drava could each produce a map showing the same forest as "
              "their own. The Great Triangulation changed that in a single generation, and the "
              "way it was done tells us a good deal about the science of the eighteenth century."),
        ("h", "A Count's Ambition"),
        ("p", "In 1764 Count Ferenc Adler, governor of the province, persuaded the imperial treasury "
              "to pay for an accurate map of Ostmark, arguing that taxes could not be fairly "
              "assessed on land that nobody had measured. He engaged the mathematician Lorenz "
              "Halberg, a former artillery officer, as director of the survey, and gave him an "
              "office, a staff of clerks and a small company of soldiers to carry the instruments."),
        ("p", "Halberg's method was triangulation. If one side of a triangle is measured exactly "
              "and its angles are known, the other two sides can be calculated, and each new side "
              "becomes the base of the next triangle. A chain of triangles can in this way carry a "
              "single careful measurement across a whole country."),
        ("h", "The Baseline on the Telki Plain"),
        ("p", "Everything depended on the first line. Halberg chose the flat Telki plain south of "
              "the capital, and in the summer of 1765 his men measured a baseline 7.4 miles long "
              "with wooden rods tipped with brass, laid end to end along a line of stakes. The "
              "measurement took 41 days, and the rods were checked every morning against an iron "
              "standard kept in a box lined with felt."),
        ("p", "The angles were read with a theodolite with a brass circle 24 inches across, made in "
              "1762 by the instrument maker Johann Reiss of Kessel. It weighed so much that it "
              "travelled in its own cart, and Halberg refused to let anyone but the observer lift "
              "it from its case."),
        ("h", "The Crew"),
        ("p", "A survey party in the field had four kinds of specialist, each with a separate task:"),
        ("bullets", [
            "The observer, who read every angle on the theodolite and recorded it twice",
            "The signal men, who built the wooden towers and lit the lamps for night sightings",
            "The computers, who turned the angles into distances in the winter office at Dorva",
            "The draughtsmen, who drew the finished sheets at a scale of 1:72,000",
        ]),
        ("h", "At Each Station"),
        ("p", "The work at every station followed the same order, set down by Halberg in his "
              "instructions of 1766:"),
        ("numbers", [
            "A signal tower was raised on the highest point, tall enough to be seen from the neighbouring stations.",
            "The theodolite was levelled and centred over a mark cut into a buried stone.",
            "The angle to every visible neighbouring station was measured in twelve repetitions.",
            "The results were copied into two field books, which travelled to Dorva by different roads.",
        ]),
        ("p", "In all, the survey occupied 212 stations. It advanced in three great chains, from "
              "the mountains of the north down to the marshes of the south:"),
        ("table", [
            ["Chain", "Years surveyed", "Stations"],
            ["Northern chain", "1764-1771", "68"],
            ["Central chain", "1772-1784", "104"],
            ["Southern chain", "1785-1798", "40"],
        ]),
        ("p", "The central chain took longest, partly because of the forests of the Bakony hills, "
              "where whole avenues of trees had to be cleared for sightlines, and partly because "
              "of the war of 1778, which took most of the soldiers away for two seasons."),
        ("h", "The Check at Dorva"),
        ("p", "A triangulation can be tested only by measuring a second line. In 1795 Halberg, by "
              "then nearly seventy, measured a check baseline of 6.2 miles on the meadows outside "
              "Dorva. Its length as computed through the chain of triangles from the Telki plain "
              "differed by only eleven inches from the length his men measured on the ground. "
              "Halberg, according to his clerk, read the figure twice, put down his pen and went "
              "to bed without a word. The result was printed in the academy's proceedings the "
              "following spring and was cited for decades as proof of what careful work could do."),
        ("h", "The Finished Map"),
        ("p", "Count Adler did not live to see the result: he died in 1791, and the survey was "
              "completed in 1798 under his son. The finished map of Ostmark was engraved on 36 "
              "sheets, and for the first time the province's farmers, tax collectors and generals "
              "worked from the same picture of the land. It remained the official map until the "
              "new survey of the 1870s, and copies of its sheets still hang in many town halls."),
    ],
}


def render_pdf(path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(PDF_ESSAY["title"])
    pdf.set_author(PDF_ESSAY["author"])
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, PDF_ESSAY["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 6, "by " + PDF_ESSAY["author"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for kind, text in PDF_ESSAY["blocks"]:
        if kind == "h":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        else:
            pdf.set_font("Helvetica", "", 11)
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))
    return pdf.pages_count


def render_docx(path):
    from docx import Document

    doc = Document()
    doc.core_properties.title = DOCX_ESSAY["title"]
    doc.core_properties.author = DOCX_ESSAY["author"]
    doc.add_paragraph(DOCX_ESSAY["title"], style="Title")
    doc.add_paragraph("by " + DOCX_ESSAY["author"])
    for kind, content in DOCX_ESSAY["blocks"]:
        if kind == "h":
            doc.add_heading(content, level=1)
        elif kind == "p":
            doc.add_paragraph(content)
        elif kind == "bullets":
            for item in content:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "numbers":
            for item in content:
                doc.add_paragraph(item, style="List Number")
        elif kind == "table":
            table = doc.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = value
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        else:
            raise ValueError(kind)
    doc.save(str(path))


def main(argv):
    if len(argv) != 2:
        print("usage: python make_essays.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for src in sorted((HERE / "essays").iterdir()):
        if src.is_file():
            shutil.copy2(src, out / src.name)
            print("copied", out / src.name)
    pages = render_pdf(out / PDF_NAME)
    print("wrote", out / PDF_NAME, f"({pages} pages)")
    render_docx(out / DOCX_NAME)
    print("wrote", out / DOCX_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
