"""A seeded synthetic registry: import files of ``n`` ties for a workspace of the bundled case.

Shaped like a research team's registry that grew from the bundled Russia case (keep.eu-like:
many partner organizations, each in a few projects; the 89 subjects in many): ``n // 20``
new actors (organizations, companies registered in a subject, regions of a neighbouring
state) in ``bench_actors.csv`` and ``n`` ties in ``bench_ties.csv`` among them, the subjects
and the foreign states of the case. Every row is valid against a workspace initialised with
``russia-1990s`` (dates inside every party's validity, known kinds, domains and documents), so
an import of the two files succeeds.

    .venv/bin/python benchmarks/synthetic_registry.py 100000 /tmp/registry

Used by ``bench_workspace.py``; not part of regionet.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import regionet as rn

__all__ = ["Registry", "write_registry"]

_KINDS = ("agreement", "cooperation", "joint_project", "joint_venture", "assistance", "grant",
          "loan", "investment", "trade", "negotiation", "joint_monitoring")
_MONEY = {"grant", "loan", "investment"}
_DOCUMENT = "sergounin-1999"
TIE_COLUMNS = ("id", "kind", "actors", "start", "end", "domains", "amount", "currency",
               "amount_year", "location", "description", "sources", "status")
ACTOR_COLUMNS = ("id", "kind", "name_en", "valid_from", "parent", "sources", "status")


@dataclass(frozen=True)
class Registry:
    """The files written and what a benchmark may look up in them."""

    actors: Path
    ties: Path
    n_ties: int
    n_actors: int
    sample_tie: str
    sample_actor: str
    hub: str


def _actor_span(case: rn.Case, actor_id: str) -> tuple[int, int]:
    v = case.actors[actor_id].validity  # type: ignore[index]
    first = v.start.year + 1 if v.start else 1990
    last = v.end.year - 1 if v.end else 2010
    return first, last


def write_registry(n: int, folder: Path, *, seed: int = 1999, prefix: str = "bench",
                   actors: bool = True) -> Registry:
    """Write ``<prefix>_actors.csv`` and ``<prefix>_ties.csv`` with ``n`` ties into ``folder``.

    With ``actors=False`` no actors file is written and the ties use the partners of an
    earlier registry of the same size and seed (a second batch for the same workspace).
    """
    rng = np.random.default_rng(seed)
    case = rn.load_case("russia-1990s")
    folder.mkdir(parents=True, exist_ok=True)
    subjects = sorted(a.id for a in case.members())
    states = sorted(a.id for a in case.actors.values() if a.kind.value == "state")
    domains = sorted(case.vocab.domains)
    spans = {a: _actor_span(case, a) for a in [*subjects, *states]}
    n_actors = max(3, n // 20)
    actor_rows = []
    for i in range(n_actors):
        kind = ("organization", "company", "foreign_region")[i % 3]
        parent = (subjects[int(rng.integers(len(subjects)))] if kind == "company"
                  else states[int(rng.integers(len(states)))] if kind == "foreign_region" else "")
        actor_id = f"bench-{kind[:3]}-{i:07d}"
        actor_rows.append({"id": actor_id, "kind": kind, "name_en": f"Partner {i}",
                           "valid_from": "1990", "parent": parent,
                           "sources": f"{_DOCUMENT}:para {1 + i % 19}", "status": "assumed"})
        spans[actor_id] = (1991, 2010)
    new_ids = [r["id"] for r in actor_rows]
    # Subjects are popular (Zipf-like weights), partners drawn uniformly.
    weights = 1.0 / np.arange(1, len(subjects) + 1) ** 0.8
    weights /= weights.sum()
    actors_file = folder / f"{prefix}_actors.csv"
    if actors:
        with actors_file.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, ACTOR_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(actor_rows)
    subject_draws = rng.choice(len(subjects), size=n, p=weights)
    partner_draws = rng.integers(len(new_ids), size=n)
    second = rng.random(n)
    extra = rng.random(n)
    kinds = rng.integers(len(_KINDS), size=n)
    offsets = rng.random(n)
    lengths = rng.integers(0, 6, size=n)
    amounts = rng.lognormal(12, 2, size=n)
    tie_order = rng.permutation(n)
    ties_file = folder / f"{prefix}_ties.csv"
    with ties_file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(TIE_COLUMNS)
        for j in range(n):
            i = int(tie_order[j])
            parties = [subjects[subject_draws[i]]]
            if second[i] < 0.15:
                parties.append(subjects[(subject_draws[i] + 1 + i % 88) % len(subjects)])
            elif second[i] < 0.25:
                parties.append(states[i % len(states)])
            else:
                parties.append(new_ids[partner_draws[i]])
            if extra[i] < 0.1:
                other = new_ids[(partner_draws[i] + 7) % len(new_ids)]
                if other not in parties:
                    parties.append(other)
            first = max(spans[p][0] for p in parties)
            last = min(spans[p][1] for p in parties)
            start = first + int(offsets[i] * max(0, last - first))
            end = min(last, start + int(lengths[i]))
            kind = _KINDS[kinds[i]]
            money = kind in _MONEY
            writer.writerow((
                f"{prefix}-t-{i:08d}", kind, ";".join(parties), start,
                end if lengths[i] else "", ";".join(sorted({domains[i % len(domains)],
                                                            domains[(i // 7) % len(domains)]})),
                f"{amounts[i]:.2f}" if money else "",
                ("EUR" if start >= 1999 else "ECU") if money else "",  # the euro from 1999
                start if money else "", "", f"Synthetic tie {i}",
                f"{_DOCUMENT}:para {1 + i % 19}", "assumed"))
    return Registry(actors_file, ties_file, n, n_actors, f"{prefix}-t-{n // 2:08d}",
                    new_ids[len(new_ids) // 2], subjects[0])


def main() -> None:
    """Write a registry of the size given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=float)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1999)
    args = parser.parse_args()
    print(write_registry(int(args.n), args.folder, seed=args.seed))


if __name__ == "__main__":
    main()
