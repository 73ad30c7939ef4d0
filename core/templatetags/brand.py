from django import template

from core.pdf import letterhead

register = template.Library()


@register.inclusion_tag("core/_brand.html")
def company_brand():
    """The seller's name, address and email atop every page a customer opens (the same
    letterhead the documents carry, from the COMPANY_* settings)."""
    return {"company": letterhead()}
