"""The identifiers e-invoices route by, checked where a customer's data is entered: Peppol
participant IDs (scheme:identifier, the electronic address BT-34/BT-49) and German Leitweg-IDs
(the buyer reference of public buyers, BT-10). Pure, over strings; python-stdnum for the number
checks.

Schemes are the Electronic Address Scheme (EAS) codes Peppol BIS Billing 3.0 accepts (its rule
PEPPOL-EN16931-CL008, code list of 2025-Q2). A VAT ID is addressed with its member state's VAT
scheme (9930 for a German one); Belgium's Peppol network addresses companies by their enterprise
number (0208), which is the VAT ID without its BE prefix.

>>> peppol_id_for_vat_id("DE811128135"), peppol_id_for_vat_id("BE 0477.472.701")
('9930:DE811128135', '0208:0477472701')
>>> peppol_id_errors("0208:0477472702")
['0208:0477472702 is not a valid Belgian enterprise number (PEPPOL-COMMON-R043).']
>>> leitweg_id_errors("04011000-1234512345-06"), leitweg_id_errors("991-33333TEST-33")
([], [])
"""

import re

_EAS = (
    "0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0151 0177 0183 0184 0188 0190 "
    "0191 0192 0193 0195 0196 0198 0199 0200 0201 0202 0204 0208 0209 0210 0211 0212 0213 0215 "
    "0216 0218 0221 0230 0235 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 "
    "9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 "
    "9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 0147 0154 0158 0170 0194 0203 0205 0217 "
    "0225 0240")
EAS_CODES = frozenset(_EAS.split())

# The EAS scheme of each member state's VAT IDs (HU 9910, IT 0211, FI 0213; the 99xx range).
VAT_SCHEMES = {
    "AT": "9914", "BG": "9926", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931",
    "EL": "9933", "ES": "9920", "FI": "0213", "FR": "9957", "HR": "9934", "HU": "9910",
    "IE": "9935", "IT": "0211", "LT": "9937", "LU": "9938", "LV": "9939", "MT": "9943",
    "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "SI": "9949", "SK": "9950",
}
BELGIAN_ENTERPRISE = "0208"
LEITWEG = "0204"
_LEITWEG = re.compile(r"[0-9]{2,12}(-[0-9A-Z]{1,30})?-[0-9]{2}")


def compact_peppol_id(value: str) -> str:
    """scheme:identifier without spaces; the identifier upper-cased (9930:DE811128135)."""
    scheme, _, identifier = "".join((value or "").split()).partition(":")
    return f"{scheme}:{identifier.upper()}" if identifier else scheme


def peppol_id_for_vat_id(vat_id: str) -> str:
    """The Peppol ID a valid EU VAT ID gives, or "" (a member state without a VAT scheme)."""
    from stdnum.eu import vat

    if not vat_id or not vat.is_valid(vat_id):
        return ""
    compact = vat.compact(vat_id).upper()
    if compact.startswith("BE"):
        return f"{BELGIAN_ENTERPRISE}:{compact[2:]}"
    scheme = VAT_SCHEMES.get(compact[:2])
    return f"{scheme}:{compact}" if scheme else ""


def leitweg_id_errors(value: str) -> list[str]:
    """Why `value` is not a Leitweg-ID (KoSIT's format: coarse address, optional fine address,
    two check digits by ISO 7064 MOD 97-10 over the rest)."""
    value = (value or "").strip().upper()
    if not _LEITWEG.fullmatch(value):
        return [f"“{value}” is not a Leitweg-ID (e.g. 04011000-1234512345-06)."]
    body, check = value[:-3].replace("-", ""), int(value[-2:])
    digits = "".join(str(int(c, 36)) for c in body)
    if 98 - int(digits + "00") % 97 != check:
        return [f"“{value}” has wrong check digits for a Leitweg-ID."]
    return []


def peppol_id_errors(value: str) -> list[str]:
    """Why a Peppol ID is not one a Peppol BIS invoice may carry (the scheme's own checks
    where python-stdnum knows the number)."""
    from stdnum import ean
    from stdnum.be import vat as be_vat
    from stdnum.eu import vat
    from stdnum.no import orgnr

    scheme, _, identifier = value.partition(":")
    if not identifier:
        return [f"Write the Peppol ID as scheme:identifier, e.g. 0208:0477472701 (got "
                f"“{value}”)."]
    if scheme not in EAS_CODES:
        return [f"{scheme} is not an electronic address scheme Peppol accepts "
                "(PEPPOL-EN16931-CL008)."]
    if scheme == BELGIAN_ENTERPRISE and not (identifier.isdigit() and len(identifier) == 10
                                             and be_vat.is_valid(identifier)):
        return [f"{value} is not a valid Belgian enterprise number (PEPPOL-COMMON-R043)."]
    if scheme == "0088" and not (identifier.isdigit() and ean.is_valid(identifier)):
        return [f"{value} is not a valid GLN (PEPPOL-COMMON-R040)."]
    if scheme == "0192" and not orgnr.is_valid(identifier):
        return [f"{value} is not a valid Norwegian organization number (PEPPOL-COMMON-R041)."]
    if scheme == LEITWEG:
        return leitweg_id_errors(identifier)
    vat_country = {v: k for k, v in VAT_SCHEMES.items()}.get(scheme)
    if vat_country and not (vat.is_valid(identifier) and identifier[:2] == vat_country):
        return [f"{value}: scheme {scheme} takes a {vat_country} VAT ID "
                f"(e.g. {vat_country}123456789)."]
    return []
