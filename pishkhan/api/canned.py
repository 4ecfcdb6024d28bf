"""Canned replies: saved answers agents reuse."""

from datetime import datetime

from ninja import Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import not_found
from pishkhan.api.schemas import ErrorOut, InputSchema, Out
from pishkhan.tickets import selectors, services

router = Router(tags=["canned replies"])


class CannedReplyOut(Out):
    id: int
    title: str
    body: str
    created_at: datetime


class CannedReplyIn(InputSchema):
    title: str
    body: str


@router.get("/canned-replies", response=list[CannedReplyOut])
def canned_reply_list(request):
    return list(selectors.canned_reply_list(tenant=request.tenant))


@router.post("/canned-replies", response={201: CannedReplyOut, 400: ErrorOut, 403: ErrorOut})
def canned_reply_create(request, payload: CannedReplyIn):
    reply = services.canned_reply_create(
        tenant=request.tenant, actor=request.auth.user, via="api", **payload.model_dump()
    )
    return HttpStatus(201, reply)


@router.delete("/canned-replies/{int:reply_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def canned_reply_delete(request, reply_id: int):
    reply = selectors.canned_reply_get(tenant=request.tenant, reply_id=reply_id)
    if reply is None:
        raise not_found()
    services.canned_reply_delete(
        tenant=request.tenant, actor=request.auth.user, reply=reply, via="api"
    )
    return HttpStatus(204, None)
