"""My profile: every member's self-service pages."""

from django.shortcuts import render

from tenantadmin.access import require_member


@require_member
def profile(request):
    return render(request, "users/profile.html", {"profile_user": request.user})
