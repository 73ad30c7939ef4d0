"""No raw number reaches a reader (review 2026-12, gap 10): every staff page and PDF of a small
demo, crawled as the admin, shows quantities without exponent ("6E+1") and money with no more
decimals than its currency has ("133,213.4000 USD"). The same crawl holds every page to the
Content-Security-Policy (issue 15): the header is sent, and no page has code the policy would
block (an inline script, a `<style>` element, an `on…=` handler)."""

import io
import re
from html import unescape
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from core.money import minor_units
from q2c.demo_data import DEMO_PASSWORD
from tests.conftest import reseed_migration_data

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db(transaction=True)]

SKIP = ("/admin/", "/logout", "/accounts/logout", "/api/", "/static/", "/pay/", "/portal/")
PER_PATTERN = 2  # pages of one URL shape (same path with other ids) worth reading
MAX_PAGES = 400
EXPONENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?E[+-]?\d+\b")
SYMBOL_AMOUNT = re.compile(r"(CA\$|A\$|\$|€|£|¥)-?(\d[\d,]*)\.(\d+)")
CODE_AMOUNT = re.compile(r"(?<![\w.])-?\d[\d,]*\.(\d+) (USD|EUR|GBP|JPY|CAD|AUD|CHF|KWD)\b")
SYMBOL_CURRENCY = {"$": "USD", "CA$": "CAD", "A$": "AUD", "€": "EUR", "£": "GBP", "¥": "JPY"}
HREF = re.compile(r'href="(/[^"#?]*)')
INLINE_CODE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b"
                         r"|\son[a-z]+\s*=|javascript:", re.I)


def raw_numbers(text: str) -> list[str]:
    found = [m.group(0) for m in EXPONENT.finditer(text)]
    found += [m.group(0) for m in SYMBOL_AMOUNT.finditer(text)
              if len(m.group(3)) > minor_units(SYMBOL_CURRENCY[m.group(1)])]
    found += [m.group(0) for m in CODE_AMOUNT.finditer(text)
              if len(m.group(1)) > minor_units(m.group(2))]
    return found


def test_the_finder_knows_raw_numbers_from_formatted_ones():
    assert raw_numbers("6E+1 seats, 2.5E+6 calls") == ["6E+1", "2.5E+6"]
    assert raw_numbers("133,213.4000 USD within $250,000.0000") == ["$250,000.0000",
                                                                    "133,213.4000 USD"]
    assert raw_numbers("$133,213.40, ¥1,500, 1.250 KWD, 3.5 seats, INV-2026-000001") == []


def test_the_inline_code_finder_knows_blocked_code_from_allowed():
    blocked = ['<script>alert(1)</script>', '<style>p{}</style>', '<a onclick="x()">',
               '<a href="javascript:x()">']
    allowed = ['<script src="/static/js/app.js" defer></script>', '<p style="color:red">',
               '<script id="d" type="application/json">{}</script>', '<p>one click</p>']
    found = [bool(INLINE_CODE.search(html)) for html in blocked + allowed]
    assert found == [True] * 4 + [False] * 4


def page_text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_no_page_or_pdf_of_the_demo_shows_a_raw_number_or_code_the_policy_blocks(client,
                                                                                   demo_company):
    # given: a small demo (two months of history through every stage)
    reseed_migration_data()
    call_command("seed_demo", months=2, stdout=io.StringIO())
    assert client.login(username="admin", password=DEMO_PASSWORD)

    # when: every page and PDF the admin can reach by links from home, a few of each shape
    seen, shapes, queue, problems, blocked = set(), {}, ["/"], {}, {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "#", path)
        if path in seen or shapes.get(shape, 0) >= PER_PATTERN:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith(
                ("text/html", "application/pdf")):
            continue
        if found := raw_numbers(page_text(response)):
            problems[path] = found[:3]
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            if "script-src 'self'" not in response.get("Content-Security-Policy", ""):
                blocked[path] = "no Content-Security-Policy"
            elif found := INLINE_CODE.findall(html):
                blocked[path] = found[:3]
            queue += [href for href in HREF.findall(response.content.decode())
                      if not href.startswith(SKIP) and urlparse(href).path == href]

    # then
    assert len(seen) > 60 and any("pdf" in p for p in seen), sorted(seen)
    assert problems == {}
    assert blocked == {}
