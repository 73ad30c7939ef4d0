from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField


class GLAccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"


class GLAccount(models.Model):
    """An account of the general ledger (chart of accounts)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=16, choices=GLAccountType.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "GL account"

    def __str__(self):
        return f"{self.code} {self.name}"


class PeriodState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"


class AccountingPeriod(FSMModelMixin, models.Model):
    """A calendar month of the books; created when first needed."""

    start_on = models.DateField(unique=True)
    end_on = models.DateField()
    state = FSMField(default=PeriodState.OPEN, choices=PeriodState.choices, protected=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    balances_kept = models.BooleanField(
        default=False, editable=False,
        help_text="Its customers' closing balances are stored (ClosingBalance).")

    class Meta:
        ordering = ["start_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_on__gte=models.F("start_on")),
                                   name="period_ends_after_start"),
        ]
        permissions = [
            ("start_close", "Can start closing an accounting period"),
            ("close_period", "Can close an accounting period"),
            ("reopen_period", "Can reopen a closed accounting period"),
        ]

    def __str__(self):
        return self.start_on.strftime("%B %Y")

    @property
    def is_open(self) -> bool:
        return self.state == PeriodState.OPEN

    @transition(field=state, source=PeriodState.OPEN, target=PeriodState.CLOSING,
                permission="ledger.start_close")
    def start_close(self):
        pass

    @transition(field=state, source=PeriodState.CLOSING, target=PeriodState.OPEN,
                permission="ledger.start_close")
    def cancel_close(self):
        pass

    @transition(field=state, source=PeriodState.CLOSING, target=PeriodState.CLOSED,
                permission="ledger.close_period")
    def close(self, *, closed_by=None, at=None):
        # `closed_by`, not `by`: core.transitions.run_transition takes `by` for the actor.
        self.closed_by, self.closed_at = closed_by, at

    @transition(field=state, source=PeriodState.CLOSED, target=PeriodState.OPEN,
                permission="ledger.reopen_period")
    def reopen(self):
        self.closed_by, self.closed_at = None, None


class ClosingBalance(models.Model):
    """A customer account's balance on one GL account, in one document currency, at the end of
    a closed period: every line posted up to its last day, added up. A period gets them when it
    closes with every earlier month closed and kept (`ledger.services.periods`); reopening a
    period removes its balances and every later period's. Readers then add only the lines
    posted after the latest kept period (`ledger.selectors.receivable_balances`), not every
    line since the books began: two years of monthly revenue for 100,000 customers is 2.4
    million lines on the unbilled receivable alone."""

    period = models.ForeignKey(AccountingPeriod, on_delete=models.CASCADE,
                               related_name="closing_balances", db_constraint=False)
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="+",
                                   db_constraint=False)
    customer_account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                         related_name="+", db_constraint=False)
    document_currency = models.CharField(max_length=3, blank=True)
    functional = models.DecimalField(max_digits=19, decimal_places=4,
                                     help_text="Debits less credits, functional currency.")
    document = models.DecimalField(max_digits=19, decimal_places=4,
                                   help_text="Signed, in the document currency.")

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["period", "gl_account", "customer_account", "document_currency"],
            name="closing_balance_once_per_period")]

    def __str__(self):
        return f"{self.period} {self.gl_account_id} {self.customer_account_id} {self.document}"


class ImmutableEntryError(Exception):
    """Raised on any attempt to write a journal entry or line other than through post_entries."""


_IMMUTABLE = ("Journal entries are written only by ledger.services.post_entries and never change "
              "once posted; post a reversing entry instead.")


class PostedQuerySet(models.QuerySet):
    """Refuses the bulk paths that would change or remove posted rows."""

    def update(self, **kwargs):
        raise ImmutableEntryError(_IMMUTABLE)

    def delete(self):
        raise ImmutableEntryError(_IMMUTABLE)

    delete.queryset_only = True


class PostedRowMixin:
    """Rows are inserted only by `bulk_create` in ledger.services.post_entries; `save()` and
    `delete()` are refused for new and existing rows alike, so nothing edits the books."""

    def save(self, *args, **kwargs):
        raise ImmutableEntryError(_IMMUTABLE)

    def delete(self, *args, **kwargs):
        raise ImmutableEntryError(_IMMUTABLE)


class JournalEntry(PostedRowMixin, models.Model):
    """A balanced set of journal lines; immutable once posted (a reversal is a new entry)."""

    number = models.PositiveBigIntegerField(unique=True)
    document_date = models.DateField(help_text="The date of the source document.")
    posted_on = models.DateField(help_text="Date in the open period the entry was posted to.")
    # db_constraint=False here and on the lines: the references are checked per statement,
    # not per row (core.references, migration 0012); a bulk posting writes thousands
    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT, related_name="entries",
                               db_constraint=False)
    memo = models.CharField(max_length=255)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT,
                                    db_constraint=False)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(max_length=100, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", db_constraint=False)
    created_at = TimestampField(auto_now_add=True)

    objects = PostedQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_on", "-number"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["source_type", "source_id"]),
                   models.Index(fields=["posted_on"]),
                   # the journal list's keyset pages (core.pagination), newest first: a page
                   # after a bill run's day does not sort that whole day
                   models.Index(fields=["-posted_on", "-number"], name="journal_list_order")]
        permissions = [("post_entries", "Can post journal entries")]

    def __str__(self):
        return f"{self.reference} {self.memo}"

    @property
    def reference(self) -> str:
        return f"JE-{self.number:07d}"

    @property
    def total_debit(self):
        return sum((line.debit for line in self.lines.all()), Decimal("0"))

    @property
    def total_credit(self):
        return sum((line.credit for line in self.lines.all()), Decimal("0"))

    @property
    def posted_late(self) -> bool:
        """Dated in a period that was closed, so posted on the first day of a later one."""
        return self.posted_on != self.document_date


class JournalLine(PostedRowMixin, models.Model):
    """One debit or credit in the functional currency; receivable lines also carry the customer
    account and the amount in the document's currency with the rate used."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines",
                              db_constraint=False)
    # indexed with the entry (Meta.indexes), which serves the GL account alone too
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="lines",
                                   db_constraint=False, db_index=False)
    debit = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    credit = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    customer_account = models.ForeignKey("customers.Account", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="journal_lines",
                                          db_constraint=False)
    document_currency = models.CharField(max_length=3, blank=True)
    document_amount = models.DecimalField(max_digits=19, decimal_places=4, null=True, blank=True,
                                          help_text="Signed: debit positive, credit negative.")
    rate = models.DecimalField(max_digits=19, decimal_places=8, null=True, blank=True)
    description = models.CharField(max_length=255, blank=True)

    objects = PostedQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "pk"]
        indexes = [models.Index(fields=["customer_account", "gl_account"]),
                   # one GL account's lines posted after a kept period, one range of entries
                   # (ledger.selectors._posted_between)
                   models.Index(fields=["gl_account", "entry"], name="journalline_gl_entry")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(debit__gte=0, credit=0) | models.Q(debit=0, credit__gte=0)),
                name="journalline_one_side_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.gl_account.code} Dr {self.debit} Cr {self.credit}"


