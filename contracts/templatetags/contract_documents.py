"""The contract documents a quote of kind amendment or renewal stands for, for the customer's
portal page (q2c) that shows such a quote.

    {% load contract_documents %}
    {% amendment_document_for quote as document %}   (None unless an amendment quote)
    {% renewal_document_for quote as renewal %}      (None unless a renewal quote)
"""

from django import template

from contracts.documents import amendment_document, renewal_document
from contracts.models import Renewal
from contracts.services import amendment_for_quote

register = template.Library()


@register.simple_tag
def amendment_document_for(quote):
    if quote.kind != "amendment":
        return None
    return amendment_document(amendment_for_quote(quote))


@register.simple_tag
def renewal_document_for(quote):
    if quote.kind != "renewal":
        return None
    renewal = Renewal.objects.select_related("contract").filter(quote_id=quote.pk).first()
    return renewal_document(renewal) if renewal is not None else None
