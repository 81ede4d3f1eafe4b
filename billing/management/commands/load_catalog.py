"""`manage.py load_catalog [FILE]`: create or refresh the plans from the catalog file operators edit."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.catalog import load_catalog_file
from billing.models import Sku


class Command(BaseCommand):
    help = "Load plans, prices and seat limits from the catalog file (default: BILLING_CATALOG_FILE)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="A catalog JSON file; by default the configured one.")

    def handle(self, *args, **options):
        path = Path(options["file"]) if options.get("file") else None
        try:
            count = load_catalog_file(Sku, path)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"The catalog file cannot be loaded: {exc}") from exc
        self.stdout.write(json.dumps({"plans": count}))
