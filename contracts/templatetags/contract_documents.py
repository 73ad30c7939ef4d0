"""The contract documents a quote of kind amendment or renewal stands for, for the customer's
portal page (q2c) that shows such a quote.

    {% load contract_documents %}
    {% amendment_document_for quote as document %}   (None unless an amendment quote)
    {% renewal_document_for quote as renewal %}      (None unless a renewal quote)
"""

from django import template

from contracts.documents import amendment_document, renewal_document
from contracts.models import Amendment, Renewal

register = template.Library()


def _amendment_of(quote) -> Amendment | None:
    return (Amendment.objects.select_related("contract__account", "contract__payment_terms",
                                             "quote__contact")
            .filter(quote_id=quote.pk).first()) if quote.kind == "amendment" else None


@register.simple_tag
def amendment_document_for(quote):
    amendment = _amendment_of(quote)
    return amendment_document(amendment) if amendment is not None else None


@register.simple_tag
def renewal_document_for(quote):
    if quote.kind != "renewal":
        return None
    renewal = Renewal.objects.select_related("contract").filter(quote_id=quote.pk).first()
    return renewal_document(renewal) if renewal is not None else None
