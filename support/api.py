"""The support app's Graph routes (tenantadmin.api.app mounts `router`). Each part keeps its routes in its own
module and merges them here (ninja does not mount routers nested two deep)."""

from support import health_api, request_api

router = request_api.router  # service requests
router.path_operations.update(health_api.router.path_operations)  # service health overviews and issues
