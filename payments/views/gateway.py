"""The gateway's side of the web: the signed webhook we receive, and the sandbox gateway's own
hosted tokenizing endpoint (in production this page lives on the gateway's domain; the sandbox
serves it here so the customer's browser posts the card number to it, never to our views)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from payments.gateways import GatewayDeclined, InvalidSignature, gateway, sandbox
from payments.services import handle_gateway_event


@csrf_exempt
@login_not_required
@require_POST
def webhook(request):
    """Verify the signature over the raw body, then handle the event once."""
    hub = gateway()
    try:
        event = hub.parse_webhook(body=request.body,
                                  signature=request.headers.get("Sandbox-Signature", ""))
    except InvalidSignature as error:
        return JsonResponse({"signature": str(error)}, status=400)
    record = handle_gateway_event(gateway_name=hub.name, event=event)
    return JsonResponse({"received": event.event_id,
                         "outcome": record.outcome if record else "already handled"})


def _back(request, values: dict) -> HttpResponseRedirect | HttpResponseBadRequest:
    target = request.POST.get("return_url", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}):
        return HttpResponseBadRequest("return_url must be a path on the merchant's site.")
    return HttpResponseRedirect(f"{target}{'&' if '?' in target else '?'}{urlencode(values)}")


@sensitive_post_parameters("number", "cvc")  # never in error reports
@csrf_exempt  # a third party's endpoint: the merchant's CSRF token is not its business
@login_not_required
@require_POST
def sandbox_tokenize(request):
    """Take the card fields, keep only what the test card does, send the browser back to the
    merchant's return URL with a token (or the reason the card was refused)."""
    try:
        card = sandbox.tokenize(
            number=request.POST.get("number", ""), cvc=request.POST.get("cvc", ""),
            exp_month=int(request.POST.get("exp_month") or 0),
            exp_year=int(request.POST.get("exp_year") or 0))
    except (GatewayDeclined, ValueError) as error:
        # A code, never text: the merchant's page words it (attacker text in a link is not ours).
        code = error.code if isinstance(error, GatewayDeclined) else "invalid_expiry"
        return _back(request, {"card_error": code})
    return _back(request, {"card_token": card.token})

