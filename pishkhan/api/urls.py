import functools

from django.http import HttpResponseNotAllowed
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view
from ninja.renderers import JSONRenderer

from pishkhan.api import (
    agents,
    attachments,
    canned,
    chat,
    customers,
    deflection,
    departments,
    errors,
    knowledge,
    mail,
    policies,
    quality,
    search,
    sla,
    sla_reports,
    tickets,
)
from pishkhan.api.auth import TokenAuth
from pishkhan.api.schemas import refuse_undeclared_body


class Utf8JSONRenderer(JSONRenderer):
    # Persian stays readable in responses and logs instead of \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


@csrf_exempt
def _route_not_found(request, rest: str = ""):
    return errors.error_response(request, status=404, code="not_found", message="route_not_found")


def _shaped_405(view):
    """Ninja answers a known path with an unknown method by a bare 405; give it our shape."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            shaped = errors.error_response(
                request, status=405, code="method_not_allowed", message="method_not_allowed"
            )
            shaped["Allow"] = response["Allow"]
            return shaped
        return response

    return wrapper


class PishkhanAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        # The token is checked before any route runs, so no route lists the 401 it may cause;
        # every operation that needs one does answer it (in the error shape).
        unauthorized = {
            "description": "Unauthorized",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security"):
                    responses = {401: unauthorized, **operation["responses"]}
                    operation["responses"] = dict(sorted(responses.items()))
        return schema

    def _get_urls(self):
        result = []
        for pattern in super()._get_urls():
            if pattern.name == "api-root":
                # Kept by name: the OpenAPI schema finds the API's prefix by reversing it.
                result.append(path("", _route_not_found, name="api-root"))
            else:
                pattern.callback = _shaped_405(pattern.callback)
                result.append(pattern)
        # Anything else under the prefix is an unknown route; answer in the API's shape. A
        # regex rather than <path:rest>, whose `.+` stops at a newline (%0A) and would let such
        # a path fall through to Django's HTML 404.
        result.append(re_path(r"^(?P<rest>(?s:.+))$", _route_not_found, name="route-not-found"))
        return result


api = PishkhanAPI(
    title="Pishkhan API",
    version="1",
    description=(
        "Everything a tenant's integration can do. Authenticate with "
        "`Authorization: Bearer <token>`; the tenant is the host (`<slug>.<domain>`) or the "
        '`X-Tenant: <slug>` header. Errors: `{"error": {"code", "message", '
        '"message_fa", "message_en", "fields"}}`; `message` and `fields` follow '
        "`Accept-Language` (Persian by default)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_decorator(refuse_undeclared_body, mode="operation")

api.add_router("", departments.router)
api.add_router("", customers.router)
api.add_router("", agents.router)
api.add_router("", tickets.router)
api.add_router("", attachments.router)
api.add_router("", canned.router)
api.add_router("", sla.router)
api.add_router("", sla_reports.router)
api.add_router("", policies.router)
api.add_router("", mail.router)
api.add_router("", search.router)
api.add_router("", knowledge.router)
api.add_router("", deflection.router)
api.add_router("", quality.router)
api.add_router("", chat.router)

# The interactive documentation, served at /api/docs (outside the versioned prefix, and
# without a tenant); it reads /api/v1/openapi.json, which needs no token either.
docs_view = functools.partial(openapi_view, api=api)
