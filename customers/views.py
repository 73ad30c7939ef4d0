"""Account list, create and edit, contacts, CSV import and export.

Every page reads through `accounts_visible_to`; every write is one service call. The account page
itself is q2c's (`accounts:detail`), since it gathers every stage.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.csv_files import streaming_csv
from core.forms import add_service_errors
from customers import services
from customers.exports import account_rows
from customers.filters import AccountFilter
from customers.forms import AccountForm, ContactForm, ImportForm
from customers.models import Contact
from customers.selectors import account_for_detail, accounts_visible_to
from customers.services.importing import ACCOUNT_COLUMNS, CONTACT_COLUMNS, MAX_IMPORT_BYTES

PAGE_SIZE = 25


def _filtered(request):
    accounts = accounts_visible_to(request.user)
    return AccountFilter(request.GET or None, queryset=accounts, user=request.user)


@permission_required("customers.view_account", raise_exception=True)
def account_list(request):
    account_filter = _filtered(request)
    page = Paginator(account_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "customers/account_list.html", {
        "filter": account_filter, "page_obj": page, "accounts": page.object_list,
    })


@permission_required("customers.add_account", raise_exception=True)
def account_create(request):
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_account(by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Account “{account.name}” created.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "customers/account_form.html", {"form": form, "account": None})


@permission_required("customers.change_account", raise_exception=True)
def account_edit(request, pk):
    account = account_for_detail(pk=pk, user=request.user)
    # The form edits a copy, so the page head keeps the stored name if the form is refused.
    form = AccountForm(request.POST or None, instance=copy.copy(account), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.update_account(account=account, by=request.user,
                                              **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Account “{account.name}” saved.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "customers/account_form.html", {"form": form, "account": account})


@require_POST
def account_vat_check(request, pk):
    """Check the account's VAT ID in VIES; the answer and its date stay on the account."""
    account = account_for_detail(pk=pk, user=request.user)
    try:
        account = services.check_vat_id(account=account, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        verdict = "valid" if account.vat_check_valid else "not valid"
        messages.success(request, f"VIES says {account.vat_id} is {verdict}.")
    return redirect("customers:edit", pk=account.pk)


@permission_required("customers.add_contact", raise_exception=True)
def contact_add(request, account_pk):
    account = account_for_detail(pk=account_pk, user=request.user)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.add_contact(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Contact {contact.name} added.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "customers/contact_form.html",
                  {"form": form, "account": account, "contact": None})


def _visible_contact(request, pk) -> Contact:
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    if not accounts_visible_to(request.user).filter(pk=contact.account_id).exists():
        raise Http404("No such contact.")
    return contact


@permission_required("customers.change_contact", raise_exception=True)
def contact_edit(request, pk):
    contact = _visible_contact(request, pk)
    form = ContactForm(request.POST or None, instance=copy.copy(contact))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.update_contact(contact=contact, by=request.user,
                                              **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Contact {contact.name} saved.")
            return redirect("accounts:detail", pk=contact.account_id)
    return render(request, "customers/contact_form.html",
                  {"form": form, "account": contact.account, "contact": contact})


@require_POST
@permission_required("customers.delete_contact", raise_exception=True)
def contact_remove(request, pk):
    contact = _visible_contact(request, pk)
    try:
        services.remove_contact(contact=contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Contact {contact.name} removed.")
    return redirect("accounts:detail", pk=contact.account_id)


@permission_required("customers.import_accounts", raise_exception=True)
def account_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_accounts_csv(
                file=form.cleaned_data["accounts_file"], by=request.user,
                contacts_file=form.cleaned_data.get("contacts_file"))
        except services.ImportRefused as refused:
            row_errors = refused.rows
            messages.error(request, f"Nothing was imported: {len(row_errors)} row(s) need fixing.")
        else:
            messages.success(request, f"Imported {result.accounts} account(s) and "
                                      f"{result.contacts} contact(s).")
            return redirect("customers:list")
    return render(request, "customers/import.html", {
        "form": form, "row_errors": row_errors,
        "account_columns": ACCOUNT_COLUMNS, "contact_columns": CONTACT_COLUMNS,
        "max_megabytes": MAX_IMPORT_BYTES // (1024 * 1024),
    })


@permission_required("customers.view_account", raise_exception=True)
def account_export(request):
    """The visible, filtered list as CSV, in the import's column layout (plus the overdue flag)."""
    return streaming_csv(account_rows(_filtered(request).qs), "accounts.csv")