class AccountMovement(PostedRowMixin, models.Model):
    """What one posting moved on one GL account on one posting day, per kind of source document:
    appended by `post_entries` in the transaction that writes the lines, never changed. The
    trial balance and the period reports sum these instead of every line (a recognition run of
    100,000 contracts writes 400,000 lines and a few hundred movements)."""

    posted_on = models.DateField()
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="+")
    source_type = models.ForeignKey(ContentType, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    debit = models.DecimalField(max_digits=19, decimal_places=4)
    credit = models.DecimalField(max_digits=19, decimal_places=4)

    objects = PostedQuerySet.as_manager()

    class Meta:
        ordering = ["posted_on", "pk"]
        indexes = [models.Index(fields=["posted_on", "gl_account"])]

    def __str__(self):
        return f"{self.posted_on} {self.gl_account_id} Dr {self.debit} Cr {self.credit}"


class Books(models.Model):
    """The one row that says in which functional currency the books were opened (at the first
    posting). Every amount of every entry is in it, so it never changes afterwards."""

    functional_currency = models.CharField(max_length=3)
    opened_at = TimestampField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "books"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="books_one_row")]

    def __str__(self):
        return f"Books in {self.functional_currency}"


class ExchangeRate(models.Model):
    """Units of the functional currency for one unit of `currency`, from `valid_on`."""

    currency = models.CharField(max_length=3)
    valid_on = models.DateField()
    rate = models.DecimalField(max_digits=19, decimal_places=8)

    class Meta:
        ordering = ["currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_on"],
                                    name="exchangerate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]
        permissions = [("import_rates", "Can import exchange rates from CSV")]

    def __str__(self):
        return f"1 {self.currency} = {self.rate} on {self.valid_on}"


