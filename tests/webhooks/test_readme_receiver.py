"""The receiver the README shows integrators accepts our signature and refuses a tampered body,
another secret and an old timestamp (so the guide cannot drift from webhooks.signatures)."""

import re
import time
from pathlib import Path

from webhooks.signatures import sign

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_receiver():
    code = re.search(r"```python\n(import hashlib, hmac, time\n.*?)```", README.read_text(),
                     re.S).group(1)
    scope = {}
    exec(code, scope)  # noqa: S102 (our own README's example)
    return scope["verified"]


def test_the_readme_receiver_verifies_our_signature_and_nothing_else():
    verified = readme_receiver()
    body, now = b'{"type": "invoice.issued"}', int(time.time())
    header = sign("whsec_1", now, body)

    assert verified("whsec_1", header, body)
    assert not verified("whsec_1", header, body + b" ")
    assert not verified("whsec_2", header, body)
    assert not verified("whsec_1", sign("whsec_1", now - 301, body), body)
