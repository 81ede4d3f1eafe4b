"""The password policy (SPEC users/ "Passwords"), one message per broken rule."""

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 16


def policy_errors(password: str, alias: str = "") -> list[str]:
    """Every rule the password breaks, as messages for a person."""
    errors = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        errors.append(_("Use %(min)d to %(max)d characters.") % {"min": MIN_LENGTH, "max": MAX_LENGTH})
    if not any(c.isupper() for c in password):
        errors.append(_("Include an upper-case letter."))
    if not any(c.islower() for c in password):
        errors.append(_("Include a lower-case letter."))
    if not any(c.isdigit() or (not c.isalpha() and not c.isspace()) for c in password):
        errors.append(_("Include a digit or a symbol."))
    if any(c.isspace() for c in password):
        errors.append(_("Do not use spaces, tabs or line breaks."))
    if alias and alias.lower() in password.lower():
        errors.append(_("Do not include your user name."))
    return errors


class PasswordPolicyValidator:
    """Django password validator wrapping `policy_errors`; the alias comes from the user."""

    def validate(self, password, user=None):
        alias = ""
        if user is not None and getattr(user, "upn", ""):
            alias = user.upn.partition("@")[0]
        errors = policy_errors(password, alias)
        if errors:
            raise ValidationError([ValidationError(message, code="password_policy") for message in errors])

    def get_help_text(self):
        return _(
            "8 to 16 characters with upper- and lower-case letters and at least one digit or symbol; "
            "no spaces; must not contain your user name."
        )


def generate_temporary_password() -> str:
    """A random password that satisfies the policy and is easy to read aloud (no 0/O, 1/l)."""
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    lower = "abcdefghijkmnpqrstuvwxyz"
    digits = "23456789"
    pool = upper + lower + digits
    while True:
        chars = [secrets.choice(upper), secrets.choice(lower), secrets.choice(digits)]
        chars += [secrets.choice(pool) for _ in range(9)]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if not policy_errors(candidate):
            return candidate


