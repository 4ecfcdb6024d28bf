"""The rules settings page: the workspace's and each department's (admins change them)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.policies import selectors as rule_selectors
from pishkhan.policies.models import DepartmentMode
from pishkhan.policies.services import (
    department_rules_update,
    rule_settings_update,
)
from pishkhan.tickets import selectors as ticket_selectors
from pishkhan.web.forms import (
    DepartmentRulesForm,
    RuleSettingsForm,
    apply_errors,
)
from pishkhan.web.views.access import staff_required
from pishkhan.web.views.rules._common import (
    _error_messages,
    _form_error_messages,
)

# --- settings --------------------------------------------------------------------------------


def _settings_page(request, form, *, status=200):
    rules = rule_selectors.rule_settings_get(tenant=request.tenant)
    own = rule_selectors.department_rules_map(tenant=request.tenant)
    departments = []
    for department in ticket_selectors.department_list(tenant=request.tenant, active_only=False):
        department_rules = own.get(department.pk) or rule_selectors.department_rules_get(
            tenant=request.tenant, department=department
        )
        departments.append(
            {
                "department": department,
                "rules": department_rules,
                "persian_only": rule_selectors.effective_mode(
                    rules, department_rules, "persian_only"
                ),
                "duplicates": rule_selectors.effective_mode(rules, department_rules, "duplicates"),
                "form": DepartmentRulesForm(
                    initial={
                        "persian_only": department_rules.persian_only,
                        "duplicates": department_rules.duplicates,
                        "service_required": department_rules.service_required,
                    },
                    auto_id=f"id_d{department.pk}_%s",
                    form_id=f"department-form-{department.pk}",
                ),
            }
        )
    return render(
        request,
        "web/agent/rules/settings.html",
        {
            "form": form,
            "rules": rules,
            "departments": departments,
            "modes": dict(DepartmentMode.choices),
        },
        status=status,
    )


@staff_required
def settings_page(request):
    rules = rule_selectors.rule_settings_get(tenant=request.tenant)
    read_only = not request.membership.is_admin
    initial = RuleSettingsForm.initial_for(rules)
    if request.method != "POST":
        return _settings_page(request, RuleSettingsForm(initial=initial, read_only=read_only))
    form = RuleSettingsForm(request.POST, initial=initial)
    if not form.is_valid():
        return _settings_page(request, form, status=400)
    try:
        rule_settings_update(tenant=request.tenant, actor=request.user, **form.cleaned_data)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _settings_page(
            request, RuleSettingsForm(initial=initial, read_only=True), status=403
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _settings_page(request, form, status=400)
    messages.success(request, _("Support rules saved."))
    return redirect("web:rules_settings")


@staff_required
@require_POST
def department_rules(request, pk: int):
    department = ticket_selectors.department_get(tenant=request.tenant, department_id=pk)
    if department is None:
        raise Http404
    form = DepartmentRulesForm(request.POST)
    if not form.is_valid():
        _form_error_messages(request, form)
        return redirect("web:rules_settings")
    try:
        department_rules_update(
            tenant=request.tenant, department=department, actor=request.user, **form.cleaned_data
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            _("Rules of %(department)s saved.")
            % {"department": department.label(request.LANGUAGE_CODE)},
        )
    return redirect("web:rules_settings")
