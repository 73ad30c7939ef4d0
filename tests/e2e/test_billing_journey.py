"""Finance's billing journey in Debian's Chromium: start an invoice run in the browser, watch it
complete, issue its drafts, open the issued invoice, follow its journal entry and download the
PDF."""

import re

import pytest

from catalog.demo import seed_catalog
from tests.conftest import PASSWORD, reseed_migration_data
from tests.contracts.factories import active_contract

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contract(sales_rep, finance):
    reseed_migration_data()
    seed_catalog()
    return active_contract(sales_rep, by=finance)  # monthly seats from 2026-12-01


@pytest.mark.real_pdf
def test_finance_runs_issues_and_reads_an_invoice(page, live_server, finance, contract):
    page.on("dialog", lambda dialog: dialog.accept())
    # given finance signed in
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", finance.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # when they start a run billing through the contract's first day
    page.click("nav >> text=Invoice runs")
    page.fill("input[name=as_of]", "2026-12-01")
    page.click("button:has-text('Start run')")

    # then the run page shows it completed with one draft, which they issue
    progress = page.locator("#run-progress")
    progress.get_by_text("Completed").wait_for()
    page.click("button:has-text('Issue all 1 drafts')")
    page.wait_for_load_state("domcontentloaded")

    # the invoice is issued with the next number of the year, for the contract's customer
    page.goto(f"{live_server.url}/billing/invoices/")
    page.click(f"tr:has-text('{contract.account.name}') >> a >> nth=0")
    heading = page.locator("h1")
    assert re.search(r"INV-2026-0+1", heading.inner_text())
    assert "Issued" in heading.inner_text()

    # its journal entry debits the receivable against deferred revenue
    page.click("a:has-text('JE-')")
    body = page.locator("main").inner_text()
    assert "Accounts receivable" in body and "Deferred revenue" in body

    # and its PDF downloads
    page.go_back()
    pdf_url = page.get_attribute("a:has-text('Download PDF')", "href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
