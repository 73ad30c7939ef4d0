"""Dunning texts are data, not code: finance writes plain placeholders, filled with plain
values; no attribute of a model (a user's password hash, a contact list) can be reached."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from payments.dunning_texts import PLACEHOLDERS, fill_text, text_problems
from payments.models import DunningPolicyStep, DunningTemplate
from tests.payments.factories import issued_invoice
from tests.payments.test_dunning import ISSUED, dun

pytestmark = pytest.mark.django_db

PROBE = ("{{ account.owner.password }}|{{ invoice.created_by.password }}|"
         "{{ invoice.account.contacts.all }}|{{ invoice }}|{{ amount_due }} {{ currency }}")


def test_a_dunning_template_cannot_mail_a_users_password_hash():
    # given a template that reaches for users' password hashes (saved before the form checked)
    template = DunningTemplate.objects.create(key="probe", subject="{{ invoice }}", body=PROBE)
    DunningPolicyStep.objects.filter(key="before-due").update(template=template)
    invoice = issued_invoice(on=ISSUED)

    # when the step's email goes out
    dun(date(2026, 10, 28))

    # then only the plain placeholders are filled; the rest stays as typed
    body = mail.outbox[0].body
    assert "pbkdf2" not in body and "password" in body
    assert body.endswith(f"|{invoice.number}|$100.00")
    assert "<QuerySet" not in body and mail.outbox[0].subject == invoice.number


def test_the_default_texts_fill_every_placeholder_they_use():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 10, 28))
    body = mail.outbox[0].body
    assert "{{" not in body and invoice.number in body and "2026-10-31" in body
    assert "$100.00" in body and "USD" not in body


@pytest.mark.parametrize("body, problem", [
    ("{{ account.owner.password }}", "unknown placeholder {{ account.owner.password }}"),
    ("{{ invoice.created_by }}", "unknown placeholder {{ invoice.created_by }}"),
    ("{% load static %}", "only {{ placeholders }} may be used, not {% load static %}"),
    ("{{ invoice|safe }}", "unknown placeholder {{ invoice|safe }}"),
])
def test_a_text_that_names_anything_but_a_placeholder_is_refused(body, problem):
    assert problem in text_problems(body)[0]


def test_fill_text_uses_plain_values_only():
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    assert fill_text("{{invoice}} {{ account }} {{ nope }}", values) == (
        "<invoice> <account> {{ nope }}")


def test_finance_cannot_save_a_template_that_reads_a_model(client, finance):
    client.force_login(finance)
    response = client.post(reverse("admin:payments_dunningtemplate_add"), {
        "key": "probe", "subject": "Hello", "body": "{{ account.owner.password }}"})

    assert response.status_code == 200  # the form again, with the error
    assert "Unknown placeholder {{ account.owner.password }}" in response.content.decode()
    assert not DunningTemplate.objects.filter(key="probe").exists()


def _filled_by_substitution(text: str, values: dict[str, str]) -> str:
    """fill_text as it was written first (one regular-expression pass): the reference."""
    from payments.dunning_texts import AMOUNT_THEN_CODE, PLACEHOLDER

    text = AMOUNT_THEN_CODE.sub(r"\1", text)
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)])
                           if match.group(1) in values else match.group(0), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from(["{{ invoice }}", "{{amount_due}}", "{{ amount_due }} {{ currency }}",
                     "{{ nope }}", "{{", "}}", "{{ {{ fees }} }}", "{%", "€", "\n", " "]),
    st.text(alphabet="{} abc.\\1", max_size=6))))
def test_fill_text_reads_as_one_substitution_pass(pieces):
    # the split text is cached: filling it must read exactly as substituting it each time
    text = "".join(pieces)
    values = {name: f"<{name}\\1>" for name in PLACEHOLDERS if name != "fees"}
    assert fill_text(text, values) == _filled_by_substitution(text, values)
    assert fill_text(text, {}) == _filled_by_substitution(text, {})
