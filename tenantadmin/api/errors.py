"""The Graph error body for everything under /v1.0, and the exception handlers that produce it.

Graph clients and SDKs read `error.code` to decide what to do (retry, re-authenticate, give up),
so every failure — ours, ninja's, Django's — leaves as `{"error": {"code", "message", "innerError"}}`.
"""

import logging
import uuid
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic.alias_generators import to_camel

from tenantadmin.api.odata import ODataError
from tenantadmin.api.shapes import iso
from tenantadmin.paging import CursorError

logger = logging.getLogger(__name__)

INSUFFICIENT_PRIVILEGES = "Insufficient privileges to complete the operation."

# Graph's codes for the statuses ninja raises as a bare HttpError.
_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "Request_ResourceNotFound",
    405: "MethodNotAllowed",
    429: "TooManyRequests",
}


class GraphError(Exception):
    """Raised by endpoints to answer with a specific status, Graph code and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(message: str = "Resource not found.") -> GraphError:
    # One message for missing and foreign objects: a 404 must not reveal another tenant's ids.
    return GraphError(404, "Request_ResourceNotFound", message)


def request_ids(request) -> tuple[str, str]:
    """(request-id, client-request-id) of this request; the client's id is echoed so it can correlate logs."""
    if not hasattr(request, "graph_request_ids"):
        request.graph_request_ids = (str(uuid.uuid4()), request.headers.get("client-request-id") or str(uuid.uuid4()))
    return request.graph_request_ids


def graph_error(request, status: int, code: str, message: str) -> JsonResponse:
    request_id, client_request_id = request_ids(request)
    body = {"error": {"code": code, "message": message, "innerError": {
        "date": iso(timezone.now()), "request-id": request_id, "client-request-id": client_request_id,
    }}}
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def with_graph_headers(view):
    """Wrap an API view: Graph's id headers on every answer, and ninja's bare 405 as a Graph error."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = graph_error(request, 405, "MethodNotAllowed",
                                   f"The HTTP method '{request.method}' is not allowed here; use {allowed}.")
            response["Allow"] = allowed
        response["request-id"], response["client-request-id"] = request_ids(request)
        return response

    return csrf_exempt(wrapped)


@csrf_exempt
def unknown_resource(request, *args, **kwargs):
    """Fallback for /v1.0 paths that match no route, whatever the method."""
    segments = [segment for segment in request.path.split("/") if segment]
    response = graph_error(request, 404, "Request_ResourceNotFound",
                           f"Resource not found for the segment '{segments[-1]}'.")
    response["request-id"], response["client-request-id"] = request_ids(request)
    return response


def _field_path(loc) -> str:
    # loc is (source, parameter name, *path); the source and the body parameter's own name mean
    # nothing to a client, which only knows the JSON property names.
    parts = [str(part) for part in loc[2:]] if loc and loc[0] == "body" else [str(part) for part in loc[1:]]
    return ".".join(parts)


def validation_message(errors: list[dict]) -> str:
    """One readable sentence per pydantic error, each naming the property at fault."""
    messages = []
    for error in errors:
        text = error["msg"].removeprefix("Value error, ")
        field = _field_path(error.get("loc", ()))
        if error.get("type") == "extra_forbidden":
            text = f"The property '{field}' does not exist or cannot be changed."
        elif error.get("type") == "missing":
            text = f"The property '{field}' is required."
        elif field:
            text = f"Invalid value for '{field}': {text}"
        messages.append(text)
    return " ".join(messages) or "The request is not valid."


def django_validation_message(exc: DjangoValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(
        message if field == "__all__" else f"{to_camel(field)}: {message}"
        for field, messages in exc.message_dict.items() for message in messages
    )


def register_error_handlers(api) -> None:
    """Replace ninja's default handlers with ones that answer in the Graph error shape."""

    def graph(request, exc):
        return graph_error(request, exc.status, exc.code, exc.message)

    def ninja_validation(request, exc):
        # Graph answers malformed input with 400, never ninja's 422.
        return graph_error(request, 400, "BadRequest", validation_message(exc.errors))

    def authentication(request, exc):
        return graph_error(request, 401, "InvalidAuthenticationToken", exc.message)

    def http_error(request, exc):
        return graph_error(request, exc.status_code, _CODES.get(exc.status_code, "BadRequest"), exc.message)

    def http404(request, exc):
        return graph_error(request, 404, "Request_ResourceNotFound", "Resource not found.")

    def permission_denied(request, exc):
        return graph_error(request, 403, "Authorization_RequestDenied", INSUFFICIENT_PRIVILEGES)

    def django_validation(request, exc):
        return graph_error(request, 400, "BadRequest", django_validation_message(exc))

    def odata(request, exc):
        return graph_error(request, 400, exc.code, exc.message)

    def cursor(request, exc):
        return graph_error(request, 400, "BadRequest", "The $skiptoken is invalid.")

    def unexpected(request, exc):
        # The traceback goes to the log with the request id, never to the client.
        logger.error("Unhandled API error (request-id %s)", request_ids(request)[0], exc_info=exc)
        return graph_error(request, 500, "InternalServerError", "An internal server error occurred.")

    for exc_class, handler in [
        (GraphError, graph), (NinjaValidationError, ninja_validation), (AuthenticationError, authentication),
        (HttpError, http_error), (Http404, http404), (PermissionDenied, permission_denied),
        (DjangoValidationError, django_validation), (ODataError, odata), (CursorError, cursor),
        (Exception, unexpected),
    ]:
        api.add_exception_handler(exc_class, handler)
