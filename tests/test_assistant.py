"""The Assistant on the real index: grounded answers, lists, comparisons, follow-ups, refusals."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from rag import Answer, Assistant, QueryError, RefusalPolicy
from rag.answer.assistant import HEDGE

COOPER = "cooper-korea-japan-new-chapter.txt"
GOVELLA = "govella-japan-south-korea-cooperation.txt"


@pytest.fixture(scope="module")
def assistant(retriever) -> Assistant:
    return Assistant(retriever)


def assert_grounded(answer: Answer, retriever) -> None:
    """Every marker resolves, every citation is shown, every quote is verbatim at its offsets."""
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    numbers = {c.number for c in answer.citations}
    assert markers == numbers, (markers, numbers)
    for c in answer.citations:
        text = retriever.document(c.passage.source).text
        assert text[c.quote_start : c.quote_end] == c.quote
        assert c.shown in answer.text  # as written, each run of spaces and line breaks one space


QUESTIONS = [
    "what tariffs does japan face?",
    "What three areas are ripe for cooperation?",
    "do both authors mention the G7?",
    "why has the WTO been stalled according to govella?",
    "what did yoon call kishida's decision to join him at hiroshima?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_markers_resolve_and_quotes_are_verbatim(assistant, retriever, question) -> None:
    answer = assistant.ask(question)
    assert not answer.refused
    assert answer.citations
    assert_grounded(answer, retriever)


def test_list_question_names_every_area(assistant, retriever) -> None:
    """The three areas, whether quoted as the sentence naming them or as the essay's points."""
    answer = assistant.ask("What three areas are ripe for cooperation?")
    for area in ("economic coercion", "extended deterrence", "regional institutions"):
        assert area in answer.text, answer.text
    assert {c.passage.source for c in answer.citations} == {COOPER}


def test_cross_essay_question_quotes_both_essays(assistant, retriever) -> None:
    answer = assistant.ask("do both authors mention the G7?")
    assert {c.passage.source for c in answer.citations} == {COOPER, GOVELLA}
    assert "Zack Cooper" in answer.text and "Kristi Govella" in answer.text
    assert_grounded(answer, retriever)


def test_ordinal_follow_up_answers_that_item(assistant) -> None:
    first = "What three areas are ripe for cooperation?"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": assistant.ask(first).text}]
    answer = assistant.ask("and the second one?", history=history)
    assert answer.citations[0].quote.startswith("Second on the list should be extended deterrence")
    assert "South Korean concerns about the nuclear postures" in answer.citations[0].quote  # what the item says
    assert first in answer.search_query


def test_pronoun_follow_up_uses_the_earlier_question(assistant) -> None:
    answer = assistant.ask("what did she say about NATO?", history=["what does govella say about the G7?"])
    assert "NATO" in answer.text
    assert answer.citations[0].passage.source == GOVELLA


def test_a_question_naming_a_new_subject_is_not_read_as_a_follow_up() -> None:
    """'her' and 'first' do not tie a question to the last one when it names someone the
    conversation never mentioned and says enough to stand alone; a short one still leans."""
    from rag.answer.followup import for_reader, resolve

    earlier = ["To whom did the Virgin Mary allegedly appear in 1858 in Lourdes France?"]
    for question in ("When did Beyonce release her first album?", "Where did Cooper study before his first job?"):
        assert resolve(question, earlier) == question and for_reader(question, earlier) == question
    assert resolve("what did she say about NATO?", ["what does govella say about the G7?"]).startswith("what does")
    assert resolve("When did Lourdes build its first basilica?", earlier).startswith("To whom")  # named before


def test_a_complete_question_after_another_is_not_joined_to_it() -> None:
    """'Why ...?' with words of its own, or 'the last keeper', asks anew (a user's windmill question
    was searched together with the office question before it); 'why?', 'the last one?' and 'what
    happened next?' lean."""
    from rag.answer.followup import resolve

    earlier = ["How many windmills are still working today?"]
    for question in ("Why did women enter the office?", "Who was the last keeper at Skarvholm?",
                     "Why did farm windmills decline?", "Why did windmills spread?"):  # fmt: skip
        assert resolve(question, earlier) == question
    for question in ("why?", "why is that?", "and the last one?", "why did it fail?", "What happened next?",
                     "what came afterwards?"):  # fmt: skip
        assert resolve(question, earlier).startswith(earlier[0]), question


def test_a_follow_up_asked_first_says_there_is_nothing_to_follow(assistant) -> None:
    """After Clear chat, "and the second one?" was answered from some essay's "Second, ..." or
    refused as if the essays lacked it; it can only mean the second of something said before."""
    for question in ("and the second one?", "why?", "the last point?"):
        answer = assistant.ask(question)
        assert answer.refused and not answer.citations and "no earlier answer" in answer.text, question
        talk = [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        then = assistant.ask("and the second one?", talk)  # still nothing to follow
        assert then.refused and "no earlier answer" in then.text, then.text  # (was "don't answer that question")
    assert "no earlier answer" not in assistant.ask("what is the second area ripe for cooperation?").text


def test_who_wrote_that_names_the_author_with_a_quote(assistant, retriever) -> None:
    history = ["which essay describes asia's security as a hub and spokes model?"]
    answer = assistant.ask("who wrote that?", history=history)
    assert "Zack Cooper" in answer.text
    assert answer.citations[0].quote.startswith("Zack Cooper is a senior fellow")
    assert_grounded(answer, retriever)


def test_who_wrote_another_work_is_not_taken_for_the_essays_author(assistant) -> None:
    answer = assistant.ask("who wrote Pride and Prejudice?", history=["what do the essays say about tariffs?"])
    assert answer.refused, answer.text
    assert "Cooper" not in answer.text and "Govella" not in answer.text


def test_who_wrote_a_guide_named_by_its_topic_is_its_author(tmp_path: Path) -> None:
    """"Who wrote the guide to fixing bicycle punctures?" was refused: "guide" and "fixing" are not
    words of the guide ("How to Fix a Bicycle Puncture"), so it was taken for another work."""
    from rag import Assistant, Retriever

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "puncture.md").write_text(
        "# How to Fix a Bicycle Puncture\n\nBy Dev Ramanathan\n\nA puncture need not end a ride. Take the wheel "
        "out, find the hole, and patch the inner tube.\n", encoding="utf-8")  # fmt: skip
    (seeds / "bread.md").write_text(
        "# Sourdough Starters\n\nBy Ines Varga\n\nA starter is flour and water left to ferment for a week.\n",
        encoding="utf-8")  # fmt: skip
    assistant = Assistant(Retriever.build(seeds, tmp_path / "index"))
    answer = assistant.ask("Who wrote the guide to fixing bicycle punctures?")
    assert not answer.refused and "Dev Ramanathan" in answer.text, answer.text
    assert assistant.ask("Who wrote Pride and Prejudice?").refused


