"""The coupons of contracts made before ContractCoupon: each redeemed coupon of the contract's
quote runs on the contract's lines of its products (every product when it names none), counted
from the contract's start, so amendments and renewals carry it from now on."""

from django.db import migrations


def record(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ContractCoupon = apps.get_model("contracts", "ContractCoupon")
    QuoteCoupon = apps.get_model("quotes", "QuoteCoupon")
    done = set(ContractCoupon.objects.values_list("redemption_id", flat=True))
    applied = (QuoteCoupon.objects.filter(quote__contract__isnull=False)
               .exclude(pk__in=done).select_related("coupon").order_by("quote_id", "position"))
    for qc in applied:
        contract = Contract.objects.get(quote_id=qc.quote_id)
        products = set(qc.coupon.products.values_list("pk", flat=True))
        lines = [line for line in contract.lines.filter(included=False, amendment__isnull=True)
                 if not products or line.product_id in products]
        row = ContractCoupon.objects.create(
            contract=contract, coupon_id=qc.coupon_id, redemption_id=qc.pk,
            position=qc.position, counts_from=contract.start_on,
            duration="repeating" if qc.periods else qc.coupon.duration,
            periods=qc.periods or qc.coupon.periods)
        row.lines.set(lines)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0007_contract_coupons"),
        ("quotes", "0013_coupons_on_amendments_and_renewals"),
    ]

    operations = [migrations.RunPython(record, migrations.RunPython.noop)]
