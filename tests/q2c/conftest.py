import pytest

from q2c.demo_company import DEMO_COMPANY


@pytest.fixture
def demo_company(settings):
    """The settings `make seed` gives seed_demo: the demo seller, and no mail server."""
    for name, value in DEMO_COMPANY.items():
        setattr(settings, name, value)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
