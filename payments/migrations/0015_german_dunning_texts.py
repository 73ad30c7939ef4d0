"""German texts of the standard policy's customer emails (sent to accounts whose document
language is German; the escalation goes to staff and stays English). Added only where no German
text of that key exists, so finance's own are kept."""

from django.db import migrations

TEXTS = [
    ("reminder", "Rechnung {{ invoice }} ist fällig",
     "Sehr geehrte Damen und Herren,\n\nwir erinnern Sie daran, dass die Rechnung {{ invoice }} "
     "über {{ amount_due }} {{ invoice.currency }} am {{ invoice.due_on }} fällig ist.\n\nSie "
     "können sie hier mit Karte bezahlen: {{ pay_url }}\n\nVielen Dank."),
    ("overdue", "Rechnung {{ invoice }} ist überfällig",
     "Sehr geehrte Damen und Herren,\n\ndie Rechnung {{ invoice }} ist seit "
     "{{ days_past_due }} Tagen überfällig; {{ amount_due }} {{ invoice.currency }} sind noch "
     "offen.\n\nBitte bezahlen Sie hier: {{ pay_url }}\n\nFalls Sie bereits bezahlt haben, "
     "betrachten Sie diese Nachricht bitte als gegenstandslos."),
    ("final-notice", "Letzte Mahnung: Rechnung {{ invoice }}",
     "Sehr geehrte Damen und Herren,\n\ndie Rechnung {{ invoice }} ist seit "
     "{{ days_past_due }} Tagen überfällig. Wenn {{ amount_due }} {{ invoice.currency }} nicht "
     "innerhalb von 14 Tagen bezahlt werden, sperren wir Ihr Konto.\n\nHier bezahlen: "
     "{{ pay_url }}"),
]


def seed(apps, schema_editor):
    Template = apps.get_model("payments", "DunningTemplate")
    for key, subject, body in TEXTS:
        Template.objects.get_or_create(key=key, language="de",
                                       defaults={"subject": subject, "body": body})


def unseed(apps, schema_editor):
    Template = apps.get_model("payments", "DunningTemplate")
    for key, subject, body in TEXTS:
        Template.objects.filter(key=key, language="de", subject=subject, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0014_dunning_deliveries_and_languages")]

    operations = [migrations.RunPython(seed, unseed)]
