"""The benches' stand-ins still fit the product they patch: an ablation row that raises on its
first question measures nothing (bench/reader.py --ablate stops there)."""

from __future__ import annotations

import inspect

import pytest

from bench.quality import ANSWER_ABLATIONS

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@pytest.mark.parametrize("row", sorted(ANSWER_ABLATIONS))
def test_each_ablation_stand_in_takes_what_the_rule_it_replaces_takes(row: str) -> None:
    """Each function switched off is replaced by one that accepts every call the original does:
    all its positional parameters, or the required ones with the optional ones named."""
    for owner, attribute, stand_in in ANSWER_ABLATIONS[row]:
        original = inspect.getattr_static(owner, attribute)
        if not inspect.isfunction(original):  # a pattern or a number, swapped for another of its kind
            assert type(stand_in) is type(original), (row, attribute)
            continue
        parameters = list(inspect.signature(original).parameters.values())
        positional = [p for p in parameters if p.kind in _POSITIONAL]
        required = [p for p in positional if p.default is p.empty]
        named = {p.name: None for p in parameters if p.default is not p.empty}
        accepts = inspect.signature(stand_in)
        accepts.bind(*(None for _ in positional))  # TypeError: the row would fail on its first call
        accepts.bind(*(None for _ in required), **named)
