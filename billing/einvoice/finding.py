"""One broken rule of an e-invoice, whichever checked it: the official EN 16931 Schematron, the
XML schema, or our own checks of the Peppol BIS and XRechnung rules."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str  # BR-CO-15, PEPPOL-EN16931-R010, BR-DE-15, or XSD for the schema
    flag: str  # fatal, warning or information
    location: str  # XPath of the element
    text: str

    def __str__(self):
        return f"{self.rule} ({self.flag}) at {self.location}: {self.text}"
