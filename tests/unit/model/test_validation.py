"""Validation rules of the model, with hypothesis for the value ranges."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regionet.core.errors import InvalidValueError
from regionet.core.ids import ActorId, DocumentId, TieId
from regionet.core.periods import Interval
from regionet.io.records import parse_rate, parse_tie
from regionet.model.actors import Actor, ActorKind
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie
from regionet.model.validation import Catalog, check_tie
from regionet.model.vocab import Domain, TieKind, Vocabulary

K = ActorKind
CAT = Catalog(
    actors={ActorId(a.id): a for a in [
        Actor(ActorId("RU"), K.CENTRE, "Russia"),
        Actor(ActorId("RU-KR"), K.SUBJECT, "Karelia", parent=ActorId("RU"),
              validity=Interval.parse("1991", None)),
        Actor(ActorId("RU-KOP"), K.SUBJECT, "Komi-Permyak AO", parent=ActorId("RU"),
              validity=Interval.parse("1993-12-12", "2005-12-01")),
        Actor(ActorId("FI"), K.STATE, "Finland"),
        Actor(ActorId("assoc-northwest"), K.ASSOCIATION, "Northwest", parent=ActorId("RU")),
    ]},
    documents={DocumentId("memo"): Document(DocumentId("memo"), "The memo")},
    vocab=Vocabulary(
        {"membership": TieKind("membership", "membership", True, "member of"),
         "cooperation": TieKind("cooperation", "cooperation", False, "cooperates")},
        {"environment": Domain("environment", "ecology")}),
)
MEMO = (SourceRef(DocumentId("memo"), "para 14"),)


def tie(*actors: str, kind: str = "cooperation", **kw) -> Tie:
    return Tie(TieId("t"), kind, tuple(ActorId(a) for a in actors), sources=MEMO, **kw)


def messages(t: Tie) -> list[str]:
    return [p.message for p in check_tie(t, CAT, file="ties.csv", row=3)]


def test_valid_tie_has_no_problems():
    assert messages(tie("RU-KR", "FI", domains=("environment",))) == []


@pytest.mark.parametrize(("t", "expected"), [
    (tie("RU-KR", "XX"), "unknown actor"),
    (tie("RU-KR", "FI", kind="coperation"), "unknown tie kind"),
    (tie("RU-KR", "FI", domains=("ecology",)), "unknown domain"),
    (tie("RU-KR", "RU-KR"), "a tie cannot link an actor with itself"),
    (tie("RU-KR"), "a tie needs at least two actors"),
    (tie("FI", "assoc-northwest", kind="membership"), "only subjects can be members"),
    (tie("RU-KOP", "FI", validity=Interval.parse("2004", "2007")), "outside its validity"),
    (Tie(TieId("t"), "cooperation", (ActorId("RU-KR"), ActorId("FI")),
         sources=(SourceRef(DocumentId("nemo"), "p"),)), "source document does not exist"),
])
def test_each_rule_reports_file_row_and_value(t, expected):
    problems = check_tie(t, CAT, file="ties.csv", row=3)
    assert any(expected in p.message for p in problems), [str(p) for p in problems]
    assert all(p.file == "ties.csv" and p.row == 3 for p in problems)


def test_unknown_actor_suggests_a_near_id():
    (problem,) = check_tie(tie("RU-KRR", "FI"), CAT)
    assert "Did you mean RU-KR" in str(problem)


def test_unknown_kind_suggests_a_near_kind():
    (problem,) = check_tie(tie("RU-KR", "FI", kind="coperation"), CAT)
    assert "cooperation" in str(problem)


ROW = {"id": "t-1", "kind": "cooperation", "actors": "RU-KR;FI", "sources": "memo:para 13"}


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_amount_sign_decides_validity(amount):
    row = {**ROW, "amount": repr(amount), "currency": "ECU", "amount_year": "1996"}
    if amount < 0:
        with pytest.raises(InvalidValueError) as err:
            parse_tie(row, file="ties.csv", row_number=5)
        assert err.value.field == "amount" and err.value.row == 5
    else:
        assert parse_tie(row).amount.amount == pytest.approx(amount)


@given(st.integers(1950, 2030), st.integers(1950, 2030))
def test_dates_order_decides_validity(start, end):
    row = {**ROW, "start": str(start), "end": str(end)}
    if end < start:
        with pytest.raises(InvalidValueError, match="before start"):
            parse_tie(row, file="ties.csv", row_number=2)
    else:
        parsed = parse_tie(row)
        assert parsed.validity.start.year == start and parsed.validity.end.year == end


@given(st.text(alphabet="ABCDEFXYZ", min_size=3, max_size=3))
def test_currency_must_be_known(code):
    row = {**ROW, "amount": "1", "currency": code, "amount_year": "1996"}
    if code in ("ECU",):
        assert parse_tie(row).amount.currency == code
    else:
        with pytest.raises(InvalidValueError, match="unknown currency"):
            parse_tie(row)


def test_amount_without_currency_or_year():
    with pytest.raises(InvalidValueError, match="currency"):
        parse_tie({**ROW, "amount": "5"})
    with pytest.raises(InvalidValueError, match="price year"):
        parse_tie({**ROW, "amount": "5", "currency": "ECU"})
    assert parse_tie({**ROW, "amount": "5", "currency": "ECU", "start": "1996"}).amount.year == 1996


@given(st.integers(1950, 2030))
def test_ecu_amounts_only_up_to_1998(year):
    row = {**ROW, "amount": "245000", "currency": "ECU", "amount_year": str(year)}
    if 1979 <= year <= 1998:
        assert parse_tie(row).amount.year == year
        return
    with pytest.raises(InvalidValueError) as err:
        parse_tie(row, file="ties.csv", row_number=7)
    assert (err.value.file, err.value.row, err.value.field, err.value.value) == (
        "ties.csv", 7, "amount_year", year)
    assert f"ECU did not exist in {year}" in str(err.value)


def test_price_year_from_the_start_date_is_checked_too():
    with pytest.raises(InvalidValueError) as err:
        parse_tie({**ROW, "amount": "5", "currency": "ECU", "start": "1999-03"},
                  file="ties.csv", row_number=3)
    assert (err.value.field, err.value.value) == ("start", 1999)


def test_rate_in_a_year_without_the_currency_is_refused():
    row = {"base": "ECU", "quote": "NOK", "year": "1999", "rate": "8.1", "sources": "memo:p"}
    with pytest.raises(InvalidValueError) as err:
        parse_rate(row, file="rates.csv", row_number=2)
    assert (err.value.file, err.value.row, err.value.field) == ("rates.csv", 2, "year")
    assert parse_rate({**row, "year": "1998"}).year == 1998
