# The two commands (see README):  `make chat`  and  `make test`.
# Both create .venv on first use and install the project with torch 2.13 from the configured package
# index (the CPU build on this project's machines; plain PyPI gives Linux the larger CUDA build, which
# runs on a CPU too: `make TORCH_INDEX=--extra-index-url=https://download.pytorch.org/whl/cpu` picks
# the CPU build where that index is reachable).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
TORCH_INDEX ?=
# Floors for the question-set checks in `make test`: the figures reached (see bench/RESULTS.md)
# minus a small margin. The committed baselines (tests/baseline.json, tests/dev_baseline.json)
# catch any regression of a single case. The answer_pass floors were 0.85 and 0.70 before the
# trained reader became the default: it gives up 1 and 3 cases of these two sets (tuned on, for
# the rules) for gains on sets and articles nobody tuned on (bench/RESULTS.md, "Reader"). The dev
# floor fell from 0.67 to 0.64 when four rules that moved only dev cases were deleted (2 cases).
# The refusal floors fell from 0.95 and 0.85 to 0.65 and 0.75 when the figure check and the
# absent-topic check went: written for these essays, they refused 3 near misses here and 1 in dev,
# but on the sets nobody tuned on the first cost more cases than it saved and the second moved none.
# The answer threshold (2026-12-05, 0.271, calibrated in the product on held-out SQuAD articles)
# refuses two more near misses here (refusal 0.70 -> 0.90, floor 0.80) and one answerable question
# (answer pass 0.848 -> 0.826, floor 0.83 -> 0.80), and two answerable dev questions (answer pass
# 0.677 -> 0.646, floor 0.64 -> 0.62).
# E85 (2026-12-07, fourteenth session: a name no essay holds is refused by name, +5/-0 on six judges
# nobody tuned on) refuses q25, whose republished essay calls the Pacific Forum the "Pacific Discussion
# Board": answer pass 0.804 -> 0.783, floor 0.80 -> 0.78.
EVAL_FLOORS ?= --fail-under hit@1=0.85 --fail-under hit@5=0.93 --fail-under mrr=0.88 \
	--fail-under quote_recall@5=0.90 --fail-under answer_pass=0.78 --fail-under refusal_accuracy=0.80 \
	--fail-under citation_validity=1.0
# E91 (2026-12-07, fifteenth session: a why-question's cause beside its premise, +8/-1 on the SQuAD sample and
# seven judges nobody tuned on) answers the tuned dev set's d14 with the G7 paragraph's own next sentence, not
# another paragraph's "step toward ... pivotal global player": answer pass 0.631 -> 0.615, floor 0.62 -> 0.61.
DEV_FLOORS ?= --fail-under hit@5=0.90 --fail-under mrr=0.78 --fail-under quote_recall@5=0.88 \
	--fail-under answer_pass=0.61 --fail-under refusal_accuracy=0.75 --fail-under citation_validity=1.0
# On 2026-12-06 (third session) the answer_pass floors of blind2, ablation4, ablation6 and ablation7 were
# raised to that session's figures (0.708, 0.850, 0.763, 0.879: the follow-up and he/she steps) minus
# about two cases: 0.62, 0.80, 0.71, 0.81.
# On 2026-12-06 the answer_pass floors of ablation4-8, blind4 and blind6 were raised to that day's
# figures (announcing sentences read with their points, the next sentence quoted where the answer
# goes on) minus about two cases: 0.825, 0.750, 0.737, 0.848, 0.500, 0.575 and 0.619.
# The second blind set (tests/blind2: 6 essays, 36 cases, written by a helper who never saw the
# code; only its summary line is ever read): floors at the cross-encoder reader's first run
# (answer pass 0.62, refusal 0.92), minus a margin. The refusal floor fell to 0.70 when the figure
# and absent-topic checks were deleted on the ablation sets' evidence (blind2: 0.667 and 0.75 after).
BLIND2_FLOORS ?= --fail-under answer_pass=0.62 --fail-under refusal_accuracy=0.70 \
	--fail-under citation_validity=1.0
