"""The widget's routes; the chat app's web urls include them (`*widget_urls`)."""

from django.urls import path

from pishkhan.chat.widget import pages, views

urls: list = [
    path("chat/widget.js", views.script, name="widget_script"),
    path("chat/widget/config/", views.config, name="widget_config"),
    path("chat/widget/upload/", views.upload, name="widget_upload"),
    path("chat/widget/files/<int:pk>/", views.file, name="widget_file"),
    path("chat/widget/offline/", views.offline, name="widget_offline"),
    path("chat/widget/rate/", views.rate, name="widget_rate"),
    path("chat/widget/transcript/", views.transcript, name="widget_transcript"),
    path("chat/widget/test-page/", pages.test_page, name="widget_test_page"),
    path("agent/chats/widget/", pages.snippet, name="widget_snippet"),
]
