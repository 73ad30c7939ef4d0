"""The actions a user may take on a quote now, for its pages' buttons: django-fsm's available
transitions for the user (state, conditions, permission), never a copied list of states. Each
action's view and service check the same again on the server."""

from dataclasses import dataclass

from core.transitions import allowed_transitions
from quotes import selectors
from quotes.models import Quote


@dataclass(frozen=True)
class QuoteActions:
    edit: bool = False
    submit: bool = False
    decide: bool = False
    send: bool = False
    send_again: bool = False
    revise: bool = False


def quote_actions(quote: Quote, user) -> QuoteActions:
    allowed = allowed_transitions(quote, user)
    return QuoteActions(
        # Changing lines is not a transition: a draft (the model's is_editable) is changed.
        edit=quote.is_editable and user.has_perm("quotes.change_quote"),
        submit="submit" in allowed,
        # An approver decides only the requests routed to them (their queue).
        decide=("approve" in allowed
                and selectors.approvals_queue(user).filter(quote=quote).exists()),
        send="send" in allowed,
        # Its email goes again while the customer's link can still answer it ("accept" is
        # the link's transition, with no staff permission).
        send_again="accept" in allowed and user.has_perm("quotes.send_quote"),
        revise="supersede" in allowed)
