"""Pages of areas whose full capability arrives in a later release.

Each says what the area is for and what will be possible, so the shell is complete and the role
and isolation tests already cover the URL.
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tenantadmin.access import require_perm

AREAS = {
    "lync": (_("Instant messaging and meetings"), _("File transfer, audio and video, recording, external communications and dial-in conferencing."), [
        _("Organization-wide defaults"), _("Per-user features"), _("Dial-in conferencing numbers"),
    ]),
}


def placeholder(area: str, *perms):
    """A view for `area` guarded by `perms`."""
    title, intro, coming = AREAS[area]

    @require_perm(*perms)
    def view(request):
        return render(request, "tenantadmin/placeholder.html",
                      {"title": title, "intro": intro, "coming": coming, "area": area})

    view.__name__ = f"placeholder_{area}"
    return view
