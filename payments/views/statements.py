"""Bank statement import: upload (refused whole with line-numbered reasons), then confirm the
proposed matches."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from payments import selectors, services
from payments.forms import StatementForm
from payments.models import StatementImport


@permission_required("payments.import_statement", raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement_import(request):
    form = StatementForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.import_statement(file=upload, filename=upload.name,
                                                  by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{statement.lines.count()} money-in lines read: check "
                                      "the proposed matches and confirm them.")
            return redirect("payments:statement_confirm", pk=statement.pk)
    recent = selectors.recent_statement_imports()
    return render(request, "payments/statement_import.html", {
        "form": form, "errors": errors, "recent": recent},
        status=400 if errors or form.errors else 200)


@permission_required("payments.import_statement", raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement_confirm(request, pk):
    statement = get_object_or_404(StatementImport, pk=pk)
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("line") if v.isdigit()]
        try:
            count = services.confirm_statement_lines(statement=statement, line_ids=chosen,
                                                     by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{count} payment{'s' if count != 1 else ''} recorded "
                                      "and applied.")
        return redirect("payments:statement_confirm", pk=statement.pk)
    lines = statement.lines.select_related("account", "suggested_invoice", "payment",
                                           "repeat_of__statement", "repeat_of__payment")
    return render(request, "payments/statement_confirm.html", {
        "statement": statement, "lines": lines})
