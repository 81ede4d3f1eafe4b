"""Writes of the bulk import wizard: upload a file (starts verification), start the import, and hand out
the temporary passwords once. Views call these; the jobs' work is in work.py."""

import csv
import os
import shutil
import uuid
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.catalog import EMBARGOED_COUNTRIES
from tenantadmin.actors import Actor
from tenantadmin.models import Job
from tenantadmin.services.audit import audit_record
from tenantadmin.services.jobs import job_file_path, job_start
from users.bulk_import.reading import FileProblem, check_file, max_upload_bytes
from users.bulk_import.tasks import users_import_run, users_import_verify
from users.licenses import license_units
from users.password_services import notify_addresses

VERIFY_KIND = "users.import.verify"
IMPORT_KIND = "users.import.run"
# The results page lists this many new users with their passwords; the rest are in the download.
PASSWORDS_SHOWN = 100


def import_upload(*, tenant, actor: Actor, upload) -> Job:
    """Keep the uploaded file and start its verification job; a file that cannot be imported at all raises
    ValidationError({"file": ...}) and nothing is kept."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError({"file": [_("The file is %(size)s; the largest file you can import is %(max)s. Split it "
                                          "into several files.") % {"size": filesizeformat(upload.size),
                                                                    "max": filesizeformat(limit)}]})
    incoming = settings.PRIVATE_FILES_ROOT / "incoming" / f"{uuid.uuid4()}.csv"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    try:
        with incoming.open("wb") as handle:
            for chunk in upload.chunks():  # streamed: a large upload never sits whole in memory
                handle.write(chunk)
        shape = check_file(incoming)
        with transaction.atomic():
            job = job_start(tenant=tenant, actor=actor, kind=VERIFY_KIND, task=users_import_verify,
                            title=_("Verify users to import: %(name)s") % {"name": upload.name[:100]},
                            params={"filename": upload.name[:200], "size": upload.size, "encoding": shape.encoding})
            target = job_file_path(job, "upload.csv")
            shutil.move(incoming, target)
            job.params["upload"] = str(target.relative_to(settings.PRIVATE_FILES_ROOT))
            # The wizard page of this job, for links from the generic Jobs pages.
            job.params["page"] = reverse("users:import_verify", args=[job.pk])
            Job.objects.filter(pk=job.pk).update(params=job.params)
    except FileProblem as problem:
        raise ValidationError({"file": [str(problem)]}) from None
    finally:
        incoming.unlink(missing_ok=True)
    return job


def import_license_choices(*, tenant) -> list:
    """The plans that have free units now (SPEC: assign only licenses with free units)."""
    return [units for units in license_units(tenant=tenant) if units.free > 0]


def import_check_licenses(*, tenant, skus, users_to_create: int, usage_location: str) -> None:
    """Refuse up front when a chosen plan has fewer free units than there are users to create, so an import
    does not stop half-way for want of licenses (the import still fails rows if units go meanwhile)."""
    if not skus:
        return
    if usage_location in EMBARGOED_COUNTRIES:
        raise ValidationError({"skus": [_("Licenses cannot be assigned to users located in the chosen country.")]})
    free = {units.sku.pk: units.free for units in license_units(tenant=tenant)}
    for sku in skus:
        if free.get(sku.pk, 0) < users_to_create:
            raise ValidationError({"skus": [_(
                "%(plan)s has %(free)d free licenses, but %(count)d users are to be created. Buy more licenses, remove "
                "licenses from other users, or import without this license and assign it later.")
                % {"plan": sku.name, "free": free.get(sku.pk, 0), "count": users_to_create}]})


def import_start(*, verify_job: Job, actor: Actor, sign_in_allowed: bool, usage_location: str, skus,
                 notify) -> Job:
    """Start the import of a verified file with the wizard's choices; one import per verification."""
    recipients = notify_addresses(notify)
    with transaction.atomic():
        verify_job = Job.objects.select_for_update().get(pk=verify_job.pk, tenant=verify_job.tenant)
        params = verify_job.params
        if params.get("import_job"):
            raise ValidationError(_("This file was already imported. Upload it again to import it once more."))
        if verify_job.kind != VERIFY_KIND or verify_job.status not in (Job.Status.SUCCEEDED, Job.Status.PARTIAL):
            raise ValidationError(_("The file has not passed verification."))
        if not params.get("valid"):
            raise ValidationError(_("No row of the file passed verification; there is nothing to import."))
        import_check_licenses(tenant=verify_job.tenant, skus=skus, users_to_create=params["valid"],
                              usage_location=usage_location)
        job = job_start(
            tenant=verify_job.tenant, actor=actor, kind=IMPORT_KIND, task=users_import_run,
            title=_("Import users: %(name)s") % {"name": params.get("filename", "")[:100]},
            params={"filename": params.get("filename", ""), "encoding": params["encoding"],
                    "verify_job": str(verify_job.pk), "sign_in_allowed": bool(sign_in_allowed),
                    "usage_location": usage_location, "sku_ids": [str(sku.pk) for sku in skus],
                    "notify": recipients, "expected": params["valid"]})
        # Its own copy of the file: the verification job's folder may be purged first.
        source = settings.PRIVATE_FILES_ROOT / params["upload"]
        target = job_file_path(job, "upload.csv")
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        job.params["upload"] = str(target.relative_to(settings.PRIVATE_FILES_ROOT))
        job.params["page"] = reverse("users:import_results", args=[job.pk])
        Job.objects.filter(pk=job.pk).update(params=job.params)
        Job.objects.filter(pk=verify_job.pk).update(params={**params, "import_job": str(job.pk)})
    return job


def _passwords_path(job: Job):
    name = job.params.get("passwords_file")
    return settings.PRIVATE_FILES_ROOT / name if name else None


@transaction.atomic
def import_passwords_reveal(*, job: Job) -> list[list[str]] | None:
    """The first new users with their temporary passwords, the first time the finished results are shown
    (None afterwards: SPEC "shown once"). The download stays possible once (import_passwords_take)."""
    job = Job.objects.select_for_update().get(pk=job.pk, tenant=job.tenant)
    path = _passwords_path(job)
    if not job.is_finished or job.params.get("passwords_shown") or path is None or not path.exists():
        return None
    Job.objects.filter(pk=job.pk).update(params={**job.params, "passwords_shown": timezone.now().isoformat()})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(islice(csv.reader(handle), 1, PASSWORDS_SHOWN + 1))


@transaction.atomic
def import_passwords_take(*, job: Job, actor: Actor):
    """An open handle on the file of temporary passwords, which is deleted at once: it can be downloaded
    once (the open handle still reads it). None when it was already taken."""
    job = Job.objects.select_for_update().get(pk=job.pk, tenant=job.tenant)
    path = _passwords_path(job)
    if not job.is_finished or job.params.get("passwords_taken") or path is None or not path.exists():
        return None
    handle = path.open("rb")
    path.unlink()
    Job.objects.filter(pk=job.pk).update(params={**job.params, "passwords_taken": timezone.now().isoformat()})
    audit_record(tenant=job.tenant, actor=actor, action="user.bulk_import_passwords_download", target=job)
    return handle
