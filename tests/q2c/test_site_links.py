"""Customer links work wherever the app runs (review 2026-12, gap 1): a link sent from a page is
built from that request's host and port; one sent by a task from SITE_URL, which `make run`
sets from PORT."""

import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from tests.contracts.factories import draft_contract
from tests.payments.factories import issued_invoice

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1:8822"  # not the default 8000, as in the review's `PORT=8822 make run`


@pytest.mark.django_db
def test_the_signature_link_is_built_from_the_host_that_sent_it(client, sales_rep, settings,
                                                                django_capture_on_commit_callbacks):
    # given
    settings.SITE_URL = "http://localhost:8000"
    contract = draft_contract(sales_rep)
    client.force_login(sales_rep)
    mail.outbox.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contracts:send", args=[contract.pk]), HTTP_HOST=HOST)
    page = client.get(reverse("contracts:detail", args=[contract.pk]), HTTP_HOST=HOST)

    # then
    sign_path = reverse("contract_flows:sign", args=["x"]).rsplit("x", 1)[0]
    assert f"http://{HOST}{sign_path}" in mail.outbox[-1].body
    assert f"http://{HOST}{sign_path}" in page.content.decode()
    assert "localhost:8000" not in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_pay_link_is_built_from_the_host_that_shows_it(client, finance, settings):
    settings.SITE_URL = "http://localhost:8000"
    invoice = issued_invoice()
    client.force_login(finance)

    page = client.get(reverse("payments:pay_link", args=[invoice.pk]), HTTP_HOST=HOST)

    assert f"http://{HOST}/pay/" in page.content.decode()


def test_make_run_sets_site_url_from_port():
    result = subprocess.run(["make", "-n", "run", "PORT=8822"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert "SITE_URL=http://127.0.0.1:8822" in result.stdout
    assert "`SITE_URL`" in (ROOT / "README.md").read_text().split("## Settings")[1]
