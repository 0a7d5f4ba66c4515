"""Replies to what is said to the assistant rather than asked of the essays: a greeting, thanks,
"what can you do?", "what essays do you have?".

Searching the essays for "hi" quoted an author's e-mail address, and "what essays do you have?"
was refused; these are answered from the folder's own list of essays, quoting nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..types import Document

LISTED = 20  # essays a catalogue names before saying how many more there are

_GREETING = re.compile(r"^(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day))(?: there| all| everyone)?$")
_THANKS = re.compile(
    r"^(?:(?:ok(?:ay)?|great|cool|nice|perfect|good|got it|brilliant)\W*)*(?:thanks?|thank you|thx|ta|cheers|many thanks)"
    r"(?: (?:so much|a lot|very much|again))?$"
)
_NOTED = re.compile(r"^(?:ok(?:ay)?|great|cool|nice|perfect|got it|brilliant|i see|understood|alright|right)$")
_FAREWELL = re.compile(r"^(?:(?:ok(?:ay)?|thanks?|thank you)\W*)?(?:bye|goodbye|bye bye|see you|see ya|good night|that's all)$")
_HELP = re.compile(
    r"^(?:help|what can you do|what do you do|who are you|what are you|how do(?:es)? (?:i use )?(?:this|it|you) work"
    r"|how do i use (?:this|you)|how can you help(?: me)?|what (?:kind of )?questions can i ask(?: you)?)$"
)
_DOCS = r"(?:essays|articles|documents|texts|files|sources|pieces|papers|reports|posts)"
_CATALOGUE = re.compile(
    rf"^(?:what|which) {_DOCS} (?:do you have|are (?:there|here|in (?:here|the folder|the collection))|can you (?:search|read|see)"
    rf"|have you (?:got|read)|do you know)$"
    rf"|^how many {_DOCS}(?: (?:do you have|are there|are here|can you (?:search|read)|have you (?:got|read)))?$"
    rf"|^(?:list|show|name)(?: me)?(?: (?:the|all|all the|your))? (?:{_DOCS}|authors|writers|titles)$"
    rf"|^(?:who (?:are|were) the (?:authors|writers)|which authors(?: are there)?|what authors(?: are there| do you have)?"
    rf"|who wrote (?:the|these) {_DOCS})$"
)


def meta_reply(question: str, documents: Sequence[Document]) -> str:
    """The reply to a greeting, thanks, a request for help or for the list of essays; '' for a
    question to answer from the essays."""
    q = " ".join(re.sub(r"[^\w\s'-]", " ", question.lower().replace("’", "'")).split())
    q = re.sub(r"^(?:please |so |and |ok |okay )+|(?: please| then)+$", "", q)
    count = f"{len(documents)} essay{'s' if len(documents) != 1 else ''}"
    if _GREETING.match(q):
        return (f"Hello! I answer questions about the {count} in this folder, quoting them word for word. "
                "Try “What are these essays about?”, or ask about anything they discuss.")  # fmt: skip
    if _THANKS.match(q):
        return "You're welcome. Ask me anything else about the essays."
    if _NOTED.match(q):
        return "Ask me anything else about the essays."
    if _FAREWELL.match(q):
        return "Goodbye! The essays will be here when you come back."
    if _HELP.match(q):
        return (f"I answer questions about the {count} in this folder (“What essays do you have?” lists them). "
                "Every answer quotes the essays word for word, with a numbered citation for each quote, and "
                "when they don't answer I say so. You can ask for a fact, a list (“what three steps …?”), a "
                "reason (“why …?”), a comparison (“do both authors …?”) or a summary (“summarize …”), and "
                "follow up with “tell me more”, “more context”, “why?” or “and the second one?”.")  # fmt: skip
    if _CATALOGUE.match(q):
        return catalogue(documents)
    return ""


def catalogue(documents: Sequence[Document]) -> str:
    """The folder's essays by title, author and file, and who wrote how many."""
    if not documents:
        return "The folder holds no essays."
    lines = [f"- “{d.title}”" + (f" by {d.author}" if d.author else "") + f" ({d.source})" for d in documents[:LISTED]]
    if len(documents) > LISTED:
        lines.append(f"- …and {len(documents) - LISTED} more")
    authors = Counter(d.author for d in documents if d.author)
    by = ""
    if authors:
        names = [f"{a} ({n})" if n > 1 else a for a, n in authors.most_common(LISTED)]
        by = f"\n\nTheir authors: {', '.join(names)}{', and others' if len(authors) > LISTED else ''}."
    plural = "s" if len(documents) != 1 else ""
    return f"The folder holds {len(documents)} essay{plural}:\n\n" + "\n".join(lines) + by
