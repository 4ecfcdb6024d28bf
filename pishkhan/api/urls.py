from ninja import NinjaAPI

from pishkhan.api import errors
from pishkhan.api.auth import TokenAuth

api = NinjaAPI(
    title="Pishkhan API",
    version="1",
    description=(
        "Everything a tenant's integration can do. Authenticate with "
        "`Authorization: Bearer <token>`; the tenant is the host (`<slug>.<domain>`) or the "
        "`X-Tenant: <slug>` header. Errors: `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,
)
errors.install(api)
