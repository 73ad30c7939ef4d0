"""Invoice PDFs per second per worker: WeasyPrint rendering of issued invoices (10 lines, two tax
rates, a due schedule), alone and with storing the file and its SHA-256 as the delivery task
does. Rendering is single-threaded, so one worker process is one core: a machine renders this
figure times its worker count.

DESIGN.md's expectation is about 6 invoice pages a second per core. Runs against DATABASE_URL
(PostgreSQL); it migrates, then builds its invoices through the billing services (accounts named
"Bench pdf ..."), and stores the files under a temporary media root it removes.
"""

import os
import sys
import tempfile
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402

INVOICES = int(os.environ.get("BENCH_PDF_INVOICES", "30"))
LINES = 10
PREFIX = "Bench pdf"




def invoices():
    """Issued invoices built through the services, on a GB account taxed at 20% and 5%."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from billing.services.drafts import add_manual_charge, create_manual_invoice
    from billing.services.issuing import issue_invoices
    from catalog.models import TaxCategory, TaxRate
    from core.roles import Role, assign_role
    from customers.models import Account, PaymentTerms

    user, _ = get_user_model().objects.get_or_create(username="bench_pdf_finance")
    assign_role(user, Role.FINANCE)
    reduced, _ = TaxCategory.objects.get_or_create(code="bench-reduced",
                                                   defaults={"name": "Bench reduced"})
    for percent, category in ((D(20), None), (D(5), reduced)):
        TaxRate.objects.get_or_create(name="VAT", country="GB", category=category,
                                      defaults={"percent": percent,
                                                "effective_from": date(2011, 1, 1)})
    account, _ = Account.objects.get_or_create(
        name=f"{PREFIX} customer", defaults={
            "country": "GB", "currency": "USD", "owner": user,
            "legal_name": "Bench PDF Customer Ltd", "billing_street": "1 Bench Road",
            "billing_city": "London", "billing_postal_code": "EC1A 1AA",
            "payment_terms": PaymentTerms.objects.order_by("pk").first()})
    drafts = []
    for _ in range(INVOICES):
        invoice = create_manual_invoice(account=account, by=user)
        for n in range(LINES):
            add_manual_charge(invoice=invoice, by=user, description=f"Service line {n + 1}",
                              quantity=D(n + 1), unit_price=D("19.99"),
                              tax_category="bench-reduced" if n % 3 == 0 else "")
        drafts.append(invoice)
    return issue_invoices(invoices=drafts, by=user)


def timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of the work."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as media_root:
        setup_django(MEDIA_ROOT=media_root)
        from billing.models import Invoice
        from billing.pdf import render_invoice_pdf
        from billing.services.documents import ensure_pdf

        issued = [Invoice.objects.select_related("account__payment_terms").get(pk=i.pk)
                  for i in invoices()]
        render_invoice_pdf(issued[0])  # warm up: fonts and WeasyPrint's first import

        render = timed(lambda: [render_invoice_pdf(invoice) for invoice in issued])
        # Issuing already delivered them (tasks run in this process): forget those files, so
        # that the store figure renders and keeps each one as the delivery task does.
        Invoice.objects.filter(pk__in=[i.pk for i in issued]).update(
            pdf="", pdf_sha256="", pdf_rendered_at=None)
        for invoice in issued:
            invoice.pdf, invoice.pdf_sha256, invoice.pdf_rendered_at = "", "", None
        stored = []
        store = timed(lambda: stored.extend(ensure_pdf(invoice) for invoice in issued))
        assert all(stored) and len(stored) == len(issued), stored

    for figure, (wall, cpu) in (("billing_pdf_render", render),
                                ("billing_pdf_render_and_store", store)):
        # The CPU figure is what one worker does on an idle core; the wall figure what it did
        # here, next to whatever else the machine was running.
        emit(figure, invoices=len(issued), lines_per_invoice=LINES, seconds=round(wall, 3),
             cpu_seconds=round(cpu, 3),
             pdfs_per_second_per_worker=round(len(issued) / wall, 2),
             pdfs_per_cpu_second=round(len(issued) / cpu, 2))


if __name__ == "__main__":
    main()
