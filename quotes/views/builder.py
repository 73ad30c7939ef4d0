"""The builder of a draft: its page, the catalog panel, adding (ticked, pasted, configured),
changing, moving and removing lines. htmx requests get template partials: a changed line's row
with the totals and approval preview out of band; after adding, the lines at the last page."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import configuration as catalog_configuration
from catalog.selectors import configuration_of, products_visible_to
from core.formatting import plain_quantity
from core.redirects import safe_next
from quotes import approval_rules, configuring, selectors, services
from quotes.actions import quote_actions
from quotes.forms import (
    ALIGNMENTS,
    AddLineForm,
    AddManyForm,
    LineForm,
)
from quotes.models import QuoteLine
from quotes.paste import parse_pasted
from quotes.services.approvals import rule_facts
from quotes.sku_files import MAX_BYTES, FileProblem, as_pasted_text, read_sku_file

LINES_PER_PAGE = 100


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def lines_page(request, quote, *, page=None):
    """A page of the lines; "last" is where lines just added are (new lines go at the end)."""
    paginator = Paginator(selectors.lines_of(quote), LINES_PER_PAGE)
    page = page or request.GET.get("page")
    return paginator.get_page(paginator.num_pages if page == "last" else page)


def _approval_preview(quote) -> dict:
    """The rules Submit would apply to the quote as it stands, for the header, and the
    line-discount rules by line position, for the rows' badges."""
    facts = selectors.quote_facts_for([quote])[quote.pk]
    rules = rule_facts()
    return {"hits": approval_rules.approval_hits(facts, rules),
            "by_line": approval_rules.line_rules(facts, rules)}


def _with_badges(lines, approval: dict) -> list:
    lines = list(lines)
    for line in lines:
        line.approval_rules = [] if line.included else approval["by_line"].get(line.position, [])
    return lines


def lines_context(request, quote, *, page=None) -> dict:
    """What the builder's lines, totals and approval preview need: the lines table's page with
    its approval badges and section headings."""
    page_obj = lines_page(request, quote, page=page)
    approval = _approval_preview(quote)
    subtotals = selectors.section_subtotals(quote)
    page_obj.object_list = selectors.with_section_starts(
        _with_badges(page_obj.object_list, approval), subtotals)
    return {"quote": quote, "page_obj": page_obj, "approval": approval, "editable": True,
            "alignments": ALIGNMENTS, "section_names": sorted(filter(None, subtotals)),
            "coupons": list(selectors.coupons_of(quote))}


def render_builder(request, quote, *, configure=None, status=200, actions=None):
    return render(request, "quotes/builder.html", {
        **lines_context(request, quote), "configure": configure,
        "actions": actions or quote_actions(quote, request.user),
        "families": selectors.catalog_families(request.user),
        "templates": selectors.quote_templates_for(request.user)}, status=status)


