"""Web glue shared by every app's views: a service's ValidationError put back on the form."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError back on the form, each message on its field; a message
    about a field the form does not show goes on top, named after that field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        if field not in form.fields and field != NON_FIELD_ERRORS:
            messages = [f"{field.replace('_', ' ')}: {m}" for m in messages]
        form.add_error(target, messages)
