"""Provision an organization from the command line: the same service as sign-up, without the web form."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from billing.models import Sku
from tenantadmin.initial_domain import initial_domain_for, normalize_label
from users.signup import tenant_sign_up

NO_PLAN = "none"


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
    return exc.messages


class Command(BaseCommand):
    help = ("Create an organization with its initial domain, a global administrator and a trial. "
            "Prints one JSON object: tenant_id, initial_domain, admin_upn.")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Organization name.")
        parser.add_argument("--initial-domain", required=True, metavar="LABEL",
                            help="Label of the initial domain <LABEL>.<INITIAL_DOMAIN_SUFFIX>.")
        parser.add_argument("--admin-username", required=True, metavar="ALIAS",
                            help="User name (alias) of the first global administrator.")
        parser.add_argument("--admin-password", required=True, help="Password; must satisfy the password policy.")
        # SPEC: an administrator needs an alternate address outside the organization (password
        # reset mail goes there). The operator may not know it; without it the admin is asked for
        # one on the overview at first sign-in.
        parser.add_argument("--admin-email", default="", metavar="ADDRESS",
                            help="The administrator's alternate e-mail address, outside the organization.")
        parser.add_argument("--country", default="US", help="Country or region code, fixed for life (default US).")
        parser.add_argument("--language", default="en", help="Language of business communications (default en).")
        parser.add_argument("--plan", default="ENTERPRISEPACK", metavar="PART_NUMBER",
                            help=f"Plan to start a trial of (default ENTERPRISEPACK); '{NO_PLAN}' for no trial.")

    def handle(self, *args, **options):
        admin_email = (options["admin_email"] or "").strip()
        if admin_email:
            try:
                validate_email(admin_email)
            except ValidationError:
                raise CommandError(f"admin_email: {admin_email!r} is not an e-mail address.")
            if admin_email.lower().endswith("@" + initial_domain_for(normalize_label(options["initial_domain"]))):
                raise CommandError("admin_email: use an address outside the new organization.")
        try:
            tenant, admin = tenant_sign_up(
                organization_name=options["name"], country=options["country"], preferred_language=options["language"],
                first_name="", last_name="", alternate_email=admin_email,
                initial_label=options["initial_domain"], alias=options["admin_username"],
                password=options["admin_password"], plan=self._plan(options["plan"]),
                # The operator already holds the password and hands it over; no welcome mail.
                mail_welcome=False,
            )
        except ValidationError as exc:
            raise CommandError("\n  ".join(["The organization was not created:", *_messages(exc)]))
        self.stdout.write(json.dumps({
            "tenant_id": str(tenant.pk), "initial_domain": tenant.initial_domain, "admin_upn": admin.upn,
        }))

    def _plan(self, part_number: str) -> Sku | None:
        if part_number.lower() == NO_PLAN:
            return None
        plans = Sku.objects.filter(applies_to=Sku.AppliesTo.USER)  # an add-on is no plan to start an organization with
        plan = plans.filter(part_number__iexact=part_number.strip()).first()
        if plan is None:
            known = ", ".join(plans.order_by("part_number").values_list("part_number", flat=True))
            raise CommandError(f"Unknown plan {part_number}; choose one of: {known}, or {NO_PLAN}")
        return plan
