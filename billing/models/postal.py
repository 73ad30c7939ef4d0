"""Documents sent by post: an issued invoice or credit note of an account that takes its
documents by post (customers.Account.document_delivery) waits on finance's "to print and post"
list until finance marks it posted. The life of a postal copy: to post → posted."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField


class PostalState(models.TextChoices):
    TO_POST = "to_post", "To print and post"
    POSTED = "posted", "Posted"


class PostalCopy(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    invoice = models.OneToOneField("billing.Invoice", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="postal_copy")
    credit_note = models.OneToOneField("billing.CreditNote", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="postal_copy")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="postal_copies")
    state = FSMField(default=PostalState.TO_POST, choices=PostalState.choices, protected=True)
    posted_on = models.DateField(null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(invoice__isnull=False, credit_note__isnull=True)
                           | models.Q(invoice__isnull=True, credit_note__isnull=False)),
                name="postalcopy_one_document"),
        ]
        permissions = [("mark_posted", "Can list documents to post and mark them posted")]

    def __str__(self):
        return f"Postal copy of {self.document}"

    @property
    def document(self):
        return self.invoice or self.credit_note

    @transition(field=state, source=PostalState.TO_POST, target=PostalState.POSTED,
                permission="billing.mark_posted")
    def mark_posted(self, *, day, user):
        self.posted_on, self.posted_by = day, user
