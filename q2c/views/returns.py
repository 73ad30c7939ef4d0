"""Goods a customer sent back, recorded by finance against the invoice line that billed them:
the settlement in revenue recognition and the credit note, through `q2c.flows`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from billing.models import InvoiceLine
from core.dates import business_date
from core.forms import add_service_errors
from q2c import flows


class ReturnForm(forms.Form):
    quantity = forms.DecimalField(label="Units returned", min_value=0, max_digits=19,
                                  decimal_places=4)
    on = forms.DateField(label="Received on",
                         help_text="The return is posted in this date's month, which must be "
                                   "open.")


@permission_required(["billing.issue_credit_note", "revrec.record_goods_return"],
                     raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_goods(request, pk):
    line = get_object_or_404(InvoiceLine.objects.select_related("invoice__account"), pk=pk)
    form = ReturnForm(request.POST or None, initial={"on": business_date()})
    if request.method == "POST" and form.is_valid():
        try:
            back = flows.return_goods_flow(invoice_line=line, by=request.user,
                                           quantity=form.cleaned_data["quantity"],
                                           on=form.cleaned_data["on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = back.credit_note
            messages.success(request, f"{back.quantity.normalize():f} returned: the refund "
                                      f"liability is settled and credit note {note.number} "
                                      "is issued.")
            return redirect("billing_documents:credit_note", note.pk)
    return render(request, "q2c/return_goods.html", {"line": line, "form": form},
                  status=400 if form.errors else 200)
