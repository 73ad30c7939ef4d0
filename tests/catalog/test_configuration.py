"""Configuration checks: every broken rule comes back as a message, never an exception. No DB."""

from decimal import Decimal as D

from catalog.configuration import (
    GroupSpec,
    OptionSpec,
    ProductConfiguration,
    RuleKind,
    RuleSpec,
    configuration_errors,
    default_selections,
)

EDITIONS = GroupSpec("Edition", required=True, max_selections=1, options=(
    OptionSpec("ED-STD", "Standard", default_selected=True, included=True),
    OptionSpec("ED-ENT", "Enterprise", included=True),
))
ADDONS = GroupSpec("Add-ons", max_selections=2, options=(
    OptionSpec("SSO", "Single sign-on"),
    OptionSpec("SEATS", "Extra seats", quantity_editable=True),
    OptionSpec("SANDBOX", "Sandbox"),
    OptionSpec("LEGACY", "Legacy connector", active=False),
))
PLATFORM = ProductConfiguration("PLAT", "Platform", groups=(EDITIONS, ADDONS), rules=(
    RuleSpec(RuleKind.REQUIRES, "SSO", "Single sign-on", "ED-ENT", "Enterprise"),
    RuleSpec(RuleKind.EXCLUDES, "SANDBOX", "Sandbox", "ED-STD", "Standard",
             message="Sandboxes come with Enterprise only."),
    RuleSpec(RuleKind.QUANTITY_FOLLOWS_PARENT, "SEATS", "Extra seats"),
))


def test_the_defaults_are_a_valid_configuration():
    selections = default_selections(PLATFORM)
    assert selections == {"ED-STD": D(1)}
    assert configuration_errors(PLATFORM, selections) == []


def test_every_broken_rule_is_reported_at_once():
    errors = configuration_errors(PLATFORM, {
        "ED-STD": D(1), "ED-ENT": D(1), "SSO": D(2), "SANDBOX": D(1), "SEATS": D(3),
        "NOPE": D(1),
    }, quantity=D(5))
    assert errors == [
        "NOPE is not an option of Platform.",
        'Choose at most 1 in "Edition".',
        'Choose at most 2 in "Add-ons".',
        "The quantity of Single sign-on is fixed at 1.",
        "Sandboxes come with Enterprise only.",
        "The quantity of Extra seats must equal the quantity of the product (5).",
    ]


def test_required_groups_requirements_and_retired_options():
    assert configuration_errors(PLATFORM, {"SSO": D(1), "LEGACY": D(1)}) == [
        'Choose at least 1 in "Edition".',
        "Legacy connector is no longer sold.",
        "Single sign-on requires Enterprise.",
    ]


def test_a_quantity_that_follows_the_parent_is_valid_when_it_does():
    assert configuration_errors(PLATFORM, {"ED-ENT": D(1), "SEATS": D(5)}, quantity=D(5)) == []
    assert default_selections(PLATFORM, D(5)) == {"ED-STD": D(1)}


def test_a_zero_quantity_product_is_refused():
    assert configuration_errors(PLATFORM, {"ED-STD": D(1)}, quantity=D(0)) == [
        "The quantity of Platform must be greater than zero."]
