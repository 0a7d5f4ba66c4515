"""Which candidate sentences the answer quotes, by intent: one or two for a plain question, the claim and
its reason for a why-question, the items of a list, the best of each essay for a comparison, the asked-for
item for "the second one".
"""

from __future__ import annotations

from collections.abc import Sequence

from ..retrieve.ordinals import enumerates
from ..retrieve.retriever import Retriever
from .evidence import Evidence, in_reading_order, same_paragraph
from .intent import Intent
from .lists import announced, list_items, markup_list, ordinal_item
from .quotes import gives_reason, next_in_paragraph, paragraph_reasons


def select(
    retriever: Retriever, candidates: Sequence[Evidence], intent: Intent, floor: float = 1.0, shown: str = ""
) -> list[Evidence]:
    """The sentences the answer quotes, in the order they should be read.

    A list gathered from prose (not a written list, no number asked) leads with the reader's
    best sentence when its probability reaches ``floor`` (the reader's refusal line): "what
    animals are more sensitive to ...?" asks with a plural, but on held-out SQuAD articles one
    sentence answers most such questions.
    """
    if not candidates:
        return []
    best = candidates[0]
    if intent.ordinal:  # "and the second one?": that item of the essay's enumeration
        item = ordinal_item(retriever, candidates, intent.ordinal, shown)
        return [item, *next_in_paragraph(retriever, item)] if item is not None else [best]
    if intent.list_size:
        written = markup_list(retriever, candidates, intent.list_size if intent.counted else 0, intent.plural)
        items = in_reading_order(written or list_items(retriever, candidates, intent.list_size))
        lead = max(candidates, key=lambda e: e.probability)
        in_order = any(i.row == lead.row for i in items) and sum(enumerates(i.text) for i in items) >= 2
        if written or intent.counted or in_order or lead.probability < floor:  # an enumeration is read in order
            return items
        return [lead, *(i for i in items if i.row != lead.row)]
    if intent.cross:  # the best two sentences of each essay that answers at all
        chosen: list[Evidence] = []
        for ev in candidates:
            same = [c for c in chosen if c.passage.source == ev.passage.source]
            if ev.score >= 0.6 * best.score and len(same) < 2 and (not same or ev.score >= 0.85 * same[0].score):
                chosen.append(ev)
        return sorted(chosen, key=lambda e: (e.passage.source != best.passage.source, e.passage.source, e.start))
    chosen = [best]
    # "why ...?": the premise, then the essay's reason; unless the premise announces its causes
    # ("... declined for two main causes."), which then follow it (with_announced)
    if intent.reason and not gives_reason(best.text) and not announced(retriever, best):
        if not paragraph_reasons(retriever, best):
            return [best]  # E91: with_cause quotes the neighbour the reader reads with it
        reasons = [c for c in candidates[1:] if gives_reason(c.text, loosely=True) and c.passage.source == best.passage.source]
        near = [c for c in reasons if same_paragraph(retriever, best, c)]
        because = (near or reasons)[:1]
        if because and because[0].score >= 0.5 * best.score:
            return in_reading_order([best, because[0]])
    for ev in candidates[1:3]:
        if ev.score >= SECOND_WITHIN * best.score and len(chosen) < 2:
            chosen.append(ev)
    return chosen


SECOND_WITHIN = 0.92  # a second sentence is quoted when it scores this close to the first (bench/RESULTS.md)