def _after_add(request, quote, message: str):
    """htmx: the status line where the user added, and the lines (at the last page, where new
    lines are), totals and approval preview swapped out of band; no page load. Without htmx:
    the message, and the builder at its last page."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(reverse("quotes:builder", args=[quote.pk]) + "?page=last")
    quote.refresh_from_db()
    return changed(render(request, "quotes/builder.html#after_add", {
        **lines_context(request, quote, page="last"), "added_message": message}))


def changed(response, *, arranged: bool = False):
    """Tell the page the quote's lines changed (the deal desk reloads on it) and, when their
    sections changed, that the lines table is to be read again (its headings and subtotals)."""
    response["HX-Trigger"] = "quote-changed, lines-changed" if arranged else "quote-changed"
    return response


@permission_required("quotes.change_quote", raise_exception=True)
def lines_table(request, pk):
    """htmx: the lines table at a page (read again after sections change)."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    return render(request, "quotes/builder.html#lines", lines_context(request, quote))


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def line_move(request, pk, line_pk):
    """Move a line (with its options) one place up or down; htmx gets the table back."""
    line = _line_for(request, pk, line_pk)
    try:
        quote = services.move_line(line=line, by=request.user,
                                   up=request.POST.get("direction") == "up")
    except ValidationError as error:
        messages.error(request, messages_of(error))
        quote = line.quote
    page = request.POST.get("page", "")[:6]
    if not request.htmx:
        return redirect(reverse("quotes:builder", args=[pk]) + f"?page={page or 1}")
    return render(request, "quotes/builder.html#lines", lines_context(request, quote,
                                                                        page=page or None))


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_reorder(request, pk):
    """A drop after a drag: the page's products in their new order (their options follow);
    htmx gets the table back, with the reason when the order is refused."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    errors = []
    try:
        order = [int(value) for value in request.POST.getlist("order")]
    except ValueError:
        errors = ["The new order names lines by number."]
    else:
        try:
            quote = services.reorder_lines(quote=quote, by=request.user, order=order)
        except ValidationError as error:
            errors = error.messages
    page = request.POST.get("page", "")[:6]
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect(reverse("quotes:builder", args=[pk]) + f"?page={page or 1}")
    return render(request, "quotes/builder.html#lines", {
        **lines_context(request, quote, page=page or None), "order_errors": errors})


@permission_required("quotes.change_quote", raise_exception=True)
def quote_builder(request, pk):
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    if not quote.is_editable:
        messages.info(request, f"Quote {quote} is {quote.get_state_display().lower()}: "
                               f"only drafts can be changed.")
        return redirect("quotes:detail", pk=quote.pk)
    return render_builder(request, quote)


@permission_required("quotes.change_quote", raise_exception=True)
def product_search(request, pk):
    """htmx: the catalog panel's rows matching the text and family, with their prices in the
    quote's book and currency, each to tick (with a quantity) or configure."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    text = request.GET.get("q", "")[:100]
    family = request.GET.get("family", "")[:100]
    return render(request, "quotes/builder.html#product_results", {
        "quote": quote, "text": text.strip(), "rows": selectors.catalog_rows(
            quote=quote, user=request.user, text=text, family=family,
            priced_only=request.GET.get("priced") == "1")})


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_add_many(request, pk):
    """Add the ticked products (or the one whose Add was pressed) with their quantities."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    form = AddManyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _add_refused(request, quote, form.plain_errors())
    try:
        added = services.add_lines(quote=quote, items=form.items(), by=request.user)
    except ValidationError as error:
        return _add_refused(request, quote, error.messages)
    message = (f"{added[0].product.name} added." if len(added) == 1
               else f"{len(added)} products added.")
    return _after_add(request, quote, message)


def _add_refused(request, quote, errors):
    if not request.htmx:
        messages.error(request, " ".join(errors))
        return redirect("quotes:builder", pk=quote.pk)
    return render(request, "quotes/builder.html#add_errors", {"errors": errors}, status=422)


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_paste(request, pk):
    """A pasted SKU and quantity list: without `confirm`, the preview (every row with its
    product, price and error); with it and no error, the lines are added in one go."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    text = request.POST.get("text", "")
    rows = selectors.pasted_preview(quote=quote, user=request.user, rows=parse_pasted(text))
    errors = [row for row in rows if row.error]
    if request.POST.get("confirm") and rows and not errors:
        items = [services.LineItem(product=row.product, quantity=row.quantity,
                                   section=row.section) for row in rows]
        try:
            services.add_lines(quote=quote, items=items, by=request.user)
        except ValidationError as error:
            return render(request, "quotes/builder.html#paste_preview", {
                "quote": quote, "rows": rows, "text": text, "errors": error.messages})
        message = f"{len(items)} pasted lines added."
        return _after_add(request, quote, message)
    return render(request, "quotes/builder.html#paste_preview", {
        "quote": quote, "rows": rows, "text": text, "bad_rows": len(errors),
        "errors": [] if rows else ["Paste one SKU a line, with its quantity after it."]})


