"""Editing many users at once, and moving many users to another domain, as Jobs (SPEC users/ "Edit … several at once":
"changes to many users may take time: show progress", "a results page per user").

Each user is changed in its own transaction through the same services as the one-user pages, so one failure (no
free license, an administrator the starter may not change, a user name already taken) is reported on that user's
row and the others go on. Running the job again applies the same values again: nothing is done twice.
"""

import csv

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.csvsafe import safe_cell, safe_row
from tenantadmin.models import Job
from tenantadmin.services.jobs import Progress, job_file_path, job_start
from users.models import User
from users.services import user_licenses_set, user_rename, user_update

KIND_EDIT = "users.bulk_edit"
KIND_DOMAIN = "users.change_domain"
KINDS = (KIND_EDIT, KIND_DOMAIN)
LICENSE_MODES = ("retain", "replace", "add")
BATCH = 500
RESULTS_FILE = "results.csv"
OK, FAILED, UNCHANGED = "ok", "failed", "unchanged"


def _live_ids(tenant, user_ids) -> list[str]:
    return [str(pk) for pk in User.objects.filter(tenant=tenant, deleted_at__isnull=True, pk__in=list(user_ids))
            .order_by("upn").values_list("pk", flat=True)]


def bulk_edit_start(*, tenant, actor: Actor, user_ids, changes: dict, license_mode: str = "retain", sku_ids=()) -> Job:
    """Queue an edit of the given users: `changes` are user_update fields; licenses kept, replaced or added."""
    from users.tasks import bulk_edit_users  # the task module imports this one

    if license_mode not in LICENSE_MODES:
        raise ValidationError({"license_mode": [_("Choose how to treat the current licenses.")]})
    ids = _live_ids(tenant, user_ids)
    if not ids:
        raise ValidationError(_("Select the users first."))
    title = ngettext("Edit %(count)d user", "Edit %(count)d users", len(ids)) % {"count": len(ids)}
    return job_start(tenant=tenant, actor=actor, kind=KIND_EDIT, title=title, task=bulk_edit_users, params={
        "user_ids": ids, "changes": changes, "license_mode": license_mode, "sku_ids": [str(pk) for pk in sku_ids]})


def change_domain_start(*, tenant, actor: Actor, domain: str, user_ids=(), from_domain: str = "") -> Job:
    """Queue moving users to `domain`: the given users, or every live user whose user name is on `from_domain`
    (the domain removal page links here)."""
    from users.tasks import bulk_edit_users

    if not tenant.domains.filter(name=domain, verified_at__isnull=False).exists():
        raise ValidationError({"domain": [_("Choose one of your organization's verified domains.")]})
    if from_domain:
        ids = [str(pk) for pk in User.objects.filter(tenant=tenant, deleted_at__isnull=True,
                                                     upn__iendswith="@" + from_domain).values_list("pk", flat=True)]
    else:
        ids = _live_ids(tenant, user_ids)
    if not ids:
        raise ValidationError(_("There are no users to move."))
    title = ngettext("Move %(count)d user to %(domain)s", "Move %(count)d users to %(domain)s", len(ids)) % {
        "count": len(ids), "domain": domain}
    return job_start(tenant=tenant, actor=actor, kind=KIND_DOMAIN, title=title, task=bulk_edit_users,
                     params={"user_ids": ids, "domain": domain})


def _reason(error) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or _("Your role does not allow this.")
    return " ".join(error.messages)


def _edit_one(user: User, actor: Actor, params: dict, skus: list[Sku]) -> str:
    changed = bool(user_update(user=user, actor=actor, **params.get("changes", {})))
    mode = params.get("license_mode", "retain")
    if mode != "retain":
        held = set(user.licenses.values_list("sku_id", flat=True))
        wanted = {sku.pk for sku in skus}
        add = [sku for sku in skus if sku.pk not in held]
        remove = list(Sku.objects.filter(pk__in=held - wanted)) if mode == "replace" else []
        if add or remove:
            user_licenses_set(user=user, actor=actor, add=add, remove=remove)
            changed = True
    return OK if changed else UNCHANGED


def _move_one(user: User, actor: Actor, params: dict, _skus) -> str:
    return OK if user_rename(user=user, actor=actor, alias=user.alias, domain=params["domain"]) else UNCHANGED


def bulk_edit_work(job: Job, progress: Progress) -> dict:
    """The job's work: each user in its own transaction, a results row for each."""
    params = job.params
    actor = Actor.for_job(job, job.title)
    apply = _move_one if job.kind == KIND_DOMAIN else _edit_one
    skus = list(Sku.objects.filter(pk__in=params.get("sku_ids", [])))
    ids = params.get("user_ids", [])
    progress.set_total(len(ids))
    path = job_file_path(job, RESULTS_FILE)
    counts = {OK: 0, FAILED: 0, UNCHANGED: 0}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(safe_row([_("User name"), _("Display name"), _("Result"), _("Reason")]))
        for start in range(0, len(ids), BATCH):
            users = User.objects.select_related("tenant").filter(
                tenant=job.tenant, deleted_at__isnull=True, pk__in=ids[start:start + BATCH]).order_by("upn")
            found = 0
            for user in users:
                found += 1
                old_upn = user.upn
                try:
                    with transaction.atomic():
                        outcome, reason = apply(user, actor, params, skus), ""
                except (ValidationError, PermissionDenied) as error:
                    outcome, reason = FAILED, _reason(error)
                counts[outcome] += 1
                writer.writerow(safe_row([old_upn, user.display_name, outcome, reason]))
                progress.advance(failed=1 if outcome == FAILED else 0)
            missing = len(ids[start:start + BATCH]) - found
            if missing:  # deleted since the job was queued
                counts[FAILED] += missing
                writer.writerow(safe_row(["", "", FAILED, ngettext(
                    "%(count)d user was deleted before the job reached them.",
                    "%(count)d users were deleted before the job reached them.", missing) % {"count": missing}]))
                progress.advance(done=missing, failed=missing)
    message = _("%(ok)d changed, %(unchanged)d already as asked, %(failed)d failed.") % {
        "ok": counts[OK], "unchanged": counts[UNCHANGED], "failed": counts[FAILED]}
    return {"message": message, "result_file": str(path.relative_to(settings.PRIVATE_FILES_ROOT)),
            "result_filename": f"users-{job.kind.rpartition('.')[2]}-{timezone.now():%Y%m%d-%H%M}.csv"}


RESULT_ROWS_SHOWN = 1000


def _cell(text: str) -> str:
    """A cell as written before safe_cell neutralised a leading formula character."""
    return text[1:] if text.startswith("'") and safe_cell(text[1:]) != text[1:] else text


def job_results(job: Job) -> list[dict]:
    """The first rows of a finished job's results file, for the results page (the download has them all)."""
    if not job.result_file:
        return []
    path = (settings.PRIVATE_FILES_ROOT / job.result_file).resolve()
    if settings.PRIVATE_FILES_ROOT.resolve() not in path.parents or not path.is_file():
        return []
    rows = []
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader, None)
        for upn, name, outcome, reason in reader:
            rows.append({"upn": _cell(upn), "display_name": _cell(name), "outcome": outcome, "reason": _cell(reason)})
            if len(rows) >= RESULT_ROWS_SHOWN:
                break
    return rows
