"""An account's billing pause: its state, its windows (with what was credited) and its history;
finance pauses or resumes it with a reason (the account page and the dunning page link here)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import add_service_errors
from core.transitions import history_for
from customers.models import BillingState
from customers.selectors import accounts_visible_to
from payments.forms import PauseBillingForm, ResumeBillingForm
from payments.services.billing_pause import pause_by_hand, resume_by_hand

PAUSE = "customers.pause_billing"


def _act(request, account, form) -> bool:
    """Pause or resume as the account's state says; False with the service's errors on the
    form."""
    data = form.cleaned_data
    try:
        if account.billing_state == BillingState.PAUSED:
            resume_by_hand(account=account, by=request.user, reason=data["reason"])
            messages.success(request, f"The billing of {account} is resumed: the next invoice "
                                      "run bills the charges held.")
        else:
            pause_by_hand(account=account, by=request.user, reason=data["reason"],
                          credit_blocked_days=data["credit_blocked_days"])
            messages.success(request, f"The billing of {account} is paused.")
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@permission_required("customers.view_account", raise_exception=True)
def account_billing(request, pk):
    if request.method == "POST" and not request.user.has_perm(PAUSE):
        raise PermissionDenied("You are not allowed to pause or resume billing.")
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    paused = account.billing_state == BillingState.PAUSED
    form_class = ResumeBillingForm if paused else PauseBillingForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid() and _act(request, account, form):
        return redirect("payments:account_billing", pk=account.pk)
    return render(request, "payments/account_billing.html", {
        "account": account, "paused": paused, "form": form,
        "can_change": request.user.has_perm(PAUSE),
        "pauses": account.billing_pauses.all(),
        "history": history_for(account).filter(
            transition__in=["pause_billing", "resume_billing"])[:50],
    }, status=400 if form.errors else 200)