@permission_required("quotes.change_quote", raise_exception=True)
def guided(request, pk):
    """htmx: a family's questionnaire with the answers chosen so far (`q-<question>` = answer)
    and the lines those answers propose, ticked, to review and add with the catalog's
    add-many (nothing is added here)."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    family = request.GET.get("family", "")[:100]
    questions = selectors.guided_questions(family=family) if family else []
    known = {answer.pk: answer for question in questions for answer in question.answers.all()}
    chosen = {}
    for question in questions:
        picked = request.GET.get(f"q-{question.pk}", "")
        answer = known.get(int(picked)) if picked.isdigit() and len(picked) < 19 else None
        if answer is not None and answer.question_id == question.pk:
            chosen[question.pk] = answer
        question.chosen_answer = chosen.get(question.pk)
    rows = (selectors.guided_proposals(quote=quote, user=request.user,
                                       answers=list(chosen.values())) if chosen else [])
    return render(request, "quotes/builder.html#guided", {
        "quote": quote, "family": family, "questions": questions, "proposals": rows,
        "families": selectors.catalog_families(request.user)})


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_upload(request, pk):
    """An uploaded CSV or XLSX list: the same preview as a pasted one (every row with its
    product, price and error); its confirmation posts the rows as pasted text, so nothing is
    added here and nothing at all unless every row is good."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise FileProblem("Choose a .csv or .xlsx file to upload.")
        if upload.size > MAX_BYTES:  # refused before a byte is parsed
            raise FileProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        rows = read_sku_file(upload.read(MAX_BYTES + 1), upload.name)
    except FileProblem as problem:
        return render(request, "quotes/builder.html#paste_preview", {
            "quote": quote, "rows": [], "errors": [str(problem)]})
    rows = selectors.pasted_preview(quote=quote, user=request.user, rows=rows)
    bad_rows = sum(1 for row in rows if row.error)
    return render(request, "quotes/builder.html#paste_preview", {
        "quote": quote, "rows": rows, "text": "" if bad_rows else as_pasted_text(rows),
        "from_file": upload.name, "bad_rows": bad_rows})


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_copy(request, pk):
    """Add the lines of another quote the user may see (by its number), as a template."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    number = request.POST.get("number", "")[:20]
    source = selectors.quote_numbered(number=number, user=request.user) if number else None
    if source is None:
        return _add_refused(request, quote, [f"No quote numbered “{number}” that you can see."
                                             if number else "Enter a quote number."])
    try:
        added = services.add_lines_from(quote=quote, source=source, by=request.user)
    except ValidationError as error:
        return _add_refused(request, quote, error.messages)
    message = f"{len(added)} lines copied from {source}."
    return _after_add(request, quote, message)


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def lines_template(request, pk):
    """Add the lines of a named template."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    picked = request.POST.get("template", "")
    template = (selectors.quote_templates_for(request.user).filter(pk=int(picked)).first()
                if picked.isdigit() and len(picked) < 19 else None)
    if template is None:
        return _add_refused(request, quote, ["Choose a template from the list."])
    try:
        added = services.add_lines_from_template(quote=quote, template=template,
                                                 by=request.user)
    except ValidationError as error:
        return _add_refused(request, quote, error.messages)
    message = f"Template {template}: {len(added)} line{'' if len(added) == 1 else 's'} added."
    return _after_add(request, quote, message)


@require_POST
@permission_required("quotes.add_quote", raise_exception=True)
def template_save(request, pk):
    """Save the quote's lines as a named template; the name's error is shown at the name."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    name = request.POST.get("name", "")[:200]
    try:
        template = services.save_as_template(quote=quote, name=name, by=request.user)
    except ValidationError as error:
        errors = error.message_dict
        if not request.htmx:
            messages.error(request, " ".join(m for ms in errors.values() for m in ms))
            return redirect("quotes:builder", pk=pk)
        return render(request, "quotes/builder.html#template_form", {
            "quote": quote, "template_name": name, "template_errors": errors}, status=422)
    message = f"Template “{template}” saved with {template.lines.count()} lines."
    if not request.htmx:
        messages.success(request, message)
        return redirect("quotes:builder", pk=pk)
    return render(request, "quotes/builder.html#template_form", {
        "quote": quote, "template_saved": message})


def _followers(config) -> set[str]:
    """Options whose quantity is the product's (a quantity-follows-parent rule)."""
    return {rule.subject_sku for rule in config.rules
            if rule.kind is catalog_configuration.RuleKind.QUANTITY_FOLLOWS_PARENT}


