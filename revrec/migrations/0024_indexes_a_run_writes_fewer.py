"""Fewer indexes for a recognition run to write: the lines it marks enter no index on the run
and none by month (open lines are indexed by month only while open: the waterfall's read), and
its items and revenue rows are found by their unique indexes (revenue contract and month, item
and family) rather than by indexes of the contract and the item alone; the reclass entry,
which only items of runs before revrec 0020 name, is indexed where it is set."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0014_lines_by_gl_account_and_entry'),
        ('revrec', '0023_schedule_lines_found_by_obligation_and_month'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='scheduleline',
            name='revrec_sche_month_d91e95_idx',
        ),
        migrations.AlterField(
            model_name='recognitionitem',
            name='reclass_entry',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, help_text='Runs before revrec 0020 posted the contract asset reclass in an entry of its own; since, `entry` holds it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry'),
        ),
        migrations.AlterField(
            model_name='recognitionitem',
            name='revenue_contract',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='items', to='revrec.revenuecontract'),
        ),
        migrations.AlterField(
            model_name='recognizedrevenue',
            name='item',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='revenue', to='revrec.recognitionitem'),
        ),
        migrations.AlterField(
            model_name='scheduleline',
            name='run',
            field=models.ForeignKey(blank=True, db_index=False, help_text='Set once recognized.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='schedule_lines', to='revrec.recognitionrun'),
        ),
        migrations.AddIndex(
            model_name='recognitionitem',
            index=models.Index(condition=models.Q(('reclass_entry__isnull', False)), fields=['reclass_entry'], name='recognitionitem_reclass_entry'),
        ),
        migrations.AddIndex(
            model_name='scheduleline',
            index=models.Index(condition=models.Q(('run__isnull', True)), fields=['month'], name='scheduleline_open_by_month'),
        ),
    ]
