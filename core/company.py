"""The seller every customer document comes from: the one module that reads the COMPANY_*
settings an admin sets once (environment). Documents copy it when they are issued, so a later
change of address or bank never rewrites an issued invoice."""

from dataclasses import asdict, dataclass

from django.conf import settings


@dataclass(frozen=True)
class Seller:
    name: str
    legal_name: str
    street: str
    city: str
    postal_code: str
    country: str  # ISO 3166 alpha-2; empty when not set (no EU VAT rules, no e-invoices)
    vat_id: str
    company_id: str  # trade register number (BT-30), e.g. HRB 12345 or a SIREN
    email: str
    phone: str  # BT-42; XRechnung requires it (BR-DE-6)
    iban: str
    bic: str
    creditor_id: str = ""  # SEPA creditor identifier (BT-90) for direct debits

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def address_line(self) -> str:
        parts = [self.street, f"{self.postal_code} {self.city}".strip(), self.country]
        return ", ".join(p for p in parts if p)


def seller() -> Seller:
    """The company as the settings describe it now."""
    read = lambda name: str(getattr(settings, name) or "").strip()  # noqa: E731
    name = read("COMPANY_NAME")
    return Seller(
        name=name, legal_name=read("COMPANY_LEGAL_NAME") or name,
        street=read("COMPANY_STREET") or read("COMPANY_ADDRESS"), city=read("COMPANY_CITY"),
        postal_code=read("COMPANY_POSTAL_CODE"), country=read("COMPANY_COUNTRY").upper(),
        vat_id="".join(read("COMPANY_VAT_ID").split()).upper(),
        company_id=read("COMPANY_REGISTRATION_ID"), email=read("COMPANY_EMAIL"),
        phone=read("COMPANY_PHONE"),
        iban="".join(read("COMPANY_IBAN").split()).upper(), bic=read("COMPANY_BIC").upper(),
        creditor_id="".join(read("COMPANY_CREDITOR_ID").split()).upper(),
    )
