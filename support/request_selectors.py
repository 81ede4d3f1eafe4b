from django.db.models import Count

from support.models_requests import ServiceRequest


def request_list(*, tenant, status: str | None = None):
    qs = ServiceRequest.objects.filter(tenant=tenant).annotate(message_count=Count("messages"))
    if status == "open":
        qs = qs.exclude(status=ServiceRequest.Status.CLOSED)
    elif status in ServiceRequest.Status.values:
        qs = qs.filter(status=status)
    return qs