# The third blind set (tests/blind3: 6 essays in Markdown, text, HTML, PDF and DOCX, 60 cases,
# written by a helper who never saw the code, before any tuning on it): floors at the cross-encoder
# reader's first run (answer pass 0.816, refusal 0.727; 0.755 with the feature MLP), minus a margin.
# With the figure and absent-topic checks deleted (on the ablation sets' evidence): answer pass
# 0.898, refusal 0.455, false refusals 0.08 -> 0.00; the refusal floor fell from 0.70 to 0.40.
BLIND3_FLOORS ?= --fail-under answer_pass=0.77 --fail-under refusal_accuracy=0.60 \
	--fail-under citation_validity=1.0
# The ablation set (tests/ablation4: 5 essays, 50 cases with lists, why-questions, follow-ups and
# near misses, written by a helper who never saw the code; only summary rows are ever read): floors
# at its first run with the cross-encoder reader (answer pass 0.75, refusal 0.3), minus a margin.
ABLATION4_FLOORS ?= --fail-under answer_pass=0.80 --fail-under refusal_accuracy=0.20 \
	--fail-under citation_validity=1.0
# The second ablation set (tests/ablation5: 5 essays, 50 cases with acronyms, essays' own questions,
# prose enumerations and leaning sentences, written by a helper who never saw the code; only summary
# rows are ever read): floors at its first run with the cross-encoder reader (answer pass 0.625,
# refusal 0.5; 0.475 and 0.4 with the feature MLP), minus a margin. The answer threshold raised its
# refusal accuracy from 0.4 to 0.6 (answer pass 0.70 -> 0.675): refusal floor 0.40 -> 0.50.
ABLATION5_FLOORS ?= --fail-under answer_pass=0.69 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
# The third ablation set (tests/ablation6: 5 essays, 50 cases with when/how-many questions the
# essays give no date or figure for, "what does X say about Y" on covered and absent topics,
# acronyms and follow-ups, written after every rule by a helper who never saw the code; only summary
# rows are ever read): floors at its first run without the figure and absent-topic checks (answer
# pass 0.684, refusal 0.167; with them 0.579 and 0.25), minus a margin. The answer threshold refuses
# one more near miss (0.25); the date check's deletion one fewer (0.167, its one case in this set).
ABLATION6_FLOORS ?= --fail-under answer_pass=0.71 --fail-under refusal_accuracy=0.08 \
	--fail-under citation_validity=1.0
# The fourth ablation set (tests/ablation7: 5 Markdown essays, 50 cases: 33 answerable, 14 near misses
# that ask for a fact the essays never give, 3 off-topic; written on 2026-12-05 by a helper who never
# saw the code, to judge the answer threshold; only summary rows are ever read): floors at its run
# with the answer threshold of 0.271 (answer pass 0.788, refusal 0.412; 0.818 and 0.353 with the
# paragraph threshold), minus a margin.
ABLATION7_FLOORS ?= --fail-under answer_pass=0.81 --fail-under refusal_accuracy=0.35 \
	--fail-under citation_validity=1.0
# The fifth ablation set (tests/ablation8: 5 Markdown essays with written lists, lists introduced by
# "the following." or a colon, prose enumerations announced by a count, causes, a table; 50 cases: 32
# answerable (8 lists, 5 why, 5 follow-ups), 13 near misses, 5 off-topic; written on 2026-12-05 by a
# helper who never saw the code, to judge the announced-list rule; only summary rows were read until
# 2026-12-06, when its failing cases were read to find why announcing sentences lose, so it is no longer
# unseen): floors at its first run with that rule (answer pass 0.438, refusal 0.444; 0.406 without it),
# minus a margin. Its answer pass is the lowest of any set: the right passage ranks first for only 0.47.
ABLATION8_FLOORS ?= --fail-under answer_pass=0.44 --fail-under refusal_accuracy=0.38 \
	--fail-under citation_validity=1.0
# The sixth ablation set (tests/ablation9: 5 essays in Markdown and text, 50 cases: 22 list questions
# over enumerations written every way (a count and a colon, semicolons, First/Second, written lists, no
# count, two lists of one count in an essay), 16 plain, 2 follow-ups, 6 near misses, 4 off-topic; written
# on 2026-12-06 (third session) by a helper who never saw the code or the other sets, to judge the rule
# for a counted list named in one sentence; only its summary line is ever read): floors at its first run
# with that rule (answer pass 0.950, refusal 0.500; 0.850 without it), minus a margin. Answer pass 0.875
# since E105 (2026-12-07, session 28: a written list whose lead-in names the asked plural is looked at
# beyond the best five candidates): judged +0/-0, and on the summaries of make test's sets blind6 +1,
# blind17 +2, ablation9 -1 (0.900 -> 0.875); the floor follows it by that one case.
ABLATION9_FLOORS ?= --fail-under answer_pass=0.87 --fail-under refusal_accuracy=0.68 \
	--fail-under citation_validity=1.0
