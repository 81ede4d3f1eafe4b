"""What the two jobs do: verify a file (nothing is created) and import it in batches.

Both stream the uploaded file from disk and handle BATCH_SIZE rows at a time, so memory stays bounded
whatever the file size: the only state that grows is one small entry per valid user name (duplicates
inside the file). The import commits batch by batch and records where it got to in the job row, in the
same transaction, so a re-run (a worker lost mid-job) goes on after the last committed batch.
"""

import copy
import csv
import os
from concurrent.futures import ThreadPoolExecutor
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, get_hasher, make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from billing.models import Sku
from tenantadmin.actors import Actor
from tenantadmin.mail import mail_after_commit
from tenantadmin.models import AuditEvent, Job
from tenantadmin.services.audit import audit_record
from tenantadmin.services.jobs import Progress, job_file_path
from users.bulk_import.logs import ERROR_LOG_HEADER, PASSWORDS_HEADER, RESULT_LOG_HEADER, CsvLog
from users.bulk_import.reading import FileProblem, iter_records
from users.bulk_import.rows import Candidate, RowChecker, RowError
from users.licenses import licenses_assign_new_users
from users.models import User
from users.passwords import generate_temporary_password, policy_errors

BATCH_SIZE = 1000
# Temporary passwords listed in the results mail; beyond this the mail points to the portal's download.
MAIL_LIST_LIMIT = 500
# Password hashing is most of an import's time; argon2-cffi and hashlib release the GIL while they hash,
# so threads spread a batch over the worker's cores.
HASH_THREADS = max(1, min(8, os.cpu_count() or 1))
# Work factors for temporary passwords (see temporary_password_hasher). Measured on a 2-core box: the
# production Argon2 settings take about 1 s a hash (100,000 users: more than a day), these about 25 ms.
LIGHT_ARGON2 = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}
LIGHT_PBKDF2_ITERATIONS = 20_000


def temporary_password_hasher():
    """The configured hasher, with a lighter work factor for the generated temporary passwords.

    A slow hash protects passwords people choose; these are random (about 64 bits from
    users.passwords.generate_temporary_password), used once, and replaced at first sign-in, when the new
    password gets the full work factor (Django also re-hashes on sign-in because the parameters differ).
    The algorithm stays the configured one. Setting USERS_IMPORT_LIGHT_HASHING = False keeps the full cost.
    """
    hasher = get_hasher("default")
    if not getattr(settings, "USERS_IMPORT_LIGHT_HASHING", True):
        return hasher
    light = copy.copy(hasher)
    if isinstance(hasher, Argon2PasswordHasher):
        for name, value in LIGHT_ARGON2.items():
            setattr(light, name, min(value, getattr(hasher, name)))
    elif isinstance(hasher, PBKDF2PasswordHasher):
        light.iterations = min(LIGHT_PBKDF2_ITERATIONS, hasher.iterations)
    return light


def _batches(records):
    while batch := list(islice(records, BATCH_SIZE)):
        yield batch


def _upload_path(job: Job):
    return settings.PRIVATE_FILES_ROOT / job.params["upload"]


def _relative(path) -> str:
    return str(path.relative_to(settings.PRIVATE_FILES_ROOT))


def _count_records(path, encoding: str) -> int:
    return sum(1 for _record in iter_records(path, encoding))


def verify_work(job: Job, progress: Progress) -> dict:
    """Check every row; write the error log; store the counts in the job's params. Creates no user."""
    path, encoding = _upload_path(job), job.params["encoding"]
    try:
        progress.set_total(_count_records(path, encoding))
        checker = RowChecker(job.tenant)
        valid = invalid = 0
        log_path = job_file_path(job, "errors.csv")
        with CsvLog(log_path, ERROR_LOG_HEADER) as log:
            for batch in _batches(iter_records(path, encoding)):
                ok, errors = checker.check(batch)
                for error in errors:
                    log.write([error.line, error.upn, error.column, error.message])
                bad = len({error.line for error in errors})
                valid, invalid = valid + len(ok), invalid + bad
                progress.advance(done=len(batch), failed=bad)
    except FileProblem as problem:
        return {"status": Job.Status.FAILED, "message": str(problem)}
    Job.objects.filter(pk=job.pk).update(params={**job.params, "valid": valid, "invalid": invalid})
    outcome = {"message": _("%(valid)d of %(total)d users passed verification; %(invalid)d rows have errors.")
               % {"valid": valid, "total": valid + invalid, "invalid": invalid}}
    if invalid:
        outcome.update(result_file=_relative(log_path), result_filename=f"import-errors-{timezone.now():%Y%m%d-%H%M}.csv")
    return outcome


