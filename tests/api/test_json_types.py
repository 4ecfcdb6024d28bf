"""Every whole number a JSON body takes refuses a flag. `InputSchema` judges a field that is a
number (or a flag) itself; a number inside a list, a dict or an enum is out of its sight, and
pydantic alone reads `true` there as 1. This finds such a field when one is added."""

import enum
import importlib
import pkgutil
import types
import typing

import pishkhan.api
from pishkhan.api.schemas import FieldValue, InputSchema


def _input_schemas():
    for module_info in pkgutil.iter_modules(pishkhan.api.__path__):
        module = importlib.import_module(f"pishkhan.api.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, InputSchema):
                yield value


def _numbers_out_of_sight(annotation, top: bool = True) -> bool:
    """Whether `annotation` holds a whole number that the field's own check does not see."""
    if annotation == FieldValue:
        return False  # judged by its own validator
    if isinstance(annotation, type) and issubclass(annotation, int) and annotation is not bool:
        return not top or issubclass(annotation, enum.Enum)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return any(type(arg) is int for arg in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _numbers_out_of_sight(typing.get_args(annotation)[0], top)
    # Through a union the field is still judged as itself; inside a container it is not.
    inner_top = top and origin in (typing.Union, types.UnionType)
    return any(_numbers_out_of_sight(arg, inner_top) for arg in typing.get_args(annotation))


def test_no_body_takes_a_whole_number_where_a_flag_would_pass_as_one():
    unjudged = sorted(
        f"{schema.__module__}.{schema.__name__}.{name}"
        for schema in set(_input_schemas())
        for name, field in schema.model_fields.items()
        if _numbers_out_of_sight(field.annotation)
    )
    assert unjudged == []


def test_the_check_sees_a_number_in_a_list():
    # the test above can fail: a list of ids is exactly what it looks for
    assert _numbers_out_of_sight(list[int])
    assert _numbers_out_of_sight(dict[str, int | None])
    assert not _numbers_out_of_sight(int | None)
    assert not _numbers_out_of_sight(dict[str, FieldValue])
