"""Coupons on the builder: apply a code, take one off. htmx gets the coupons section back with
the lines, totals and approval preview out of band (each line's coupon share and the totals
move with it), and the deal desk is told the quote changed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from quotes import selectors, services
from quotes.views.builder import changed, lines_context


class CouponForm(forms.Form):
    code = forms.CharField(max_length=40, strip=True)


def _answer(request, quote, errors: list[str], done: str):
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        if not errors:
            messages.success(request, done)
        return redirect("quotes:builder", pk=quote.pk)
    quote.refresh_from_db()
    return changed(render(request, "quotes/builder.html#coupons_changed", {
        **lines_context(request, quote), "coupon_errors": errors}))


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def coupon_apply(request, pk):
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    form = CouponForm(request.POST)
    if not form.is_valid():
        return _answer(request, quote, ["Type the coupon's code (at most 40 characters)."], "")
    try:
        quote = services.apply_coupon(quote=quote, code=form.cleaned_data["code"],
                                      by=request.user)
    except ValidationError as error:
        return _answer(request, quote, error.messages, "")
    return _answer(request, quote, [], f"Coupon {form.cleaned_data['code'].upper()} applied.")


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def coupon_remove(request, pk, coupon_pk):
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    try:
        quote = services.remove_coupon(quote=quote, coupon_id=coupon_pk, by=request.user)
    except ValidationError as error:
        return _answer(request, quote, error.messages, "")
    return _answer(request, quote, [], "Coupon taken off.")
