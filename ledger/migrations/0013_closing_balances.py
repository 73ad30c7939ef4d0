"""Closing balances per customer, GL account and document currency, kept for closed periods
(`ClosingBalance`), their references checked once per statement as journal lines' are."""

import django.db.models.deletion
from django.db import migrations, models

from core.references import Reference, installer

# Frozen: the tables of this migration.
REFERENCES = [
    Reference("ledger_closingbalance", "period_id", "ledger_accountingperiod"),
    Reference("ledger_closingbalance", "gl_account_id", "ledger_glaccount"),
    Reference("ledger_closingbalance", "customer_account_id", "customers_account"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0014_account_time_zone'),
        ('ledger', '0012_references_checked_per_statement'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountingperiod',
            name='balances_kept',
            field=models.BooleanField(default=False, editable=False, help_text="Its customers' closing balances are stored (ClosingBalance)."),
        ),
        migrations.CreateModel(
            name='ClosingBalance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('document_currency', models.CharField(blank=True, max_length=3)),
                ('functional', models.DecimalField(decimal_places=4, help_text='Debits less credits, functional currency.', max_digits=19)),
                ('document', models.DecimalField(decimal_places=4, help_text='Signed, in the document currency.', max_digits=19)),
                ('customer_account', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.account')),
                ('gl_account', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.glaccount')),
                ('period', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='closing_balances', to='ledger.accountingperiod')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('period', 'gl_account', 'customer_account', 'document_currency'), name='closing_balance_once_per_period')],
            },
        ),
        migrations.RunPython(installer(REFERENCES), installer(REFERENCES, drop=True)),
    ]
