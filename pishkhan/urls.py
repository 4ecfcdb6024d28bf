from django.urls import include, path

from pishkhan.api.urls import api, docs_view
from pishkhan.ops import views as ops

urlpatterns = [
    path("livez", ops.livez, name="livez"),
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("api/docs", docs_view, name="api-docs"),
    path("api/v1/", api.urls),
    path("", include("pishkhan.web.urls")),
]
