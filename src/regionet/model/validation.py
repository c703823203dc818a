"""Validation of actors, ties and observations against a catalog of known things.

Each ``check_*`` function returns a list of problems (empty when the record is valid) so
that a whole batch can be reported at once before anything is written. The catalog is any
object with ``actors``, ``documents`` and ``vocab`` — a bundled case, a workspace, or a
workspace plus the batch being imported.

Examples:
    >>> from regionet.core.ids import ActorId, DocumentId, TieId
    >>> from regionet.model.actors import Actor, ActorKind
    >>> from regionet.model.sources import Document, SourceRef
    >>> from regionet.model.vocab import TieKind, Vocabulary
    >>> cat = Catalog(
    ...     actors={ActorId("RU-KR"): Actor(ActorId("RU-KR"), ActorKind.SUBJECT, "Karelia")},
    ...     documents={DocumentId("memo"): Document(DocumentId("memo"), "Memo")},
    ...     vocab=Vocabulary({"cooperation": TieKind("cooperation", "cooperation", False, "")}, {}))
    >>> tie = Tie(TieId("t1"), "cooperation", (ActorId("RU-KR"), ActorId("RU-KR")),
    ...           sources=(SourceRef(DocumentId("memo"), "para 11"),))
    >>> [p.message for p in check_tie(tie, cat)]
    ['a tie cannot link an actor with itself']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from regionet.core.errors import (
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.ids import ActorId, DocumentId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie
from regionet.model.vocab import Vocabulary

__all__ = ["Catalog", "CatalogLike", "check_actor", "check_observation", "check_tie"]


class CatalogLike(Protocol):
    """What validation needs to look things up."""

    @property
    def actors(self) -> Mapping[ActorId, Actor]:
        """Known actors by id."""

    @property
    def documents(self) -> Mapping[DocumentId, Document]:
        """Known documents by id."""

    @property
    def vocab(self) -> Vocabulary:
        """The vocabularies."""


@dataclass(frozen=True)
class Catalog:
    """A plain catalog: actors, documents and vocabularies."""

    actors: Mapping[ActorId, Actor]
    documents: Mapping[DocumentId, Document]
    vocab: Vocabulary


def _unknown(message: str, field: str, value: str, choices: Iterable[str],
             expected: str, file: str | None, row: int | None,
             cls: type[UnknownReferenceError] = UnknownReferenceError) -> UnknownReferenceError:
    return cls(message, field=field, value=value, expected=expected,
               hint=did_you_mean(value, choices), file=file, row=row)


def _check_sources(sources: tuple[SourceRef, ...], cat: CatalogLike,
                   file: str | None, row: int | None) -> list[RegionetError]:
    problems: list[RegionetError] = []
    if not sources:
        problems.append(InvalidValueError(
            "every record needs at least one source", field="sources", value="",
            expected="'document_id:locator'", file=file, row=row))
    problems.extend(
        _unknown("source document does not exist", "sources", ref.document, cat.documents,
                 "the id of a document in documents.csv or the workspace", file, row)
        for ref in sources if ref.document not in cat.documents)
    return problems


def _unknown_actor(actor_id: str, cat: CatalogLike, field: str,
                   file: str | None, row: int | None) -> UnknownReferenceError:
    return _unknown("unknown actor", field, actor_id, cat.actors,
                    "an actor id defined in actors.csv or the workspace", file, row,
                    UnknownActorError)


def check_actor(actor: Actor, cat: CatalogLike, *, file: str | None = None,
                row: int | None = None) -> list[RegionetError]:
    """Return the problems of ``actor``: unknown parent or source documents."""
    problems = _check_sources(actor.sources, cat, file, row)
    if actor.parent is not None and actor.parent not in cat.actors:
        problems.append(_unknown_actor(actor.parent, cat, "parent", file, row))
    return problems


def _outside_validity(actor: Actor, when: Interval) -> bool:
    return not when.within(actor.validity)


def check_tie(tie: Tie, cat: CatalogLike, *, file: str | None = None,
              row: int | None = None) -> list[RegionetError]:
    """Return the problems of ``tie`` (see the module docstring for the rules)."""
    problems = _check_sources(tie.sources, cat, file, row)
    if tie.kind not in cat.vocab.tie_kinds:
        problems.append(_unknown("unknown tie kind", "kind", tie.kind, cat.vocab.tie_kinds,
                                 "a kind from vocab/tie_kinds.csv", file, row))
    problems.extend(
        _unknown("unknown domain", "domains", d, cat.vocab.domains,
                 "a domain from vocab/domains.csv", file, row)
        for d in tie.domains if d not in cat.vocab.domains)
    if len(tie.actors) < 2:
        problems.append(InvalidValueError(
            "a tie needs at least two actors", field="actors", value=";".join(tie.actors),
            expected="two or more actor ids separated by ';'", file=file, row=row))
    if len(set(tie.actors)) != len(tie.actors):
        problems.append(InvalidValueError(
            "a tie cannot link an actor with itself", field="actors",
            value=";".join(tie.actors), expected="distinct actor ids", file=file, row=row))
    known: list[Actor] = []
    for a in tie.actors:
        if a in cat.actors:
            known.append(cat.actors[a])
        else:
            problems.append(_unknown_actor(a, cat, "actors", file, row))
    if tie.location is not None and tie.location not in cat.actors:
        problems.append(_unknown_actor(tie.location, cat, "location", file, row))
    for actor in known:
        if _outside_validity(actor, tie.validity):
            problems.append(InvalidValueError(
                f"{actor.id} is used outside its validity dates ({actor.validity})",
                field="start", value=str(tie.validity),
                expected=f"dates within {actor.validity}", file=file, row=row))
    if tie.kind == "membership" and len(known) == len(tie.actors) >= 2:
        problems.extend(_check_membership(tie, known, file, row))
    return problems


def _check_membership(tie: Tie, actors: list[Actor], file: str | None,
                      row: int | None) -> list[RegionetError]:
    member, *bodies = actors
    problems: list[RegionetError] = []
    for body in bodies:
        if body.kind is ActorKind.ASSOCIATION and member.kind is not ActorKind.SUBJECT:
            problems.append(InvalidValueError(
                f"only subjects can be members of the association {body.id}",
                field="actors", value=member.id,
                expected=f"a subject (got a {member.kind.value})", file=file, row=row))
    return problems


def check_observation(obs: Observation, cat: CatalogLike, *, file: str | None = None,
                      row: int | None = None) -> list[RegionetError]:
    """Return the problems of ``obs``: unknown subject, indicator or source."""
    problems = _check_sources(obs.sources, cat, file, row)
    if obs.subject not in cat.actors:
        problems.append(_unknown_actor(obs.subject, cat, "subject", file, row))
    if cat.vocab.indicators and obs.indicator not in cat.vocab.indicators:
        problems.append(_unknown("unknown indicator", "indicator", obs.indicator,
                                 cat.vocab.indicators, "an indicator from vocab/indicators.csv",
                                 file, row))
    if obs.value is None and not obs.value_text:
        problems.append(InvalidValueError(
            "an observation needs a value or a value_text", field="value", value="",
            expected="a number or a text", file=file, row=row))
    return problems