# The seventh ablation set (tests/ablation10: 5 essays in Markdown and text, a history, a biography, a
# process, a policy essay and an interview; 50 cases: 30 follow-ups with one or two earlier questions,
# 8 plain (some answered by a sentence opening "He"/"She"), 8 near misses (4 of them follow-ups), 4
# off-topic; written on 2026-12-06 (third session) by a helper who never saw the code or the other sets,
# to judge conversation rules; only its summary line is ever read): floors at its run with the he/she
# rule (answer pass 0.526, refusal 0.583; 0.447 without it), minus about two cases.
ABLATION10_FLOORS ?= --fail-under answer_pass=0.47 --fail-under refusal_accuracy=0.41 \
	--fail-under citation_validity=1.0
# The fourth blind set (tests/blind4: 6 essays in Markdown and text, 48 cases: 40 answerable (4
# lists, 5 why, 2 comparisons, 4 follow-ups), 6 near misses, 2 off-topic; written on 2026-12-05 by a
# helper who never saw the code or the other sets; only its summary line was read, until its failing
# cases were read on 2026-12-06 with ablation8's, so it is no longer unseen): floors at its first run
# (answer pass 0.550, refusal 0.375), minus a margin.
BLIND4_FLOORS ?= --fail-under answer_pass=0.52 --fail-under refusal_accuracy=0.60 \
	--fail-under citation_validity=1.0
# The fifth blind set (tests/blind5: 6 essays in Markdown and text, 50 cases: 30 plain questions, 4
# lists, 3 why, 2 comparisons, 3 follow-ups, 6 near misses, 2 off-topic; written on 2026-12-05 by a
# helper who never saw the code or the other sets, to judge reader experiments; only its summary line
# is ever read): floors at its first run (answer pass 0.643, refusal 0.625), minus a margin; the answer
# pass floor raised on 2026-12-06 to that day's 0.667 (the why-question's premise) minus two cases.
BLIND5_FLOORS ?= --fail-under answer_pass=0.62 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
# The sixth blind set (tests/blind6: 6 essays in Markdown and text, 50 cases: 30 plain questions, 4
# lists, 3 why, 2 comparisons, 3 follow-ups, 6 near misses, 2 off-topic; written on 2026-12-05 by a
# helper who never saw the code or the other sets, to judge the four-layer reader; only its summary
# line is ever read): floors at its first run (answer pass 0.571, refusal 0.25), minus a margin; the
# answer pass floor raised on 2026-12-06 to that day's 0.643 minus two cases.
BLIND6_FLOORS ?= --fail-under answer_pass=0.59 --fail-under refusal_accuracy=0.12 \
	--fail-under citation_validity=1.0
# The seventh blind set (tests/blind7: 6 essays in Markdown and text, 50 cases: 34 plain questions, 2
# lists, 4 why, 6 near misses, 4 off-topic; written on 2026-12-06 by a helper who never saw the code or
# the other sets, after blind4 and ablation8 had been read case by case; only its summary line is ever
# read): floors at its first run (answer pass 0.800, refusal 0.400), minus a margin.
BLIND7_FLOORS ?= --fail-under answer_pass=0.74 --fail-under refusal_accuracy=0.48 \
	--fail-under citation_validity=1.0
# The eighth blind set (tests/blind8: 6 essays in Markdown and text, 50 cases: 34 plain questions, 2
# lists, 4 why, 6 near misses, 4 off-topic; written on 2026-12-06 (second session) by a helper who never
# saw the code or the other sets; only its summary line is ever read): floors at its first run (answer
# pass 0.700, refusal 0.500), minus a margin.
BLIND8_FLOORS ?= --fail-under answer_pass=0.64 --fail-under refusal_accuracy=0.58 \
	--fail-under citation_validity=1.0
