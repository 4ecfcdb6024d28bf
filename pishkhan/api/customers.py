"""A tenant's customers: the people tickets are about, and the services they hold (T-8): a
customer registers a service, staff verify its owner; support about a service goes only to its
verified owner [002 r3]."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.accounts import ownership, selectors, services
from pishkhan.accounts.models import ServiceKind
from pishkhan.api.errors import not_found
from pishkhan.api.schemas import (
    MAX_ID,
    ErrorOut,
    Id,
    InputSchema,
    Out,
    PageQuery,
    display,
    paginate,
)

router = Router(tags=["customers"])


class CustomerOut(Out):
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


class CustomerPage(Out):
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
    q: str = Field(
        "",
        description="Part of the name, email or phone number. Spellings compare equal: Arabic "
        "and Persian letters (ي/ی, ك/ک), ZWNJ, spaces, diacritics, kashida, Persian digits.",
    )


def _get(request, customer_id: int):
    customer = None
    # Above the largest id a database column holds: no such row can exist.
    if customer_id <= MAX_ID:
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


# --- customers' services (T-8) ---------------------------------------------------------------


class CustomerRef(Out):
    id: int
    name: str
    email: str


class StaffRef(Out):
    id: int
    full_name: str
    email: str


class ServiceOut(Out):
    id: int
    customer: CustomerRef
    kind: str
    identifier: str = Field(
        ..., description="As compared: lower case, a domain in its ASCII (IDNA) form."
    )
    label: str
    created_at: datetime
    verified: bool = Field(..., description="Staff have checked the owner's identity.")
    verified_at: datetime | None
    verified_at_display: str | None
    verified_by: StaffRef | None
    verification_note: str = Field(..., description="What was checked, and how.")

    @staticmethod
    def resolve_verified(obj) -> bool:
        return obj.is_verified

    @staticmethod
    def resolve_verified_at_display(obj, context) -> str | None:
        return display(obj.verified_at, context["request"])


class ServicePage(Out):
    items: list[ServiceOut]
    count: int
    page: int
    page_size: int


class ServiceIn(InputSchema):
    kind: ServiceKind = ServiceKind.DOMAIN
    identifier: str = Field(
        ...,
        max_length=253,
        description="A domain (example.ir), a server's IP or host name, a plan or licence code.",
    )
    label: str = Field("", max_length=200)


class ServiceNoteIn(InputSchema):
    note: str = Field(
        ...,
        max_length=500,
        description="What was checked (e.g. the national ID card and the registrant e-mail).",
    )


class ServiceQuery(PageQuery):
    verified: bool | None = Field(None, description="Only verified (true) or unverified (false).")
    customer_id: Id | None = None


def _service(request, service_id: int):
    service = None
    # Above the largest id a database column holds: no such row can exist.
    if service_id <= MAX_ID:
        service = selectors.service_get(tenant=request.tenant, pk=service_id)
    if service is None:
        raise not_found()
    return service


def _reloaded(request, service):
    return selectors.service_get(tenant=request.tenant, pk=service.pk)


@router.get("/services", response={200: ServicePage, 400: ErrorOut, 404: ErrorOut})
def service_list(request, filters: Query[ServiceQuery]):
    customer = None
    if filters.customer_id is not None:
        customer = selectors.customer_get(tenant=request.tenant, customer_id=filters.customer_id)
        if customer is None:
            raise not_found("customer_id")
    qs = selectors.service_list(
        tenant=request.tenant, customer=customer, verified=filters.verified
    ).order_by("-id")
    items, envelope = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": items, **envelope}


@router.get(
    "/customers/{int:customer_id}/services", response={200: list[ServiceOut], 404: ErrorOut}
)
def customer_service_list(request, customer_id: int):
    customer = _get(request, customer_id)
    return list(selectors.service_list(tenant=request.tenant, customer=customer))


@router.post(
    "/customers/{int:customer_id}/services",
    response={201: ServiceOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def customer_service_create(request, customer_id: int, payload: ServiceIn):
    """Register a service the customer holds; unverified until staff check the owner."""
    service = ownership.service_register(
        tenant=request.tenant,
        customer=_get(request, customer_id),
        actor=request.auth.user,
        via="api",
        **payload.model_dump(),
    )
    return HttpStatus(201, _reloaded(request, service))


@router.post(
    "/services/{int:service_id}/verify",
    response={200: ServiceOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def service_verify(request, service_id: int, payload: ServiceNoteIn):
    """The owner's identity and documents were checked. 409 `already_verified`, or
    `owned_by_another` while another customer's claim on it is verified."""
    service = ownership.service_verify(
        tenant=request.tenant,
        service=_service(request, service_id),
        actor=request.auth.user,
        note=payload.note,
        via="api",
    )
    return _reloaded(request, service)


@router.post(
    "/services/{int:service_id}/unverify",
    response={200: ServiceOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def service_unverify(request, service_id: int, payload: ServiceNoteIn):
    """Withdraw a verification (the service changed hands). 409 `not_verified`."""
    service = ownership.service_unverify(
        tenant=request.tenant,
        service=_service(request, service_id),
        actor=request.auth.user,
        note=payload.note,
        via="api",
    )
    return _reloaded(request, service)


@router.delete("/services/{int:service_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def service_delete(request, service_id: int):
    ownership.service_remove(
        tenant=request.tenant,
        service=_service(request, service_id),
        actor=request.auth.user,
        via="api",
    )
    return HttpStatus(204, None)
