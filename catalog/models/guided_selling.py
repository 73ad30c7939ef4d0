"""Guided selling: a short questionnaire per product family, kept by the catalog admin. Each
answer proposes lines (a product and its quantity) that the rep reviews and adds in the quote
builder (`quotes.selectors.guided_proposals`); nothing is added without the rep."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from catalog.models.products import Product


class GuidedQuestion(models.Model):
    family = models.CharField(max_length=100, help_text="The product family it helps to sell "
                                                        "(as products name it).")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=200, help_text="What the rep asks the customer.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["family", "position"],
                                               name="guided_question_once_per_place")]

    def __str__(self):
        return f"{self.family}: {self.text}"


class GuidedAnswer(models.Model):
    question = models.ForeignKey(GuidedQuestion, on_delete=models.CASCADE,
                                 related_name="answers")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "position"],
                                               name="guided_answer_once_per_place")]

    def __str__(self):
        return f"{self.question.text} → {self.text}"


class GuidedProposal(models.Model):
    answer = models.ForeignKey(GuidedAnswer, on_delete=models.CASCADE, related_name="proposals")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=15, decimal_places=4, default=Decimal(1),
                                   validators=[MinValueValidator(Decimal("0.0001"))])

    class Meta:
        ordering = ["answer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "product"],
                                    name="guided_proposal_once_per_answer"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                   name="guided_proposal_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.answer}: {self.product.sku} × {self.quantity.normalize():f}"