# The ninth blind set (tests/blind9: 5 documents as users drop them in, an FAQ in Markdown with
# question headings, a Word history, an HTML report with a table, a text profile and an op-ed; 50
# cases: 22 plain (3 answered only by a table row, 3 by a sentence opening He/She/They/It, 3 FAQ
# questions worded unlike the headings), 4 lists, 4 why, 8 follow-ups, 8 near misses, 4 off-topic;
# written on 2026-12-06 (fourth session) by a helper who never saw the code or the other sets, to judge
# a rule for FAQ headings, which it rejected; only its summary line is ever read): floors at its first
# run (answer pass 0.895, refusal 0.500), minus about two cases.
BLIND9_FLOORS ?= --fail-under answer_pass=0.84 --fail-under refusal_accuracy=0.33 \
	--fail-under citation_validity=1.0
# The tenth blind set (tests/blind10: 5 PDFs as users drop them in, made at test time from
# tests/blind10/sources by make_essays.py: a report printed by Chromium with its date-and-title
# header, a list and a bordered table, a two-column paper, an fpdf2 newsletter with question
# headings and numbered steps, a one-page memo, an FAQ guide; 50 cases: 14 plain, 3 paraphrased,
# 2 He/She, 3 table rows, 4 lists, 4 why, 8 follow-ups, 8 near misses, 4 off-topic; written on
# 2026-12-06 (fifth session) by a helper who never saw the code or the other sets, after the PDF
# fixes of walk-through 7; only its summary line is ever read): floors at its first run (answer
# pass 0.737, refusal 0.667), minus about two cases.
BLIND10_FLOORS ?= --fail-under answer_pass=0.68 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
# The eleventh blind set (tests/blind11: 6 essays in Markdown and text, each stating its case in a
# different place (first sentence, after a hook, only in its close, a listicle, a personal essay); 25
# cases: 18 gist questions ("summarize ...", "what's the essay on X about?", "what is Doe's thesis?"),
# 3 gist follow-ups, 4 gist requests for essays the folder lacks; written on 2026-12-06 (sixth session)
# by a helper who never saw the code or the other sets, to judge the gist answers; only its summary line
# is ever read): answer pass 0.048 and false refusals 0.762 before them, 0.667 and 0.190 after (refusal
# 1.000 both); floors at that run minus about two cases.
BLIND11_FLOORS ?= --fail-under answer_pass=0.57 --fail-under refusal_accuracy=0.75 \
	--fail-under citation_validity=1.0
# The twelfth blind set (tests/blind12: 6 essays in Markdown and text that state their case in
# different places, two ending with an author's biography; 25 cases: 13 gist, 5 "what does X
# conclude?", 3 gist follow-ups, 4 summaries of essays the folder lacks; written on 2026-12-06 (sixth
# session) by a helper who never saw the code or the other sets, to judge a title feature for gist
# answers, which it rejected; only its summary line is read): answer pass 0.476, refusal 1.000 at its
# first run; floors that minus about two cases.
BLIND12_FLOORS ?= --fail-under answer_pass=0.38 --fail-under refusal_accuracy=0.75 \
	--fail-under citation_validity=1.0
# The thirteenth blind set (tests/blind13: 5 essays in Markdown and text; 40 cases: 16 "where does X
# mention Y?" / "which essay talks about Y?" / "does X mention Y?" (4 in other words than the essay's),
# 8 of these about things no essay mentions, 6 "what does X conclude?", 10 fact questions with one
# typo; written on 2026-12-06 (sixth session) by a helper who never saw the code or the other sets;
# only its summary lines are read): answer pass 0.562 and refusal 1.000 with the code before the
# mentions, conclusion and spelling answers (19f52ed), 0.688 and 0.875 after; floors that minus about
# two cases.
BLIND13_FLOORS ?= --fail-under answer_pass=0.62 --fail-under refusal_accuracy=0.62 \
	--fail-under citation_validity=1.0