def _configure_context(quote, product, data=None, errors=(), placed=None):
    """Each option group as the control its limits imply: one choice (radio buttons, with
    "None" when the group may be left empty) or several (checkboxes), a quantity box only where
    the quantity may change (with its min and max), and each option's price in the quote's
    book; errors at the option, the group or the quantity they are about (`placed`)."""
    config = configuration_of(product)
    defaults = catalog_configuration.default_selections(config)
    chosen = set(defaults) if data is None else set(AddLineForm.chosen_skus(data))
    prices = selectors.entries_by_sku(quote=quote, skus=[
        o.sku for g in config.groups for o in g.options])
    follows = _followers(config)
    placed = placed or configuring.PlacedErrors()
    quantity = (data or {}).get("quantity", "1")
    try:
        limits = configuring.option_limits(config, Decimal(quantity))
    except ArithmeticError:
        limits = configuring.option_limits(config, Decimal(1))
    groups = []
    for number, group in enumerate(config.groups, start=1):
        options = [{"spec": option, "chosen": option.sku in chosen, "price": prices.get(option.sku),
                    "follows": option.sku in follows, "limits": limits[option.sku],
                    "errors": placed.options.get(option.sku, []),
                    "quantity": (data.get(f"qty-{option.sku}", "") if data is not None
                                 else plain_quantity(defaults.get(option.sku, option.quantity)))}
                   for option in group.options]
        groups.append({"spec": group, "options": options, "name": f"one-{number}",
                       "single": group.max_selections == 1,
                       "errors": placed.groups.get(group.name, []),
                       "any_chosen": any(o["chosen"] for o in options)})
    return {"product": product, "groups": groups, "errors": [*errors, *placed.form],
            "quantity_errors": placed.product, "quantity": quantity}


