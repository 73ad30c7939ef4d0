"""EN 16931 e-invoices: pure builders from plain data (`document`) to UN/CEFACT CII, the XML of
Factur-X and ZUGFeRD (`cii`), and UBL 2.1 (`ubl`); the official rules that check them
(`validation`); the PDF/A-3 with the CII attached (`facturx`). `documents` reads an issued
invoice or credit note into the plain data."""