# The fourteenth blind set (tests/blind14: 4 essays; 24 cases: 16 questions about what an essay argues
# or concludes, each worded another way ("What's Smith arguing?", "the bottom line of ...", "How does
# the essay on ... end?"), 4 about essays the folder lacks, 4 facts; written on 2026-12-06 (sixth
# session) by a helper who never saw the code or the other sets, to judge wider wordings for gist
# questions; only its summary lines are read): answer pass 0.400 before them, 0.500 after (gist 4 -> 6
# of 16), refusal 0.750 both; floors that minus about two cases.
BLIND14_FLOORS ?= --fail-under answer_pass=0.42 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
# The fifteenth blind set (tests/blind15: 5 opinion essays; 18 cases: 15 gist questions, 3 about essays the
# folder lacks; written on 2026-12-06 (sixth session) by a helper who never saw the code or the other sets,
# and not told of the rule it judged: a summary favours sentences that argue ("should", "must"); only its
# summary lines are read): gist 7 -> 10 of 15 with that rule, refusals 2 of 3 both; floors that minus
# about two cases.
BLIND15_FLOORS ?= --fail-under answer_pass=0.53 --fail-under refusal_accuracy=0.33 \
	--fail-under citation_validity=1.0
# The sixteenth blind set (tests/blind16: 6 essays, 4 Markdown and 2 plain text; 50 cases: 32 facts,
# 2 lists, 4 paraphrases, 8 near misses, 4 off-topic; written on 2026-12-06 (seventh session) by a
# helper who never saw the code or the other sets, to judge readers; only its summary lines are read):
# answer pass 0.684, refusal 0.500, false refusals 0.132 at its first run; floors that minus about two cases.
BLIND16_FLOORS ?= --fail-under answer_pass=0.63 --fail-under refusal_accuracy=0.58 \
	--fail-under citation_validity=1.0
# The seventeenth blind set (tests/blind17: 6 essays, 4 Markdown and 2 plain text; 50 cases: 30 facts,
# 3 lists, 4 paraphrases, 3 why, 7 near misses, 3 off-topic; written on 2026-12-06 (eighth session) by a
# helper who never saw the code or the other sets, before the answer-type check (rag/answer/asked.py)
# was judged; only its summary lines are read): answer pass 0.750 and refusal 0.300 before that check,
# 0.750 and 0.600 after; floors that minus about two answers and one refusal. The refusal floors of
# blind3, blind4, blind7, blind8, blind16 and ablation9 were raised with that check, to one case below
# what it reaches.
BLIND17_FLOORS ?= --fail-under answer_pass=0.68 --fail-under refusal_accuracy=0.48 \
	--fail-under citation_validity=1.0
# The eighteenth blind set (tests/blind18: 5 essays, 3 Markdown and 2 plain text; 30 "what does X say
# about Y?" cases: 20 on topics an essay discusses (12 in its own word, 8 in other words), 10 on topics
# no essay discusses; written on 2026-12-06 (eighth session) by a helper who never saw the code or the
# other sets, after the rule it judged (a sentence naming the topic answers, however far in cosine) was
# written down; only its summary lines are read): answer pass 0.500 and refusal 0.700 before that rule,
# 0.600 and 0.700 after; floors that minus two answers and one refusal.
BLIND18_FLOORS ?= --fail-under answer_pass=0.48 --fail-under refusal_accuracy=0.58 \
	--fail-under citation_validity=1.0
# The nineteenth blind set (tests/blind19: 6 essays, 4 Markdown and 2 plain text; 50 cases: 26 facts,
# 3 lists, 4 paraphrases, 3 why, 2 "what does X say about Y?", 9 near misses, 3 off-topic; written on
# 2026-12-06 (eighth session) by a helper who never saw the code or the other sets, after every rule of
# that session, as a clean estimate; only its summary lines are read): answer pass 0.632 and refusal
# 0.250 with the session's starting code, 0.632 and 0.333 at its end; floors that minus about two
# answers and one refusal.
BLIND19_FLOORS ?= --fail-under answer_pass=0.57 --fail-under refusal_accuracy=0.24 \
	--fail-under citation_validity=1.0
# The twentieth and twenty-first blind sets (tests/blind20: 6 essays and features; tests/blind21: 6
# reference pages, one an FAQ; each 3 Markdown and 3 plain text, 60 cases: 30 facts, 6 paraphrases,
# 4 why, 3 lists, 14 near misses, 3 off-topic; written on 2026-12-06 (ninth session) by two helpers
# who never saw the code or the other sets, to judge that session's reader changes; only summary
# lines are read): answer pass 0.767 and 0.628, refusal 0.412 and 0.353 with the session's starting
# code; floors that minus about two answers and one refusal.
BLIND20_FLOORS ?= --fail-under answer_pass=0.72 --fail-under refusal_accuracy=0.35 \
	--fail-under citation_validity=1.0
