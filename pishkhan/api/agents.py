"""The tenant's staff, so an integration can find whom to assign a ticket to."""

from ninja import Query, Router

from pishkhan.api.schemas import ErrorOut, Out
from pishkhan.tenancy import selectors

router = Router(tags=["agents"])


class AgentOut(Out):
    id: int
    email: str
    full_name: str
    role: str


@router.get("/agents", response={200: list[AgentOut], 400: ErrorOut})
def agent_list(
    request, assignable: bool = Query(False, description="Only roles that may be assigned tickets.")
):
    memberships = selectors.member_list(tenant=request.tenant, writers_only=assignable)
    return [
        {"id": m.user.pk, "email": m.user.email, "full_name": m.user.full_name, "role": m.role}
        for m in memberships
    ]
