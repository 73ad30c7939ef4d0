from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0009_line_moments_and_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="amendment",
            name="effective_time",
            field=models.TimeField(blank=True, help_text="The time of day the change takes effect for lines priced by the second, in the line's time zone (empty: at the start of the effective date).", null=True),
        ),
    ]
