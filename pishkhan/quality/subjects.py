"""What a survey or a review can be about. Each channel registers its kind once, from its
AppConfig.ready(): tickets here (see `ticket_subject`), chats from the chat app, calls later.
Quality asks the registry and never imports a channel.

    register_subject(
        "chat",
        get=lambda *, tenant, pk: ... or None,   # the tenant's object, None when not there
        title=lambda obj, language: "...",       # one line naming it (language optional)
        agent_of=lambda obj: user or None,       # who handled it (whom a review scores)
        url=lambda obj: "/agent/...",            # where staff open it
        department_of=lambda obj: dept or None,  # optional: the CSAT report's department
        is_finished=lambda obj: bool,            # optional: only finished work is reviewed
        get_many=lambda tenant, ids: {id: obj},  # optional: a page's subjects in one query
    )

A subject's id is the one its kind shows people: a ticket's number, a chat's id."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SubjectKind:
    kind: str
    get: Callable[[Any, int], Any]
    title: Callable[[Any, str], str]
    agent_of: Callable[[Any], Any]
    url: Callable[[Any], str]
    department_of: Callable[[Any], Any] | None = None
    is_finished: Callable[[Any], bool] | None = None
    get_many: Callable[[Any, list[int]], dict[int, Any]] | None = None


_kinds: dict[str, SubjectKind] = {}


def register_subject(
    kind: str,
    *,
    get: Callable[[Any, int], Any],
    title: Callable[[Any, str], str],
    agent_of: Callable[[Any], Any],
    url: Callable[[Any], str],
    department_of: Callable[[Any], Any] | None = None,
    is_finished: Callable[[Any], bool] | None = None,
    get_many: Callable[[Any, list[int]], dict[int, Any]] | None = None,
) -> None:
    """Idempotent per kind: a second registration (a reloaded app) replaces the first.
    `get` may take (tenant, pk) by position or by keyword; `title` may ignore the language."""
    _kinds[kind] = SubjectKind(
        kind,
        _keyword_get(get),
        _with_language(title),
        agent_of,
        url,
        department_of,
        is_finished,
        get_many,
    )


def _keyword_get(get: Callable) -> Callable[[Any, int], Any]:
    names = inspect.signature(get).parameters
    if "tenant" in names and "pk" in names:
        return lambda tenant, pk: get(tenant=tenant, pk=pk)
    return get


def _with_language(title: Callable) -> Callable[[Any, str], str]:
    positional = [
        p
        for p in inspect.signature(title).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in positional):
        return title
    return lambda obj, language: title(obj)


def kinds() -> list[str]:
    """Tickets first (what every workspace has), then the others by name."""
    return sorted(_kinds, key=lambda kind: (kind != "ticket", kind))


def kind_get(kind: str) -> SubjectKind | None:
    return _kinds.get(kind)


@dataclass(frozen=True)
class Subject:
    """A found subject: the object and what quality needs to know of it."""

    kind: str
    id: int
    obj: Any
    spec: SubjectKind

    def title(self, language: str) -> str:
        return self.spec.title(self.obj, language)

    @property
    def agent(self):
        return self.spec.agent_of(self.obj)

    @property
    def department(self):
        return self.spec.department_of(self.obj) if self.spec.department_of else None

    @property
    def url(self) -> str:
        return self.spec.url(self.obj)

    @property
    def is_finished(self) -> bool:
        return self.spec.is_finished(self.obj) if self.spec.is_finished else True


def subject_get(*, tenant, kind: str, subject_id: int) -> Subject | None:
    """The tenant's subject of this kind and id; None for an unknown kind or another tenant's
    (or a missing) object — both answer 404 to the user."""
    spec = _kinds.get(kind)
    if spec is None or not isinstance(subject_id, int) or not 1 <= subject_id < 2**62:
        return None
    obj = spec.get(tenant, subject_id)
    if obj is None:
        return None
    return Subject(kind=kind, id=subject_id, obj=obj, spec=spec)


def subject_titles(
    *, tenant, keys: Iterable[tuple[str, int]], language: str
) -> dict[tuple[str, int], str]:
    """(kind, id) → the subject's title in this language, for a page of reviews or surveys
    whose stored title is in the workspace's language. One query per kind where the kind
    loads many at once; a subject no longer there is left out (its stored title stands)."""
    by_kind: dict[str, list[int]] = {}
    for kind, subject_id in keys:
        by_kind.setdefault(kind, []).append(subject_id)
    titles: dict[tuple[str, int], str] = {}
    for kind, ids in by_kind.items():
        spec = _kinds.get(kind)
        if spec is None:
            continue
        if spec.get_many is not None:
            found = spec.get_many(tenant, ids)
        else:
            found = {subject_id: spec.get(tenant, subject_id) for subject_id in ids}
        for subject_id, obj in found.items():
            if obj is not None:
                titles[(kind, subject_id)] = spec.title(obj, language)
    return titles
