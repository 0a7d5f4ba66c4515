"""What kind of fact a question asks for (a price, a count, a year, a person's name, a measure),
and whether a quote gives one: "How much did the ferry cost?" is not answered by a sentence
about the ferry that names no price, however close it reads."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..retrieve.lexical import STOPWORDS, terms


def _either(words: str) -> str:
    """A regular expression's alternation of the space-separated ``words``."""
    return "|".join(words.split())


_MONEY_WORDS = _either(
    "cost costs costing price prices pay paid charge charged charges sell sold sells spend spent earn "
    "earned earns fee fees fare fares worth salary wage wages"
)
_PERSONS = _either(
    "man men woman women person people boy girl wife husband sons? daughters? sisters? brothers? father "
    "mother parents? child children uncle aunt cousin grandson granddaughter landlord landlady owner founder "
    "dealer teacher schoolteacher keeper captain architect engineer builder designer artist author writer "
    "painter doctor priest minister king queen leader president chairman director manager mayor apprentice "
    "partner friend assistant farmer merchant journalist scientist student pupil successor predecessor"
)
_KINDS = (  # the first that matches the lower-cased question
    ("money", re.compile(rf"\bhow much\b.*\b(?:{_MONEY_WORDS})\b"
                         r"|\bwhat (?:is|was|were|are) the (?:price|cost|fare|fee|salary|wage|wages)\b"
                         r"|\bwhat (?:price|fare|fee)\b")),  # fmt: skip
    ("year", re.compile(r"\b(?:what|which) year\b")),
    ("count", re.compile(r"\bhow many\b")),
    ("name", re.compile(rf"\bnames? of\b(?:\W+\w+){{0,4}}?\W+(?:{_PERSONS})\b"
                        r"|\bwhat (?:is|was) (?:his|her|their) name\b")),  # fmt: skip
    ("number", re.compile(r"\bhow (?:tall|high|far|heavy|wide|deep|old|fast)\b"
                          r"|\bwhat (?:percent|percentage|proportion|share|fraction)\b")),  # fmt: skip
)
# what a refusal says the essays lack, by kind
NOUNS = {"money": "price", "year": "year", "count": "number", "name": "name", "number": "figure"}
_CURRENCIES = _either(
    "dollars? pounds? euros? cents? pence penny shillings? guineas? francs? yen yuan renminbi rupees? "
    "pesos? lira lire marks ducats? florins? crowns? roubles? rubles? kroner kronor krona krone zlotys? "
    "forints? rand reais real dinars? dirhams? riyals? baht ringgit naira shekels? rupiah lei leu lev "
    "leva soms? tenge rials? taka kwacha cedis? quid bucks usd eur gbp"
)
_CURRENCY = re.compile(rf"[£$€¥₹₩₽]|\d\s+won\b|\b(?:{_CURRENCIES})\b", re.I)
_NUMBER_WORDS = _either(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion dozen dozens hundreds thousands millions once twice thrice"
)
_NUMBER = re.compile(rf"\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS})\b", re.I)
_ORDINALS = _either(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_ORDINAL = re.compile(rf"\b(?:{_ORDINALS}|\d+(?:st|nd|rd|th))\b", re.I)
_YEAR = re.compile(r"\b([1-9]\d{2}|1\d{3}|20\d{2})(?:s|’s|'s)?\b")
_ERA = re.compile(r"\d\s*(?:AD|BC|BCE|CE)\b|\b(?:AD|BC)\s*\d")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# a sentence's first word that is no name: the BM25 stop words and a few more openers
_NOT_NAMES = STOPWORDS | frozenset("although every following many one since though whose yet".split())


def asked_kind(question: str) -> str:
    """"money", "year", "count", "name" (a person's), "number" (a measure or share), or ''."""
    q = question.lower()
    return next((kind for kind, pattern in _KINDS if pattern.search(q)), "")


def gives(kind: str, question: str, text: str) -> bool:
    """True when ``text`` holds a fact of ``kind`` that the question does not already hold: a
    price, a number (an ordinal too, for "how many times"), a year, or a capitalised word that is
    not the question's (a person's name); always True for no kind."""
    if kind == "money":
        return bool(_CURRENCY.search(text))
    if kind in ("count", "number"):
        if kind == "count" and "how many times" in question.lower() and _ORDINAL.search(text):
            return True  # "met for the third time"
        return bool(_numbers(text) - _numbers(question))
    if kind == "year":
        return bool(_ERA.search(text) or _years(text) - _years(question))
    if kind == "name":
        asked = {w.lower() for w in _WORD.findall(question)}
        return any(_names(sentence, asked) for sentence in re.split(r"(?<=[.!?])\s+", text))
    return True


def _numbers(text: str) -> set[str]:
    return {m.group(0).lower() for m in _NUMBER.finditer(text)}


def _years(text: str) -> set[str]:
    return {m.group(1) for m in _YEAR.finditer(text)}


def _names(sentence: str, asked: set[str]) -> bool:
    """True when the sentence capitalises a word the question does not hold, its first word only
    when that is not a function word ("Town Quay is ...", not "The ...")."""
    for i, word in enumerate(_WORD.findall(sentence)):
        base = re.sub(r"(?:'s|’s)$", "", word)
        if i == 0 and base.lower() in _NOT_NAMES:
            continue
        if base[:1].isupper() and base.lower() not in asked:
            return True
    return False


_NAME_RUN = re.compile(r"[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)*")  # words; capitalised runs are cut from these


def title_cased(question: str) -> bool:
    """True for "What Tariff Rate Does The US Charge?": past its first word the question
    capitalises at least half of its stop words ("US" and "I" aside), so its capitals mark no
    names (E85 named the whole run "Tariff Rate Does The US Charge" as one never mentioned)."""
    stops = [w for w in re.findall(r"[^\W\d_]+", question)[1:] if w.lower() in STOPWORDS and not w.isupper()]
    return bool(stops) and 2 * sum(w[0].isupper() for w in stops) >= len(stops)


def unheld_names(question: str, held: Callable[[str], bool]) -> list[str]:
    """The names the question capitalises past its first word of which some word has a search
    term that is not ``held`` (by the essays, their titles, authors or sections), each as the run
    of capitalised words it stands in: "Australia" in "What is the capital of Australia?", "World
    Cup" in "Who won the 1998 World Cup?". Acronyms are left to the acronym table, which maps them
    to the essays' words."""
    if title_cased(question):
        return []
    out: list[str] = []
    first = True
    for match in _NAME_RUN.finditer(question):
        words = match.group().split()
        if first:
            words, first = words[1:], False
        run: list[str] = []
        for word in [*words, ""]:
            if word[:1].isupper():
                run.append(word)
                continue
            if any(not (len(w) > 1 and w.isupper()) and any(not held(t) for t in terms(w)) for w in run):
                out.append(re.sub(r"['’]s?$", "", " ".join(run)))
            run = []
    return out