def _new_password(alias: str) -> str:
    while True:
        password = generate_temporary_password()
        if not policy_errors(password, alias):  # the policy forbids the alias inside the password
            return password


def _build_users(job: Job, candidates: list[Candidate]) -> tuple[list[User], dict]:
    """Unsaved users with hashed temporary passwords (hashed before any lock is taken); {upn: password}."""
    passwords = {c.upn: _new_password(c.upn.partition("@")[0]) for c in candidates}
    hasher = temporary_password_hasher()
    with ThreadPoolExecutor(HASH_THREADS) as pool:
        hashes = list(pool.map(lambda password: make_password(password, hasher=hasher), passwords.values()))
    now = timezone.now()
    params = job.params
    users = [
        User(tenant=job.tenant, **candidate.values, password=digest, usage_location=params["usage_location"],
             is_active=params["sign_in_allowed"], must_change_password=True, password_changed_at=now)
        for candidate, digest in zip(candidates, hashes)
    ]
    return users, passwords


def _save_users(users: list[User]) -> tuple[list[User], set[str]]:
    """Insert the batch at once; if another request took a user name since the check (the unique
    constraint fires), fall back to one savepoint per user. Returns (saved, user names already taken)."""
    try:
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        return users, set()
    except IntegrityError:
        pass
    saved, taken = [], set()
    for user in users:
        user._state.adding = True
        try:
            with transaction.atomic():
                user.save(force_insert=True)
            saved.append(user)
        except IntegrityError:
            taken.add(user.upn)
    return saved, taken


def _audit_rows(job: Job, actor: Actor, users: list[User], parts: list[str]) -> list[AuditEvent]:
    # One user.create event per account, as the one-at-a-time wizard writes, but in one insert per batch.
    now = timezone.now()
    changes = {"source": [None, "bulk import"], "job": [None, str(job.pk)]}
    if parts:
        changes["licenses"] = [None, parts]
    return [AuditEvent(tenant=job.tenant, occurred_at=now, actor=actor.user, actor_type=actor.kind,
                       actor_label=actor.label[:300], action="user.create", target_type="user", target_id=str(u.pk),
                       target_label=str(u)[:300], ip_address=actor.ip_address,
                       changes={"upn": [None, u.upn], "display_name": [None, u.display_name], **changes})
            for u in users]


