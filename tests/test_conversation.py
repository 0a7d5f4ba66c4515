"""Conversation beyond one fact: "tell me more", "more context", "what else?", and what an essay is about."""

from __future__ import annotations

import pytest

from rag import Assistant, Retriever
from rag.answer.gist import asks_gist
from rag.answer.intent import asks_more

from test_assistant import assert_grounded

FERRIES = """# Bring Back the Night Ferry

By Ingrid Holm

The overnight ferry between Harwich and Esbjerg carried its last passengers in September 2014, after 139 years of service. Its operator blamed falling bookings and the rising cost of fuel. Few people mourned it at the time, because budget airlines had made the crossing by air cheaper than a cabin.

That judgement now looks short-sighted. A night ferry moves a traveller and a car across the North Sea for a fraction of the carbon of a flight, and it arrives in the morning with the day still ahead. Governments that want people out of planes should pay to bring such routes back.

## What it would cost

A restored service would need two ships and a subsidy of about 30 million euros a year for its first decade. That is less than Denmark spends each year on a single motorway junction. Ticket prices could then be held at the level of a mid-priced flight.

The ships themselves can be leased rather than built. Three suitable vessels are laid up in Baltic ports today. Their owners would welcome a charter of ten years or more.

## Who would use it

Families travelling with children would be the first to return, since a cabin costs less than a hotel night. Hauliers would follow: a lorry driver can sleep on board and meet the rest rules without losing a day. Tourism boards on both coasts have said they would market the route.

Ingrid Holm is a transport writer based in Aarhus.
"""

LIBRARIES = """# The Library Is the Last Free Room

By Marcus Webb

Public libraries are the only indoor places left where anyone can stay all day without buying anything. That is why councils that cut their hours are making a mistake that will cost them more later.

In Sheffield, opening hours fell by a third between 2011 and 2019. Over the same years, visits to the city's day centres rose by half, as people who had sat in the library looked for somewhere else to be warm. The savings from the library budget were spent again, and more, on the centres.

Libraries also do work no other service does. Librarians help people fill in benefit forms, print job applications and learn to use a phone. Children who cannot read at home do their homework there.

A council that wants to save money should keep its libraries open longer, not shorter.

Marcus Webb has worked in public libraries in Sheffield for twenty years and chairs a campaign to keep them open.
"""


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> tuple[Assistant, Retriever]:
    root = tmp_path_factory.mktemp("conversation")
    (root / "seeds").mkdir()
    (root / "seeds" / "night-ferry.md").write_text(FERRIES, encoding="utf-8")
    (root / "seeds" / "libraries.md").write_text(LIBRARIES, encoding="utf-8")
    retriever = Retriever.build(root / "seeds", root / "index")
    return Assistant(retriever), retriever


