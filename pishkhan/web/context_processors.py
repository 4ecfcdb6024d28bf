from django.utils.functional import lazy

from pishkhan.chat.socket_origin import socket_origin


def workspace(request):
    """What every page needs to know about where it is and who is looking."""
    membership = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "customer": getattr(request, "customer", None),
        "is_staff_member": membership is not None,
        "can_write": bool(membership and membership.can_write),
        # Worked out only by the pages that open a chat socket.
        "chat_socket_origin": lazy(socket_origin, str)(request),
    }
