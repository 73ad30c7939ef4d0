import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from customers.models import Account, Contact
from ledger.models import ExchangeRate
from q2c.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_USERS
from quotes.models import Quote, QuoteState

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_creates_one_login_per_role_and_the_customers(seeded):
    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    assert Account.objects.count() == len(DEMO_ACCOUNTS)
    assert Contact.objects.count() == 2 * len(DEMO_ACCOUNTS)
    assert ExchangeRate.objects.filter(currency="EUR").count() == 25
    sam = users.get(username="sam")
    assert sam.reporting_line.manager.username == "maria"
    assert set(Quote.objects.filter(owner=sam).values_list("state", flat=True)) == {
        QuoteState.DRAFT, QuoteState.PENDING_APPROVAL, QuoteState.APPROVED}


def test_seed_demo_twice_adds_nothing(seeded, capsys):
    def counts():
        return (get_user_model().objects.count(), Account.objects.count(),
                Contact.objects.count(), ExchangeRate.objects.count(), Quote.objects.count())
    before = counts()

    call_command("seed_demo")

    assert counts() == before
    out = capsys.readouterr().out
    assert "0 accounts added" in out
    assert "fiona    Finance" in out


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS] + ["admin"])
def test_every_demo_login_reaches_its_home_page(seeded, client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)

    response = client.get("/")

    assert response.status_code == 200
    assert b"Welcome" in response.content


def test_reps_see_only_their_own_accounts_on_the_demo(seeded, client):
    client.login(username="wendy", password=DEMO_PASSWORD)
    wendy = get_user_model().objects.get(username="wendy")

    response = client.get("/customers/")

    own = Account.objects.filter(owner=wendy)
    assert own.exists()
    for account in Account.objects.exclude(owner=wendy)[:5]:
        assert account.name.encode() not in response.content
    assert own.first().name.encode() in response.content