def test_why_after_an_answer_gives_the_reason_without_quoting_the_answer_again(assistant, retriever) -> None:
    """The issue's example: "why?" after a list must give a reason, not re-quote the list. Since E91
    the premise "both South Korea and Japan have more reason than ever to worry about North Korea,
    China, and even Russia" comes with its neighbour ("This has driven the need for greater
    cooperation ..."), no longer with another paragraph's "so" sentence about economic pressure."""
    from rag.answer.quotes import gives_reason

    first = "What three areas are ripe for cooperation?"
    listed = assistant.ask(first)
    assert "Three areas are ripe for cooperation" in listed.text
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": listed.text}]
    why = assistant.ask("why?", history=history)
    assert not why.refused and why.citations, why.text
    assert "Three areas are ripe for cooperation" not in why.text
    assert any(gives_reason(c.quote, loosely=True) for c in why.citations), why.text
    assert_grounded(why, retriever)


def test_a_pasted_paragraph_is_answered_not_an_internal_error(assistant, retriever) -> None:
    """A question longer than the reader's 96 tokens failed in the tokenizer ("Sequence to truncate
    too short"): a user pasted a 659-character paragraph of an essay."""
    pasted = ("What tariffs do Japan and South Korea face? " * 40).strip()
    assert len(pasted) > 1000
    answer = assistant.ask(pasted)
    assert not answer.refused and "24%" in answer.text, answer.text
    assert_grounded(answer, retriever)


def test_a_refused_too_long_turn_is_not_read_as_the_context_of_the_next(assistant) -> None:
    """A 5,000-character turn was refused as too long; "what tariffs do they face?" after it was
    joined to it and refused as too long too."""
    history = [{"role": "user", "content": "tariffs " * 700}, {"role": "assistant", "content": "⚠️ too long"}]
    answer = assistant.ask("what tariffs do they face?", history=history)
    assert not answer.refused and "24%" in answer.text, answer.text


def test_the_last_answer_is_read_from_any_history_shape() -> None:
    from rag.answer.followup import last_answer

    assert last_answer([{"role": "user", "content": "q"}, {"role": "assistant", "content": [{"type": "text", "text": "A."}]},
                        {"role": "user", "content": "why?"}]) == "A."  # fmt: skip
    assert last_answer([("q", "B.")]) == "B."
    assert last_answer(["q", "why?"]) == "" and last_answer(None) == ""


@pytest.mark.parametrize(
    ("history", "message"),
    [("garbage", "must be a list of turns, got str"), ({"role": "user"}, "must be a list"),
     ([{"role": "user", "content": "q"}, 3], "turn 2 is not a message"), ([{"role": "robot", "content": "q"}], "turn 1")],
)
def test_a_malformed_history_gets_a_clear_message(assistant, history, message) -> None:
    """A string was read letter by letter as turns, and unknown roles were dropped without a word."""
    with pytest.raises(QueryError, match=message):
        assistant.ask("and the second one?", history=history)


def test_history_accepts_strings_dicts_and_gradio_content_parts(assistant) -> None:
    first = "What three areas are ripe for cooperation?"
    for history in ([first], [{"role": "user", "content": first}], [{"role": "user", "content": [{"type": "text", "text": first}]}]):
        answer = assistant.ask("and the third?", history=history)
        assert answer.citations[0].quote.startswith("Third and finally"), history


NEAR_MISS_LIMIT = (  # the reader's known limit: the seed-essay rules that refused these were deleted
    "the figure check (how-many questions) cost more unseen cases than it saved, the absent-topic"
    " check moved none; the reader finds a close sentence on the topic likely enough (bench/RESULTS.md)"
)


@pytest.mark.parametrize(
    "question",
    ["what is the capital of France?", "how do I bake bread at home?", "how many US troops are stationed in japan?",
     "what is the interest rate in japan?",  # refused since the answer threshold (calibrated in the product)
     "how much did the camp david summit cost?", "how old is prime minister kishida?",  # no price, no age (asked.py)
     *(pytest.param(q, marks=pytest.mark.xfail(reason=NEAR_MISS_LIMIT, strict=True)) for q in (
         "what did kishida say about taiwan?", "what does govella say about the Philippines?",
         "what tariff rate does the US charge on chinese imports?"))],
)
def test_unanswerable_questions_are_refused_plainly(assistant, retriever, question) -> None:
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.text.startswith("The essays don't answer that question.")
    assert_grounded(answer, retriever)


def test_a_name_no_essay_holds_is_refused_by_name(assistant) -> None:
    """E85: "What is the capital of Australia?" was answered, hedged, with another country's capital
    (the reader found a capital likely enough); a plain question capitalising a name that no essay,
    title, author or section holds in any form is refused, saying so (tests/ablation16: +4/-0)."""
    answer = assistant.ask("What is the capital of Peru?")
    assert answer.refused and answer.text == "The essays don't answer that question. They never mention “Peru”.", answer.text
    cup = assistant.ask("Who won the 1998 World Cup?").text  # the name as asked, not its one unheld word
    assert cup == "The essays don't answer that question. They never mention “World Cup”.", cup
    for held in ("What does Cooper say about Australia?", "What does Govela say about tariffs?"):  # held; misspelt
        assert "never mention" not in assistant.ask(held).text, held
    titled = assistant.ask("What Tariff Rate Does The US Charge?")  # Title Case: its capitals name nothing
    assert not titled.refused and "24%" in titled.text, titled.text


