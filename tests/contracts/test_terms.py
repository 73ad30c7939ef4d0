"""Filling a contract template's placeholders (pure)."""

from contracts.terms import fill_terms, unknown_placeholders


def test_known_placeholders_are_filled_with_or_without_spaces():
    body = "{{account}} from {{ start_on }} for {{  term_months }} months."

    assert fill_terms(body, {"account": "Acme", "start_on": "1 December 2026",
                             "term_months": 12}) == "Acme from 1 December 2026 for 12 months."


def test_unknown_placeholders_are_reported_and_left_as_typed():
    body = "{{ account }} pays {{ amount_due }} and {{ acount }}."

    assert unknown_placeholders(body) == ["acount", "amount_due"]
    assert fill_terms(body, {"account": "Acme"}) == "Acme pays {{ amount_due }} and {{ acount }}."
