"""The maps' data services: outlines, capitals, the choropleth's polygons, the tie map's arcs.

Figures draw what these return; the expected values here are counted by hand from the
bundled ``ties.csv`` (the tie ids are listed in the comments).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from regionet.core.errors import UnknownReferenceError
from regionet.interfaces.cli.app import app
from regionet.interfaces.figures import LEVEL_COLOURS, save, tie_map
from regionet.services.case_source import CaseSource
from regionet.services.geo import base_map, capitals, subject_map
from regionet.services.tie_maps import DEFAULT_LEVELS, TIE_MAP_LEVELS, tie_arcs
from regionet.services.workspace import import_files, init_workspace

SRC = CaseSource.bundled()


def ends(arcs: np.ndarray) -> set[tuple[tuple[float, float], tuple[float, float]]]:
    return {((float(a[0, 0]), float(a[0, 1])), (float(a[-1, 0]), float(a[-1, 1])))
            for a in arcs}


def test_the_palette_has_a_colour_for_every_level_of_the_tie_map() -> None:
    assert tuple(LEVEL_COLOURS) == TIE_MAP_LEVELS
    assert DEFAULT_LEVELS == ("bilateral", "subnational", "cross-border", "trans-regional",
                              "non-adjacent", "vertical")


def test_base_map_frames_every_subject_and_is_read_only() -> None:
    base = base_map(SRC)
    assert len(base.subjects) == 89 and [s.id for s in base.subjects] == sorted(
        s.id for s in base.subjects)
    x0, x1, y0, y1 = base.frame
    xs = np.concatenate([r[:, 0] for s in base.subjects for r in s.rings])
    ys = np.concatenate([r[:, 1] for s in base.subjects for r in s.rings])
    # padded by 2.5 % of the extent on each side
    w, h = xs.max() - xs.min(), ys.max() - ys.min()
    assert (x0, x1) == pytest.approx((xs.min() - 0.025 * w, xs.max() + 0.025 * w))
    assert (y0, y1) == pytest.approx((ys.min() - 0.025 * h, ys.max() + 0.025 * h))
    ring = base.subjects[0].rings[0]
    assert (ring[0] == ring[-1]).all()
    with pytest.raises(ValueError, match="read-only"):
        ring[0, 0] = 0.0
    assert base_map(SRC) is base  # cached


def test_chukotka_has_more_border_pieces_than_rings() -> None:
    chukotka = next(s for s in base_map(SRC).subjects if s.id == "RU-CHU")
    # the segments along the ±180° cut are not drawn: the cut rings fall apart in pieces
    assert len(chukotka.borders) > len(chukotka.rings)


def test_subject_map_fills_one_subject_per_polygon() -> None:
    m = subject_map(SRC)
    assert len(m.filled) == 83  # 89 subjects, 6 okrugs on a successor's polygon
    assert m.merged == {"RU-PER", "RU-KYA", "RU-KAM", "RU-IRK", "RU-CHI"}
    cap = capitals(SRC)
    assert m.dots == tuple((i, cap[i]) for i in
                           ("RU-AGB", "RU-EVE", "RU-KOP", "RU-KOR", "RU-TAY", "RU-UOB"))


def test_bilateral_arcs_join_the_members_capitals() -> None:
    cap = capitals(SRC)
    arcs = tie_arcs(SRC, levels=["bilateral"])
    assert [(a.level, a.ties, a.arcs.shape) for a in arcs.levels] == [
        ("bilateral", 3, (3, 24, 2))]
    # t-kr-mur-bilateral, t-niz-kda-bilateral, t-ko-kr-bilateral
    assert ends(arcs.levels[0].arcs) == {(cap["RU-KR"], cap["RU-MUR"]),
                                         (cap["RU-NIZ"], cap["RU-KDA"]),
                                         (cap["RU-KO"], cap["RU-KR"])}
    assert arcs.members.tolist() == [list(cap[m]) for m in
                                     ("RU-KDA", "RU-KO", "RU-KR", "RU-MUR", "RU-NIZ")]
    assert arcs.places == () and arcs.skipped == 0 and arcs.missing == ()


def test_ties_without_a_member_join_their_partners() -> None:
    arcs = tie_arcs(SRC, levels=["external", "interstate", "federal"])
    # interstate (3): RU with JP, SE and NO: the federation is drawn at the centre
    # external (9): drawn (4) ncm -> nefco, nordic council -> nib facility, FI and SE in the
    # eu; not drawn (5): the cbss Visby programme, the northern dimension, the eu's three
    # interreg ties (one party without a place); federal (2): the mfa ties (centre only)
    assert [(a.level, a.ties, a.arcs.shape) for a in arcs.levels] == [
        ("interstate", 3, (3, 24, 2)), ("external", 4, (4, 24, 2))]
    assert arcs.skipped == 5 + 2
    assert arcs.missing == ("cbss-visby-programme", "eu-northern-dimension", "interreg",
                            "interreg-barents", "interreg-karelia")
    places = {p.key: p for p in arcs.places}
    assert set(places) == {"FI", "JP", "NO", "SE", "centre", "eu", "nefco",
                           "nib-environmental-facility", "nordic-council",
                           "nordic-council-of-ministers"}
    assert places["centre"].kind == "centre" and places["centre"].label == "Moscow (centre)"
    assert places["centre"].point == capitals(SRC)["RU-MOW"]
    assert places["nefco"].label == "NEFCO" and places["nefco"].point == places["FI"].point
    cap = capitals(SRC)["RU-MOW"]
    assert ends(arcs.levels[0].arcs) == {(cap, places[k].point) for k in ("JP", "SE", "NO")}
    assert not any(p.beyond for p in arcs.places)


def test_partners_far_beyond_the_frame_sit_on_its_edge() -> None:
    arcs = tie_arcs(SRC)
    beyond = {p.key: p.point for p in arcs.places if p.beyond}
    assert set(beyond) == {"US-VT", "apec"}  # Vermont, Singapore
    x0, x1, y0, y1 = arcs.frame
    inset = 0.01 * (x1 - x0)
    for x, y in beyond.values():  # on the inset box's edge
        assert min(abs(x - (x0 + inset)), abs(x - (x1 - inset)), abs(y - (y0 + inset)),
                   abs(y - (y1 - inset))) == pytest.approx(0.0, abs=1e-6)
    assert all(x0 < p.point[0] < x1 and y0 < p.point[1] < y1 for p in arcs.places)


def test_levels_are_checked_with_suggestions() -> None:
    with pytest.raises(UnknownReferenceError) as err:
        tie_arcs(SRC, levels=["crossborder"])
    assert err.value.field == "levels" and "cross-border" in (err.value.hint or "")
    international = tie_arcs(SRC, levels=["international"])
    assert [a.level for a in international.levels] == [
        "cross-border", "trans-regional", "non-adjacent"]


def test_a_workspace_map_shows_the_workspace_ties(workspace_url: str, tmp_path: Path) -> None:
    db = workspace_url
    init_workspace(db)
    source = CaseSource.workspace(db)
    cap = capitals(source)
    before = tie_arcs(source, levels=["bilateral"])
    assert before.levels[0].ties == 3
    ties = tmp_path / "ties.csv"
    ties.write_text("id,kind,actors,start,end,domains,sources\n"
                    "t-test-kr-ark,cooperation,RU-KR;RU-ARK,1997,1999,transport,"
                    "sergounin-1999:para 11\n", encoding="utf-8")
    import_files(db, [ties])
    after = tie_arcs(source, levels=["bilateral"])  # a new revision: computed afresh
    assert after.levels[0].ties == 4
    assert ends(after.levels[0].arcs) - ends(before.levels[0].arcs) == {
        (cap["RU-KR"], cap["RU-ARK"])}
    assert tie_arcs(SRC, levels=["bilateral"]).levels[0].ties == 3  # the bundle is unchanged

    # the command draws the workspace's map, not the bundle's
    out = {name: tmp_path / f"{name}.svg" for name in ("cli", "workspace", "bundled")}
    result = CliRunner().invoke(app, ["figures", "ties", "--level", "bilateral", "--db",
                                      str(db), "--out", str(out["cli"])])
    assert result.exit_code == 0, result.output
    save(tie_map(after), out["workspace"])
    save(tie_map(tie_arcs(SRC, levels=["bilateral"])), out["bundled"])
    assert out["cli"].read_bytes() == out["workspace"].read_bytes()
    assert out["cli"].read_bytes() != out["bundled"].read_bytes()