def test_an_answer_under_the_sure_line_says_it_may_not_answer_exactly(assistant, retriever) -> None:
    """A plain answer carries the reader's probability; under the sure line (nine in ten right above
    it, calibrated on held-out SQuAD articles) it opens with HEDGE and is flagged, its quotes the same."""
    question = "what did yoon call kishida's decision to join him at hiroshima?"
    sure = Assistant(retriever, policy=RefusalPolicy(sure_probability=0.0)).ask(question)
    doubtful = Assistant(retriever, policy=RefusalPolicy(sure_probability=1.01)).ask(question)
    assert not sure.hedged and not sure.text.startswith(HEDGE)
    assert doubtful.hedged and doubtful.text == f"{HEDGE} {sure.text}" and doubtful.citations == sure.citations
    assert sure.confidence == doubtful.confidence and sure.confidence is not None and 0.9 < sure.confidence <= 1
    assert_grounded(doubtful, retriever)
    shipped = assistant.ask("what tariff rate does the US charge on chinese imports?")  # a near miss the reader answers
    assert not shipped.refused and shipped.hedged and shipped.text.startswith(HEDGE), shipped.text
    assert not assistant.ask(question).hedged  # 0.99: said plainly
    listed = assistant.ask("What three areas are ripe for cooperation?")  # the rules chose its quotes
    assert listed.confidence is None and not listed.hedged


def test_a_refusal_for_a_missing_kind_of_fact_says_which(assistant) -> None:
    answer = assistant.ask("how much did the camp david summit cost?")
    assert answer.refused and "The passages closest to it give no price." in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    ["what does govella say about martial law?", "what does govella say about the military?",
     "what does cooper say about Australia?", "how many dialogues followed camp david?",
     "what tariff rate does Japan face?",
     "how many times had yoon and kishida met by the time of the g7?"],  # "met for the third time"
)
def test_answerable_questions_in_other_words_are_not_refused(assistant, question) -> None:
    assert not assistant.ask(question).refused


def test_near_miss_refusal_points_at_the_closest_passage(assistant, retriever) -> None:
    answer = assistant.ask("when did japan and south korea sign a free trade agreement?")
    assert answer.refused
    assert len(answer.citations) == 1 and "closest passage" in answer.text
    assert_grounded(answer, retriever)


def test_repeated_paragraph_is_quoted_once(assistant) -> None:
    answer = assistant.ask("what did Yoon and Kishida demonstrate on the sidelines of the G7 summit?")
    quotes = [" ".join(c.quote.split()) for c in answer.citations]
    assert len(quotes) == len(set(quotes))


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 100_000, "too long"),
     ("\x00\x01\x02\x03\ufffd\ufffd##@@", "does not look like a question"), ("?!?!", "no words")],
)
def test_bad_questions_get_a_clear_message(assistant, question, message) -> None:
    with pytest.raises(QueryError, match=message):
        assistant.ask(question)


def test_answers_are_short(assistant) -> None:
    words = [len(assistant.ask(q).text.split()) for q in QUESTIONS]
    assert statistics.median(words) <= 90, words


def test_many_threads_get_the_same_answers_as_one(assistant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    questions = QUESTIONS * 4
    expected = [assistant.ask(q).text for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: assistant.ask(q).text, questions))
    assert got == expected


def test_why_question_quotes_the_reason_not_just_the_claim(assistant, retriever) -> None:
    answer = assistant.ask("why does cooper put economic coercion at the top of the to-do list?")
    assert not answer.refused
    assert "economic pressure from China" in answer.text  # the reason, read after the claim
    assert "First up should be economic cooperation" in answer.text
    assert_grounded(answer, retriever)
    # the claim and its reason follow each other in one paragraph: one quote, one citation
    assert len(answer.citations) == 1 and "so each has an interest" in answer.citations[0].quote


def test_list_named_in_one_sentence_is_quoted(assistant) -> None:
    answer = assistant.ask("what clubs is japan already in that korea has been left out of?")
    assert "Quadrilateral Security Dialogue" in answer.text
    assert "Trans-Pacific Partnership" in answer.text


FIBRE = """# Fibre on the Wold

By Nadia Okafor

The Wold Fibre Compact was formed in June 2021 by the county council, the rural electric cooperative and eleven townships. It borrowed $38 million from a federal programme in 2022.

The first village to be connected under the Compact was Bexley Ford, a village of 740 people on the Lune. Its first customers went online on 14 March 2023. By the end of 2024 the network passed 11,300 homes.

The standard package costs $55 a month, with a reduced rate of $25 for households that qualify for help with heating bills.
"""


def test_a_follow_up_reads_the_sentence_after_the_last_quote_with_it(tmp_path) -> None:
    """"When did that happen?" after "The first village ... was Bexley Ford." is answered by the
    sentence after it, which alone does not say whose customers ("Its first customers went online
    on 14 March 2023."), not by the Compact's founding date (a walk-through of fresh essays)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "wold-fibre.md").write_text(FIBRE, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    assistant = Assistant(retriever)
    first = assistant.ask("Which village was the first to be connected under the Wold Fibre Compact?")
    assert "Bexley Ford" in first.text
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    got = assistant.ask("When did that happen?", history)
    assert not got.refused and "14 March 2023" in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


MARROWBY = """# The Woman Who Moved Water: The Life of Edith Marrowby

By Jonathan Pelling

Edith Marrowby was born on 14 March 1861 in Hexley, a mill town on the River Coln in the north of England. She was the third of five children of a dyer named Samuel Marrowby and his wife, Agnes, who kept the accounts for a local foundry. She later wrote that her earliest memory was of watching the dye vats drain into the river and turn it the colour of rust. That image, she said, made her want to understand where water went and why.

She attended the Hexley Board School until the age of fourteen. She then worked as a clerk in her mother's foundry office, where she taught herself mathematics from borrowed textbooks. In 1881 she won a scholarship to study natural sciences at Bedford College in London. She was one of only six women in her year to take the advanced course in mechanics. She graduated with distinction in 1884, but no engineering firm in London would employ her.

