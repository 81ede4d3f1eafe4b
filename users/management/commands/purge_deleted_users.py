"""Purge accounts deleted more than 30 days ago now (the hourly Celery task does this on its own), or with
--dry-run just count them: the operator's view of what the purge has left to do."""

from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from tenantadmin.models import Tenant
from users.lifecycle_services import purge_due, users_purge


class Command(BaseCommand):
    help = "Count (--dry-run) or purge the accounts deleted more than 30 days ago, per organization."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what is due.")
        parser.add_argument("--as-of", help="Act as if it were this date or time (ISO 8601, UTC); default now.")

    def handle(self, *args, dry_run=False, as_of=None, **options):
        now = self._as_of(as_of)
        due = list(purge_due(now=now).order_by().values("tenant_id").annotate(n=Count("pk")).order_by("tenant_id"))
        total = sum(row["n"] for row in due)
        self.stdout.write(f"{total} deleted account(s) due for purge as of {now.isoformat()} "
                          f"in {len(due)} organization(s).")
        if dry_run:
            for row in due:
                self.stdout.write(f"  {row['tenant_id']}: {row['n']}")
            return
        purged = sum(users_purge(tenant=tenant, now=now) for tenant in Tenant.objects.filter(
            pk__in=[row["tenant_id"] for row in due]))
        self.stdout.write(f"{purged} account(s) purged.")

    def _as_of(self, value):
        if not value:
            return timezone.now()
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise CommandError("--as-of must be an ISO 8601 date or date and time.") from None
        if len(value) == 10:
            parsed = datetime.combine(parsed.date(), time.min)
        return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