@permission_required("quotes.change_quote", raise_exception=True)
def configure(request, pk):
    """htmx: the options of a configurable product, to choose before adding it."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    product_id = request.GET.get("product", "")
    if not product_id.isdigit() or len(product_id) > 18:
        return HttpResponseBadRequest("Choose a product from the search.")
    product = get_object_or_404(products_visible_to(request.user), pk=int(product_id))
    return render(request, "quotes/builder.html#configure",
                  {"quote": quote, "configure": _configure_context(quote, product)})


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def configure_check(request, pk):
    """htmx: the configure form again as the rep changes it, each rule's reason at its option
    and group; nothing is added."""
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    form = AddLineForm(request.POST, user=request.user)
    valid = form.is_valid()
    product = form.cleaned_data.get("product")
    if product is None:
        return HttpResponseBadRequest("Choose a product from the search.")
    placed = None
    if valid:
        config = configuration_of(product)
        options = form.options(follows=_followers(config))
        if options is not None and not form.errors:
            placed = configuring.placed_errors(config, options, form.cleaned_data["quantity"])
    context = _configure_context(quote, product, request.POST, form.plain_errors(), placed)
    context["checked"] = not form.errors and not placed
    return render(request, "quotes/builder.html#configure", {"quote": quote,
                                                             "configure": context})


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def line_add(request, pk):
    quote = selectors.quote_for_detail(pk=pk, user=request.user)
    form = AddLineForm(request.POST, user=request.user)
    errors, placed = _add_errors(quote, form, request.user)
    if not errors and not placed:
        message = f"{form.cleaned_data['product'].name} added."
        return _after_add(request, quote, message)
    product = form.cleaned_data.get("product") if hasattr(form, "cleaned_data") else None
    if product is None:
        messages.error(request, " ".join(errors))
        return redirect("quotes:builder", pk=quote.pk)
    configure_ctx = _configure_context(quote, product, request.POST, errors, placed)
    if request.htmx:
        return render(request, "quotes/builder.html#configure",
                      {"quote": quote, "configure": configure_ctx})
    return render_builder(request, quote, configure=configure_ctx, status=400)


def _add_errors(quote, form, user) -> tuple[list[str], configuring.PlacedErrors | None]:
    """Add the form's product (with its options) unless something is wrong: the form's own
    errors, then the configuration's at their places, then the service's."""
    if not form.is_valid():
        return form.plain_errors(), None
    product = form.cleaned_data["product"]
    config = configuration_of(product)
    options = form.options(follows=_followers(config))
    if form.errors:
        return form.plain_errors(), None
    if options is not None:
        placed = configuring.placed_errors(config, options, form.cleaned_data["quantity"])
        if placed:
            return [], placed
    try:
        services.add_line(quote=quote, product=product, by=user, options=options,
                          billing_period=form.cleaned_data["billing_period"] or None,
                          **form.service_fields())
    except ValidationError as error:
        return error.messages, None
    return [], None


def _line_for(request, pk, line_pk) -> QuoteLine:
    """The line of a quote the user may see (404 otherwise), with its quote, in one query."""
    return get_object_or_404(
        QuoteLine.objects.select_related("product", "quote"),
        pk=line_pk, quote__in=selectors.quotes_visible_to(request.user).filter(pk=pk))


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def line_update(request, pk, line_pk):
    """Change a line's quantity or discount; htmx gets the line's row and the new totals (the
    service returns the line with its locked, repriced quote: nothing is read again)."""
    line = _line_for(request, pk, line_pk)
    section_before = line.section
    form = LineForm(request.POST)
    errors: dict[str, str] = {}
    if form.is_valid():
        try:
            line = services.update_line(line=line, by=request.user, **form.service_fields())
        except ValidationError as exc:
            errors = _errors_by_field(exc)
    else:
        errors = {name if name in LineForm.base_fields else "line": " ".join(e)
                  for name, e in form.errors.items()}
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors.values()))
        else:
            messages.success(request, f"Line {line.position} saved.")
        return redirect("quotes:builder", pk=pk)
    if errors:  # nothing changed: the row keeps what was typed, each error at its field
        return render(request, "quotes/builder.html#line_row", {
            "quote": line.quote, "line": line, "editable": True, "alignments": ALIGNMENTS,
            "quote_url": reverse("quotes:detail", args=[pk]),
            "typed": {name: request.POST.get(name, "")[:2000] for name in LineForm.base_fields},
            "line_errors": errors})
    approval = _approval_preview(line.quote)
    _with_badges([line], approval)
    return changed(render(request, "quotes/builder.html#line_changed",
                           {"quote": line.quote, "line": line, "editable": True,
                            "approval": approval, "alignments": ALIGNMENTS}),
                    arranged=line.section != section_before)


def _errors_by_field(error: ValidationError) -> dict[str, str]:
    """Errors by the row's field; those of no field (or of one the row lacks) under "line"."""
    if not hasattr(error, "error_dict"):
        return {"line": " ".join(error.messages)}
    errors: dict[str, str] = {}
    for name, messages_ in error.message_dict.items():
        key = name if name in LineForm.base_fields else "line"
        errors[key] = " ".join(filter(None, [errors.get(key), *messages_]))
    return errors


@require_POST
@permission_required("quotes.change_quote", raise_exception=True)
def line_remove(request, pk, line_pk):
    line = _line_for(request, pk, line_pk)
    try:
        services.remove_line(line=line, by=request.user)
    except ValidationError as error:
        messages.error(request, messages_of(error))
    else:
        messages.success(request, f"{line.product.name} removed.")
    # back to the page of the table the line was on (a 1,000-line quote has ten)
    return redirect(safe_next(request, reverse("quotes:builder", args=[pk]),
                              url=request.META.get("HTTP_REFERER", "")))


