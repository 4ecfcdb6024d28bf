"""Who may open a page. Anyone without a right to a page of this tenant gets 404, the same
answer as for a page that does not exist, so nothing is learned by probing."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def customer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.customer is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
