"""Register an API client for an organization and print its client ID and a new secret (shown once)."""

import json
import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenantadmin.actors import Actor
from tenantadmin.api.permissions import APPLICATION_PERMISSIONS
from tenantadmin.models import Tenant
from tenantadmin.services.app_registrations import app_registration_create, app_secret_create

SECRET_MONTHS = 12


def find_tenant(reference: str) -> Tenant | None:
    """The organization with this id, initial domain or verified domain."""
    reference = reference.strip().lower()
    try:
        return Tenant.objects.get(pk=uuid.UUID(reference))
    except (ValueError, Tenant.DoesNotExist):
        pass
    # Reverse relation to the domains app: core does not import it. A verified name belongs to
    # exactly one organization (unique constraint), so this finds at most one.
    return Tenant.objects.filter(domains__name=reference, domains__verified_at__isnull=False).first()


class Command(BaseCommand):
    help = ("Register an application that may call the API with the client-credentials grant. Prints one JSON "
            "object with client_id and client_secret; the secret is not shown again.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Organization id, initial domain or verified domain.")
        parser.add_argument("--name", required=True, help="Display name of the application.")
        parser.add_argument("--permission", action="append", default=[], dest="permissions", metavar="PERMISSION",
                            help="Application permission such as User.Read.All; repeat for several.")

    def handle(self, *args, **options):
        tenant = find_tenant(options["tenant"])
        if tenant is None:
            raise CommandError(f"No organization has the id or verified domain {options['tenant']!r}.")
        actor = Actor.system("operator command")
        try:
            with transaction.atomic():
                app = app_registration_create(tenant=tenant, actor=actor, display_name=options["name"],
                                              permissions=options["permissions"])
                secret, plain = app_secret_create(app=app, actor=actor, display_name="Created by operator command",
                                                  months=SECRET_MONTHS)
        except ValidationError as exc:
            lines = [f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
            if "permissions" in exc.message_dict:
                lines.append(f"Valid permissions: {', '.join(sorted(APPLICATION_PERMISSIONS))}")
            raise CommandError("\n  ".join(["The application was not registered:", *lines]))
        self.stdout.write(json.dumps({
            "client_id": str(app.client_id), "client_secret": plain, "tenant_id": str(tenant.pk),
            "app_id": str(app.pk), "secret_expires": secret.expires_at.isoformat(),
        }))
