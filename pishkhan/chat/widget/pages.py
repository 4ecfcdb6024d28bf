"""Pages around the widget: the admins' snippet page (copy one line, see it live) and, for a
developer or a browser test, a page that embeds the widget as a customer's site would."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from pishkhan.chat.selectors import chat_settings_get, is_supervisor
from pishkhan.web.views.access import admin_required


def snippet_for(request) -> str:
    src = request.build_absolute_uri(reverse("web:widget_script"))
    return f'<script src="{src}" async></script>'


@admin_required
def snippet(request):
    chat_settings = chat_settings_get(tenant=request.tenant)
    return render(
        request,
        "web/widget/snippet.html",
        {
            "snippet": snippet_for(request),
            "chat_settings": chat_settings,
            "settings_url": reverse("web:chat_settings"),
            "is_supervisor": is_supervisor(tenant=request.tenant, user=request.user),
        },
    )


def test_page(request):
    """A stand-in for a customer's site (DEBUG only): the snippet and nothing of ours, with
    `?lang=en` for an English page."""
    if not settings.DEBUG:
        raise Http404
    language = "en" if request.GET.get("lang") == "en" else "fa"
    return render(
        request,
        "web/widget/test_page.html",
        {"snippet": snippet_for(request), "language": language},
    )
