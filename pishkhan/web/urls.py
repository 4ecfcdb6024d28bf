from django.urls import path

from pishkhan.web.views import (
    admin,
    agent,
    auth,
    chat,
    deflection,
    files,
    invitations,
    knowledge,
    mail,
    portal,
    portal_rules,
    quality,
    rules,
    search,
    sla,
    sla_reports,
    team,
)

app_name = "web"
urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("signup/", auth.signup_view, name="signup"),
    path("language/", auth.language_view, name="language"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth.password_reset_complete, name="password_reset_complete"),
    path("invitation/<str:token>/", invitations.invitation, name="invitation"),
    # Customer portal
    path("tickets/", portal.portal, name="portal"),
    path("tickets/new/", portal.ticket_new, name="ticket_new"),
    path("tickets/<int:number>/", portal.ticket_detail, name="ticket"),
    path("attachments/<int:pk>/", files.attachment_download, name="attachment"),
    # Agent workspace
    path("agent/", agent.queue, name="queue"),
    path("agent/tickets/new/", agent.ticket_new, name="agent_ticket_new"),
    path("agent/tickets/<int:number>/", agent.ticket_detail, name="agent_ticket"),
    path("agent/tickets/<int:number>/message/", agent.ticket_message, name="agent_message"),
    path(
        "agent/tickets/<int:number>/properties/", agent.ticket_properties, name="agent_properties"
    ),
    path("agent/tickets/<int:number>/fields/", agent.ticket_fields, name="agent_ticket_fields"),
    path("agent/canned/", admin.canned_list, name="canned"),
    path("agent/canned/<int:pk>/delete/", admin.canned_delete, name="canned_delete"),
    path("agent/departments/", admin.department_list, name="departments"),
    path("agent/departments/new/", admin.department_edit, name="department_new"),
    path("agent/departments/<int:pk>/", admin.department_edit, name="department_edit"),
    path("agent/members/", team.members, name="members"),
    path("agent/members/<int:pk>/", team.member_edit, name="member_edit"),
    path(
        "agent/invitations/<int:pk>/withdraw/",
        team.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("agent/tokens/", team.tokens, name="tokens"),
    path("agent/tokens/<int:pk>/revoke/", team.token_revoke, name="token_revoke"),
    # Service levels (each module lists its own routes)
    *sla.urls,
    *sla_reports.urls,
    # Support rules
    *portal_rules.urls,
    *rules.urls,
    # Email channel
    *mail.urls,
    # Search, knowledge base and deflection (T-11, X-2)
    *search.urls,
    *knowledge.urls,
    *deflection.urls,
    # Live chat (C-2) and its widget's endpoints
    *chat.urls,
    # Quality review and satisfaction surveys (C-3, C-4)
    *quality.urls,
]
