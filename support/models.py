from support.models_requests import RequestAttachment, RequestMessage, ServiceRequest  # noqa: F401
# Service health models (the "health" part) are imported on the next line.
from support.models_health import HealthFeed, Incident, IncidentUpdate, Maintenance  # noqa: F401