In 1901 she married Arthur Penhale, a schoolmaster and amateur astronomer. They moved to Bristol in 1903, where she set up a small consulting practice under the name "E. Marrowby & Co." They had one daughter, Ruth, born in 1905. She kept working throughout, and she often took Ruth with her to survey sites in the Mendip Hills.
"""


def test_a_follow_up_reads_on_from_the_answer_not_from_what_it_adds(tmp_path) -> None:
    """"Where did she go to university?" after "When was Edith Marrowby born?", whose answer added
    "In 1901 she married ..." (it reads "born" in Ruth's birth), gets Bedford College, not the
    sentence after that added quote ("They moved to Bristol ..."), which reads on from the wrong
    quote (a walk-through of fresh essays)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "marrowby.md").write_text(MARROWBY, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    assistant = Assistant(retriever)
    first = assistant.ask("When was Edith Marrowby born?")
    assert first.citations[0].quote.startswith("Edith Marrowby was born on 14 March 1861"), first.text
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    got = assistant.ask("Where did she go to university?", history)
    assert not got.refused and "Bedford College" in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


GLOSSARY = """# Tidal Terrace Gardening: A Glossary

Tidal terrace gardening is the practice of growing salt-tolerant food plants on stepped beds built into estuary banks, where the tide floods the lowest beds twice a day. The craft grew out of small cooperatives on the Wenmouth estuary in the 1990s and has since developed a vocabulary of its own. This glossary explains the terms a newcomer is most likely to hear in the first season.

**Terrace.** A terrace is a flat, walled bed cut into a sloping bank, usually between 4 and 6 metres long. Terraces are numbered from the water upward, so Terrace 1 is the one the tide reaches most often.

**Brine line.** A brine line is the highest point on a bank that seawater reaches during an ordinary spring tide. Gardeners mark it with a painted stake each April, because everything planted below it must cope with salt.

**Tolerance score.** A tolerance score is the number a plant receives on the Brine Tolerance Rating (BTR), a scale from 1 to 10 that describes how much salt its roots can bear. The scale was drawn up in 2003 by the Wenmouth Growers' Cooperative after several seasons of failed trials. A plant scored 1 wilts after a single splash of seawater, while a plant scored 10 can stand in seawater for days.

**Halo crop.** A halo crop is an edible plant that can be grown on Terrace 1 without ever being rinsed. Marsh samphire and sea purslane are the classic halo crops, and both have a BTR of 9.

**Rinse bed.** A rinse bed is a terrace above the brine line that is kept for plants with a BTR of 3 or lower, such as lettuce and radish. Rinse beds are watered only with collected rainwater.

**Sluice board.** A sluice board is a removable wooden plank set into a terrace wall to let the tide in or hold it out. Lifting the board floods the bed, and sliding it back traps the water for a slow soak.

**Flush cycle.** A flush cycle is a deliberate soaking of a bed with fresh rainwater to wash out built-up salt. Most gardeners run a flush cycle after three dry weeks in summer. Plants with a BTR below 4 need a flush cycle at least once a week.

**Salt crust.** A salt crust is the white, brittle layer that forms on the soil surface when seawater evaporates. A thin crust protects the soil from drying out, but a crust thicker than 2 millimetres starves the roots of air and should be raked off.

**Slack window.** A slack window is the short period around high or low tide when the water barely moves. It lasts about twenty minutes on the Wenmouth, and it is the only safe time to work the sluice boards.

**Wrack mulch.** A wrack mulch is a layer of dried seaweed spread over the beds to hold in moisture and feed the soil. It must be rinsed before use, because unrinsed wrack adds enough salt to kill plants with a BTR below 5.

**Tide card.** A tide card is a printed weekly chart of high and low water times that gardeners pin beside the sluice boards. Most cooperatives reprint their tide cards every Sunday evening.
"""


@pytest.mark.parametrize("question", ["What does BTR stand for?", "What is BTR short for?"])
def test_what_an_acronym_stands_for_is_answered_by_its_definition(tmp_path, question: str) -> None:
    """The glossary writes "BTR" in five sentences and spells it out once, "... the Brine Tolerance
    Rating (BTR), ...": asked what it stands for, the answer quotes that sentence, not one that
    merely uses it ("... plants with a BTR of 3 or lower ...", a walk-through of fresh essays)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask(question)
    assert not got.refused and "Brine Tolerance Rating (BTR)" in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


FOG = """# How the Ridge-Backed Fog Beetle Drinks From Thin Air

*By Priya Halvorsen*

Before sunrise on the coast of the Karavesh Desert, the sand is cold and grey, and the air smells faintly of salt. Nothing seems to move. Then, one by one, small black beetles climb to the crests of the dunes, turn their backs to the wind, and lower their heads as if bowing. They are not praying. They are drinking.

The ridge-backed fog beetle, Nebulocara dorsalis, survives in one of the driest places on Earth without ever sipping from a pool or a puddle. Instead, it pulls water straight out of the fog that drifts in from the ocean. How it does this is a small marvel of physics, chemistry and behaviour, and it has caught the attention of engineers who would like to do the same thing on a much larger scale.

That last number is the one that surprises people. A single foggy morning can leave a beetle carrying up to a third of its own body weight in fresh water, enough to keep it alive through several days of heat.

## How the harvest works, step by step

The process of turning fog into a drink happens in a clear sequence. First, before dawn, the beetle climbs to the windward crest of a dune, where the fog is thickest and moves fastest. Second, it turns to face away from the wind and raises its hind legs so that its back tilts forward at an angle of about 45 degrees, presenting the bumpy shield directly to the incoming fog. Third, tiny fog droplets strike the hydrophilic tips of the bumps, stick there, and merge with their neighbours until each tip holds a bead of water. Fourth, once a bead grows to roughly five millimetres across, it becomes too heavy to stay put, breaks free of the tip, and rolls down the waxy valleys toward the beetle's head. Finally, the water collects at the front of the shield, where the beetle's mouthparts are waiting, and the beetle drinks.

The whole performance lasts as long as the fog does. Most beetles spend between 40 and 90 minutes fog-basking each morning, then scurry down the slope and bury themselves in the cooler sand before the sun climbs high.
"""


def test_a_list_of_ordinal_points_is_read_in_order_whichever_the_reader_picks(tmp_path) -> None:
    """"What are the steps ...?" over "First, ... Second, ... Third, ... Finally, ..." quoted "Third"
    first, the reader's pick, then the rest (a walk-through of fresh essays): the steps stay in order."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "fog-beetle.md").write_text(FOG, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask("What are the steps the fog beetle follows to turn fog into drinking water?")
    order = {"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Finally": 5}
    firsts = [order[c.quote.split(",")[0]] for c in got.citations if c.quote.split(",")[0] in order]
    assert len(firsts) >= 3 and firsts == sorted(firsts), got.text
    assert_grounded(got, retriever)


FLOOD = """The Tarrow Ferry Flood
By Eleanor Whitcombe

At twenty minutes past four on the morning of 11 March 1911, the levee at Cobb's Bend gave way along a stretch of about sixty yards.

The telegraph operator, twenty-three-year-old Edith Marsh, refused to leave her post on the upper floor of the office on Front Street. At 4:41 a.m. she sent a message down the line to the towns of Hollin's Mill and Dunmere. She repeated it every ten minutes until the wire went dead.

Fourteen people died in the flood, among them the miller Harmon Blythe.
"""


def test_a_quote_that_opens_with_she_gets_the_sentence_naming_her(tmp_path) -> None:
    """"Who sent the telegraph warning?" was answered "At 4:41 a.m. she sent a message ...", which does
    not say who: a quote whose subject is "he", "she" or "they" gets the sentence before it (walk-through 3)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "tarrow-flood.txt").write_text(FLOOD, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask("Who sent the telegraph warning to the towns downstream?")
    assert not got.refused and "Edith Marsh" in got.citations[0].quote and "she sent" in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


def test_a_quote_that_leans_on_the_sentence_before_it_gets_that_sentence(assistant, retriever) -> None:
    answer = assistant.ask("what does Cooper mean when he talks about linking up the spokes?")
    quote = answer.citations[0].quote
    assert quote.startswith("For decades, Asia’s security architecture") and "Connecting these spokes" in quote
    assert_grounded(answer, retriever)


def test_when_questions_the_essays_do_not_date_are_refused_by_the_reader(assistant) -> None:
    """The date check that refused these was deleted (2026-12-05): on data it was not written
    for it refused more answerable when-questions than near misses; the reader refuses them."""
    refused = assistant.ask("when was the washington declaration signed?")
    assert refused.refused, refused.text  # the essays name it but never date it
    lee = assistant.ask("when did Lee take office?")  # on topic, but no date is given
    assert lee.refused, lee.text
    answered = assistant.ask("when did the camp david summit happen?")
    assert not answered.refused and "August 2023" in answered.text


def test_an_author_swap_after_a_question_of_one_word_besides_the_name_ends(assistant) -> None:
    """"What does Govella think?" is itself a follow-up by its words (one content word), so the swapped
    "What does Cooper think?" would be swapped again, and again: it is answered once."""
    history = [{"role": "user", "content": "What does Govella think?"}, {"role": "assistant", "content": "..."}]
    got = assistant.ask("And Cooper?", history)
    assert got.question == "And Cooper?" and got.text


def test_naming_both_authors_searches_both_without_quoting_their_bios(assistant) -> None:
    answer = assistant.ask("what do cooper and govella each say about russia?")
    assert {c.passage.source for c in answer.citations} == {COOPER, GOVELLA}
    assert all("Russia" in c.quote or "Moscow" in c.quote for c in answer.citations), answer.text
    assert "affiliate professor" not in answer.text and "senior fellow" not in answer.text


POLLINATORS = """# Pollinators of the Valmer orchards

By Ines Catoir

The Valmer valley grows apples, pears and almonds on terraces above the river. Growers there have long depended on insects to set their fruit.

Honeybees do most of the work in spring. Mason bees, which nest in hollow stems, pollinate the earliest almond blossoms, when it is still too cold for honeybees to fly. Bumblebees visit the pears on cloudy days.

The growers' cooperative rents about four hundred hives each March. The hives leave the valley once the petals fall, because the spraying season begins.

Some farmers now plant hedges of hawthorn and wild rose between the terraces. The hedges give wild bees shelter and food after the orchards finish flowering.
"""


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Which insects visit the pears on cloudy days?", "Bumblebees visit the pears"),
        ("What plants do farmers put between the terraces?", "hedges of hawthorn and wild rose"),
    ],
)
def test_a_plural_question_answered_by_one_sentence_quotes_it_first(tmp_path, question, answer) -> None:
    """Asked with a plural but answered by one sentence (most such questions on held-out
    SQuAD articles): the reader's pick leads the list, not the first candidate in reading order."""
    from rag import Retriever
    from rag.answer.intent import read_intent

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "catoir-valmer-pollinators.md").write_text(POLLINATORS, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    assert read_intent(question).list_size  # still read as a list question
    got = Assistant(retriever).ask(question)
    assert not got.refused
    assert answer in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


LIGHTHOUSE = """# The Skerry Light

By Morag Lindsay

The Skerry lighthouse was first lit in 1848, after two cargo ships were wrecked on the reef in a single winter.

The first keepers of the light were the following.

- Angus Reid, the principal keeper, who had served at Cape Wrath;
- Duncan Shaw, his assistant, who kept the logbook;
- Elspeth Reid, who ran the signal flags from the shore station.

The station was supplied by boat once a fortnight. The supply boat carried:

- coal for the keepers' stove;
- oil for the lamp;
- fresh water in barrels.

There were three main reasons the light was automated in 1989. First, the cost of keeping three families on the rock had tripled since the war. Second, a radio beacon now guided most ships past the reef. Third, no new keeper had applied for the post in six years.
"""

CANAL = """# The Leam Navigation

By Tomas Hale

The Leam canal opened in 1799 and carried coal to the mills of Warwick. Its tolls were set by an act of parliament.

The canal failed for two reasons. The railway reached Warwick in 1844 and undercut its prices. Second, the summit pound leaked so badly that it closed for months each summer.
"""


MILLS = """# Prairie Mills

By Ada Brandt

There were three reasons for the mill's rapid spread. First, a kit cost less than a month's wages. Second, it needed no fuel. Third, the railways carried the parts to every station.

The mill declined for two main causes. The first was rural electrification, which brought electric pumps to the farms. The second was the cheap petrol engine, which ran whenever the farmer wished.
"""


@pytest.fixture(scope="module")
def announcing(tmp_path_factory):
    """Essays whose answers are announced by one sentence and given by the ones after it."""
    from rag import Retriever

    root = tmp_path_factory.mktemp("announcing")
    (root / "seeds").mkdir()
    (root / "seeds" / "skerry-light.md").write_text(LIGHTHOUSE, encoding="utf-8")
    (root / "seeds" / "leam-navigation.md").write_text(CANAL, encoding="utf-8")
    (root / "seeds" / "prairie-mills.md").write_text(MILLS, encoding="utf-8")
    retriever = Retriever.build(root / "seeds", root / "index")
    return retriever, Assistant(retriever)


@pytest.mark.parametrize(
    ("question", "items"),
    [
        ("Who were the first keepers of the Skerry light?", ["Angus Reid", "Duncan Shaw", "Elspeth Reid"]),
        ("What did the supply boat bring to the station?", ["coal", "oil for the lamp", "fresh water"]),
        ("Why was the Skerry light automated?", ["cost of keeping", "radio beacon", "no new keeper"]),
    ],
)
def test_a_sentence_that_announces_its_answer_is_quoted_with_what_follows(announcing, question, items) -> None:
    """'The first keepers were the following.' or 'There were three main reasons ...' alone is no
    answer: the written list or the First/Second/Third sentences after it are quoted too."""
    retriever, assistant = announcing
    got = assistant.ask(question)
    assert not got.refused, got.text
    quoted = " ".join(c.quote for c in got.citations)
    assert all(item in quoted for item in items), got.text
    assert_grounded(got, retriever)


class _Recording:
    """The reader, remembering every text it was given to read."""

    def __init__(self, reader) -> None:
        self.reader, self.texts = reader, []

    def probabilities(self, question, texts, batch_size=16):
        self.texts += list(texts)
        return self.reader.probabilities(question, texts, batch_size)

    def ranking(self, probability, place):
        return self.reader.ranking(probability, place)


def test_a_why_question_whose_premise_announces_its_causes_gets_those_causes(announcing) -> None:
    """Not another paragraph's "There were three reasons for the mill's rapid spread." (which names
    reasons, so the why-rule added it, and its First/Second/Third then replaced the answer)."""
    retriever, assistant = announcing
    got = assistant.ask("Why did the prairie mill decline?")
    quoted = " ".join(c.quote for c in got.citations)
    assert "rural electrification" in quoted and "petrol engine" in quoted, got.text
    assert "spread" not in quoted, got.text
    assert_grounded(got, retriever)


def _evidence(retriever, startswith: str, score: float = 1.0):
    from rag.answer.evidence import Evidence

    row = next(i for i, s in enumerate(retriever.sentences) if s.text.startswith(startswith))
    s = retriever.sentences[row]
    return Evidence(retriever.passage_for_sentence(row, 0.5), row, s.start, s.end, s.text, score, 0.5)


def test_a_list_answer_is_what_its_announcing_quote_announces_wherever_it_stands(announcing) -> None:
    """A list gathered from prose is read in essay order, so the announcement ("There were three
    main reasons ...") may follow the essay's opening; its First/Second/Third are the list."""
    from rag.answer.lists import with_announced

    retriever, _ = announcing
    chosen = [_evidence(retriever, "The Skerry lighthouse was first lit"), _evidence(retriever, "There were three main reasons")]
    got = [e.text for e in with_announced(retriever, chosen, any_quote=True)]
    assert got[0].startswith("There were three main reasons") and [t.split(",")[0] for t in got[1:]] == ["First", "Second", "Third"]
    assert [e.text for e in with_announced(retriever, chosen)] == [e.text for e in chosen]  # a plain answer: its first quote only
    assert [e.text for e in with_announced(retriever, chosen[:1], any_quote=True)] == [chosen[0].text]  # "two cargo ships"


def test_a_why_answer_takes_its_reason_from_the_premise_s_own_essay(announcing) -> None:
    """A user's why-answer added a sentence naming reasons from another essay."""
    from rag.answer.choose import select
    from rag.answer.intent import read_intent

    retriever, _ = announcing
    premise = _evidence(retriever, "The Leam canal opened in 1799")
    elsewhere = _evidence(retriever, "There were three main reasons", 0.7)  # skerry-light.md: it names reasons
    chosen = select(retriever, [premise, elsewhere], read_intent("Why did the Leam canal close?"))
    assert [e.passage.source for e in chosen] == ["leam-navigation.md"]


def test_a_comparison_gives_each_essay_what_its_quote_announces(announcing) -> None:
    retriever, assistant = announcing
    got = assistant.ask("Compare why the Skerry light was automated and why the Leam canal failed")
    quoted = " ".join(c.quote for c in got.citations)
    assert all(point in quoted for point in ("cost of keeping", "radio beacon", "no new keeper")), got.text
    assert {c.passage.source for c in got.citations} == {"skerry-light.md", "leam-navigation.md"}, got.text
    assert_grounded(got, retriever)


@pytest.mark.slow
def test_a_question_naming_the_author_of_a_first_person_answer_is_answered(tmp_path: Path) -> None:
    """"Where does Marguerite Halloway run her workshop?" was refused although the reader rated
    her "I run a reading workshop in Shrewsbury ..." 0.94: naming her put the question below the
    cosine line that once refused questions on other subjects. The reader alone decides a plain
    question now; a question on another subject is still refused."""
    from rag import Assistant, Retriever

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "maps.md").write_text(
        "# Learning to Read Old Maps\n\nBy Marguerite Halloway\n\nOld maps reward slow reading. A dotted line across "
        "a field is usually a parish boundary, not a footpath.\n\n## A slower way of looking\n\nI run a reading "
        "workshop in Shrewsbury twice a year, and the exercise I start with is always the same: choose one square "
        "mile and spend an hour on it.\n", encoding="utf-8")  # fmt: skip
    (seeds / "bees.md").write_text(
        "# Counting Mites\n\nBy Tomas Okafor\n\nA beekeeper counts varroa mites on a sugar-rolled sample of three "
        "hundred bees. Three mites per hundred bees in late summer calls for treatment.\n", encoding="utf-8")  # fmt: skip
    assistant = Assistant(Retriever.build(seeds, tmp_path / "index"))
    for question in ("Where does Marguerite Halloway run her workshop?", "Where does Halloway run her workshop?"):
        answer = assistant.ask(question)
        assert not answer.refused and "Shrewsbury" in answer.citations[0].quote, answer.text
    assert assistant.ask("What is the capital of France?").refused


