"""Write training/squad-v1.1-train.json.xz from a SQuAD v1.1 train.json (run once; the result is committed).

Keeps titles, paragraphs, questions and answer texts; each answer lists every place its text
occurs in the paragraph (from ambiguous-answer-starts.json), so every sentence holding it is
a positive. Question ids are dropped (the rebuilt copy invented them).
Usage: python training/vendor_squad.py ../shared/data/squad-v1.1-train
"""

from __future__ import annotations

import json
import lzma
import sys
from pathlib import Path

OUT = Path(__file__).with_name("squad-v1.1-train.json.xz")


def main(folder: Path) -> None:
    data = json.loads((folder / "train.json").read_text(encoding="utf-8"))
    every = {a["id"]: a["all_occurrences"] for a in json.loads((folder / "ambiguous-answer-starts.json").read_text())}
    articles = [
        {"title": art["title"], "paragraphs": [
            {"context": p["context"], "qas": [
                [q["question"], q["answers"][0]["text"], every.get(q["id"], [q["answers"][0]["answer_start"]])]
                for q in p["qas"]
            ]} for p in art["paragraphs"]
        ]} for art in data["data"]
    ]  # fmt: skip
    source = ("SQuAD v1.1 train (Rajpurkar et al. 2016), CC BY-SA 4.0; rebuilt copy, question ids dropped;"
              " answer starts list every occurrence")  # fmt: skip
    raw = json.dumps({"source": source, "data": articles}, ensure_ascii=False, separators=(",", ":")).encode()
    OUT.write_bytes(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/squad-v1.1-train"))
