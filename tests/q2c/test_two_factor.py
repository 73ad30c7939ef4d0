"""A second factor at sign-in (issue 15: "Optional second factor (TOTP, django-otp) for finance,
accountant and admin users, required when a setting says so"). Codes are computed as an
authenticator app does (RFC 6238: 30-second steps, six digits, the device's key)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
STEP = timedelta(seconds=31)  # past the one-second wait after a wrong code, into the next code


def _code(device, *, drift=0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=drift)
    return f"{code:06d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def _sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_a_user_with_a_device_gives_a_code_before_any_page(client, finance, time_machine):
    device = _device(finance)
    _sign_in(client, finance)

    page = client.get(reverse("billing:invoices"))

    assert page.status_code == 302
    assert page["Location"] == f"{reverse('two_factor_verify')}?next=%2Fbilling%2Finvoices%2F"
    wrong = client.post(page["Location"], {"code": "000000" if _code(device) != "000000"
                                           else "111111"})
    assert "not the one your authenticator app shows" in wrong.content.decode()
    assert client.get(reverse("billing:invoices")).status_code == 302
    time_machine.shift(STEP)

    right = client.post(page["Location"], {"code": _code(device)})

    assert right["Location"] == reverse("billing:invoices")
    assert client.get(reverse("billing:invoices")).status_code == 200


def test_wrong_codes_are_throttled_even_before_a_right_one(client, finance):
    device = _device(finance)
    _sign_in(client, finance)
    wrong = str((int(_code(device)) + 1) % 1_000_000).zfill(6)
    client.post(reverse("two_factor_verify"), {"code": wrong})

    right_too_soon = client.post(reverse("two_factor_verify"), {"code": _code(device)})

    assert "Too many wrong codes" in right_too_soon.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_without_the_setting_a_user_without_a_device_signs_in_with_the_password(
        client, finance, settings):
    settings.TWO_FACTOR_REQUIRED = False
    _sign_in(client, finance)
    assert client.get(reverse("billing:invoices")).status_code == 200


def test_the_setting_sends_finance_and_accountants_to_set_it_up_but_not_sales(
        client, finance, accountant, sales_rep, settings):
    settings.TWO_FACTOR_REQUIRED = True
    for user in (finance, accountant):
        client.logout()
        _sign_in(client, user)
        page = client.get(reverse("home"))
        assert page["Location"].startswith(reverse("two_factor_setup")), user
    client.logout()
    _sign_in(client, sales_rep)
    assert client.get(reverse("home")).status_code == 200


def test_setting_it_up_takes_the_apps_code_and_verifies_the_session(client, accountant,
                                                                    settings, time_machine):
    settings.TWO_FACTOR_REQUIRED = True
    _sign_in(client, accountant)
    page = client.get(reverse("two_factor_setup"), {"next": "/ledger/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=accountant, confirmed=False)

    refused = client.post(reverse("two_factor_setup"), {"code": "12345", "next": "/ledger/"})
    assert "does not match" in refused.content.decode()
    time_machine.shift(STEP)
    done = client.post(reverse("two_factor_setup"), {"code": _code(device), "next": "/ledger/"})

    assert done["Location"] == "/ledger/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/ledger/").status_code == 200


def test_a_required_second_factor_cannot_be_turned_off(client, finance, settings):
    settings.TWO_FACTOR_REQUIRED = True
    device = _device(finance)
    _sign_in(client, finance)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})

    client.post(reverse("two_factor_disable"), {"code": _code(device, drift=1)})

    assert TOTPDevice.objects.filter(user=finance).exists()


def test_an_optional_second_factor_is_turned_off_with_a_current_code(client, sales_rep,
                                                                      time_machine):
    device = _device(sales_rep)
    _sign_in(client, sales_rep)
    client.post(reverse("two_factor_verify"), {"code": _code(device)})

    client.post(reverse("two_factor_disable"), {"code": "999999" if _code(device, drift=1)
                                                != "999999" else "888888"})
    assert TOTPDevice.objects.filter(user=sales_rep).exists()
    time_machine.shift(STEP)
    client.post(reverse("two_factor_disable"), {"code": _code(device, drift=1)})

    assert not TOTPDevice.objects.filter(user=sales_rep).exists()


def test_customer_links_and_sign_out_need_no_code(client, finance):
    _device(finance)
    _sign_in(client, finance)
    assert client.get(reverse("health")).status_code in (200, 503)
    assert client.post(reverse("logout"))["Location"] != reverse("two_factor_verify")
