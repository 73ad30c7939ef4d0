"""VAT IDs checked with VIES: the client speaks VIES's REST API over real HTTP to a local server
that answers with the responses in fixtures/ (VIES's check-vat-number format: a valid answer
with its consultation number, and a member state that is down); the answer and its date are kept
on the account and shown on its page."""

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.services import check_vat_id, update_account
from customers.vies import ViesClient, ViesUnavailable
from tests.conftest import PASSWORD
from tests.customers.factories import AccountFactory

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def vies():
    """A local VIES answering each POST with the fixture named in `answer`; it keeps what it
    was asked."""
    state = {"answer": "vies_check_vat_number_valid.json", "asked": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            state["asked"].append((self.path, self.headers["Content-Type"],
                                   json.loads(self.rfile.read(length))))
            body = (FIXTURES / state["answer"]).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/check-vat-number"
    yield state
    server.shutdown()
    server.server_close()


def test_the_client_asks_vies_with_the_requesters_vat_id_and_reads_the_answer(vies):
    client = ViesClient(url=vies["url"], requester_vat_id="DE123456788")

    check = client.check("BE0477472701")

    assert vies["asked"] == [("/check-vat-number", "application/json", {
        "countryCode": "BE", "vatNumber": "0477472701",
        "requesterMemberStateCode": "DE", "requesterNumber": "123456788"})]
    assert (check.valid, check.name, check.address, check.request_id) == (
        True, "NV BRABANT ANALYTICS", "Rue de la Loi 16 1000 Bruxelles", "WAPIAAAAZ5yP2qdB")
    assert check.checked_at == datetime(2026, 12, 4, 9, 41, 27, 512000, tzinfo=UTC)


def test_a_member_state_that_is_down_is_no_answer_not_a_no(vies):
    vies["answer"] = "vies_ms_unavailable.json"

    with pytest.raises(ViesUnavailable, match="MS_UNAVAILABLE"):
        ViesClient(url=vies["url"]).check("BE0477472701")


def test_no_server_is_no_answer():
    with pytest.raises(ViesUnavailable):
        ViesClient(url="http://127.0.0.1:9/check-vat-number", timeout=2).check("BE0477472701")


@pytest.fixture
def belgian(finance):
    return AccountFactory(name="Brabant Analytics", country="BE", currency="EUR",
                          vat_id="BE0477472701", owner=finance)


def test_the_check_and_its_date_are_kept_on_the_account_and_shown(vies, belgian, finance,
                                                                  client):
    # when finance checks the account's VAT ID
    account = check_vat_id(account=belgian, by=finance, checker=ViesClient(url=vies["url"]))

    # then the answer is kept with VIES's date and consultation number
    account.refresh_from_db()
    assert (account.vat_check_valid, account.vat_checked_at) == (
        True, datetime(2026, 12, 4, 9, 41, 27, 512000, tzinfo=UTC))
    assert account.vat_check == {"vat_id": "BE0477472701", "name": "NV BRABANT ANALYTICS",
                                 "address": "Rue de la Loi 16 1000 Bruxelles",
                                 "request_id": "WAPIAAAAZ5yP2qdB"}
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("customers:edit", args=[account.pk])).content.decode()
    assert "BE0477472701: <span class=\"badge ok\">valid</span> on 2026-12-04" in page
    assert "consultation WAPIAAAAZ5yP2qdB" in page
    detail = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "valid in VIES</span>" in detail and "on 2026-12-04" in detail

    # and a new VAT ID is not covered by the old check
    account = update_account(account=account, by=finance, vat_id="BE0403170701")
    assert not account.vat_check_current


def test_an_unanswered_check_is_a_field_error_and_keeps_nothing(vies, belgian, finance):
    vies["answer"] = "vies_ms_unavailable.json"

    with pytest.raises(ValidationError) as caught:
        check_vat_id(account=belgian, by=finance, checker=ViesClient(url=vies["url"]))

    assert caught.value.message_dict == {
        "vat_id": ["VIES did not answer (MS_UNAVAILABLE); try again later."]}
    belgian.refresh_from_db()
    assert belgian.vat_checked_at is None and belgian.vat_check == {}


def test_an_account_without_a_vat_id_has_nothing_to_check(finance):
    account = AccountFactory(country="BE", currency="EUR", owner=finance)

    with pytest.raises(ValidationError, match="Enter the VAT ID"):
        check_vat_id(account=account, by=finance)


def test_the_check_button_reports_the_answer(vies, belgian, finance, client,
                                             monkeypatch):
    monkeypatch.setattr("customers.vies.VIES_URL", vies["url"])
    client.login(username=finance.username, password=PASSWORD)

    response = client.post(reverse("customers:vat_check", args=[belgian.pk]), follow=True)

    assert response.redirect_chain == [(reverse("customers:edit", args=[belgian.pk]), 302)]
    assert "VIES says BE0477472701 is valid." in response.content.decode()