BLIND21_FLOORS ?= --fail-under answer_pass=0.58 --fail-under refusal_accuracy=0.29 \
	--fail-under citation_validity=1.0
# The twenty-second blind set (tests/blind22: 6 documents, 3 Markdown and 3 plain text; 60 cases: 28 facts,
# 6 paraphrases, 4 why, 4 lists, 4 follow-ups, 11 near misses, 3 off-topic; written on 2026-12-06 (tenth
# session) by a helper who never saw the code or the other sets, after the deletion pass, as a clean
# estimate; only its summary lines are read): answer pass 0.761 and refusal 0.643 after the pass, 0.783
# and 0.643 with the session's starting code; floors that minus about two answers and one refusal.
BLIND22_FLOORS ?= --fail-under answer_pass=0.71 --fail-under refusal_accuracy=0.57 \
	--fail-under citation_validity=1.0
# The judging sets of the deletion pass (tests/ablation11 and tests/ablation12: 5 essays and 60 cases each,
# 3 Markdown and 2 plain text; 14 facts, 6 why, 10 lists, 12 follow-ups, 4 "what does X say about Y", 2
# "does X mention Y", 9 near misses, 3 off-topic; written on 2026-12-06 (tenth session) by two helpers who
# never saw the code or the other sets, after every rule, to judge which rules stay; only summary lines
# are read): answer pass 0.521 and 0.438, refusal 0.583 both, after the pass (0.500 and 0.438 before);
# floors that minus about two answers and one refusal.
ABLATION11_FLOORS ?= --fail-under answer_pass=0.47 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
ABLATION12_FLOORS ?= --fail-under answer_pass=0.39 --fail-under refusal_accuracy=0.50 \
	--fail-under citation_validity=1.0
# The third judge (tests/ablation13: 5 essays in Markdown and text, 50 cases: 16 facts, 6 why, 6 lists,
# 5 "what does X say about Y", 5 follow-ups, 10 near misses, 2 off-topic; written on 2026-12-07 by a
# helper who never saw the code, after every rule; only summary lines are read): answer pass 0.579
# (22 of 38), refusal 0.75 (9 of 12) at its first run; floors that minus two answers and two refusals.
ABLATION13_FLOORS ?= --fail-under answer_pass=0.52 --fail-under refusal_accuracy=0.58 \
	--fail-under citation_validity=1.0
# The fourth judge (tests/ablation14: 5 essays, a news feature, a profile, a policy brief with a list and a
# table, a railway history, an opinion essay; 50 cases, the same mix as ablation13; written on 2026-12-07,
# thirteenth session, by a helper who never saw the code; only summary lines are read): answer pass 0.579
# (22 of 38), refusal 0.417 (5 of 12) at its first run; floors that minus two answers and two refusals.
ABLATION14_FLOORS ?= --fail-under answer_pass=0.52 --fail-under refusal_accuracy=0.25 \
	--fail-under citation_validity=1.0
# The fifth judge (tests/ablation15: 5 essays with written lists, prose enumerations, reasons and people; 40
# follow-ups in conversations: 10 ordinal after a list, 8 why, 6 tell-me-more, 6 pronouns, 5 what-else, 5 the
# essays do not answer; written on 2026-12-07, thirteenth session, by a helper who never saw the code, to
# judge E87; only summary lines are read): answer pass 0.743 (26 of 35), refusal 0.200 (1 of 5) with E87;
# a floor two answers under (one refusal of five leaves no refusal floor to set).
ABLATION15_FLOORS ?= --fail-under answer_pass=0.68 --fail-under citation_validity=1.0
# The sixth judge (tests/ablation16: 5 essays, 20 answerable questions, 10 of them reworded, and 30 to refuse:
# 10 near misses, 8 off-topic, 6 naming what no essay holds, 6 false premises; written on 2026-12-07,
# fourteenth session, by a helper who never saw the code, to judge E85 and E88; only summary lines are read):
# answer pass 0.600 (12 of 20), refusal 0.400 (12 of 30) with E85; floors two answers and two refusals under.
ABLATION16_FLOORS ?= --fail-under answer_pass=0.50 --fail-under refusal_accuracy=0.33 \
	--fail-under citation_validity=1.0
