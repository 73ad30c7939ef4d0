"""Where the builder shows a configuration's errors: at the option, the group or the product's
quantity, in the catalog checker's own words (no database)."""

from decimal import Decimal as D

from catalog.configuration import (
    GroupSpec,
    OptionSpec,
    ProductConfiguration,
    RuleKind,
    RuleSpec,
    configuration_errors,
)
from quotes.configuring import Limits, option_limits, placed_errors

STARTER = OptionSpec("PLAT-STARTER", "Starter edition")
PRO = OptionSpec("PLAT-PRO", "Professional edition", default_selected=True)
SEATS = OptionSpec("SEAT-USER", "User seat", quantity=D(10), quantity_editable=True)
SSO = OptionSpec("SEAT-SSO", "Single sign-on", quantity=D(10), quantity_editable=True,
                 min_quantity=D(5), max_quantity=D(500))
ADMIN = OptionSpec("ADMIN-PACK", "Admin pack", quantity=D(2))
SUPPORT = OptionSpec("SUPPORT", "Support per seat")
PLATFORM = ProductConfiguration(
    sku="PLATFORM", name="Platform",
    groups=(GroupSpec("Edition", (STARTER, PRO), min_selections=1, max_selections=1,
                      required=True),
            GroupSpec("Seats and add-ons", (SEATS, SSO, ADMIN, SUPPORT), max_selections=3)),
    rules=(RuleSpec(RuleKind.EXCLUDES, "SEAT-SSO", "Single sign-on", "PLAT-STARTER",
                    "Starter edition", "Single sign-on needs the Professional edition."),
           RuleSpec(RuleKind.REQUIRES, "SEAT-SSO", "Single sign-on", "SEAT-USER", "User seat"),
           RuleSpec(RuleKind.QUANTITY_FOLLOWS_PARENT, "SUPPORT", "Support per seat")))


def test_a_valid_configuration_places_no_error():
    placed = placed_errors(PLATFORM, {"PLAT-PRO": D(1), "SEAT-USER": D(25)}, D(3))

    assert not placed and placed.messages() == []


def test_a_rule_is_shown_at_the_option_it_is_about_with_its_message():
    selections = {"PLAT-STARTER": D(1), "SEAT-SSO": D(10)}

    placed = placed_errors(PLATFORM, selections, D(1))

    assert placed.options == {"SEAT-SSO": ["Single sign-on needs the Professional edition.",
                                           "Single sign-on requires User seat."]}
    assert placed.groups == {} and placed.form == [] and placed.product == []


def test_how_many_are_chosen_is_shown_at_the_group():
    placed = placed_errors(PLATFORM, {"SEAT-USER": D(5)}, D(1))

    assert placed.groups == {"Edition": ["Choose at least 1 in \"Edition\"."]}
    assert placed.options == {}


def test_quantities_are_shown_at_their_option_and_at_the_product():
    selections = {"PLAT-PRO": D(1), "ADMIN-PACK": D(3), "SUPPORT": D(4), "SEAT-USER": D(0)}

    placed = placed_errors(PLATFORM, selections, D(5))

    assert placed.options == {
        "ADMIN-PACK": ["The quantity of Admin pack is fixed at 2."],
        "SUPPORT": ["The quantity of Support per seat must equal the quantity of the product "
                    "(5)."],
        "SEAT-USER": ["The quantity of User seat must be greater than zero."]}
    assert placed_errors(PLATFORM, {"PLAT-PRO": D(1)}, D(0)).product == [
        "The quantity of Platform must be greater than zero."]


def test_every_error_the_checker_finds_has_a_place():
    selections = {"PLAT-STARTER": D(1), "PLAT-PRO": D(1), "SEAT-SSO": D(-1), "SEAT-USER": D(1),
                  "ADMIN-PACK": D(1), "SUPPORT": D(1), "NOT-AN-OPTION": D(1)}

    placed = placed_errors(PLATFORM, selections, D(2))

    assert sorted(placed.messages()) == sorted(configuration_errors(PLATFORM, selections, D(2)))
    assert placed.form == ["NOT-AN-OPTION is not an option of Platform."]


def test_the_quantity_box_allows_what_the_option_allows():
    limits = option_limits(PLATFORM, D(7))

    assert limits["SEAT-USER"] == Limits(D("0.0001"))
    assert limits["SEAT-SSO"] == Limits(D(5), D(500))
    assert limits["ADMIN-PACK"] == Limits(D(2), D(2))
    assert limits["SUPPORT"] == Limits(D(7), D(7))


def test_an_editable_quantity_outside_the_catalogs_range_is_wrong_at_its_option():
    """The catalog admin sets the least and the most a rep may choose (Salesforce CPQ's
    Product Option "Min Quantity" / "Max Quantity")."""
    base = {"PLAT-PRO": D(1), "SEAT-USER": D(10)}

    too_few = placed_errors(PLATFORM, {**base, "SEAT-SSO": D(4)}, D(1))
    too_many = placed_errors(PLATFORM, {**base, "SEAT-SSO": D(501)}, D(1))

    assert too_few.options == {"SEAT-SSO": ["The quantity of Single sign-on must be at least "
                                            "5."]}
    assert too_many.options == {"SEAT-SSO": ["The quantity of Single sign-on must be at most "
                                             "500."]}
    assert not placed_errors(PLATFORM, {**base, "SEAT-SSO": D(500)}, D(1))