def _over(tmp_path, name: str, text: str) -> Assistant:
    """An assistant over a folder holding one essay, ``name`` with ``text``, indexed under ``tmp_path``."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / name).write_text(text, encoding="utf-8")
    return Assistant(Retriever.build(tmp_path / "seeds", tmp_path / "index"))


def _turns(*pairs) -> list[dict[str, str]]:
    history = []
    for answer in pairs:
        history += [{"role": "user", "content": answer.question}, {"role": "assistant", "content": answer.text}]
    return history


@pytest.mark.parametrize(
    "question, kind",
    [("tell me more", "on"), ("Go on.", "on"), ("can you elaborate?", "on"), ("more please", "on"),
     ("can you give more context?", "context"), ("show me the whole paragraph", "context"),
     ("quote the full passage", "context"), ("what else?", "else"), ("anything else?", "else"),
     ("tell me more about the ships", ""), ("what is the context of the 2014 closure?", ""), ("why?", "")],
)  # fmt: skip
def test_a_request_for_more_is_told_from_a_question(question, kind) -> None:
    assert asks_more(question) == kind


def test_tell_me_more_quotes_what_follows_the_last_quote_not_the_quote_again(talk) -> None:
    assistant, retriever = talk
    first = assistant.ask("How much subsidy would a restored night ferry need?")
    assert "30 million euros" in first.text
    more = assistant.ask("tell me more", _turns(first))
    assert not more.refused
    assert "30 million euros" not in more.text  # not the answer again
    assert more.citations[0].quote.startswith("That is less than Denmark spends"), more.text  # the rest of its paragraph
    assert "Ticket prices could then be held" in more.text
    assert_grounded(more, retriever)
    on = assistant.ask("go on", _turns(first, more))
    assert on.citations[0].quote.startswith("The ships themselves"), on.text  # then the next paragraph


def test_go_on_after_the_last_sentence_of_a_paragraph_reads_the_next_one(talk) -> None:
    assistant, retriever = talk
    first = assistant.ask("How many suitable vessels are laid up in Baltic ports?")
    assert "Three suitable vessels" in first.text
    more = assistant.ask("go on", _turns(first))
    assert "would welcome a charter" in more.text
    then = assistant.ask("go on", _turns(first, more))
    assert then.citations[0].quote.startswith("Families travelling with children"), then.text  # the next paragraph
    assert_grounded(then, retriever)


def test_more_context_quotes_the_whole_paragraph_around_the_answer(talk) -> None:
    assistant, retriever = talk
    first = assistant.ask("By how much did Sheffield library opening hours fall?")
    assert "a third" in first.text
    context = assistant.ask("can you give more context?", _turns(first))
    quoted = " ".join(c.quote for c in context.citations)
    assert quoted.startswith("In Sheffield, opening hours fell") and quoted.endswith("more, on the centres."), quoted
    assert_grounded(context, retriever)


def test_what_else_quotes_what_the_conversation_has_not(talk) -> None:
    assistant, _ = talk
    first = assistant.ask("How long did the Harwich to Esbjerg ferry run?")
    assert "139 years" in first.text
    other = assistant.ask("what else?", _turns(first))
    assert "139 years" not in other.text, other.text


def test_more_context_for_a_one_sentence_paragraph_gives_the_paragraphs_beside_it(talk) -> None:
    assistant, _ = talk
    first = assistant.ask("What should a council that wants to save money do with its libraries?")
    assert first.citations[0].quote.startswith("A council that wants to save money"), first.text
    context = assistant.ask("show me the whole paragraph", _turns(first))
    assert "Children who cannot read at home" in context.text, context.text


def test_more_without_an_earlier_answer_says_so(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("tell me more")
    assert got.refused and "no earlier answer" in got.text


@pytest.mark.parametrize(
    "question, gist",
    [("Summarize the essay on night ferries", True), ("What is Holm's main argument?", True),
     ("tl;dr of the library piece?", True), ("What's the gist?", True), ("What is that essay about overall?", True),
     ("what is the key idea behind a night ferry?", False), ("What does Webb say about Sheffield?", False),
     ("What is the subsidy about?", False),
     ("What’s Holm arguing?", True), ("What point is the author of the library piece making?", True),
     ("What is Holm’s take on ferries?", True), ("Give me the short version of the ferry essay", True),
     ("What’s the bottom line of the library piece?", True), ("In a sentence, what is Holm saying?", True),
     ("What does Holm argue about fuel?", False), ("Which port could reopen, in Holm's view?", False),
     ("What was the bottom line on the ferry's accounts?", False), ("What is the mayor saying?", False),
     ("Explain the library essay in one sentence", True)],
)  # fmt: skip
def test_a_question_about_an_essay_as_a_whole_is_told_from_others(question, gist) -> None:
    assert bool(asks_gist(question, ["holm"] if "Holm" in question else [])) == gist


@pytest.mark.parametrize("question", ["Summarize Ingrid Holm's essay", "What is the piece on the night ferry about?"])
def test_a_gist_question_quotes_the_named_essays_case(talk, question) -> None:
    assistant, retriever = talk
    got = assistant.ask(question)
    assert not got.refused and len(got.citations) == 3, got.text
    assert {c.passage.source for c in got.citations} == {"night-ferry.md"}
    assert not any("Holm" in c.quote for c in got.citations)  # the bio line says who, not what
    assert "Bring Back the Night Ferry" in got.text
    assert_grounded(got, retriever)


def test_a_gist_never_quotes_the_authors_biography(talk) -> None:
    """Webb's biography line names the essay's topic twice and ends it, so it is central and favoured."""
    assistant, _ = talk
    got = assistant.ask("Summarize Marcus Webb's essay")
    assert got.citations and not any("Webb" in c.quote for c in got.citations), got.text


@pytest.mark.parametrize("follow_up", ["Can you summarize it?", "What is it all about?"])
def test_a_gist_follow_up_is_about_the_essay_just_quoted(talk, follow_up) -> None:
    assistant, _ = talk
    first = assistant.ask("How much did visits to Sheffield's day centres rise?")
    got = assistant.ask(follow_up, _turns(first))
    assert {c.passage.source for c in got.citations} == {"libraries.md"}, got.text


def test_a_gist_of_the_folder_quotes_each_essay_once(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("What are these essays about?")
    assert sorted(c.passage.source for c in got.citations) == ["libraries.md", "night-ferry.md"], got.text


def test_a_gist_of_an_essay_the_folder_lacks_is_refused(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("Summarize the essay about volcano tourism")
    assert got.refused and not got.citations


def test_a_gist_of_these_essays_after_an_answer_is_of_every_essay_not_the_one_quoted(talk) -> None:
    assistant, _ = talk
    first = assistant.ask("How much did visits to Sheffield's day centres rise?")
    got = assistant.ask("What are these essays about?", _turns(first))
    assert sorted(c.passage.source for c in got.citations) == ["libraries.md", "night-ferry.md"], got.text


def test_a_gist_follow_up_to_a_history_of_questions_alone_is_about_the_essay_they_found(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("Can you summarize it?", ["How much did visits to Sheffield's day centres rise?"])
    assert {c.passage.source for c in got.citations} == {"libraries.md"}, got.text


def test_a_gist_does_not_quote_one_claim_twice(tmp_path) -> None:
    """An essay that restates its case in its close, word for word, has it quoted once."""
    case = "Cities should plant fruit trees in their parks, because shared orchards feed people and bring neighbours together."
    text = f"""# Orchards in the Park

