"""Staff site registrations of the support app: each part registers its own models in its own module."""

from support import request_admin  # noqa: F401  service requests
from support import health_admin  # noqa: F401  service health and planned maintenance
