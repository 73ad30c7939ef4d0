from django.core.management.base import BaseCommand

from catalog.demo import seed_catalog


class Command(BaseCommand):
    help = "Create or refresh the demo catalog, price books and tax rates (idempotent)."

    def handle(self, *args, **options):
        counts = seed_catalog()
        self.stdout.write(self.style.SUCCESS(
            "Demo catalog: " + ", ".join(f"{n} {what.replace('_', ' ')}"
                                         for what, n in counts.items())))
