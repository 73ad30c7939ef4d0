"""The seller on the demo's documents (no imports: settings read it too).

An e-invoice needs the seller's address, VAT ID, bank account and phone (EN 16931 BR-08,
BR-S-02; XRechnung BR-DE-6). The demo company is American (USD books) and registered for VAT in
Germany for its EU sales. DEMO_COMPANY=1 fills the settings the environment leaves empty with it;
`make seed` and `make run` set it, so invoices issued in the demo carry the same seller as the
seeded ones.
"""

DEMO_COMPANY = {
    "COMPANY_LEGAL_NAME": "Q2C Software Ltd", "COMPANY_STREET": "1 Example Street",
    "COMPANY_CITY": "Springfield", "COMPANY_POSTAL_CODE": "62701", "COMPANY_COUNTRY": "US",
    "COMPANY_VAT_ID": "DE123456788", "COMPANY_IBAN": "DE89370400440532013000",
    "COMPANY_BIC": "COBADEFFXXX", "COMPANY_PHONE": "+1 217 555 0100",
    "COMPANY_CREDITOR_ID": "DE98ZZZ09999999999",  # the Bundesbank's example creditor ID
}
