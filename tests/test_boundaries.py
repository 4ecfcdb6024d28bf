"""The layering DESIGN.md promises, checked on the source: `core` imports no Django and no
app; services and selectors never import handlers (api, views)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pishkhan"
APPS = {
    "tenancy",
    "accounts",
    "tickets",
    "trust",
    "sla",
    "policies",
    "outbox",
    "mail",
    "search",
    "knowledge",
    "deflection",
    "chat",
    "quality",
    "api",
    "web",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_neither_django_nor_any_app():
    for path in (PACKAGE / "core").glob("*.py"):
        for name in _imports(path):
            assert not name.startswith("django"), (path.name, name)
            assert not any(name.startswith(f"pishkhan.{app}") for app in APPS), (path.name, name)


def test_services_and_selectors_never_import_handlers():
    layers = ["*/services.py", "*/services/*.py", "*/selectors.py", "*/selectors/*.py"]
    for path in [p for pattern in layers for p in PACKAGE.glob(pattern)]:
        for name in _imports(path):
            assert not name.startswith(("pishkhan.api", "pishkhan.web")), (path, name)
            assert ".views" not in name, (path, name)


def test_no_app_imports_the_apps_that_build_on_it():
    # tenancy is the base; accounts builds on it; tickets and trust build on both; sla builds
    # on tickets, which tells it what happened through tickets.events; policies builds on
    # tickets too, plugging its rules into tickets.intake. Neither of those two knows the other.
    handlers = {"api", "web"}
    # The outbox (mail we send, thread ids) sits below tickets; the inbound mail app builds on
    # tickets and is a channel: nothing but the handlers knows it.
    built_on_tickets = {"sla", "policies", "mail"}
    forbidden = {
        "tenancy": {"accounts", "tickets", "trust", "outbox", *built_on_tickets, *handlers},
        "accounts": {"tickets", "outbox", *built_on_tickets, *handlers},
        "trust": {"tickets", "outbox", *built_on_tickets, *handlers},
        "outbox": {"tickets", *built_on_tickets, *handlers},
        "tickets": {*built_on_tickets, *handlers},
        "sla": {"policies", "mail", *handlers},
        "policies": {"sla", "mail", *handlers},
    }
    for app, above in forbidden.items():
        for path in (PACKAGE / app).rglob("*.py"):
            for name in _imports(path):
                assert not any(name.startswith(f"pishkhan.{a}") for a in above), (path, name)
