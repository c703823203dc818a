"""The model: actors, ties, observations, sources, vocabularies, levels and the case.

Plain dataclasses and validation; the model never imports an engine.
"""

from regionet.model.actors import Actor, ActorKind
from regionet.model.case import AttributeRecord, Case, TieFilter
from regionet.model.levels import Classification, Federation, Level, Side, Sublevel
from regionet.model.observations import COMPARATORS, Observation
from regionet.model.sources import Document, SourceRef, Status, parse_sources
from regionet.model.ties import Tie
from regionet.model.validation import Catalog, check_actor, check_observation, check_tie
from regionet.model.vocab import Domain, Indicator, TieKind, Vocabulary

__all__ = [
    "COMPARATORS",
    "Actor",
    "ActorKind",
    "AttributeRecord",
    "Case",
    "Catalog",
    "Classification",
    "Document",
    "Domain",
    "Federation",
    "Indicator",
    "Level",
    "Observation",
    "Side",
    "SourceRef",
    "Status",
    "Sublevel",
    "Tie",
    "TieFilter",
    "TieKind",
    "Vocabulary",
    "check_actor",
    "check_observation",
    "check_tie",
    "parse_sources",
]
