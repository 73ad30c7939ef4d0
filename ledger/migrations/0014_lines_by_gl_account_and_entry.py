"""Journal lines indexed by GL account and entry, in place of the GL account alone: one GL
account's lines posted after a kept period are one range of that index (the close checklist's
receivable and customer-credit reads scanned every line of the month after it). The new index
is built before the old one goes, so the GL account is never without one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0013_closing_balances'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='journalline',
            index=models.Index(fields=['gl_account', 'entry'], name='journalline_gl_entry'),
        ),
        migrations.AlterField(
            model_name='journalline',
            name='gl_account',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='ledger.glaccount'),
        ),
    ]
