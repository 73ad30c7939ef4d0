"""VAT ID checks with the EU's VIES service, behind one interface (`VatNumberChecker`): the
client speaks VIES's REST API over HTTP (`ViesClient`); tests point it at a local server that
answers with a recorded-format response. Plain values out; nothing here touches the database.

VIES's REST endpoint (https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number)
takes {"countryCode", "vatNumber"} and, with the requester's own VAT ID, returns a consultation
number (`requestIdentifier`) that proves the check to a tax auditor. A member state's service
may be down: VIES then answers with an error code instead of `valid`, which is not a "no".
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

VIES_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number"
TIMEOUT_SECONDS = 10  # VIES forwards to the member state's own service; it can take seconds
NOT_DISCLOSED = "---"  # what VIES says for a name or address a member state does not share


class ViesUnavailable(Exception):
    """VIES or the member state's service gave no answer; try again later."""


@dataclass(frozen=True)
class VatCheck:
    vat_id: str  # as checked, compact (BE0477472701)
    valid: bool
    checked_at: datetime  # VIES's request date
    name: str = ""
    address: str = ""
    request_id: str = ""  # the consultation number, when the requester gave its VAT ID

    def as_dict(self) -> dict:
        return {"vat_id": self.vat_id, "name": self.name, "address": self.address,
                "request_id": self.request_id}


class VatNumberChecker(Protocol):
    def check(self, vat_id: str) -> VatCheck: ...


def vies_body(vat_id: str, requester_vat_id: str = "") -> dict:
    """The request for a compact EU VAT ID (Greece's prefix is EL, as in VIES)."""
    body = {"countryCode": vat_id[:2], "vatNumber": vat_id[2:]}
    if requester_vat_id:
        body |= {"requesterMemberStateCode": requester_vat_id[:2],
                 "requesterNumber": requester_vat_id[2:]}
    return body


def parse_answer(payload: dict, vat_id: str) -> VatCheck:
    """VIES's answer as a VatCheck; ViesUnavailable with its error code when it has none."""
    if "valid" not in payload:
        errors = [e.get("error", "") for e in payload.get("errorWrappers") or []]
        raise ViesUnavailable(", ".join(e for e in errors if e) or "no answer")

    def shown(key: str) -> str:
        value = " ".join(str(payload.get(key) or "").split())
        return "" if value == NOT_DISCLOSED else value

    return VatCheck(vat_id, bool(payload["valid"]),
                    datetime.fromisoformat(payload["requestDate"]), shown("name"),
                    shown("address"), shown("requestIdentifier"))


class ViesClient:
    """VIES over HTTPS, JSON in and out (the standard library's urllib, as webhooks use)."""

    def __init__(self, *, url: str = "", requester_vat_id: str = "",
                 timeout: float = TIMEOUT_SECONDS):
        self.url, self.requester_vat_id, self.timeout = url or VIES_URL, requester_vat_id, timeout

    def check(self, vat_id: str) -> VatCheck:
        body = json.dumps(vies_body(vat_id, self.requester_vat_id)).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                payload = json.load(answer)
        except urllib.error.HTTPError as exc:
            raise ViesUnavailable(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ViesUnavailable(str(getattr(exc, "reason", exc))) from exc
        return parse_answer(payload, vat_id)
