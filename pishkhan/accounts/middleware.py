from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from pishkhan.accounts.selectors import user_roles_in_tenant
from pishkhan.tenancy.permissions import remember_membership

SESSION_TENANT_KEY = "_tenant_id"


class TenantUserMiddleware:
    """Binds the logged-in user to the tenant of this host.

    A session is only good in the tenant it was opened in, and a user who is neither a member
    nor a customer of this tenant is anonymous here: nothing of another tenant can leak through
    a cookie that travels to another host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        request.customer = None
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if tenant is None or request.session.get(SESSION_TENANT_KEY) != tenant.pk:
                request.user = AnonymousUser()
            else:
                request.membership, request.customer = user_roles_in_tenant(
                    tenant=tenant, user=user
                )
                if request.membership is None and request.customer is None:
                    request.user = AnonymousUser()
                else:
                    remember_membership(tenant=tenant, user=user, membership=request.membership)
        return self.get_response(request)


def reader_language(*, user, cookies, tenant, asked=None) -> str:
    """The language a reader's pages are in: the user's own choice, else the language cookie,
    else `asked` (a client's Accept-Language), else the tenant's default. The chat sockets
    answer in the same one as the pages they serve."""
    from django.conf import settings

    language = None
    if user is not None and user.is_authenticated:
        language = user.language
    if not language:
        language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if not language and asked is not None:
        language = asked()
    if language not in dict(settings.LANGUAGES):
        language = tenant.default_language if tenant else settings.LANGUAGE_CODE
    return language


class UserLanguageMiddleware:
    """Language: the user's own choice, else the language cookie, else the tenant's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = reader_language(
            user=getattr(request, "user", None),
            cookies=request.COOKIES,
            tenant=getattr(request, "tenant", None),
            asked=(lambda: translation.get_language_from_request(request))
            if request.path.startswith("/api/")
            else None,
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