By Dana Price

{case} Most parks grow only grass and ornamental shrubs. A fruit tree costs about the same to plant as an ornamental cherry.

In Bristol, volunteers planted forty apple and pear trees in 2016. The first harvest fed a school kitchen for a month. Neighbours who had never spoken now meet at the autumn picking days.

Critics worry about fallen fruit and wasps. Pruning and a picking rota answer both, and they cost little.

{case}
"""
    assistant = _over(tmp_path, "orchards.md", text)
    got = assistant.ask("Summarize the essay")
    quotes = [c.quote for c in got.citations]
    assert len(quotes) == 3 and len(set(quotes)) == 3, got.text


def test_tell_me_more_passes_over_the_chats_sources_line(talk) -> None:
    """The web chat's answers end with "Sources: [1] Title, Author (file)", which quotes nothing."""
    assistant, _ = talk
    first = assistant.ask("How much subsidy would a restored night ferry need?")
    shown = first.text + "\n\nSources: [1] Bring Back the Night Ferry, Ingrid Holm (night-ferry.md)"
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": shown}]
    more = assistant.ask("tell me more", history)
    assert not more.refused and more.citations[0].quote.startswith("That is less than Denmark spends"), more.text


@pytest.mark.parametrize(
    "question, opens",
    [("hi", "Hello!"), ("Hello there!", "Hello!"), ("thanks!", "You're welcome"), ("OK, thank you so much", "You're welcome"),
     ("ok", "Ask me anything else"), ("bye!", "Goodbye!"), ("thanks, bye", "Goodbye!"),
     ("what can you do?", "I answer questions about the 2 essays"), ("What essays do you have?", "The folder holds 2 essays"),
     ("how many essays are there?", "The folder holds 2 essays"), ("list the authors", "The folder holds 2 essays")],
)  # fmt: skip
def test_what_is_said_to_the_assistant_is_answered_without_searching_the_essays(talk, question, opens) -> None:
    assistant, _ = talk
    got = assistant.ask(question)
    assert got.text.startswith(opens) and not got.citations and not got.refused, got.text


