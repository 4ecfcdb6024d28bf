"""A tenant's customers: the people tickets are about."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from pishkhan.accounts import selectors, services
from pishkhan.api.errors import not_found
from pishkhan.api.schemas import ErrorOut, InputSchema, PageQuery, paginate

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    has_login: bool = Field(..., description="Whether the customer has a portal login.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_has_login(obj) -> bool:
        return obj.user_id is not None


class CustomerPage(Schema):
    items: list[CustomerOut]
    count: int
    page: int
    page_size: int


class CustomerIn(InputSchema):
    name: str
    email: str = ""
    phone: str = ""
    language: Literal["fa", "en"] = "fa"


class CustomerPatch(InputSchema):
    """Only the keys sent change."""

    name: str = None
    email: str = None
    phone: str = None
    language: Literal["fa", "en"] = None


class CustomerQuery(PageQuery):
    q: str = Field("", description="Part of the name or email, or the exact phone number.")


def _get(request, customer_id: int):
    customer = selectors.customer_get(tenant=request.tenant, customer_id=customer_id)
    if customer is None:
        raise not_found()
    return customer


@router.get("/customers", response={200: CustomerPage, 400: ErrorOut})
def customer_list(request, filters: Query[CustomerQuery]):
    qs = selectors.customer_list(tenant=request.tenant, query=filters.q.strip())
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.post("/customers", response={201: CustomerOut, 400: ErrorOut, 403: ErrorOut})
def customer_create(request, payload: CustomerIn):
    customer = services.customer_create(
        tenant=request.tenant, actor=request.auth.user, via="api", **payload.model_dump()
    )
    return HttpStatus(201, customer)


@router.get("/customers/{int:customer_id}", response={200: CustomerOut, 404: ErrorOut})
def customer_detail(request, customer_id: int):
    return _get(request, customer_id)


@router.patch(
    "/customers/{int:customer_id}",
    response={200: CustomerOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def customer_update(request, customer_id: int, payload: CustomerPatch):
    customer = _get(request, customer_id)
    return services.customer_update(
        tenant=request.tenant,
        actor=request.auth.user,
        customer=customer,
        via="api",
        fields=payload.model_dump(exclude_unset=True),
    )
