"""Play the sandbox gateway's webhook sender: confirm due pending charges and post every
outcome not yet taken to our webhook, signed with PAYMENT_WEBHOOK_SECRET. Run it by hand or
every minute (cron) in a development or demo setup; a real gateway does this on its side."""

import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from payments.gateways import sandbox


class Command(BaseCommand):
    help = "Send the sandbox gateway's pending webhook events to this site."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Webhook URL (default: SITE_URL's).")

    def handle(self, *args, url: str = "", **options):
        target = url or settings.SITE_URL + reverse("payments:webhook")

        def send(body: bytes, signature: str) -> int:
            request = urllib.request.Request(target, data=body, method="POST", headers={
                "Content-Type": "application/json", "Sandbox-Signature": signature})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except urllib.error.URLError as error:
                self.stderr.write(f"Could not reach {target}: {error.reason}")
                return 0

        taken = sandbox.deliver_events(send)
        self.stdout.write(f"{taken} event{'s' if taken != 1 else ''} delivered to {target}.")