class _Importer:
    def __init__(self, job: Job, progress: Progress):
        self.job, self.progress = job, progress
        self.params = dict(job.params)
        self.resume = dict(self.params.get("resume") or {"line": 0, "created": 0, "failed": 0, "log": 0, "passwords": 0})
        self.actor = Actor.for_job(job, _("Bulk import"))
        skus = {str(sku.pk): sku for sku in Sku.objects.filter(pk__in=self.params.get("sku_ids", []))}
        self.skus = [skus[sku_id] for sku_id in self.params.get("sku_ids", []) if sku_id in skus]
        self.parts = [sku.part_number for sku in self.skus]
        self.checker = RowChecker(job.tenant)

    def run(self) -> dict:
        path, encoding = _upload_path(self.job), self.params["encoding"]
        self.progress.set_total(_count_records(path, encoding))
        self.progress.advance(done=self.resume["created"] + self.resume["failed"], failed=self.resume["failed"])
        log_path = job_file_path(self.job, "results.csv")
        passwords_path = job_file_path(self.job, "passwords.csv")
        self.params["passwords_file"] = _relative(passwords_path)
        with CsvLog(log_path, RESULT_LOG_HEADER, resume_at=self.resume["log"]) as log, \
                CsvLog(passwords_path, PASSWORDS_HEADER, resume_at=self.resume["passwords"]) as passwords:
            for batch in _batches(iter_records(path, encoding)):
                batch = [record for record in batch if record[0] > self.resume["line"]]
                if batch:
                    self._import_batch(batch, log, passwords)
        self._finish()
        return {"result_file": _relative(log_path), "result_filename": f"import-results-{timezone.now():%Y%m%d-%H%M}.csv",
                "message": ngettext("%(created)d user created; %(failed)d rows failed.",
                                    "%(created)d users created; %(failed)d rows failed.", self.resume["created"])
                % {"created": self.resume["created"], "failed": self.resume["failed"]}}

    def _import_batch(self, batch, log: CsvLog, passwords_log: CsvLog) -> None:
        valid, errors = self.checker.check(batch)
        users, passwords = _build_users(self.job, valid)
        lines = {c.upn: c.line for c in valid}
        with transaction.atomic():
            saved, taken = _save_users(users)
            errors += [RowError(lines[upn], upn, "", _("The user name is already used by another account."))
                       for upn in sorted(taken)]
            fits = licenses_assign_new_users(tenant=self.job.tenant, users=saved, skus=self.skus)
            created, beyond = saved[:fits], saved[fits:]
            if beyond:
                # A row gets its account and its licenses, or nothing: the units ran out since verification.
                User.objects.filter(pk__in=[u.pk for u in beyond]).delete()
                message = _("No free licenses of %(plans)s were left for this user. Buy more licenses or free some, "
                            "then import the failed rows again.") % {"plans": ", ".join(s.name for s in self.skus)}
                errors += [RowError(lines[u.upn], u.upn, "", message) for u in beyond]
            AuditEvent.objects.bulk_create(_audit_rows(self.job, self.actor, created, self.parts), batch_size=BATCH_SIZE)
            failed_lines = {error.line for error in errors}
            self._write_logs(batch, created, passwords, errors, log, passwords_log)
            self.resume.update(line=batch[-1][0], created=self.resume["created"] + len(created),
                               failed=self.resume["failed"] + len(failed_lines),
                               log=log.offset(), passwords=passwords_log.offset())
            self.params["resume"] = self.resume
            Job.objects.filter(pk=self.job.pk).update(params=self.params)
        self.progress.advance(done=len(batch), failed=len(failed_lines))

    @staticmethod
    def _write_logs(batch, created, passwords, errors, log, passwords_log) -> None:
        by_line = {}
        for error in errors:
            by_line.setdefault(error.line, []).append(f"{error.column}: {error.message}" if error.column else error.message)
        created_by_upn = {u.upn: u for u in created}
        for line, cells in batch:
            upn = (cells[0].strip().lower() if cells else "")
            user = created_by_upn.get(upn)
            if user is not None and line not in by_line:
                log.write([line, user.upn, user.display_name, "Created", ""])
                passwords_log.write([user.upn, user.display_name, passwords[user.upn]])
            else:
                display = cells[3].strip() if len(cells) > 3 else ""
                log.write([line, upn, display, "Failed", " ".join(by_line.get(line, [_("Not created.")]))])

    def _finish(self) -> None:
        job, created, failed = self.job, self.resume["created"], self.resume["failed"]
        self.params["finished"] = True
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(params=self.params)
            audit_record(tenant=job.tenant, actor=self.actor, action="user.bulk_import", target=job,
                         changes={"created": [None, created], "failed": [None, failed], "licenses": [None, self.parts]})
            recipients = self.params.get("notify") or []
            if recipients:
                mail_after_commit(
                    to=recipients, subject=_("Bulk import of users: %(created)d created, %(failed)d failed")
                    % {"created": created, "failed": failed},
                    template="users/import/mail/results", tenant=job.tenant, category="account",
                    language=job.tenant.preferred_language,
                    context={"created": created, "failed": failed, "rows": self._mail_rows(),
                             "limit": MAIL_LIST_LIMIT, "results_path": reverse("users:import_results", args=[job.pk]),
                             "signin_path": reverse("users:signin"), "filename": self.params.get("filename", "")},
                )

    def _mail_rows(self) -> list[list[str]]:
        path = settings.PRIVATE_FILES_ROOT / self.params["passwords_file"]
        if self.resume["created"] > MAIL_LIST_LIMIT or not path.exists():
            return []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(islice(csv.reader(handle), 1, MAIL_LIST_LIMIT + 1))


def import_work(job: Job, progress: Progress) -> dict:
    """Create the valid rows' users batch by batch with their licenses; failures are logged per row."""
    try:
        return _Importer(job, progress).run()
    except FileProblem as problem:
        return {"status": Job.Status.FAILED, "message": str(problem)}
