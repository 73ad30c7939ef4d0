"""How an imported row names an account: by id or by a name that must be unique. The CSV
imports (usage, opening balances) resolve their rows' accounts with this one rule."""

from collections.abc import Mapping


def account_reference(name: str, accounts: Mapping[str, int | None]) -> tuple[int, list[str]]:
    """The account id `name` stands for in `accounts` (None there: the name is ambiguous), and
    why it cannot be used (0 and a problem when it names none or several).

    >>> account_reference("ACME", {"ACME": 7})
    (7, [])
    >>> account_reference("Smith", {"Smith": None})
    (None, ["account 'Smith' names more than one account; use its id"])
    >>> account_reference("Nobody", {})
    (0, ["unknown account 'Nobody'"])
    """
    account_id = accounts.get(name, 0)
    if account_id is None:
        return account_id, [f"account {name!r} names more than one account; use its id"]
    if not account_id:
        return account_id, [f"unknown account {name!r}"]
    return account_id, []