def test_the_catalogue_names_every_essay_and_author(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("What essays do you have?")
    for name in ("Bring Back the Night Ferry", "Ingrid Holm", "The Library Is the Last Free Room", "Marcus Webb"):
        assert name in got.text


@pytest.mark.parametrize("question", ["hi, what does Holm say about fuel?", "thanks for the list of ferry routes"])
def test_a_question_that_opens_with_a_greeting_is_still_a_question(talk, question) -> None:
    assistant, _ = talk
    assert not assistant.ask(question).text.startswith(("Hello!", "You're welcome"))


@pytest.mark.parametrize(
    "question, quote",
    [("Where does Webb mention day centres?", "visits to the city's day centres rose by half"),
     ("Which essay talks about hauliers?", "Hauliers would follow"),
     ("Does Holm mention Baltic ports?", "Three suitable vessels are laid up in Baltic ports"),
     ("Does Holm ever bring up Baltic ports?", "Three suitable vessels are laid up in Baltic ports"),
     ("Where does Holm talk about boats?", "Three suitable vessels"),  # the essay's own word for boats
     ("Where does Holm mention air travel?", "budget airlines")],  # the essay's own word for a phrase
)  # fmt: skip
def test_where_or_whether_an_essay_mentions_a_topic_quotes_where_it_does(talk, question, quote) -> None:
    assistant, retriever = talk
    got = assistant.ask(question)
    assert not got.refused and quote in got.text, got.text
    assert_grounded(got, retriever)


@pytest.mark.parametrize(
    "question, word",
    [("Does Cooper mention Hiroshima?", "Hiroshima"),  # SQuAD asks no yes-or-no question: the reader refused it
     ("does cooper mention hiroshma?", "Hiroshima"),  # the topic as corrected, not as misspelt
     ("Does Govella mention the CPTPP?", "Trans-Pacific Partnership")],  # the essay only spells it out
)  # fmt: skip
def test_whether_an_essay_mentions_a_topic_is_answered_where_it_does(retriever, question, word) -> None:
    got = Assistant(retriever).ask(question)
    assert not got.refused and word in got.citations[0].quote, got.text


@pytest.mark.parametrize(
    "question", ["Where does Webb mention Glasgow?", "Does Holm mention hovercraft?", "Does Webb mention public money?"]
)  # a name has no other word: the model's nearest word in the essays for "glasgow" is "sheffield"; nor is
#    "public" (in "public libraries") the essays' word for the phrase "public money"
def test_where_an_essay_mentions_what_it_never_names_is_refused(talk, question) -> None:
    assistant, _ = talk
    assert assistant.ask(question).refused


def test_what_an_essay_concludes_about_a_topic_is_what_it_says_about_it(talk) -> None:
    assistant, _ = talk
    got = assistant.ask("What does Webb conclude about council savings?")
    assert not got.refused and "save money" in got.text, got.text


@pytest.mark.parametrize(
    "question, kind",
    [("What does Webb conclude?", "close"), ("How does the essay on libraries end?", "close"),
     ("What are Webb's final thoughts?", "close"), ("What does Webb conclude about Sheffield?", ""),
     ("What does the library essay conclude about Sheffield?", "")],
)  # fmt: skip
def test_a_question_about_how_an_essay_ends_is_told_from_others(question, kind) -> None:
    assert asks_gist(question, ["webb"] if "Webb" in question else []) == kind


def test_what_an_essay_concludes_is_quoted_from_its_close(talk) -> None:
    assistant, retriever = talk
    got = assistant.ask("What does Webb conclude?")
    assert "keep its libraries open longer" in got.text and "concludes" in got.text, got.text
    rows = retriever.sentence_rows("libraries.md")
    first_close = retriever.sentences[rows[int(0.6 * len(rows))]].start
    assert all(c.quote_start >= first_close for c in got.citations), got.text


RUNNERS = """# The Runners Who Are Paid Not to Win

By Lucas Reyes

Marathons are won by the runners who finish first, but marathons are shaped by the pacers who never finish. Pacemakers shelter the favourites from the wind and then step off the course. Few spectators notice them.

In an event called the INEOS 1:59 Challenge, Eliud Kipchoge ran the marathon distance in under two hours. A rotating team of pacers ran in front of him the whole way.

The big city marathons pay their pacers by the kilometre. Berlin pays the most, and its course is the flattest. The sport should name pacers in its results, as it names winners.
"""


TORTILLAS = """# The Chemistry Inside a Tortilla

Walk into almost any tortillería in Oaxaca before dawn and you will smell it before you see it: a warm, slightly mineral aroma, somewhere between popcorn and wet stone. It comes from nixtamal, dried corn that has been simmered and soaked overnight in water mixed with cal, or slaked lime. By six in the morning the softened kernels are being ground into masa, pressed into thin rounds and slapped onto a hot comal. Most of the people waiting in line have never thought about the process at all. They simply know that a proper tortilla tastes the way it does.

## An Ancient Technique

Nixtamalization, from the Nahuatl words for ash and dough, is one of the oldest food technologies in the Americas. Archaeologists have found evidence of lime-treated maize in Mesoamerica dating back roughly 3,000 years, and the practice was well established long before Spanish ships reached the Gulf Coast in 1519. Cooks used wood ash or crushed limestone and shells to make the alkaline solution, depending on what was available locally.

The basic steps have barely changed since then:

- dried field corn is boiled for about an hour in water containing roughly one percent calcium hydroxide
- it is left to steep, usually overnight, for eight to twelve hours
- the kernels are rinsed to remove the loosened skins and excess lime
- the corn is ground, by metate or mill, into a moist dough

What happens inside the kernel during those hours is remarkable. The alkaline bath dissolves the tough outer hull, the pericarp, making the grain easier to grind. It changes the proteins and starches so that the dough holds together and can be pressed into a thin, flexible sheet. Untreated cornmeal, by contrast, crumbles when you try. The treatment also adds a significant amount of calcium to the diet, an important benefit in regions where dairy was historically scarce.

Most important of all, it makes niacin, one of the B vitamins, available to the body. In raw maize, most niacin is chemically bound in a form that human digestion cannot easily release. The lime frees it.

## A Lesson Learned the Hard Way

When maize crossed the Atlantic after 1492, it traveled without the knowledge that made it safe as a staple. The crop thrived in southern Europe, and by the eighteenth century poor farmers in northern Italy, northern Spain and parts of southern France were eating cornmeal porridge, polenta or its equivalents, day after day. The result was pellagra, a disease marked by what physicians later summarized as the "three Ds": dermatitis, diarrhea and dementia, often followed by death.

The Spanish physician Gaspar Casal described the illness in Asturias in the 1730s, calling it mal de la rosa for the reddened skin of its victims. In Italy, the name pellagra, roughly "rough skin," took hold. For well over a century, doctors blamed spoiled corn, toxins or infections.

"""  # the start of a walk-through essay (2026-12-06)


@pytest.mark.parametrize(
    "essay, question, quote",
    [(RUNNERS, "Does Reyes mention Eliud Kipchoge?", "Eliud Kipchoge ran"),  # a surname that ends like a plural
     (RUNNERS, "Does the essay on marathons mention Berlin?", "Berlin pays the most"),
     (TORTILLAS, "Does the essay on tortillas mention Italy?", "Italy")],  # it quoted "a proper tortilla ..." first
)  # fmt: skip
def test_whether_an_essay_mentions_a_name_quotes_a_sentence_that_names_it_first(tmp_path, essay, question, quote) -> None:
    got = _over(tmp_path, "essay.md", essay).ask(question)
    assert not got.refused and quote in got.citations[0].quote, got.text


def test_an_essay_that_names_no_author_is_introduced_by_its_title(tmp_path) -> None:
    got = _over(tmp_path, "tortilla.md", TORTILLAS).ask("When did Spanish ships reach the Gulf Coast?")
    assert got.text.startswith("“The Chemistry Inside a Tortilla” says: "), got.text


PACERS = """The Runners Who Are Paid Not to Win
By Tomás Reyes

At 7:30 on a cold Sunday morning in Berlin, a slender Kenyan runner named Peter Kiprono stood at the front of the elite field wearing a bib with no surname on it, only the word PACE. He would run 30 kilometers at precisely 2 minutes and 55 seconds per kilometer, shelter the favorites from the wind, and then step off the course onto a side street near the Potsdamer Platz while the race he had just shaped carried on without him. By the time the winner crossed the line, Kiprono was sitting on a curb, drinking water, largely unnoticed.

"People think we are there by accident," he told me afterward. "We are the most planned part of the whole race."

Pacemakers, or "rabbits," as they are often called, have become one of the central forces in modern distance running. They appear in almost every major marathon and at many track meets, and the world records of the past two decades have been built on their backs. Yet they remain nearly invisible to spectators and are often treated by the sport itself as hired help. That should change. Pacers deserve far more recognition, and a clearer place in the sport's rules and records, for four reasons:

1. They make the fastest performances possible. Running in a pack reduces air resistance considerably, and a steady, even pace is the most efficient way to cover 42.195 kilometers. Almost every recent marathon world record has depended on a disciplined group of pacers through at least the first 25 to 30 kilometers.

2. Their work demands elite talent. A pacer in a record attempt must run well under the world's best times for a half marathon or 30 kilometers, and must do it with metronomic consistency. Many are world-class athletes in their own right, some with personal bests that would win smaller marathons outright.

3. They absorb the risk. A pacer who runs a few seconds too fast can wreck a favorite's race, and one who fades early leaves the leaders exposed. Their fees depend on hitting their targets, not on finishing, which means they take the physical strain of a hard effort with little of the reward.

4. The sport already relies on them, so it should be honest about it. World Athletics tolerates and regulates pacing in some forms while barring it in others. Treating pacers as an open secret rather than as professionals creates confusion for fans and leaves the athletes themselves with little protection.

THE EXPERIMENT THAT SHOWED EVERYTHING

The clearest demonstration of what pacing can do came on October 12, 2019, in Vienna. In an event called the INEOS 1:59 Challenge, Eliud Kipchoge ran 42.195 kilometers in 1 hour, 59 minutes and 40 seconds, the first time anyone had covered the distance in under two hours. He was supported by 41 pacemakers, including Olympic medalists and world champions, who rotated in formations of seven, arranged in a V shape ahead of and around him. A car projected laser lines on the road to show the target pace.

Because of that rotating pacing and other conditions, the time was not ratified as a world record. Two years earlier, in May 2017, a similar attempt at the Monza racing circuit in Italy had produced a time of 2:00:25, also unofficial. The two events made the point vividly: with enough help, the human limit moves.

"""  # the start of a walk-through essay (2026-12-06)


def test_why_after_the_third_point_does_not_quote_the_list_again(tmp_path) -> None:
    """"why?" after "and the third one?" after a list re-quoted the whole list of the first answer."""
    assistant = _over(tmp_path, "the-pacers.txt", PACERS)
    listed = assistant.ask("why should pacers get more recognition?")
    assert "for four reasons" in listed.text, listed.text
    third = assistant.ask("and the third one?", _turns(listed))
    assert "They absorb the risk" in third.text, third.text
    why = assistant.ask("why?", _turns(listed, third))
    assert "for four reasons" not in why.text and not why.refused, why.text


FERRY = """# The Last Ferry at Holm Sound

*By Ingrid Maalsen*

For ninety years a small ferry carried people, sheep and post across Holm Sound. The first boat, the Selkie, was a converted herring drifter that could take twelve passengers and a cart. Her skipper, Magnus Tait, ran the crossing twice a day in summer and once in winter, weather allowing.

The ferry stopped running in 1962, once the new causeway opened. The causeway had been built by the county council with a grant from the national roads fund, and it took four years to finish. Farmers on the island welcomed it, since a lorry could now reach the mart in Kirkwall in under an hour.

Not everyone was pleased. The ferry had been a place where news was passed on and where children from both shores met. The old slipway is still there, and every August the island holds a regatta from it in memory of the crossing.
"""


def test_why_after_an_answer_that_is_no_list_may_quote_it_again(tmp_path) -> None:
    """E98c: "why?" after "When did the ferry stop running?" dropped the one sentence holding the
    reason ("once the new causeway opened") because the answer had quoted it, and answered why
    farmers welcomed the causeway. Only a conversation that listed drops what it quoted."""
    assistant = _over(tmp_path, "ferry.md", FERRY)
    when = assistant.ask("When did the ferry stop running?")
    assert "once the new causeway opened" in when.text, when.text
    why = assistant.ask("why?", _turns(when))
    assert "once the new causeway opened" in why.text and not why.refused, why.text


LOONS = """# The Loons Come Back to Lake Merrow

*By Tomas Reyna*

By 1990 only four pairs of loons still nested on Lake Merrow, down from thirty in the 1950s. Biologist Karin Solberg spent three summers finding out why.

## What was killing them

Solberg found three causes.

- **Acid water.** Rain made acid by distant power stations had lowered the lake's pH, and the small fish the loons feed their chicks had all but vanished.
- **Lead fishing tackle.** Loons swallow small stones to help grind their food, and they sometimes swallow lost lead sinkers instead. Of the 31 dead loons Solberg collected between 1988 and 1991, eleven had died of lead poisoning.
- **Boat wakes.** Loons nest at the water's edge, and the wash from fast boats floods their eggs.

## The recovery plan

The plan had four parts:

- liming the three feeder streams to raise the pH of the water entering the lake;
- a ban on lead sinkers and jigs on Lake Merrow, which took effect in 1995;
- floating nesting platforms, forty of them, anchored in sheltered bays;
- no-wake zones within 150 metres of the shore during the nesting season.

By 2020 there were twenty-two nesting pairs. Lake Merrow is small, and its recovery had advantages that larger waters lack.
"""  # the shape of walk-through 31's essay (2026-12-07)


def test_why_after_a_list_item_does_not_quote_the_list_through_its_announcing_sentence(tmp_path) -> None:
    """E99: the list, "and the second one?", then "why?" quoted "The plan had four parts:" and the
    four parts again, since the announcing sentence itself had not been quoted."""
    assistant = _over(tmp_path, "loons.md", LOONS)
    listed = assistant.ask("What were the four parts of the Lake Merrow recovery plan?")
    assert "liming the three feeder streams" in listed.text and "no-wake zones" in listed.text, listed.text
    second = assistant.ask("and the second one?", _turns(listed))
    assert "a ban on lead sinkers" in second.text, second.text
    why = assistant.ask("why?", _turns(listed, second))
    assert "four parts" not in why.text and "liming" not in why.text and not why.refused, why.text


def test_a_gist_favours_the_sentence_that_argues(talk) -> None:
    """The case a writer makes is worded as one ("should pay to bring such routes back"): without
    that cue the subsidy's figures were quoted in its place."""
    assistant, _ = talk
    got = assistant.ask("Summarize Holm's essay")
    assert any("should pay to bring such routes back" in c.quote for c in got.citations), got.text


ORCHARD = """# Apples in the Wenlow Valley

*By Thomas Ailey*

## A crisis in 1993

The cooperative was founded in February 1994 by eleven growers who farmed between them about 190 hectares of apples and pears. They came together for three reasons. First, in the autumn of 1993 the supermarket chain that bought most of the valley's dessert apples cut the price it paid by 18 percent. Second, selling all year round required a cold store, and no single grower could afford to build one. Third, the juice factory at Aldbury, which had taken the valley's second-grade fruit for forty years, closed in the same year.

The first chairman was Owen Prothero, whose family had grown apples at Cefn Farm since the 1920s. He later said that the growers did not join because they liked each other, but because they were afraid of going out of business one at a time.

## The cold store

The cold store was finished in 1997 at a cost of 1.2 million pounds, paid for by a levy on every tonne of fruit the members sold.
"""


@pytest.mark.parametrize(
    "question",
    ["Why did the Wenlow growers band together — what were the three reasons?", "Why did the growers form the cooperative?"],
)
def test_a_why_answer_that_announces_its_reasons_quotes_them(tmp_path, question: str) -> None:
    """E101b, walk-through 32 (its paragraph, trimmed): the answer was "The cooperative was founded
    … They came together for three reasons." and stopped there; the announced points are the reasons."""
    got = _over(tmp_path, "orchard.md", ORCHARD).ask(question)
    for point in ("cut the price it paid", "no single grower could afford", "juice factory at Aldbury"):
        assert point in got.text, got.text


BAKERY = """# The Bakers of Eastmoor Lane

*By Tomas Reinholt*

Eastmoor Lane once had four bakeries, and by 1990 it had none. The cooperative bakery that opened there in 1996 was started by six families who had lost their jobs when the flour mill closed. They opened it for three reasons. First, the nearest bread shop was now a forty-minute walk away, and most of the older residents had no car. Second, the mill's redundancy payments gave the families enough money to rent the old Hale bakery and repair its ovens. Third, the town council offered a rate holiday of two years to any business that reopened an empty shop on the lane.

The bakery sells about 900 loaves a week. Its rye bread, baked to a recipe from the Hale family, won a regional prize in 2004.
"""


def test_a_why_question_that_counts_its_reasons_lists_them(tmp_path) -> None:
    """Read as a why-question, all three announced points are quoted; E100 (the same question read as
    a list because it counts what it asks for) gave two of the three, and was not shipped."""
    assistant = _over(tmp_path, "bakery.md", BAKERY)
    got = assistant.ask("Why did the families open the bakery — what were the three reasons?")
    for point in ("nearest bread shop", "redundancy payments", "rate holiday"):
        assert point in got.text, got.text


OLDEN = """# Bringing Back the Bends

*By Sunniva Hartley*

For most of its length the River Olden is a modest lowland river, flowing some forty kilometres east to join the estuary below the market town of Carrow. For sixty years its middle reach looked less like a river than a drainage ditch.

## Straightened

The straightening of the Olden was carried out between 1958 and 1962 by the Olden Drainage Board, a public body whose task was to make the valley's wet meadows fit for arable farming. Engineers cut a new, straight channel through the meanders and dredged it two metres deeper than the old bed, so that water would drain off the fields quickly after rain. Within a decade most of the valley's meadow was ploughed for wheat and barley.

## The costs of speed

A straight, deep river moves water quickly, and on the Olden it moved it quickly to the one place that could least cope with it. The town flooded badly in 1998 and again in 2007, when 340 homes were under water. An inquiry after the 2007 flood concluded that the straightened channel had raised the flood peak in Carrow by delivering the water from the upper valley several hours sooner than the old river would have done.
"""


def test_a_follow_up_naming_a_new_place_is_answered_about_it(tmp_path) -> None:
    """E102, walk-through 32 (its essay, trimmed): "what did that do to Carrow?" repeated the last
    answer, as a plain follow-up takes the sentence after the last quote; Carrow is new to the talk."""
    assistant = _over(tmp_path, "olden.md", OLDEN)
    history: list[dict[str, str]] = []
    for question in ("What was done to the Olden between 1958 and 1962?", "what did that do to Carrow?"):
        got = assistant.ask(question, history)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": got.text}]
    assert "raised the flood peak in Carrow" in got.text, got.text


LIGHT = """# The Light on Skerry Head

*By Margit Evensen*

## Automation

The decision to automate Skerry Head was taken in 1985. The last three keepers, led by principal keeper Donald Moar, left on 30 November 1987. Moar had served on the station for twenty-two years, and his final journal entry reads simply: "Light handed over. Wind south-west, moderate. All well." The lamp has run unattended ever since.
"""


def test_a_quote_does_not_stop_inside_a_quotation(tmp_path) -> None:
    """E103, walk-through 32 (its paragraph, trimmed): the answer stopped at "reads simply: "Light
    handed over." because sentences end at full stops inside quotation marks too."""
    got = _over(tmp_path, "light.md", LIGHT).ask("What did Donald Moar write in his final journal entry?")
    assert 'Wind south-west, moderate. All well."' in got.text, got.text


TRAM = """# The Harlow Valley Tram Strike of 1911

*By Margaret Ellison*

## The walkout

Negotiations over a new wage scale collapsed in February 1911. Pemberton refused to meet the union at all, saying that he "would not discuss his business with men who did not own it." On the morning of 14 March 1911, 412 motormen and conductors walked out, and not a single car left the Dunmore barn.

The union's demands were modest and precise. First, a wage of 25 cents an hour. Second, a ten-hour working day in place of twelve. Third, an end to the system of fines. At a crowded meeting in St. Brendan's Hall that evening, Brannigan told the strikers: "We are not asking for charity; we are asking for the hours to see our children awake." The line was printed the next day on the front page of the *Evening Star* and became the strike's slogan.

Pemberton's answer was to hire strikebreakers. Through the Bergoff detective agency he brought in 150 replacement workers from Philadelphia, housed them in the car barn, and tried to run a reduced service under police guard.

## Why the company gave in

The strike was decided less by the militia than by the passengers. Within days of the riot, the churches, the miners' lodges and the women's clubs of both towns organized a boycott of the replacement cars. Families walked, shared wagons, or rode in the "jitney" automobiles that enterprising garage owners began running along the valley road at a nickel a ride. Because almost no one would ride the strikebreakers' cars, the company's fare revenue fell by 61 percent in April compared with the year before. Because revenue collapsed while the cost of guarding and housing the replacement men kept rising, the company lost about $48,000 over the spring, and its bankers, the Castleford Savings and Trust, began to press Pemberton to settle. It was this financial pressure, rather than any change of heart, that brought him to the table.

## The settlement

The talks were mediated by Bishop Francis Loughran of the Dunmore diocese, who had quietly supported the strikers' families with food from the parish relief fund. The agreement was signed on 29 May 1911, the seventy-sixth day of the strike. Its terms were:

- a wage of 22 cents an hour, short of the 25 cents the union had asked for;
- a ten-hour day, with no unpaid split shifts;
- a three-member arbitration board to hear future disputes, one member chosen by each side and the third by the bishop;
- no blacklisting of strikers.

The fines system was not formally abolished, but the arbitration board threw out nearly every fine brought before it in its first two years, and the practice withered.

## Aftermath

Brannigan led Local 218 until 1926 and later served two terms on the Dunmore city council. Pemberton never forgave the bishop and moved his family's pew to a Methodist church in Castleford. His company struggled through the rise of the motorbus and was absorbed by the Keystone Transit Corporation in 1923. The last tram ran between Dunmore and Castleford on 30 June 1947, and the rails were paved over the following summer.

Daniel Kerrigan's death was remembered longer than the strike itself. For decades, newsboys in Dunmore wore black armbands every 2 April. In 1986, on the seventy-fifth anniversary, the Harlow Valley Historical Society unveiled a bronze plaque at the site of the old depot, paid for by a public subscription of $6,200. It names the 412 strikers who walked out that March morning, and at the bottom, in smaller letters, the boy who never went home.
"""


def test_a_written_list_whose_lead_in_names_what_is_asked_is_found_beyond_the_best_five(tmp_path) -> None:
    """E105, walk-through 33 (its essay, trimmed): "Its terms were:" and its four bullets were in a
    retrieved passage but not among the five best candidates, so four unrelated sentences were listed."""
    got = _over(tmp_path, "tram.md", TRAM).ask("What were the terms of the 1911 settlement?")
    for term in ("a wage of 22 cents an hour", "a ten-hour day", "arbitration board", "no blacklisting"):
        assert term in got.text, got.text
