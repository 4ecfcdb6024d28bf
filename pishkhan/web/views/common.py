"""Small pieces several pages share."""


def chosen_department(request, departments):
    """The department named by the form or the query string, if it is one of `departments`."""
    chosen = str(request.POST.get("department") or request.GET.get("department") or "")
    return next((d for d in departments if str(d.pk) == chosen), None)
