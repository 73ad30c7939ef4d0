"""Load the demo: one login per role in two sales teams, customers with contacts, and two
years of history (q2c/demo_history.py) up to today.

Acts through the services, like a person would, and only once: a second run finds the demo
users, accounts and history already there and changes nothing.
"""

import io
import os
import random
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.demo import seed_catalog
from catalog.models import Product
from contracts.models import Contract
from core.actors import system_user
from core.dates import add_months, business_date, month_start
from core.roles import assign_role
from customers.models import Account, ContactRole, PaymentTerms, ReportingLine
from customers.services import add_contact, create_account
from ledger.models import ExchangeRate
from ledger.services import import_rate_file
from payments.models import DunningPolicyStep
from q2c.demo_company import DEMO_COMPANY
from q2c.demo_data import (
    DEMO_ACCOUNTS,
    DEMO_EINVOICING,
    DEMO_PASSWORD,
    DEMO_RATES,
    DEMO_USERS,
    EXTRA_ACCOUNTS,
    FIRST_NAMES,
    LAST_NAMES,
    NAME_PARTS,
    PLACES,
    TERMS_CYCLE,
)
from q2c.demo_history import Cast, DemoHistory
from quotes.services import LineItem, add_lines, create_quote, submit_for_approval

HISTORY_MONTHS = 24
RATE_PLACES = Decimal("0.000001")

User = get_user_model()


def refuse_a_real_outside_world() -> None:
    """The demo's seller and customers are made up: its invoices need the demo seller's details
    (DEMO_COMPANY=1 fills them), and its emails must not leave through a real mail server."""
    missing = [name for name in DEMO_COMPANY if not getattr(settings, name)]
    if missing:
        raise CommandError(f"The demo's invoices need the seller's {', '.join(missing)}: run it "
                           "with DEMO_COMPANY=1, as `make seed` does, or set them (README).")
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        raise CommandError("The demo's customers have made-up addresses: run it with "
                           "EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend, as "
                           "`make seed` does, not through a mail server.")