TIDE_CLOCK = """# The Dunmore Tide Clock

By Priya Nair

The harbour at Dunmore kept a mechanical tide clock in its customs house from 1874 until 1952. The clock was wound every Monday by the harbour master's clerk.

For ten years the clerk compared each morning's reading with the height marked on the harbour wall. By his count the clock was never more than eighteen minutes wrong about high water.

In 1952 the clock was sold to a museum in Leith.
"""


def test_a_quote_whose_answer_goes_on_in_the_next_sentence_is_given_that_sentence(tmp_path) -> None:
    """"For ten years the clerk compared ..." does not say how accurate the clock was; the next
    sentence does, and the reader finds the two much likelier to answer than the first alone, so
    both are quoted. Not when the quote alone reads as likely ("what did his comparisons show?")."""
    from dataclasses import replace

    from rag import Retriever
    from rag.answer.evidence import reading_text
    from rag.answer.quotes import with_next

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "dunmore-tide-clock.md").write_text(TIDE_CLOCK, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    reader = Assistant(retriever).reader
    quote = _evidence(retriever, "For ten years the clerk compared")
    for question, goes_on in [("How accurate was the Dunmore tide clock according to the clerk's comparisons?", True),
                              ("What did the clerk's ten years of comparisons show?", False)]:
        alone = replace(quote, probability=float(reader.probabilities(question, [reading_text(retriever, quote.row)])[0]))
        got = [e.text for e in with_next(retriever, reader, question, [alone])]
        assert got == [quote.text, "By his count the clock was never more than eighteen minutes wrong about high water."][: 1 + goes_on]


HIGH_ROAD = """# Pack Animals of the High Road

By Ana Quispe

For a century and a half the silver town of Chayra was supplied by pack trains. The route to the port, known simply as the Chayra Road, was never a road in the modern sense, only a braided track of stone steps and dry riverbeds.

Mules were preferred to llamas because a llama carries about 30 kilograms while a strong mule carries four times as much. Horses, for their part, did poorly at altitude and broke their legs on the stone steps.

The trains crossed the desert at night, and the drivers sang to keep the animals moving.
"""


def test_a_why_question_leads_with_the_readers_pick(tmp_path) -> None:
    """The rule score ranks the road's description first for "why were horses not used on the
    Chayra Road?" (it names the road); the reader picks the sentence that answers, and the answer
    leads with it."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "high-road.md").write_text(HIGH_ROAD, encoding="utf-8")
    assistant = Assistant(Retriever.build(tmp_path / "seeds", tmp_path / "index"))
    answer = assistant.ask("Why were horses not used on the Chayra Road?")
    assert not answer.refused and answer.citations[0].quote.startswith("Horses, for their part"), answer.text


FRAME = """# Building a Cold Frame for Winter Salads

By Tobias Renfrew

A cold frame is the simplest piece of protected growing you can own: a bottomless box with a clear, sloping lid. It has no heater and no electricity. What it does is trap a little of the day's warmth and keep off the wind.

A cold frame of this size costs about £38 in new materials, fits on the end of an ordinary bed, and needs nothing more than hand tools to put together.

The slope matters more than most people think. Winter sun is low in the sky, and a lid tilted towards the south catches far more of it than a flat one would.

## Looking After It Through Winter

The most common cause of failure in a cold frame is not cold but damp. On a sunny day the air inside can climb past 20°C even when it is near freezing outside. Prop the lid open whenever the outside temperature rises above 10°C.
"""


@pytest.mark.parametrize(("question", "said"), [("What does Renfrew say about damp?", "damp"),
                                                ("What does Renfrew say about pesticides?", None)])
def test_what_an_author_says_about_a_topic_the_essay_names_is_answered(tmp_path, question, said) -> None:
    """"What does Renfrew say about damp?" is answered by the sentence that names damp, though the
    question is far from it in cosine (walk-through 18: it was refused); a topic the essay never
    names is still refused. tests/blind18 (says-about questions) 10 -> 12 right answers with it."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "cold-frame.md").write_text(FRAME, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask(question)
    if said is None:
        assert got.refused, got.text
        return
    assert not got.refused and said in got.citations[0].quote, got.text
    assert_grounded(got, retriever)


@pytest.mark.parametrize(("author", "second"), [
    ("Margaret Ellison", "Ellison adds:"), ("Reyes, T.", "Reyes adds:"), ("Jane Smith, Jr.", "Smith adds:"),
    ("Smith, Jane", "Smith adds:"), ("Martin Luther King Jr", "King adds:"),
    ("Ana Ruiz and Li Wei", "They add:"), (None, "It adds:"),
])  # fmt: skip
def test_a_second_quote_of_the_same_author_is_introduced_by_their_name_not_it(author, second) -> None:
    """A walk-through read "Margaret Ellison writes: … It adds: …": a person is not "it"."""
    from rag.answer.compose import compose
    from rag.answer.evidence import Evidence
    from rag.answer.intent import read_intent
    from rag.types import Passage

    passage = Passage("One. Two.", "a.md", "A Report", author, 0, 9, 1.0, "One.", 0, 4)
    chosen = [Evidence(passage, 0, 0, 4, "One.", 1.0, 0.5), Evidence(passage, 1, 5, 9, "Two.", 0.9, 0.5)]
    body, _ = compose(chosen, read_intent("When did it open?"))
    assert f"[1] {second} “Two.” [2]" in body


def test_a_numbered_list_is_given_as_steps_not_points() -> None:
    """A walk-through's "What are the steps to book a car?" opened "Fenella Drummond-Ashe makes these points:"."""
    from rag.answer.compose import compose
    from rag.answer.evidence import Evidence
    from rag.answer.intent import read_intent
    from rag.types import Passage

    passage = Passage("Call. Pay.", "a.md", "Booking", "Fenella Drummond-Ashe", 0, 10, 1.0, "Call.", 0, 5)
    chosen = [Evidence(passage, 0, 0, 5, "Call.", 1.0, 0.5), Evidence(passage, 1, 6, 10, "Pay.", 0.9, 0.5)]
    intent = read_intent("What are the steps to book a car?")
    assert compose(chosen, intent, steps=True)[0].startswith("Fenella Drummond-Ashe gives these steps:\n\n1. “Call.” [1]")
    assert compose(chosen, intent)[0].startswith("Fenella Drummond-Ashe makes these points:\n\n- “Call.” [1]")
    causes = compose(chosen, read_intent("What are the causes of nest failure?"), steps=True)[0]
    assert causes.startswith("Fenella Drummond-Ashe makes these points:\n\n1. “Call.” [1]"), causes  # walk-through 28


def test_two_authors_write_and_give_not_writes_and_gives() -> None:
    """Walk-through 28 read "Dr. Maren Oyelaran and Pieter Lindqvist writes:" and "… gives these steps:"."""
    from rag.answer.compose import compose
    from rag.answer.evidence import Evidence
    from rag.answer.intent import read_intent
    from rag.types import Passage

    passage = Passage("Call. Pay.", "a.pdf", "Plovers", "Maren Oyelaran and Pieter Lindqvist", 0, 10, 1.0, "Call.", 0, 5)
    chosen = [Evidence(passage, 0, 0, 5, "Call.", 1.0, 0.5), Evidence(passage, 1, 6, 10, "Pay.", 0.9, 0.5)]
    assert compose(chosen, read_intent("When did it open?"))[0].startswith("Maren Oyelaran and Pieter Lindqvist write: “Call.”")
    listed = compose(chosen, read_intent("What steps do you take to ring a chick?"), steps=True)[0]
    assert listed.startswith("Maren Oyelaran and Pieter Lindqvist give these steps:"), listed


PENSION_LIST = """# Growing Old Gracefully: Pension Reform in Norvania

*By Benedikt Ostrander*

## The demographic arithmetic

First, the fund runs short of money by 2041 on current rules. Second, the deterioration is not evenly spread: most of it happens in the 2030s, when a large generation retires.

## What should be done

I propose the following:

1. Raise the standard retirement age from 65 to 67 between 2027 and 2037.
2. Make enrolment in the savings tier automatic for all employees, with the right to opt out.
3. Index pensions to a blend of prices and wages, weighted 50:50.
"""


def test_the_second_one_after_a_written_list_is_that_lists_second_item(tmp_path) -> None:
    """After a numbered list of recommendations, "what about the second one?" quoted the essay's
    other "Second, the deterioration ...", not the list's second item (a chat looked at, E87)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "pensions.md").write_text(PENSION_LIST, encoding="utf-8")
    assistant = Assistant(Retriever.build(tmp_path / "seeds", tmp_path / "index"))
    first = "What recommendations does the pension essay make?"
    listed = assistant.ask(first)
    assert [c.quote[:5] for c in listed.citations] == ["Raise", "Make ", "Index"], listed.text
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": listed.text}]
    second = assistant.ask("what about the second one?", history=history)
    assert second.citations[0].quote.startswith("Make enrolment in the savings tier"), second.text


INTERVIEW = """# Working the Night Shift: An Interview with Dr. Amara Okonjo

By Felix Brandt

Dr. Amara Okonjo runs the sleep clinic at St. Wendel Hospital, where she has studied shift workers since 2011. We met in her office in March.

Q: Who pays for the clinic's research?

A: The Wendel Foundation funds most of it, about 400,000 euros a year. The hospital pays for the beds.

Q: What surprised you most in your work?

A: How fast the body adapts. Nurses on fixed night rotas slept almost as well as day workers after four weeks.
"""


def test_an_interview_answer_is_said_by_the_interviewee(tmp_path) -> None:
    """Walk-through 29: "Who funds Dr. Haukeland's work?" got "Tobias Mwangi-Reyes writes: “A: The
    Research Council ...”": the byline's author asked the questions; the answers are the person's
    the title names."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "night-shift.md").write_text(INTERVIEW, encoding="utf-8")
    (tmp_path / "seeds" / "lighthouse.md").write_text(LIGHTHOUSE, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask("Who funds Dr. Okonjo's research?")
    assert "Dr. Amara Okonjo says: “A: The Wendel Foundation funds most of it" in got.text, got.text
    assert "Brandt writes" not in got.text.split("Wendel")[0], got.text
    assert_grounded(got, retriever)
    intro = Assistant(retriever).ask("Since when has Dr. Okonjo studied shift workers?")  # the interviewer's words
    assert intro.text.startswith("Felix Brandt writes:") and "2011" in intro.text, intro.text
    faq = tmp_path / "faq"
    (faq / "seeds").mkdir(parents=True)
    (faq / "seeds" / "night-shift.md").write_text(INTERVIEW.replace(": An Interview with", " and"), encoding="utf-8")
    retriever = Retriever.build(faq / "seeds", faq / "index")  # an FAQ's "A:" is its author's
    got = Assistant(retriever).ask("Who funds Dr. Okonjo's research?")
    assert "A: The Wendel Foundation" in got.text and "says" not in got.text, got.text


DYEWORKS = """# The Tessel Dye Works

By Ada Brook

The works opened in 1791 beside the River Tessel, whose soft water took the dye evenly. German synthetic indigo arrived in 1901 and cost far less, so the old vats fell out of use within a decade.

Progress had a price downstream. In 1889 the Fishery Board took the company to court after the river ran purple for eleven miles and some 4,000 trout were found dead. The court at Exeter fined the company 300 pounds and ordered it to build settling ponds.
"""


def test_a_why_questions_cause_beside_its_premise_is_quoted(tmp_path) -> None:
    """E91 (walk-through 28): "Why was the dye company fined in 1889?" quoted the fine with another
    paragraph's "so" sentence (synthetic indigo); the cause is the sentence before the fine, with no
    "because". Judged +8/-1 over the SQuAD sample and ablation11-17 (docs/READER.md)."""
    from rag import Retriever

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "dye-works.md").write_text(DYEWORKS, encoding="utf-8")
    (tmp_path / "seeds" / "prairie-mills.md").write_text(MILLS, encoding="utf-8")
    retriever = Retriever.build(tmp_path / "seeds", tmp_path / "index")
    got = Assistant(retriever).ask("Why was the dye company fined in 1889?")
    quoted = " ".join(c.quote for c in got.citations)
    assert "river ran purple" in quoted and "fined the company" in quoted, got.text
    assert "indigo" not in quoted, got.text
    assert_grounded(got, retriever)
