"""URLs of the API: ninja's routes (token endpoint, /v1.0, OpenAPI and docs), then a Graph 404 for the rest of /v1.0."""

from django.urls import URLPattern, path, re_path

from tenantadmin.api.app import api
from tenantadmin.api.errors import unknown_resource, with_graph_headers


def _api_patterns():
    patterns, app_name, namespace = api.urls
    graph_patterns = []
    for pattern in patterns:
        # ninja's root view would claim the site root "/" for a page that only raises 404.
        if pattern.name == "api-root":
            continue
        graph_patterns.append(URLPattern(pattern.pattern, with_graph_headers(pattern.callback), pattern.default_args,
                                         pattern.name))
    return graph_patterns, app_name, namespace


urlpatterns = [
    path("", _api_patterns()),
    re_path(r"^v1\.0/.*$", unknown_resource, name="api-unknown-resource"),
]
