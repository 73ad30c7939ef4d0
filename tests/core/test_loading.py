"""Rows built into instances without `Model.__init__` (core.loading) are Django's instances."""

from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.models.signals import post_init, pre_init
from django_fsm import ConcurrentTransition

from billing.models import Invoice, InvoiceLine, InvoiceState, LineSource
from core.loading import _plain
from customers.models import Account
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _by_django(model, pk):
    """The row built by Django's own `from_db` (each column through `Model.__init__`)."""
    names = [f.attname for f in model._meta.concrete_fields]
    values = model.objects.filter(pk=pk).values_list(*names).get()
    return models.Model.from_db.__func__(model, connection.alias, names, values)


def _made():
    invoice = Invoice.objects.create(account=AccountFactory(), currency="USD",
                                     seller={"name": "Seller"}, einvoice_findings=["BR-1"],
                                     pdf="invoices/2026/a.pdf")
    line = InvoiceLine.objects.create(invoice=invoice, position=1, source=LineSource.MANUAL,
                                      description="Seat", quantity=Decimal(1),
                                      unit_price=Decimal("9.90"), amount=Decimal("9.90"),
                                      tax_detail=[{"name": "VAT"}])
    return invoice, line


def test_an_instance_read_is_the_one_django_builds():
    invoice, line = _made()
    for model, pk in ((Invoice, invoice.pk), (InvoiceLine, line.pk)):
        direct, django = model.objects.get(pk=pk), _by_django(model, pk)
        assert {k: v for k, v in vars(direct).items() if k != "_state"} == \
            {k: v for k, v in vars(django).items() if k != "_state"}
        assert (direct._state.adding, direct._state.db) == (False, connection.alias)
        assert direct.pdf.name == "invoices/2026/a.pdf" if model is Invoice else True


def test_an_instance_read_keeps_its_state_protected_and_guarded():
    invoice, _ = _made()
    loaded = Invoice.objects.get(pk=invoice.pk)
    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        loaded.state = InvoiceState.ISSUED
    Invoice.objects.filter(pk=invoice.pk).update(state=InvoiceState.VOID, number="TST-1")
    with pytest.raises(ConcurrentTransition):  # it was read as a draft
        loaded.save()


def test_the_init_signals_are_sent():
    invoice, _ = _made()
    seen = []

    def before(sender, args, **kwargs):
        seen.append(("pre", len(args)))

    def after(sender, instance, **kwargs):
        seen.append(("post", instance.pk))

    pre_init.connect(before, sender=Invoice)
    post_init.connect(after, sender=Invoice)
    try:
        Invoice.objects.get(pk=invoice.pk)
    finally:
        pre_init.disconnect(before, sender=Invoice)
        post_init.disconnect(after, sender=Invoice)
    assert seen == [("pre", len(Invoice._meta.concrete_fields)), ("post", invoice.pk)]


def test_a_row_with_deferred_columns_loads_them_when_asked():
    invoice, _ = _made()
    partial = Invoice.objects.defer("seller", "total").get(pk=invoice.pk)
    assert partial.get_deferred_fields() == {"seller", "total"}
    assert vars(partial)["currency"] == "USD" and "seller" not in vars(partial)
    assert (partial.seller, partial.total) == ({"name": "Seller"}, Decimal(0))


def test_a_model_with_a_converting_descriptor_takes_djangos_path():
    assert _plain(Invoice) and _plain(InvoiceLine)
    assert not _plain(Account)  # its money column's descriptor converts what it is given
