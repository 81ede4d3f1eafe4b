"""`manage.py process_subscription_lifecycle [--as-of ISO-8601]`: run the lifecycle workers' code once, now or
as of a given moment, and print one JSON object with what was done."""

import json
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.lifecycle import lifecycle_run


class Command(BaseCommand):
    help = "Renew, expire, disable and delete subscriptions that are due (the same code as the periodic worker)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="ISO-8601 moment to process as of (default: now).")

    def handle(self, *args, **options):
        now = timezone.now()
        if options.get("as_of"):
            try:
                now = datetime.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: not an ISO-8601 date and time: {options['as_of']}") from exc
            if timezone.is_naive(now):
                now = now.replace(tzinfo=UTC)
        self.stdout.write(json.dumps(lifecycle_run(now)))