# The seventh judge (tests/ablation17: 5 essays whose lists are written every way, two lists of one length near
# each other in three, causes before, after and inside their effect's sentence; 50 cases: 14 lists, 14 why, 8
# follow-ups, 8 facts, 6 to refuse; written on 2026-12-07, fifteenth session, by a helper who never saw the code,
# to judge E90-E92; only summary lines are read): answer pass 0.727 (32 of 44), refusal 0.500 (3 of 6) with E91;
# floors two answers and two refusals under.
ABLATION17_FLOORS ?= --fail-under answer_pass=0.68 --fail-under refusal_accuracy=0.16 \
	--fail-under citation_validity=1.0
# The eighth judge (tests/ablation18: 5 essays on subjects of its helper's choosing, written "naturally, not
# planned around any kind of question"; 50 cases: 14 facts, 10 reworded, 6 why, 6 lists, 6 follow-ups, 4 near
# misses, 2 off-topic, 2 false premises; written on 2026-12-07, fifteenth session, by a helper who never saw the
# code, to look at E91 again; only summary lines are read): answer pass 0.571 (24 of 42), refusal 0.500 (4 of
# 8); floors two answers and two refusals under.
ABLATION18_FLOORS ?= --fail-under answer_pass=0.52 --fail-under refusal_accuracy=0.25 \
	--fail-under citation_validity=1.0
# The ninth judge (tests/ablation19: 6 essays, 4 Markdown and 2 text, with several dates, costs and people of one
# kind near each other; 60 cases: 26 facts, 12 reworded, 6 follow-ups, 14 near misses, 2 off-topic; written on
# 2026-12-07, session 29, by a helper who never saw the code, for the reader's two jobs, choosing the sentence and
# refusing; only summary lines are read): answer pass 0.841 (37 of 44), refusal 0.562 (9 of 16), false refusals
# 0.091; floors two answers and two refusals under.
ABLATION19_FLOORS ?= --fail-under answer_pass=0.79 --fail-under refusal_accuracy=0.43 \
	--fail-under citation_validity=1.0
BLIND3_ESSAYS := index/blind3-essays
BLIND10_ESSAYS := index/blind10-essays
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: chat test setup index search eval bench train-reader browser-deps clean

chat: setup            ## set up, build the index if missing or stale, start the web chat
	$(BIN)/rag serve

test: setup browser-deps $(BLIND3_ESSAYS)/.built $(BLIND10_ESSAYS)/.built   ## set up and run the whole test suite
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest
	$(BIN)/rag eval tests/questions.yaml --baseline tests/baseline.json $(EVAL_FLOORS)
	$(BIN)/rag eval tests/dev_questions.yaml --baseline tests/dev_baseline.json $(DEV_FLOORS)
	$(call blind,blind2,tests/blind2/essays,$(BLIND2_FLOORS))
	$(call blind,blind3,$(BLIND3_ESSAYS),$(BLIND3_FLOORS))
	$(call blind,blind4,tests/blind4/essays,$(BLIND4_FLOORS))
	$(call blind,blind5,tests/blind5/essays,$(BLIND5_FLOORS))
	$(call blind,blind6,tests/blind6/essays,$(BLIND6_FLOORS))
	$(call blind,blind7,tests/blind7/essays,$(BLIND7_FLOORS))
	$(call blind,blind8,tests/blind8/essays,$(BLIND8_FLOORS))
	$(call blind,blind9,tests/blind9/essays,$(BLIND9_FLOORS))
	$(call blind,blind10,$(BLIND10_ESSAYS),$(BLIND10_FLOORS))
	$(call blind,blind11,tests/blind11/essays,$(BLIND11_FLOORS))
	$(call blind,blind12,tests/blind12/essays,$(BLIND12_FLOORS))
	$(call blind,blind13,tests/blind13/essays,$(BLIND13_FLOORS))
	$(call blind,blind14,tests/blind14/essays,$(BLIND14_FLOORS))
	$(call blind,blind15,tests/blind15/essays,$(BLIND15_FLOORS))
	$(call blind,blind16,tests/blind16/essays,$(BLIND16_FLOORS))
	$(call blind,blind17,tests/blind17/essays,$(BLIND17_FLOORS))
	$(call blind,blind18,tests/blind18/essays,$(BLIND18_FLOORS))
	$(call blind,blind19,tests/blind19/essays,$(BLIND19_FLOORS))
	$(call blind,blind20,tests/blind20/essays,$(BLIND20_FLOORS))
	$(call blind,blind21,tests/blind21/essays,$(BLIND21_FLOORS))
	$(call blind,blind22,tests/blind22/essays,$(BLIND22_FLOORS))
	$(call blind,ablation4,tests/ablation4/essays,$(ABLATION4_FLOORS))
	$(call blind,ablation5,tests/ablation5/essays,$(ABLATION5_FLOORS))
	$(call blind,ablation6,tests/ablation6/essays,$(ABLATION6_FLOORS))
	$(call blind,ablation7,tests/ablation7/essays,$(ABLATION7_FLOORS))
	$(call blind,ablation8,tests/ablation8/essays,$(ABLATION8_FLOORS))
	$(call blind,ablation9,tests/ablation9/essays,$(ABLATION9_FLOORS))
	$(call blind,ablation10,tests/ablation10/essays,$(ABLATION10_FLOORS))
	$(call blind,ablation11,tests/ablation11/essays,$(ABLATION11_FLOORS))
	$(call blind,ablation12,tests/ablation12/essays,$(ABLATION12_FLOORS))
	$(call blind,ablation13,tests/ablation13/essays,$(ABLATION13_FLOORS))
	$(call blind,ablation14,tests/ablation14/essays,$(ABLATION14_FLOORS))
	$(call blind,ablation15,tests/ablation15/essays,$(ABLATION15_FLOORS))
	$(call blind,ablation16,tests/ablation16/essays,$(ABLATION16_FLOORS))
	$(call blind,ablation17,tests/ablation17/essays,$(ABLATION17_FLOORS))
	$(call blind,ablation18,tests/ablation18/essays,$(ABLATION18_FLOORS))
	$(call blind,ablation19,tests/ablation19/essays,$(ABLATION19_FLOORS))

