"""A second factor at sign-in (TOTP, RFC 6238, through django-otp) for the people who move
money or keep the books: finance, accountants and administrators.

Anyone may turn it on from their user menu; `TWO_FACTOR_REQUIRED` makes it compulsory for those
roles, who are then sent to set it up before any other page. A user with a confirmed device is
asked for a code after the password, on every new session. Wrong codes slow down as django-otp
throttles the device (each failure doubles the wait).

Which devices a user has confirmed is asked on every page (is this session verified, does this
user owe a code), so the answer is kept in the cache per user and dropped whenever one of their
devices is saved or deleted: a page costs no query for it, and a device removed or revoked stops
counting on the next request. Sign-in and setup read the device itself (its throttling state)."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY, device_classes, devices_for_user
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.redirects import safe_next
from core.roles import Role

SECOND_FACTOR_ROLES = {Role.FINANCE, Role.ACCOUNTANT}
DEVICE_NAME = "Authenticator app"
# The cached answer is dropped on every save or delete of a device; the time only bounds a
# change that sends no signal (a queryset update, another database client).
DEVICES_CACHE_SECONDS = 600


def holds_money_or_books(user) -> bool:
    """Finance, accountants and administrators: the users `TWO_FACTOR_REQUIRED` covers."""
    return (user.is_superuser or user.is_staff
            or user.groups.filter(name__in=SECOND_FACTOR_ROLES).exists())


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed device read now (to check a code against its throttling state)."""
    return next(devices_for_user(user, confirmed=True), None)


def _devices_key(user_id) -> str:
    return f"q2c.two-factor.devices.{user_id}"


def confirmed_devices(user) -> tuple:
    """The user's confirmed devices, from the cache until one of their devices changes."""
    key = _devices_key(user.pk)
    devices = cache.get(key)
    if devices is None:
        devices = tuple(devices_for_user(user, confirmed=True))
        cache.set(key, devices, DEVICES_CACHE_SECONDS)
    return devices


def _forget_devices(sender, instance, **kwargs):
    key = _devices_key(instance.user_id)
    cache.delete(key)
    # again once committed: a page read between the change and its commit saw the old devices
    transaction.on_commit(lambda: cache.delete(key))


def _remember_devices(sender, request, user, **kwargs):
    """Read at sign-in, so that no page pays for it (the first one included)."""
    confirmed_devices(user)


for _model in device_classes():
    post_save.connect(_forget_devices, sender=_model, dispatch_uid=f"two-factor-save-{_model}")
    post_delete.connect(_forget_devices, sender=_model,
                        dispatch_uid=f"two-factor-delete-{_model}")
user_logged_in.connect(_remember_devices, dispatch_uid="two-factor-sign-in")


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware (it sets `user.otp_device` and `user.is_verified()`), with the
    session's device found among the user's cached confirmed devices instead of loaded by a
    query on every request. A device deleted or unconfirmed is no longer among them, so the
    session stops being verified at once, as with django-otp's own lookup."""

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if (
            user.is_authenticated) else None
        if persistent_id:
            wanted = self._normalize_persistent_id(persistent_id)
            device = next((d for d in confirmed_devices(user) if d.persistent_id == wanted),
                          None)
            user.otp_device = self._finalize_device(request, user, device)
        return user


def second_factor_exempt(view):
    """A page an unverified user may open (the second factor's own pages, sign-out)."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    """After django-otp's middleware: a signed-in user who owes a code is sent to give it, and
    one the setting obliges is sent to set it up, before any page that needs a sign-in. Pages
    open without a sign-in (customer links, webhooks, the API with its keys) are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (not user.is_authenticated or user.is_verified()
                or not getattr(view_func, "login_required", True)
                or getattr(view_func, "second_factor_exempt", False)):
            return None
        if confirmed_devices(user):
            target = "two_factor_verify"
        elif settings.TWO_FACTOR_REQUIRED and holds_money_or_books(user):
            target = "two_factor_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _verified(request, device) -> None:
    """The session is verified by `device`; the devices, just saved, are read again now rather
    than by the next page."""
    otp_login(request, device)
    confirmed_devices(request.user)


def _code(request) -> str:
    return "".join(request.POST.get("code", "").split())


def _bare(request, template: str, context: dict):
    return render(request, template, {"bare_page": True, **context})


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The code after the password."""
    device = confirmed_device(request.user)
    target = safe_next(request, reverse("home"))
    if device is None or request.user.is_verified():
        return redirect(target)
    error = ""
    if request.method == "POST":
        allowed, why = device.verify_is_allowed()
        if not allowed:
            error = "Too many wrong codes: wait a moment before the next try."
        elif device.verify_token(_code(request)):
            _verified(request, device)
            return redirect(target)
        else:
            error = "That code is not the one your authenticator app shows now."
    return _bare(request, "registration/two_factor_verify.html",
                 {"error": error, "next": target})


def _unconfirmed_device(user) -> TOTPDevice:
    device = next(devices_for_user(user, confirmed=False), None)
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _qr_svg_data_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@second_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Turn the second factor on: scan the code, type what the app shows. Turning it off needs
    a current code and is refused when the setting obliges the user to keep it."""
    target = safe_next(request, reverse("home"))
    existing = confirmed_device(request.user)
    required = settings.TWO_FACTOR_REQUIRED and holds_money_or_books(request.user)
    if existing is not None:
        return _bare(request, "registration/two_factor_setup.html", {
            "enabled": True, "required": required, "next": target})
    with transaction.atomic():
        device = _unconfirmed_device(request.user)
        error = ""
        if request.method == "POST":
            if device.verify_token(_code(request)):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                _verified(request, device)
                messages.success(request, "Two-factor sign-in is on: from now on, sign-in "
                                          "asks for the code your app shows.")
                return redirect(target)
            error = "That code does not match: check the time on your phone and try again."
    return _bare(request, "registration/two_factor_setup.html", {
        "enabled": False, "required": required, "next": target, "error": error,
        "secret": base64.b32encode(device.bin_key).decode(),
        "qr": _qr_svg_data_uri(device)})


def turn_off(user, code: str) -> None:
    """Remove the user's devices after checking a current code."""
    device = confirmed_device(user)
    if device is None:
        return
    if settings.TWO_FACTOR_REQUIRED and holds_money_or_books(user):
        raise ValidationError("Two-factor sign-in is required for your role: it cannot be "
                              "turned off.")
    if not device.verify_token(code):
        raise ValidationError("That code is not the one your authenticator app shows now.")
    TOTPDevice.objects.filter(user=user).delete()


@login_required
@require_http_methods(["POST"])
def disable(request):
    try:
        turn_off(request.user, _code(request))
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        return redirect("two_factor_setup")
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("home")

