"""The functional currency cannot change once entries exist: every amount of every entry is in
it, so a changed FUNCTIONAL_CURRENCY would mix two currencies in every balance. The currency the
books were opened in is kept in `Books` (recorded after each migrate while no entry exists);
this check runs with `migrate` and `check --database default`, so a deployment that changed the
setting stops before it serves."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


def record_functional_currency(*, using: str = "default", **kwargs) -> None:
    """post_migrate: the books take the setting's currency while they hold no entry."""
    from ledger.models import Books, JournalEntry

    if JournalEntry.objects.using(using).exists():
        Books.objects.using(using).get_or_create(
            pk=1, defaults={"functional_currency": settings.FUNCTIONAL_CURRENCY})
        return
    Books.objects.using(using).update_or_create(
        pk=1, defaults={"functional_currency": settings.FUNCTIONAL_CURRENCY})


@register(Tags.database)
def functional_currency_unchanged(app_configs=None, databases=None, **kwargs) -> list[Error]:
    from ledger.models import Books, JournalEntry

    errors = []
    for alias in databases or ():
        try:
            books = Books.objects.using(alias).filter(pk=1).first()
            posted = books is not None and JournalEntry.objects.using(alias).exists()
        except DatabaseError:  # not migrated yet: nothing is posted
            continue
        if posted and books.functional_currency != settings.FUNCTIONAL_CURRENCY:
            errors.append(Error(
                f"The books are kept in {books.functional_currency} but FUNCTIONAL_CURRENCY is "
                f"{settings.FUNCTIONAL_CURRENCY}.",
                hint=f"Set FUNCTIONAL_CURRENCY={books.functional_currency}: the functional "
                     "currency cannot change once journal entries exist.",
                id="ledger.E001"))
    return errors
