"""Departments (units) and the fields a request to each must carry [002 r13]."""

from ninja import Field, Query, Router
from ninja import Status as HttpStatus

from pishkhan.api.errors import not_found
from pishkhan.api.schemas import ErrorOut, InputSchema, Out
from pishkhan.tickets import selectors, services
from pishkhan.tickets.models import FieldKind

router = Router(tags=["departments"])


class FieldDefinitionOut(Out):
    key: str
    label_fa: str
    label_en: str
    kind: str
    required: bool


class DepartmentOut(Out):
    id: int
    name: str
    name_en: str
    description: str
    is_active: bool
    position: int
    fields: list[FieldDefinitionOut]


class FieldDefinitionIn(InputSchema):
    key: str = Field(..., description="Lowercase Latin letters, digits or _; starts with a letter.")
    label_fa: str
    label_en: str = ""
    kind: FieldKind = FieldKind.TEXT
    required: bool = True


class DepartmentIn(InputSchema):
    name: str = Field(..., description="Persian name, unique in the workspace.")
    name_en: str = ""
    description: str = ""
    fields: list[FieldDefinitionIn] = []
    is_active: bool = True


class DepartmentPatch(InputSchema):
    """Only the keys sent change."""

    name: str = None
    name_en: str = None
    description: str = None
    fields: list[FieldDefinitionIn] = None
    is_active: bool = None


def _get(request, department_id: int):
    department = selectors.department_get(tenant=request.tenant, department_id=department_id)
    if department is None:
        raise not_found()
    return department


@router.get("/departments", response={200: list[DepartmentOut], 400: ErrorOut})
def department_list(request, include_inactive: bool = Query(False, alias="all")):
    return list(selectors.department_list(tenant=request.tenant, active_only=not include_inactive))


@router.get("/departments/{int:department_id}", response={200: DepartmentOut, 404: ErrorOut})
def department_detail(request, department_id: int):
    return _get(request, department_id)


@router.post("/departments", response={201: DepartmentOut, 400: ErrorOut, 403: ErrorOut})
def department_create(request, payload: DepartmentIn):
    department = services.department_create(
        tenant=request.tenant,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(mode="json"),
    )
    return HttpStatus(201, department)


@router.patch(
    "/departments/{int:department_id}",
    response={200: DepartmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def department_update(request, department_id: int, payload: DepartmentPatch):
    department = _get(request, department_id)
    return services.department_update(
        tenant=request.tenant,
        department=department,
        actor=request.auth.user,
        via="api",
        **payload.model_dump(mode="json", exclude_unset=True),
    )