class Command(BaseCommand):
    help = "Create the demo users (one per role) and demo customers; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=HISTORY_MONTHS,
                            help=f"Months of history to make (default {HISTORY_MONTHS}).")

    def handle(self, *args, months=HISTORY_MONTHS, **options):
        refuse_a_real_outside_world()
        # Each service commits and its tasks run in-line before the next business day, never
        # later on a worker with today's clock, whatever broker the settings name.
        current_app.conf.task_always_eager = True
        with transaction.atomic():
            users = self.seed_users()
            self.seed_rates(users["adam"])
            seed_catalog()
            self.seed_dunning_policy()
            created = self.seed_accounts(users)
        if not Contract.objects.exists():
            # Not one transaction: each service commits, so the tasks it queues run before the
            # next business day, as they would in production.
            self.stdout.write(f"Making {months} months of history (a minute or two)...")
            cast = Cast(reps=[users["sam"], users["rita"], users["wendy"]],
                        managers=[users["maria"], users["walter"]], finance=users["fiona"],
                        accountant=users["adam"], system=system_user())
            DemoHistory(cast, today=business_date(), months=months, log=self.stdout.write).run()
            with transaction.atomic():
                self.seed_quotes(users)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready ({created} accounts added, {Account.objects.count()} in all)."))
        self.print_logins()

    def seed_users(self) -> dict[str, User]:
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@q2c.example", DEMO_PASSWORD,
                                          first_name="Ada", last_name="Admin")
        users = {}
        for username, first, last, role, manager, team in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last,
                          "email": f"{username}@q2c.example"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                assign_role(user, role)
            users[username] = user
            if manager:
                ReportingLine.objects.get_or_create(
                    user=user, defaults={"manager": users[manager], "team_name": team})
        return users

    def seed_dunning_policy(self) -> None:
        """The demo company stops invoicing an account it suspends for not paying, and credits
        the days it was blocked once the account has paid (issue 17), as an admin would set
        the standard policy's suspend step."""
        DunningPolicyStep.objects.filter(policy__is_default=True, key="suspend").update(
            pauses_billing=True, credits_blocked_days=True)

    def seed_rates(self, accountant) -> None:
        """Monthly exchange rates over the demo history, imported like a treasury file."""
        if ExchangeRate.objects.exists():
            return
        rng = random.Random(7)
        first = add_months(month_start(business_date()), -HISTORY_MONTHS)
        rows = ["currency,date,rate"]
        for currency, start in DEMO_RATES.items():
            rate = Decimal(start)
            for month in range(HISTORY_MONTHS + 1):
                rows.append(f"{currency},{add_months(first, month)},{rate}")
                drift = Decimal(rng.randint(-15, 15)) / Decimal(1000)
                rate = (rate * (1 + drift)).quantize(RATE_PLACES)
        import_rate_file(io.StringIO("\n".join(rows)), by=accountant)

    def seed_accounts(self, users) -> int:
        """Finance opens the accounts for the reps who own them: only finance sets credit
        limits, tax exemptions and long terms."""
        rng = random.Random(20261123)  # the same demo on every machine
        reps = [users["sam"], users["rita"], users["wendy"], users["maria"], users["walter"]]
        finance = users["fiona"]
        terms = {t.code: t for t in PaymentTerms.objects.all()}
        existing = set(Account.objects.values_list("name", flat=True))
        created = 0
        for index, (name, country, region, city, currency, terms_code, limit) in enumerate(
                DEMO_ACCOUNTS):
            if name in existing:
                continue
            owner = reps[index % len(reps)]
            account = create_account(
                by=finance, name=name, legal_name=f"{name} {self.legal_suffix(country)}",
                tax_id=f"{country}{rng.randrange(10**8, 10**9)}", country=country, region=region,
                billing_street=f"{rng.randrange(1, 999)} Market Street", billing_city=city,
                billing_postal_code=str(rng.randrange(10000, 99999)),
                currency=currency, payment_terms=terms[terms_code],
                credit_limit=Decimal(limit), owner=owner, tax_exempt=(index % 11 == 10),
                **DEMO_EINVOICING.get(name, {}),
            )
            domain = name.lower().replace(" ", "") + ".example"
            for role in (ContactRole.BILLING, ContactRole.SIGNER):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                add_contact(account=account, by=owner, name=f"{first} {last}",
                            email=f"{first}.{last}.{role}@{domain}".lower(),
                            phone=f"+1 555 {rng.randrange(1000, 9999)}", role=role)
            created += 1
        return created + self.seed_more_accounts(reps, finance, terms, existing, rng)

    def seed_more_accounts(self, reps, finance, terms, existing, rng) -> int:
        """Hundreds of smaller customers for the history to sell to."""
        created = 0
        firsts, seconds = NAME_PARTS
        for index in range(EXTRA_ACCOUNTS):
            name = f"{firsts[index % len(firsts)]} {seconds[index // len(firsts) % len(seconds)]}"
            if name in existing:
                continue
            city, country, region, currency = PLACES[index % len(PLACES)]
            owner = reps[index % len(reps)]
            limit = Decimal(rng.randrange(5, 60) * 10000) * (150 if currency == "JPY" else 1)
            account = create_account(
                by=finance, name=name, legal_name=f"{name} {self.legal_suffix(country)}",
                country=country, region=region, billing_city=city, currency=currency,
                payment_terms=terms[TERMS_CYCLE[index % len(TERMS_CYCLE)]],
                credit_limit=limit, owner=owner, bill_day=1)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            for role in (ContactRole.BILLING, ContactRole.SIGNER):
                add_contact(account=account, by=owner, name=f"{first} {last}",
                            email=f"{first}.{last}.{role}@account{index}.example".lower(),
                            role=role)
            created += 1
        return created

    # Per rep: (SKU, quantity, discount %) lines of a quote, and whether it is submitted. A 25%
    # discount goes to finance for approval under the default rules; 5% is approved at once.
    DEMO_QUOTES = [
        ([("PLAT-PRO", 1, 0), ("SEAT-USER", 25, 5), ("ONBOARDING", 1, 0)], False),
        ([("PLAT-ENT", 1, 0), ("SEAT-USER", 120, 25), ("SUPPORT-PREMIUM", 1, 0)], True),
        ([("PLAT-STARTER", 1, 0), ("SEAT-USER", 10, 5), ("TRAINING-DAY", 2, 0)], True),
    ]

    def seed_quotes(self, users) -> None:
        """A few open quotes per rep today (draft, waiting for finance, approved), built like a
        rep would. Sending is left to the person trying the demo."""
        products = {p.sku: p for p in Product.objects.filter(
            sku__in={sku for lines, _ in self.DEMO_QUOTES for sku, _, _ in lines})}
        start = month_start(add_months(business_date(), 1))
        for rep in (users["sam"], users["rita"], users["wendy"]):
            accounts = list(Account.objects.filter(owner=rep, currency="USD").order_by("name"))
            for account, (lines, submit) in zip(accounts, self.DEMO_QUOTES, strict=False):
                contact = account.contacts.filter(role=ContactRole.SIGNER).first()
                quote = create_quote(by=rep, account=account, contact=contact, start_on=start,
                                     term_months=12)
                add_lines(quote=quote, by=rep, items=[
                    LineItem(product=products[sku], quantity=Decimal(qty),
                             discount_percent=Decimal(off)) for sku, qty, off in lines])
                if submit:
                    submit_for_approval(quote=quote, by=rep)

    @staticmethod
    def legal_suffix(country: str) -> str:
        return {"DE": "GmbH", "FR": "SAS", "ES": "S.L.", "NL": "B.V.", "IT": "S.r.l.",
                "GB": "Ltd", "JP": "K.K.", "CH": "AG", "AU": "Pty Ltd"}.get(country, "Inc.")

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        self.stdout.write(f"  {'admin':<8} superuser (Django admin)")
        for username, first, last, role, _manager, team in DEMO_USERS:
            where = f", team {team}" if team else ""
            self.stdout.write(f"  {username:<8} {role}{where} — {first} {last}")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nOpen http://127.0.0.1:{port}/ and sign in.\n")
