"""Where the documents of each kind come from, for the rebuild (`search_rebuild`).

Each owning app registers a source from its AppConfig.ready(); the engine knows no app's models.
"""

from collections.abc import Callable, Iterable

from pishkhan.search.documents import Document
from pishkhan.tenancy.models import Tenant

Source = Callable[[Tenant], Iterable[Document]]

_sources: dict[str, Source] = {}


def register_source(kind: str, documents: Source) -> None:
    """Register (or replace: ready() may run twice) the source of one kind of document."""
    _sources[kind] = documents


def sources() -> dict[str, Source]:
    return dict(_sources)
