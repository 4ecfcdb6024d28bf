"""Login, logout, sign-up, password reset and language choice, all within the host's tenant."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.accounts.middleware import SESSION_TENANT_KEY
from pishkhan.accounts.services import (
    customer_signup,
    operator_desk_customer_ensure,
    user_set_language,
)
from pishkhan.tenancy.selectors import membership_get
from pishkhan.web.forms import LanguageForm, LoginForm, SignupForm, TenantPasswordResetForm


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _start_session(request, user) -> None:
    login(request, user, backend="pishkhan.accounts.backends.TenantEmailBackend")
    request.session[SESSION_TENANT_KEY] = request.tenant.pk


def home_for(user, tenant) -> str:
    if user.home_tenant_id or membership_get(tenant=tenant, user=user) is None:
        return reverse("web:portal")
    return reverse("web:queue")


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, _("Email or password is wrong."))
        else:
            operator_desk_customer_ensure(tenant=request.tenant, user=user)
            _start_session(request, user)
            return redirect(_safe_next(request, home_for(user, request.tenant)))
    return render(
        request, "web/auth/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:login")


def signup_view(request):
    if not request.tenant.allow_customer_signup:
        raise Http404
    form = SignupForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            user = customer_signup(tenant=request.tenant, **form.cleaned_data)
        except ValidationError as exc:
            from pishkhan.web.forms import apply_errors

            apply_errors(form, exc)
        else:
            _start_session(request, user)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("web:portal")
    return render(request, "web/auth/signup.html", {"form": form})


@require_POST
def language_view(request):
    form = LanguageForm(request.POST)
    fallback = request.META.get("HTTP_REFERER") or "/"
    if not form.is_valid():
        return redirect("/")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    target = form.cleaned_data.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    from django.conf import settings

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TenantPasswordResetForm
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.request.tenant}

    def form_valid(self, form):
        # The mail goes to the host the person is on, so the link lands in their tenant.
        self.extra_email_context = {"tenant": self.request.tenant}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None:
            return None
        from pishkhan.accounts.selectors import user_get_for_login

        # A link is only good on the tenant the login belongs to.
        if user_get_for_login(tenant=self.request.tenant, email=user.email) != user:
            return None
        return user


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="web/auth/password_reset_done.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/auth/password_reset_complete.html"
)
