"""The next actions a user may take on a contract, for its pages' buttons: django-fsm's available
transitions for the user (state, conditions such as "countersigned", permission), never a copied
list of states. Each action's view and service check the same again on the server.
"""

from dataclasses import dataclass

from contracts.models import Contract
from core.transitions import allowed_transitions


@dataclass(frozen=True)
class Actions:
    send: bool = False
    countersign: bool = False
    activate: bool = False
    amend: bool = False
    terminate: bool = False
    share_link: bool = False  # the customer's signature link, while they can sign

    @property
    def any(self) -> bool:
        return self.send or self.countersign or self.activate or self.amend or self.terminate


def next_actions(contract: Contract, user) -> Actions:
    allowed = allowed_transitions(contract, user)
    return Actions(
        send="send_for_signature" in allowed,
        countersign="countersign" in allowed,
        activate="activate" in allowed,
        # An amendment keeps the contract's state: it is not a transition of its own.
        amend=contract.is_amendable and user.has_perm("contracts.amend_contract"),
        terminate="terminate" in allowed,
        # "sign" is the customer's link's transition (no staff permission).
        share_link="sign" in allowed,
    )
