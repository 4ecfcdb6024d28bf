"""Host → tenant, once per request. Everything downstream receives `request.tenant`."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from pishkhan.tenancy import selectors

# Paths that exist on every host, tenant or not.
TENANTLESS_PREFIXES = ("/static/", "/api/docs", "/api/v1/openapi.json", "/healthz")


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
        if tenant is None and not request.path.startswith(TENANTLESS_PREFIXES):
            if request.path.startswith("/api/"):
                from pishkhan.api.errors import error_response

                return error_response(
                    request,
                    status=404,
                    code="tenant_not_found",
                    message_en="No workspace at this address.",
                    message_fa="در این نشانی محیط کاری‌ای وجود ندارد.",
                )
            return HttpResponseNotFound(
                "<h1>404</h1><p>در این نشانی محیط کاری‌ای وجود ندارد.</p>"
                "<p>No workspace at this address.</p>",
            )
        return self.get_response(request)
