"""Open amendment quotes started before quotes 0015 have no per-line record of the contract's
coupons (`QuoteLine.prefilled_from["contract_coupons"]`, `Quote.contract_coupons`), so the
stacking rule counted none on them. Record them as `start_amendment` does: the coupons running
on each prefilled line's contract line on the effective date, by the service's own rule
(`contracts.services.coupons.running_by_line`, which reads only the rows' fields), each quote
line matched to the contract line in force as `amendment_changes` matches them (product and
billing period, in position order). Lines already recorded are kept; going back is a no-op."""

from collections import defaultdict

from django.db import migrations

from contracts.selectors import lines_in_force
from contracts.services.coupons import running_by_line

OPEN_STATES = ["draft", "pending_approval", "approved", "sent"]  # quotes.models.OPEN_STATES


def _matched(quote_lines, lines) -> list:
    """(quote line, contract line) for the prefilled quote lines, in position order."""
    by_key = defaultdict(list)
    for line in lines:
        by_key[(line.product_id, line.billing_period)].append(line)
    pairs = []
    for quote_line in quote_lines:
        olds = by_key.get((quote_line.product_id, quote_line.billing_period))
        if olds:
            pairs.append((quote_line, olds.pop(0)))
    return pairs


def record_line_coupons(apps, schema_editor):
    Amendment = apps.get_model("contracts", "Amendment")
    ContractCoupon = apps.get_model("contracts", "ContractCoupon")
    QuoteLine = apps.get_model("quotes", "QuoteLine")
    amendments = (Amendment.objects.filter(applied_on__isnull=True, quote__kind="amendment",
                                           quote__state__in=OPEN_STATES)
                  .select_related("quote", "contract").order_by("pk"))
    for amendment in amendments:
        quote, contract, day = amendment.quote, amendment.contract, amendment.effective_on
        quote_lines = list(QuoteLine.objects.filter(quote=quote).exclude(prefilled_from=None)
                           .order_by("position", "pk"))
        if all("contract_coupons" in line.prefilled_from for line in quote_lines):
            continue
        lines = [line for line in lines_in_force(contract, day)
                 if line.billing_period != "one_time"]
        for line in lines:
            line.contract = contract
        coupons = list(ContractCoupon.objects.filter(contract=contract)
                       .prefetch_related("lines").order_by("position", "pk"))
        running = running_by_line(coupons, lines, day=day)
        changed = []
        for quote_line, line in _matched(quote_lines, lines):
            if "contract_coupons" not in quote_line.prefilled_from:
                quote_line.prefilled_from["contract_coupons"] = [
                    c.coupon_id for c in running[line.pk]]
                changed.append(quote_line)
        QuoteLine.objects.bulk_update(changed, ["prefilled_from"])
        quote.contract_coupons.add(*{coupon_id for line in quote_lines
                                     for coupon_id in line.prefilled_from.get(
                                         "contract_coupons", ())})


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0011_termination_effective_time"),
        ("quotes", "0015_amendment_contract_coupons"),
    ]

    operations = [migrations.RunPython(record_line_coupons, migrations.RunPython.noop)]
