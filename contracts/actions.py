"""The next actions a user may take on a contract: its state, its facts and their permissions.

The page shows exactly these; each one's view checks the same permission again on the server.
"""

from dataclasses import dataclass

from contracts.models import Contract, ContractState


@dataclass(frozen=True)
class Actions:
    send: bool = False
    countersign: bool = False
    activate: bool = False
    amend: bool = False
    terminate: bool = False

    @property
    def any(self) -> bool:
        return self.send or self.countersign or self.activate or self.amend or self.terminate


def next_actions(contract: Contract, user) -> Actions:
    state = contract.state
    active = state == ContractState.ACTIVE
    return Actions(
        send=state == ContractState.DRAFT and user.has_perm("contracts.send_contract"),
        countersign=(state == ContractState.SIGNED and not contract.is_countersigned
                     and user.has_perm("contracts.countersign_contract")),
        activate=(state == ContractState.SIGNED and contract.is_countersigned
                  and user.has_perm("contracts.activate_contract")),
        amend=active and user.has_perm("contracts.amend_contract"),
        terminate=active and user.has_perm("contracts.terminate_contract"),
    )
