from django.urls import include, path

from pishkhan.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("pishkhan.web.urls")),
]
