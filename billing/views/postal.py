"""Finance's list of documents to print and post (accounts that take their documents by post),
each with its PDF, and the form that marks the posted ones."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.forms import MarkPostedForm
from billing.selectors import postal_copies_to_post
from billing.services.delivery import mark_posted
from billing.views import service_error
from core.dates import business_date
from core.pagination import keyset_page

PAGE_SIZE = 50


@require_GET
@permission_required("billing.mark_posted", raise_exception=True)
def postal_copies(request):
    page = keyset_page(postal_copies_to_post(), request.GET, default_size=PAGE_SIZE)
    return render(request, "billing/documents/postal_copies.html", {
        "page_obj": page, "copies": page.object_list,
        "form": MarkPostedForm(to_post=postal_copies_to_post(),
                               initial={"posted_on": business_date()})})


@require_POST
@permission_required("billing.mark_posted", raise_exception=True)
def postal_mark_posted(request):
    form = MarkPostedForm(request.POST, to_post=postal_copies_to_post())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("billing_documents:postal_copies")
    try:
        posted = mark_posted(copies=form.cleaned_data["copies"], by=request.user,
                             on=form.cleaned_data["posted_on"])
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"{len(posted)} documents marked posted.")
    return redirect("billing_documents:postal_copies")
