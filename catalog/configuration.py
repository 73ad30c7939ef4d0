"""Checking a configured product: pure, over a plain snapshot of its option groups and rules.

    configuration_errors(config, selections, quantity=1) -> list[str]
    default_selections(config, quantity=1) -> dict[str, Decimal]

`selections` maps each selected option's SKU to its quantity. A person's mistake is a readable
message in the returned list, never an exception; an empty list means the configuration is valid.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class RuleKind(StrEnum):
    REQUIRES = "requires"
    EXCLUDES = "excludes"
    QUANTITY_FOLLOWS_PARENT = "quantity_follows_parent"


@dataclass(frozen=True, slots=True)
class OptionSpec:
    sku: str
    name: str
    quantity: Decimal = Decimal(1)
    quantity_editable: bool = False
    min_quantity: Decimal | None = None  # when editable: the least a rep may choose
    max_quantity: Decimal | None = None  # when editable: the most
    default_selected: bool = False
    included: bool = False
    active: bool = True


@dataclass(frozen=True, slots=True)
class GroupSpec:
    name: str
    options: tuple[OptionSpec, ...]
    min_selections: int = 0
    max_selections: int | None = None
    required: bool = False

    @property
    def least(self) -> int:
        return max(self.min_selections, 1 if self.required else 0)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    kind: RuleKind
    subject_sku: str
    subject_name: str
    target_sku: str = ""
    target_name: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ProductConfiguration:
    sku: str
    name: str
    groups: tuple[GroupSpec, ...] = ()
    rules: tuple[RuleSpec, ...] = ()

    def option(self, sku: str) -> OptionSpec | None:
        return next((o for g in self.groups for o in g.options if o.sku == sku), None)


def default_selections(config: ProductConfiguration, quantity: Decimal = Decimal(1)):
    """The options selected by default, at their default (or the parent's) quantity."""
    follows = {r.subject_sku for r in config.rules if r.kind is RuleKind.QUANTITY_FOLLOWS_PARENT}
    return {o.sku: (quantity if o.sku in follows else o.quantity)
            for g in config.groups for o in g.options if o.default_selected}


def configuration_errors(config: ProductConfiguration, selections: Mapping[str, Decimal],
                         quantity: Decimal = Decimal(1)) -> list[str]:
    """Every broken rule of this configuration, as messages a sales rep can act on."""
    errors = []
    if quantity <= 0:
        errors.append(f"The quantity of {config.name} must be greater than zero.")
    chosen = {sku for sku, q in selections.items() if q}
    for sku in sorted(chosen - {o.sku for g in config.groups for o in g.options}):
        errors.append(f"{sku} is not an option of {config.name}.")
    follows = {r.subject_sku for r in config.rules if r.kind is RuleKind.QUANTITY_FOLLOWS_PARENT}
    for group in config.groups:
        errors.extend(_group_errors(group, selections, chosen, follows))
    for rule in config.rules:
        error = _rule_error(rule, selections, chosen, quantity)
        if error:
            errors.append(rule.message or error)
    return errors


def _group_errors(group: GroupSpec, selections, chosen, follows) -> list[str]:
    errors = []
    picked = [o for o in group.options if o.sku in chosen]
    if len(picked) < group.least:
        errors.append(f'Choose at least {group.least} in "{group.name}".')
    if group.max_selections is not None and len(picked) > group.max_selections:
        errors.append(f'Choose at most {group.max_selections} in "{group.name}".')
    for option in picked:
        wanted = Decimal(selections[option.sku])
        if not option.active:
            errors.append(f"{option.name} is no longer sold.")
        if wanted < 0:
            errors.append(f"The quantity of {option.name} cannot be negative.")
        elif option.sku in follows:
            continue
        elif not option.quantity_editable and wanted != option.quantity:
            errors.append(f"The quantity of {option.name} is fixed at {option.quantity}.")
        elif option.quantity_editable:
            errors.extend(_quantity_range_errors(option, wanted))
    return errors


def _quantity_range_errors(option: OptionSpec, wanted: Decimal) -> list[str]:
    if option.min_quantity is not None and wanted < option.min_quantity:
        return [f"The quantity of {option.name} must be at least {option.min_quantity}."]
    if option.max_quantity is not None and wanted > option.max_quantity:
        return [f"The quantity of {option.name} must be at most {option.max_quantity}."]
    return []


def _rule_error(rule: RuleSpec, selections, chosen, quantity) -> str:
    if rule.subject_sku not in chosen:
        return ""
    if rule.kind is RuleKind.REQUIRES and rule.target_sku not in chosen:
        return f"{rule.subject_name} requires {rule.target_name}."
    if rule.kind is RuleKind.EXCLUDES and rule.target_sku in chosen:
        return f"{rule.subject_name} cannot be combined with {rule.target_name}."
    if (rule.kind is RuleKind.QUANTITY_FOLLOWS_PARENT
            and Decimal(selections[rule.subject_sku]) != quantity):
        return (f"The quantity of {rule.subject_name} must equal the quantity of the product "
                f"({quantity}).")
    return ""
