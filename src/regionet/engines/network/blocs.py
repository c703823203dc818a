"""Blocs: association membership and the bloc dominance index (memo para 12).

The memo reports that some analysts see the Northwest Association as St Petersburg's
"sphere of influence" and the Urals Association as dominated by Ekaterinburg. The **bloc
dominance index** asks how much of an association's internal activity runs through one
member. For association ``A`` with members ``M`` (membership ties valid in the period):

* internal edges: edges of the tie graph (bilateral and subnational levels) with both ends
  in ``M ∪ {A}`` — ties of members with ``A`` (memberships, agreements of the bloc…) and
  ties among members;
* ``W`` = total weight of internal edges; ``s_i`` = weight of the internal edges of member
  ``i`` (its internal strength);
* **top share** = ``s_top / W``: the share of internal activity that involves the member
  with the largest ``s_i``;
* **HHI** = ``Σ h_i²`` with ``h_i = s_i / Σ_j s_j``, and the normalised
  ``HHI* = (HHI - 1/n) / (1 - 1/n)`` (0 = equal members, 1 = one member holds everything);
* **top vs others** = ``s_top`` / mean ``s_j`` of the other members (1 = no dominance).

A membership tie gives each member the same weight (1), so when memberships are the only
internal ties every member is equal and the index cannot show dominance; the ``basis``
field of each result says what the index rests on.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> members = association_members(case, period=1999)
    >>> "RU-SPE" in members["assoc-northwest"], "RU-SVE" in members["assoc-ural"]
    (True, True)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date
from typing import Any

import networkx as nx

from regionet.core.periods import Interval
from regionet.engines.network.graphs import Period, period_interval, tie_graph
from regionet.model.actors import ActorKind
from regionet.model.case import Case
from regionet.model.ties import Tie

__all__ = [
    "INTERNAL_LEVELS",
    "MEMBERSHIP",
    "association_members",
    "bloc_dominance",
    "case_bloc_dominance",
    "memberships",
]

#: The tie kind that makes a subject a member of an association.
MEMBERSHIP = "membership"

#: Levels whose edges count as an association's internal activity.
INTERNAL_LEVELS = ("bilateral", "subnational")

#: The observation indicator naming the member said to dominate an association.
_CLAIM = "bloc_dominance"


def _valid(validity: Interval, as_of: date | None, span: Interval | None) -> bool:
    if as_of is not None and not validity.contains(as_of):
        return False
    return span is None or validity.overlaps(span)


def _membership_ties(case: Case, as_of: date | None, period: Period | None
                     ) -> list[tuple[Tie, str, str]]:
    span = None if period is None else period_interval(period)
    out: list[tuple[Tie, str, str]] = []
    for tie in case.ties.values():
        if tie.kind != MEMBERSHIP or not _valid(tie.validity, as_of, span):
            continue
        member = case.actors.get(tie.actors[0])
        if member is None or member.kind is not ActorKind.SUBJECT \
                or member.parent != case.federation:
            continue
        for other in tie.actors[1:]:
            actor = case.actors.get(other)
            if actor is not None and actor.kind is ActorKind.ASSOCIATION:
                out.append((tie, member.id, actor.id))
    return out


def memberships(case: Case, *, as_of: date | None = None, period: Period | None = None
                ) -> dict[str, list[str]]:
    """Return each member's associations, earliest membership first.

    Memberships are ``membership`` ties from a subject of the federation to an association,
    valid on ``as_of`` or during ``period`` (all of them when neither is given). Order: by
    the membership's start date, an unknown start first (an open start means "since before
    our sources"), then by association id.

    Examples:
        >>> import regionet as rn
        >>> memberships(rn.load_case("russia-1990s"), period=1999)["RU-KGD"]
        ['assoc-northwest', 'assoc-central-russia']
    """
    found: dict[str, list[tuple[date, str]]] = {}
    for tie, member, association in _membership_ties(case, as_of, period):
        found.setdefault(member, []).append((tie.validity.start or date.min, association))
    return {m: list(dict.fromkeys(a for _, a in sorted(v))) for m, v in sorted(found.items())}


def association_members(case: Case, *, as_of: date | None = None,
                        period: Period | None = None) -> dict[str, list[str]]:
    """Return each association's members (sorted ids), as of a date or over a period.

    Associations without a member in that time are left out.
    """
    out: dict[str, set[str]] = {}
    for _, member, association in _membership_ties(case, as_of, period):
        out.setdefault(association, set()).add(member)
    return {a: sorted(ms) for a, ms in sorted(out.items())}


def _basis(n_membership: int, other_kinds: dict[str, int]) -> str:
    if not other_kinds:
        return ("membership ties only: every member has the same weight, so the index "
                "cannot show dominance")
    others = ", ".join(f"{k} {n}" for k, n in sorted(other_kinds.items()))
    return f"{n_membership} membership ties and {sum(other_kinds.values())} other ties ({others})"


def bloc_dominance(G: nx.Graph, association: Hashable, members: Iterable[Hashable], *,
                   weight: str = "weight") -> dict[str, Any]:
    """Return the bloc dominance index of one association on a tie graph.

    See the module docstring for the definitions. Only edges with both ends in
    ``members ∪ {association}`` count; pass a graph of the levels you want counted (the case
    function uses bilateral and subnational ties). Edge ``kind`` and ``tie_id`` attributes
    (as in a tie graph) tell memberships apart and count ties; without them every edge is
    its own tie of kind ``""``.

    Returns:
        A dict with ``association, n_members, members, n_internal_ties,
        n_membership_ties, other_kinds, internal_activity, member_strength, top_members,
        top_member`` (None when several members share the maximum), ``top_share,
        runner_up, runner_up_share, top_vs_others, hhi, hhi_normalized, basis``. Shares and
        concentrations are None when there is no internal activity; ``hhi_normalized`` and
        ``top_vs_others`` are None for a one-member bloc.

    Examples:
        >>> import networkx as nx
        >>> G = nx.MultiGraph()
        >>> for m in "abcd":
        ...     _ = G.add_edge(m, "A", kind="membership", tie_id=f"t-{m}", weight=1.0)
        >>> _ = G.add_edge("a", "b", kind="cooperation", tie_id="t-ab", weight=1.0)
        >>> _ = G.add_edge("a", "c", kind="cooperation", tie_id="t-ac", weight=1.0)
        >>> out = bloc_dominance(G, "A", "abcd")
        >>> out["top_member"], out["top_share"], round(out["top_vs_others"], 4)
        ('a', 0.5, 1.8)
        >>> round(out["hhi_normalized"], 4), out["basis"]
        (0.0417, '4 membership ties and 2 other ties (cooperation 2)')
    """
    chosen = sorted(set(members), key=str)
    inside = set(chosen) | {association}
    s = dict.fromkeys(chosen, 0.0)
    total = 0.0
    ties: dict[str, str] = {}
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else (
        (u, v, None, d) for u, v, d in G.edges(data=True))
    for u, v, key, data in edges:
        if u == v or u not in inside or v not in inside:
            continue
        w = float(data.get(weight, 1.0))
        total += w
        for end in (u, v):
            if end in s:
                s[end] += w
        ties[str(data.get("tie_id", key if key is not None else f"{u}~{v}"))] = str(
            data.get("kind", ""))
    n_membership = sum(1 for k in ties.values() if k == MEMBERSHIP)
    other_kinds: dict[str, int] = {}
    for k in ties.values():
        if k != MEMBERSHIP:
            other_kinds[k] = other_kinds.get(k, 0) + 1
    out: dict[str, Any] = {
        "association": association, "n_members": len(chosen), "members": chosen,
        "n_internal_ties": len(ties), "n_membership_ties": n_membership,
        "other_kinds": dict(sorted(other_kinds.items())), "internal_activity": total,
        "member_strength": s, "top_members": [], "top_member": None, "top_share": None,
        "runner_up": None, "runner_up_share": None, "top_vs_others": None, "hhi": None,
        "hhi_normalized": None, "basis": _basis(n_membership, other_kinds),
    }
    strength_sum = sum(s.values())
    if total <= 0 or strength_sum <= 0:
        return out
    best = max(s.values())
    tops = [m for m in chosen if s[m] == best]
    below = [m for m in chosen if s[m] < best]
    runner = max(below, key=lambda m: s[m]) if below else None
    n = len(chosen)
    hhi = sum((x / strength_sum) ** 2 for x in s.values())
    others = [s[m] for m in chosen if m != tops[0]]
    mean_others = sum(others) / len(others) if others else 0.0
    out.update({
        "top_members": tops, "top_member": tops[0] if len(tops) == 1 else None,
        "top_share": best / total, "runner_up": runner,
        "runner_up_share": s[runner] / total if runner is not None else None,
        "top_vs_others": best / mean_others if mean_others > 0 else None,
        "hhi": hhi, "hhi_normalized": (hhi - 1 / n) / (1 - 1 / n) if n > 1 else None,
    })
    return out


def _when(as_of: date | None, span: Interval | None) -> str:
    if as_of is not None:
        return f"as of {as_of.isoformat()}"
    if span is None:
        return "all dates"
    if span.start_text and span.start_text == span.end_text:
        return span.start_text
    return str(span)


def _claims(case: Case, association: str, as_of: date | None, span: Interval | None
            ) -> list[tuple[str, str]]:
    out = []
    for o in sorted(case.observations.values(), key=lambda o: o.id):
        if o.indicator == _CLAIM and o.subject == association and o.value_text \
                and _valid(o.period, as_of, span):
            source = "; ".join(f"{r.document}:{r.locator}" for r in o.sources)
            out.append((o.value_text, source))
    return out


def _name(case: Case, actor_id: str) -> str:
    actor = case.actors.get(actor_id)  # type: ignore[call-overload]
    return f"{actor.name_en} ({actor_id})" if actor is not None else actor_id


def _sentence(case: Case, row: dict[str, Any]) -> str:
    head = (f"{_name(case, row['association'])}, {row['when']}: {row['n_members']} members, "
            f"{row['n_internal_ties']} internal ties.")
    if row["top_share"] is None:
        return head + " No internal activity recorded."
    s = row["member_strength"]
    if row["n_members"] == 1:
        body = (f" Its only member {_name(case, row['top_member'])} is in all of its "
                "internal activity: with one member, dominance is not defined.")
    elif row["top_member"] is not None:
        ratio = row["top_vs_others"]
        versus = (f"{ratio:.2f}× the mean of the other members" if ratio is not None
                  else "the other members have none")
        body = (f" Top member {_name(case, row['top_member'])} is in "
                f"{row['top_share']:.1%} of internal activity, {versus} "
                f"(HHI* {row['hhi_normalized'] or 0:.2f}).")
    else:
        body = (f" No single top member: {len(row['top_members'])} members share the "
                f"highest internal strength ({s[row['top_members'][0]]:g}), each in "
                f"{row['top_share']:.1%} of internal activity (HHI* "
                f"{row['hhi_normalized'] or 0:.2f}).")
    claim = ""
    if row["claimed_hub"] is not None:
        hub = row["claimed_hub"]
        if row["claimed_hub_share"] is None:
            claim = f" The claimed hub {_name(case, hub)} is not a member in this period."
        else:
            tied = sum(1 for x in s.values() if x == s[hub]) - 1
            claim = (f" The claimed hub ({row['claimed_hub_source']}), {_name(case, hub)}, is "
                     f"in {row['claimed_hub_share']:.1%}, rank {row['claimed_hub_rank']} of "
                     f"{row['n_members']}" + (f", tied with {tied}." if tied else "."))
    n_other = sum(row["other_kinds"].values())
    caveat = (f" Beyond memberships the ranking rests on {n_other} tie(s)." if n_other else
              " Memberships alone give every member the same weight: these data cannot test "
              "the claim.")
    return head + body + claim + caveat


def case_bloc_dominance(case: Case, *, as_of: date | None = None,
                        period: Period | None = None,
                        levels: Iterable[str] = INTERNAL_LEVELS) -> list[dict[str, Any]]:
    """Return the bloc dominance index of every association with members, as rows.

    Each row is :func:`bloc_dominance` on the tie graph of ``levels`` (as of ``as_of`` or
    over ``period``), plus ``name_en``, ``when`` (the period in words), ``claimed_hub`` and
    ``claimed_hub_source`` (the member an observation with indicator ``bloc_dominance``
    says dominates the association, e.g. the memo's para 12), ``claimed_hub_share`` and
    ``claimed_hub_rank`` (1 + the number of members with a larger internal strength), and
    ``sentence``: the result in words.

    Examples:
        >>> import regionet as rn
        >>> rows = {r["association"]: r for r in case_bloc_dominance(
        ...     rn.load_case("russia-1990s"), period=1999)}
        >>> rows["assoc-ural"]["claimed_hub"], rows["assoc-ural"]["top_member"]
        ('RU-SVE', None)
    """
    span = None if period is None else period_interval(period)
    G = tie_graph(case, levels=levels, as_of=as_of, period=span)
    rows: list[dict[str, Any]] = []
    for association, members in association_members(case, as_of=as_of, period=span).items():
        row = bloc_dominance(G, association, members)
        actor = case.actors.get(association)  # type: ignore[call-overload]
        row["name_en"] = actor.name_en if actor is not None else association
        row["when"] = _when(as_of, span)
        claims = _claims(case, association, as_of, span)
        hub, source = claims[0] if claims else (None, None)
        s = row["member_strength"]
        share = rank = None
        if hub is not None and hub in s and row["internal_activity"] > 0:
            share = s[hub] / row["internal_activity"]
            rank = 1 + sum(1 for x in s.values() if x > s[hub])
        row.update({"claimed_hub": hub, "claimed_hub_source": source,
                    "claimed_hub_share": share, "claimed_hub_rank": rank})
        row["sentence"] = _sentence(case, row)
        rows.append(row)
    return rows
