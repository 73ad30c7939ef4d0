"""Where a configuration's errors belong in the builder's form: pure, over the catalog's plain
configuration snapshot (`catalog.configuration`); no ORM.

    option_limits(config, quantity) -> {sku: Limits}   (the quantity box's min and max)
    placed_errors(config, selections, quantity) -> PlacedErrors

The catalog's checker says what is wrong; this says where: at the option (its quantity, a rule
whose subject it is), at the group (how many are chosen), or at the product's quantity. Each
place's messages are the checker's own, found by checking only that place (a group alone, one
option alone, one rule against the rest), so the builder never words a rule twice. Whatever no
place claims stays with the form.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from catalog.configuration import (
    GroupSpec,
    ProductConfiguration,
    RuleKind,
    configuration_errors,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """The quantities an option may take (the form's min and max): fixed, the product's, or
    any above zero when the rep may change it."""

    least: Decimal
    most: Decimal | None = None


SMALLEST = Decimal("0.0001")  # a quote line's quantity places


def _followers(config: ProductConfiguration) -> set[str]:
    return {r.subject_sku for r in config.rules if r.kind is RuleKind.QUANTITY_FOLLOWS_PARENT}


def option_limits(config: ProductConfiguration, quantity: Decimal) -> dict[str, Limits]:
    """Each option's quantity limits: a fixed quantity, the product's when it follows it, or
    the catalog's least and most (any quantity above zero without them) when the rep may
    change it."""
    follows = _followers(config)
    limits = {}
    for group in config.groups:
        for option in group.options:
            if option.sku in follows:
                limits[option.sku] = Limits(quantity, quantity)
            elif option.quantity_editable:
                limits[option.sku] = Limits(option.min_quantity or SMALLEST,
                                            option.max_quantity)
            else:
                limits[option.sku] = Limits(option.quantity, option.quantity)
    return limits


@dataclass
class PlacedErrors:
    product: list[str] = field(default_factory=list)  # the product's own quantity
    groups: dict[str, list[str]] = field(default_factory=dict)  # group name → messages
    options: dict[str, list[str]] = field(default_factory=dict)  # SKU → messages
    form: list[str] = field(default_factory=list)  # what no place claims

    def __bool__(self) -> bool:
        return bool(self.product or self.groups or self.options or self.form)

    def messages(self) -> list[str]:
        return [*self.product, *(m for ms in self.groups.values() for m in ms),
                *(m for ms in self.options.values() for m in ms), *self.form]


def _relaxed(group: GroupSpec) -> GroupSpec:
    return replace(group, min_selections=0, max_selections=None, required=False)


def placed_errors(config: ProductConfiguration, selections: Mapping[str, Decimal],
                  quantity: Decimal) -> PlacedErrors:
    """The checker's errors for this configuration, each at its place in the form; an option
    ticked with a zero quantity (which the checker reads as not chosen) is wrong at the
    option."""
    def check(groups=(), rules=(), chosen=selections) -> list[str]:
        return configuration_errors(replace(config, groups=tuple(groups), rules=tuple(rules)),
                                    chosen, quantity)

    placed = PlacedErrors(product=check(chosen={}))
    claimed = set(placed.product)
    followers = [r for r in config.rules if r.kind is RuleKind.QUANTITY_FOLLOWS_PARENT]
    for group in config.groups:
        inside = {o.sku: q for o, q in ((o, selections.get(o.sku)) for o in group.options)
                  if q is not None}
        counted = set(check([group], followers, inside)) - set(check([_relaxed(group)],
                                                                     followers, inside))
        if counted:
            placed.groups[group.name] = sorted(counted)
        for option in (o for o in group.options if o.sku in inside):
            own = [r for r in followers if r.subject_sku == option.sku]
            found = [m for m in check([_relaxed(replace(group, options=(option,)))], own,
                                      {option.sku: inside[option.sku]}) if m not in claimed]
            if not Decimal(inside[option.sku]):  # ticked, with no quantity: not added at all
                found.append(f"The quantity of {option.name} must be greater than zero.")
            if found:
                placed.options.setdefault(option.sku, []).extend(found)
        claimed |= counted
    claimed |= {m for ms in placed.options.values() for m in ms}
    relaxed = [_relaxed(g) for g in config.groups]
    without = set(check(relaxed, followers))
    for rule in config.rules:
        if rule.kind is RuleKind.QUANTITY_FOLLOWS_PARENT:
            continue
        for message in set(check(relaxed, [*followers, rule])) - without - claimed:
            placed.options.setdefault(rule.subject_sku, []).append(message)
            claimed.add(message)
    placed.form = [m for m in configuration_errors(config, selections, quantity)
                   if m not in claimed]
    return placed
