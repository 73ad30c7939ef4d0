"""Model fields shared by every app."""

from django.db import models

from core import clock


class TimestampField(models.DateTimeField):
    """A `DateTimeField` whose `auto_now` / `auto_now_add` read the product's clock
    (`core.clock.now`) instead of Django's, so a replayed business day stamps its rows."""

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
