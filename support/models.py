"""The support app's tables: service requests, and service health with planned maintenance."""

from support.models_health import HealthFeed, Incident, IncidentUpdate, Maintenance  # noqa: F401
from support.models_requests import RequestAttachment, RequestMessage, ServiceRequest  # noqa: F401
