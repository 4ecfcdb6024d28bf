"""Workspace settings for staff: canned replies (agents) and departments (owner/admin)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pishkhan.tickets import selectors
from pishkhan.tickets.services import (
    canned_reply_create,
    canned_reply_delete,
    department_create,
    department_update,
)
from pishkhan.web.forms import (
    FIELD_ROWS,
    CannedReplyForm,
    DepartmentFieldFormSet,
    DepartmentForm,
    apply_errors,
)
from pishkhan.web.views.access import admin_required, staff_required


@staff_required
def canned_list(request):
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            canned_reply_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("web:canned")
    return render(
        request,
        "web/agent/canned.html",
        {
            "replies": selectors.canned_reply_list(tenant=request.tenant),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def canned_delete(request, pk: int):
    reply = selectors.canned_reply_get(tenant=request.tenant, reply_id=pk)
    if reply is None:
        raise Http404
    try:
        canned_reply_delete(tenant=request.tenant, actor=request.user, reply=reply)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Canned reply deleted."))
    return redirect("web:canned")


@admin_required
def department_list(request):
    return render(
        request,
        "web/agent/departments.html",
        {
            "departments": selectors.department_list(tenant=request.tenant, active_only=False),
        },
    )


def _rows_from(formset) -> list[dict]:
    return [
        {k: row.cleaned_data[k] for k in ("key", "label_fa", "label_en", "kind", "required")}
        for row in formset
        if row.cleaned_data and (row.cleaned_data.get("key") or row.cleaned_data.get("label_fa"))
    ]


@admin_required
def department_edit(request, pk: int | None = None):
    department = None
    if pk is not None:
        department = selectors.department_get(tenant=request.tenant, department_id=pk)
        if department is None:
            raise Http404
    initial = {}
    rows: list[dict] = []
    if department is not None:
        initial = {
            "name": department.name,
            "name_en": department.name_en,
            "description": department.description,
            "is_active": department.is_active,
        }
        rows = list(department.fields)
    form = DepartmentForm(request.POST or None, initial=initial or None)
    formset = DepartmentFieldFormSet(
        request.POST or None,
        prefix="f",
        initial=rows + [{"required": True}] * max(0, FIELD_ROWS - len(rows)),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            if department is None:
                department_create(
                    tenant=request.tenant, actor=request.user, fields=_rows_from(formset), **data
                )
            else:
                department_update(
                    tenant=request.tenant,
                    department=department,
                    actor=request.user,
                    fields=_rows_from(formset),
                    **data,
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Department saved."))
            return redirect("web:departments")
    return render(
        request,
        "web/agent/department_form.html",
        {
            "form": form,
            "formset": formset,
            "department": department,
        },
        status=400 if request.method == "POST" else 200,
    )
