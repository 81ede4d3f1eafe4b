"""Build the demo organization (idempotent) and print how to sign in to it."""

import json

from django.core.management.base import BaseCommand

from users.demo import seed_demo


class Command(BaseCommand):
    help = ("Create the demo organization 'Contoso Demo' with users, domains, subscriptions and an app "
            "registration. Every demo account signs in with the printed admin password. Running it again "
            "changes nothing and prints the same JSON with \"created\": false and no app secret.")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(seed_demo()))
