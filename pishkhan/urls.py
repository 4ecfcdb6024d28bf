from django.urls import include, path

from pishkhan.api.urls import api, docs_view

urlpatterns = [
    path("api/docs", docs_view, name="api-docs"),
    path("api/v1/", api.urls),
    path("", include("pishkhan.web.urls")),
]
