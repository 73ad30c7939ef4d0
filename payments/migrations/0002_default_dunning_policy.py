"""The standard dunning policy and its email texts (admins change them in admin)."""

from decimal import Decimal

from django.db import migrations

TEMPLATES = [
    ("reminder", "Invoice {{ invoice }} is due",
     "Dear customer,\n\nthis is a reminder that invoice {{ invoice }} for {{ amount_due }} "
     "{{ invoice.currency }} is due on {{ invoice.due_on }}.\n\nYou can pay it by card here: "
     "{{ pay_url }}\n\nThank you."),
    ("overdue", "Invoice {{ invoice }} is overdue",
     "Dear customer,\n\ninvoice {{ invoice }} is {{ days_past_due }} days past due; "
     "{{ amount_due }} {{ invoice.currency }} is still open.\n\nPlease pay it here: "
     "{{ pay_url }}\n\nIf you have already paid, please ignore this message."),
    ("escalation", "{{ account }}: invoice {{ invoice }} is {{ days_past_due }} days late",
     "Invoice {{ invoice }} of {{ account }} has {{ amount_due }} {{ invoice.currency }} "
     "unpaid, {{ days_past_due }} days past due. Please contact the customer."),
    ("final-notice", "Final notice: invoice {{ invoice }}",
     "Dear customer,\n\ninvoice {{ invoice }} is {{ days_past_due }} days past due. Unless "
     "{{ amount_due }} {{ invoice.currency }} is paid within 14 days we will suspend your "
     "account.\n\nPay here: {{ pay_url }}"),
]
STEPS = [  # key, days from due date, action, email template
    ("before-due", -3, "remind", "reminder"),
    ("first-reminder", 1, "remind", "overdue"),
    ("retry-charge", 3, "retry_charge", None),
    ("second-reminder", 14, "remind", "overdue"),
    ("escalate", 21, "escalate", "escalation"),
    ("final-notice", 30, "final_notice", "final-notice"),
    ("suspend", 45, "suspend", None),
    ("write-off", 120, "write_off", None),
]


def seed(apps, schema_editor):
    Template = apps.get_model("payments", "DunningTemplate")
    Policy = apps.get_model("payments", "DunningPolicy")
    Step = apps.get_model("payments", "DunningPolicyStep")
    templates = {}
    for key, subject, body in TEMPLATES:  # the first of the key: later ones are translations
        templates[key] = (Template.objects.filter(key=key).order_by("pk").first()
                          or Template.objects.create(key=key, subject=subject, body=body))
    policy, created = Policy.objects.get_or_create(
        name="Standard", defaults={"is_default": True, "grace_days": 0,
                                   "minimum_overdue": Decimal("0")})
    if created:
        Step.objects.bulk_create([
            Step(policy=policy, key=key, days=days, action=action,
                 template=templates.get(template))
            for key, days, action, template in STEPS])


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
