"""The bulk restore Job (SPEC users/ "Restoring several at once: those that fail are listed in a log and
must be restored one at a time")."""

import csv

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _, override

from tenantadmin.actors import Actor
from tenantadmin.csvsafe import safe_row
from tenantadmin.models import Job
from tenantadmin.services.jobs import Progress, job_file_path
from users.lifecycle_services import user_restore
from users.models import User


def restore_users_work(job: Job, progress: Progress) -> dict:
    """Restore each selected account on its own, with no conflict resolution (those need an administrator's
    choice). Safe to run again: accounts restored by an earlier run are reported as such."""
    actor = Actor.for_job(job, "bulk restore")
    language = (job.created_by.language if job.created_by else "") or job.tenant.preferred_language or "en"
    ids = job.params.get("user_ids", [])
    progress.set_total(len(ids))
    users = {str(user.pk): user for user in User.objects.filter(tenant=job.tenant, pk__in=ids)}
    path = job_file_path(job, "restore-log.csv")
    restored = 0
    with override(language), path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(safe_row([_("User name"), _("Display name"), _("Result"), _("Details"),
                                  _("Temporary password")]))
        for user_id in ids:
            user = users.get(user_id)
            if user is None:
                writer.writerow(safe_row([user_id, "", _("Failed"), _("The account was removed for good."), ""]))
                progress.advance(failed=1)
                continue
            if user.deleted_at is None:
                writer.writerow(safe_row([user.upn, user.display_name, _("Restored"),
                                          _("Already restored (by an earlier run or another administrator)."), ""]))
                progress.advance()
                continue
            try:
                user, password = user_restore(user=user, actor=actor)
            except ValidationError as error:
                writer.writerow(safe_row([user.upn, user.display_name, _("Failed"),
                                          " ".join(error.messages) + " " + _("Restore this user on their own."), ""]))
                progress.advance(failed=1)
                continue
            restored += 1
            writer.writerow(safe_row([user.upn, user.display_name, _("Restored"),
                                      _("Must change the password at next sign-in."), password or ""]))
            progress.advance()
        message = _("%(restored)d restored, %(failed)d to restore one at a time.") % {
            "restored": restored, "failed": job.failed}
    return {"result_file": str(path.relative_to(settings.PRIVATE_FILES_ROOT)),
            "result_filename": f"restore-log-{timezone.now():%Y%m%d-%H%M}.csv", "message": message}
