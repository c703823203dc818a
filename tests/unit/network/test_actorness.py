"""International actorness: counts by sublevel, partners and money on hand-built ties."""

import pytest

from regionet.core.errors import InvalidValueError, UnknownActorError
from regionet.engines.network.actorness import international_actorness


def rows_by(case, **kwargs):
    return {(r["region"], r["year"]): r for r in international_actorness(case, **kwargs)}


def test_counts_partners_and_money_1998(hand):
    rows = international_actorness(hand, years=[1998])
    assert [r["region"] for r in rows] == ["RU-KR", "RU-MUR"]  # highest actorness first
    kr, mur = rows
    assert (kr["ties_cross_border"], kr["ties_trans_regional"], kr["ties_non_adjacent"]) == (
        2, 0, 0)
    assert kr["foreign_ties"] == 2 and kr["partners"] == ["FI"]
    assert kr["money_ties"] == 1 and kr["money_ecu"] == 0.0
    assert kr["money_by_currency"] == {"USD": 1000.0}
    assert kr["money_unconverted"] == {"USD": 1000.0}  # no USD rate: never invented
    assert "no USD->ECU rate for 1998" in kr["money_note"]
    assert kr["undated_ties"] == 1
    assert kr["actorness"] == 2 + 1 + 1
    assert mur["partners"] == ["NO"] and mur["ties_cross_border"] == 1
    assert mur["money_ecu"] == pytest.approx(100.0)  # NOK at the memo's rate 300/37
    assert mur["money_unconverted"] == {} and mur["money_note"] == ""
    assert mur["actorness"] == 3


def test_money_counts_only_in_its_year_and_trans_regional(hand):
    rows = rows_by(hand, years=[1999])
    spe = rows["RU-SPE", 1999]
    assert (spe["ties_trans_regional"], spe["partners"], spe["money_ties"]) == (1, ["nefco"], 1)
    # the ECU ended in 1998: EUR 50 of 1999 stays unconverted, and the note says so
    assert (spe["money_ecu"], spe["money_unconverted"]) == (0.0, {"EUR": 50.0})
    assert spe["money_note"] == ("no EUR->ECU rate for 1999 in the rates table: 50 EUR kept "
                                 "unconverted")
    assert rows["RU-MUR", 1999]["money_ties"] == 0  # the pledge is undated, its money 1998
    assert rows["RU-MUR", 1999]["foreign_ties"] == 1
    assert rows["RU-KR", 1999]["foreign_ties"] == 1  # the 1998 trade is over
    assert ("RU-SPE", 1998) not in rows_by(hand, years=[1998])


def test_options(hand):
    assert len(international_actorness(hand, years=[1998], include_zero=True)) == 5
    only = international_actorness(hand, years=range(1997, 2001), regions=["RU-SPE"])
    assert [r["year"] for r in only] == [1999]
    with pytest.raises(UnknownActorError):
        international_actorness(hand, years=[1998], regions=["RU-XX"])
    with pytest.raises(InvalidValueError, match="unknown currency"):
        international_actorness(hand, years=[1998], currency="XYZ")


def test_bundled_karelia_acts_across_the_finnish_border(bundled):
    rows = rows_by(bundled, years=range(1990, 2011), regions=["RU-KR"])
    assert all(r["actorness"] > 0 for r in rows.values()) and len(rows) == 21
    kr = rows["RU-KR", 1998]
    assert kr["ties_cross_border"] >= 1 and "FI" in kr["partners"]
    assert kr["money_unconverted"] == {"USD": 243e6}  # the case has no USD rate
    mur = rows_by(bundled, years=[1998], regions=["RU-MUR"])["RU-MUR", 1998]
    assert mur["money_ecu"] == pytest.approx(37e6)  # NOK 300 m = ECU 37 m (memo para 14)