# A blind set's run (name, essays folder, floors): only the summary is printed, the cases stay
# in index/NAME-report.txt, unread.
define blind
	@mkdir -p index; $(BIN)/rag -q eval tests/$(1)/questions.yaml --seeds-dir $(2) --index-dir index/$(1) \
	  $(3) > index/$(1)-report.txt 2>&1; rc=$$?; \
	  echo "$(1) (summary only; the cases stay unread):"; grep -E '^(group|overall|hedged|rag eval)' index/$(1)-report.txt; exit $$rc
endef

# The mixed-format blind set's essays: Markdown, text and HTML as written, PDF and DOCX rendered
# from tests/blind3/make_essays.py (no binary fixture in git).
$(BLIND3_ESSAYS)/.built: tests/blind3/make_essays.py $(wildcard tests/blind3/sources/*) | setup
	rm -rf $(BLIND3_ESSAYS) && $(BIN)/python tests/blind3/make_essays.py $(BLIND3_ESSAYS) && touch $@

# The PDF blind set's documents, printed by Debian Chromium and drawn by fpdf2 from its sources.
$(BLIND10_ESSAYS)/.built: tests/blind10/make_essays.py $(wildcard tests/blind10/sources/*) | setup browser-deps
	rm -rf $(BLIND10_ESSAYS) && $(BIN)/python tests/blind10/make_essays.py $(BLIND10_ESSAYS) && touch $@

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_INDEX) -e '.[dev]' $(TORCH)
	touch $(STAMP)

browser-deps:          ## Debian Chromium for the browser test (never a Playwright download)
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

index: setup           ## (re)build the index from seeds/
	$(BIN)/rag index

search: setup          ## interactive search in the terminal
	$(BIN)/rag search

bench: setup           ## run the benchmarks; each rewrites its section of bench/RESULTS.md
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/perf.py
	$(BIN)/python bench/encoder.py
	$(BIN)/python bench/reader.py
	$(BIN)/python bench/asked.py
	$(BIN)/python bench/busy.py
	$(BIN)/python bench/formats.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/rebuild.py

train-reader: setup    ## retrain rag/read/weights from the vendored SQuAD data (about 5 min on one GPU, 3.5 h on 2 cores with AMX tiles, days without; never in CI)
	$(BIN)/python training/reader_data.py training/cache/reader
	$(BIN)/python training/train_reader.py training/cache/reader rag/read/weights
	$(BIN)/python training/calibrate_answers.py --write

clean:
	rm -rf $(VENV) index/data-* index/manifest.json index/.lock
