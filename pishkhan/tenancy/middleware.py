"""Host → tenant, once per request. Everything downstream receives `request.tenant`."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.utils import timezone

from pishkhan.tenancy import selectors

NO_TENANT_FA = "در این نشانی محیط کاری‌ای وجود ندارد."
NO_TENANT_EN = "No workspace at this address."
# Paths that exist on every host, tenant or not.
TENANTLESS_PREFIXES = ("/static/", "/api/docs", "/api/v1/openapi.json")
# Probes and scrapes belong to no tenant, and must not wait on the database to learn it.
OPERATOR_PATHS = ("/livez", "/healthz", "/metrics")


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in OPERATOR_PATHS:
            request.tenant = None
            return self.get_response(request)

        tenant = None
        header_slug = request.headers.get("X-Tenant")
        if header_slug and request.path.startswith("/api/"):
            tenant = selectors.tenant_get_by_slug(slug=header_slug.strip().lower())
        else:
            host = request.get_host().rsplit(":", 1)[0].lower().rstrip(".")
            tenant = selectors.tenant_get_by_host(
                host=host, base_domains=settings.TENANT_BASE_DOMAINS
            )
        request.tenant = tenant
        if tenant is not None:
            # Times on its pages (and in forms) read in the workspace's own zone.
            with timezone.override(tenant.zone):
                return self.get_response(request)
        if not request.path.startswith(TENANTLESS_PREFIXES):
            if request.path.startswith("/api/"):
                # The API's one error shape, written here so tenancy needs nothing of the API.
                return JsonResponse(
                    {
                        "error": {
                            "code": "tenant_not_found",
                            "message": NO_TENANT_FA,
                            "message_fa": NO_TENANT_FA,
                            "message_en": NO_TENANT_EN,
                            "fields": {},
                        }
                    },
                    status=404,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseNotFound(
                f"<h1>404</h1><p>{NO_TENANT_FA}</p><p>{NO_TENANT_EN}</p>",
            )
        return self.get_response(request)
