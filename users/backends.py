"""Sign-in by user principal name (case-insensitive), live accounts only."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PrincipalNameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        User = get_user_model()
        user = User.objects.select_related("tenant").filter(upn__iexact=username.strip(), deleted_at__isnull=True).first()
        if user is None:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        User = get_user_model()
        # With the organization's partner profile (a join), so the left pane and the partner pages know
        # whether the organization is a partner without a query (tenantadmin.delegation).
        user = (User.objects.select_related("tenant", "tenant__partner_profile")
                .filter(pk=user_id, deleted_at__isnull=True).first())
        return user if user is not None and self.user_can_authenticate(user) else None
