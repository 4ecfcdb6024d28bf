"""The websocket side of the ASGI application: tenant by host (the rules of the HTTP tenant
middleware, through the same selectors), then the session and its user, then the routes."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.conf import settings
from django.urls import path

from pishkhan.chat import db
from pishkhan.tenancy import selectors


def _host(scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return value.decode("latin-1")
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else ""


def _tenant_for(host: str):
    bare = host.rsplit(":", 1)[0].lower().rstrip(".") if host else ""
    if not bare:
        return None
    return selectors.tenant_get_by_host(host=bare, base_domains=settings.TENANT_BASE_DOMAINS)


class TenantFromHostMiddleware:
    """Puts `tenant` (or None) and `host` in the scope. Consumers refuse a socket without a
    tenant with close code 4404, as the HTTP side answers 404."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        host = _host(scope)
        scope = dict(scope, tenant=await db.run_in_lane(host, _tenant_for, host), host=host)
        return await self.inner(scope, receive, send)


def websocket_application():
    from pishkhan.chat.consumers import StaffConsumer, SupervisorConsumer, VisitorConsumer

    routes = URLRouter(
        [
            path("ws/chat/visitor/", VisitorConsumer.as_asgi()),
            path("ws/chat/agent/", StaffConsumer.as_asgi()),
            path("ws/chat/supervisor/", SupervisorConsumer.as_asgi()),
        ]
    )
    return TenantFromHostMiddleware(AuthMiddlewareStack(routes))