class ManualJournalState(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


def within_limit(journal: "ManualJournal") -> bool:
    return not journal.needs_approval


class ManualJournal(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """An accountant's own journal (accruals, reclassifications, corrections). Up to the approval
    threshold the preparer posts it; above it a second person approves it (maker-checker).
    Posted, it owns its journal entry like any document."""

    document_date = models.DateField()
    memo = models.CharField(max_length=255)
    total = models.DecimalField(max_digits=19, decimal_places=4,
                                help_text="Total debits (= total credits), functional currency.")
    needs_approval = models.BooleanField(
        help_text="Above the approval threshold when prepared: a second person posts it.")
    state = FSMField(default=ManualJournalState.PENDING_APPROVAL,
                     choices=ManualJournalState.choices, protected=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    entry = models.OneToOneField(JournalEntry, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="manual_journal")
    rejection_reason = models.TextField(blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_manualjournal",
                        "Can approve or reject manual journals prepared by someone else")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"MJ-{self.pk:05d}"

    @transition(field=state, source=ManualJournalState.PENDING_APPROVAL,
                target=ManualJournalState.POSTED, permission="ledger.add_manualjournal",
                conditions=[within_limit])
    def post(self):
        """The preparer posts a journal within the threshold."""

    @transition(field=state, source=ManualJournalState.PENDING_APPROVAL,
                target=ManualJournalState.POSTED, permission="ledger.approve_manualjournal")
    def approve(self):
        """A second person posts a journal above the threshold."""

    @transition(field=state, source=ManualJournalState.PENDING_APPROVAL,
                target=ManualJournalState.REJECTED, permission="ledger.approve_manualjournal")
    def reject(self, *, reason: str):
        self.rejection_reason = reason


class ManualJournalLine(models.Model):
    journal = models.ForeignKey(ManualJournal, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    gl_account = models.ForeignKey(GLAccount, on_delete=models.PROTECT, related_name="+")
    debit = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    credit = models.DecimalField(max_digits=19, decimal_places=4, default=0)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["journal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "position"],
                                    name="manualjournalline_unique_position"),
        ]

    def __str__(self):
        return f"{self.gl_account.code} Dr {self.debit} Cr {self.credit}"


class GLAccountMapping(models.Model):
    """Where one of our GL accounts goes in the chart of the accounting system the ledger is
    exported to; an account without a mapping is exported under its own code and name."""

    gl_account = models.OneToOneField(GLAccount, on_delete=models.CASCADE,
                                      related_name="export_mapping")
    target_code = models.CharField(max_length=40)
    target_name = models.CharField(max_length=120, blank=True,
                                   help_text="Blank: our account's name.")

    class Meta:
        ordering = ["gl_account__code"]
        verbose_name = "GL account mapping"

    def __str__(self):
        return f"{self.gl_account.code} → {self.target_code}"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    SAFT = "saft", "SAF-T XML"


class LedgerExport(models.Model):
    """One export of journal entries to the general ledger: each entry belongs to one export
    (LedgerExportEntry), and the file is rebuilt on demand from those rows and the account map
    kept here, so downloading it again gives the same bytes."""

    number = models.PositiveIntegerField(unique=True)
    period = models.ForeignKey(AccountingPeriod, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="exports",
                               help_text="Blank: every entry not exported before.")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    entry_count = models.PositiveIntegerField()
    line_count = models.PositiveIntegerField()
    total_debit = models.DecimalField(max_digits=19, decimal_places=4)
    total_credit = models.DecimalField(max_digits=19, decimal_places=4)
    first_posted_on = models.DateField()
    last_posted_on = models.DateField()
    account_map = models.JSONField(
        help_text="Our GL code → [target code, target name] as mapped when exported.")

    class Meta:
        ordering = ["-number"]
        permissions = [("export_entries", "Can export journal entries to the general ledger")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"GLX-{self.number:05d}"

    @property
    def scope(self) -> str:
        return str(self.period) if self.period_id else "Since the last export"

    @property
    def filename(self) -> str:
        return f"{self.reference}.{'csv' if self.format == ExportFormat.CSV else 'xml'}"


class LedgerExportEntry(models.Model):
    """An entry's one export: the unique entry makes a second export of it impossible."""

    export = models.ForeignKey(LedgerExport, on_delete=models.PROTECT, related_name="links")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="export_link")

    class Meta:
        ordering = ["export", "entry"]

    def __str__(self):
        return f"{self.export_id} ← entry {self.entry_id}"
