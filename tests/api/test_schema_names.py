"""The OpenAPI document names each schema once: two different schemas of one name would be
merged into one there, and clients (and the fuzzer) would check responses against the wrong
shape."""

import importlib
import pkgutil

from ninja import Schema

import pishkhan.api


def test_schemas_of_one_name_have_one_shape():
    shapes: dict[str, dict] = {}
    clashes = []
    for module_info in pkgutil.iter_modules(pishkhan.api.__path__):
        module = importlib.import_module(f"pishkhan.api.{module_info.name}")
        for name, value in vars(module).items():
            if not (isinstance(value, type) and issubclass(value, Schema)):
                continue
            if value.__module__ != module.__name__:
                continue  # imported from another module, seen there
            shape = value.model_json_schema()
            if name in shapes and shapes[name] != shape:
                clashes.append(f"{name} ({module.__name__})")
            shapes.setdefault(name, shape)
    assert not clashes
