"""Writing the audit log. Every service that changes something calls `audit_record`."""

from django.utils import timezone

from tenantadmin.actors import Actor
from tenantadmin.models import AuditEvent

# Never written to the log, whatever a service passes in.
_SECRET_FIELDS = {"password", "secret", "client_secret", "token", "digest"}


def audit_record(*, tenant, actor: Actor, action: str, target=None, target_type: str = "",
                 target_label: str = "", changes: dict | None = None) -> AuditEvent:
    """Write one audit event (call inside the service's transaction)."""
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_label = target_label or str(target)
    clean = {k: v for k, v in (changes or {}).items() if k not in _SECRET_FIELDS}
    return AuditEvent.objects.create(
        tenant=tenant,
        occurred_at=timezone.now(),
        actor=actor.user,
        actor_type=actor.kind,
        actor_label=actor.label[:300],
        action=action,
        target_type=target_type,
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label[:300],
        changes=clean,
        ip_address=actor.ip_address,
    )


def diff_fields(instance, new_values: dict) -> dict:
    """{field: [before, after]} for the values that differ; JSON-safe via str() for odd types."""
    changes = {}
    for field, after in new_values.items():
        before = getattr(instance, field)
        if before != after:
            changes[field] = [_json_safe(before), _json_safe(after)]
    return changes


def _json_safe(value):
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)
