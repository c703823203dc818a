"""Tables printed into a pipe keep whole rows; on a narrow COLUMNS they fold."""

from __future__ import annotations

import pytest

from regionet.interfaces.cli.output import print_table

SOURCE = "regionet-ref-fiscal:§ Federal Fund for Financial Support of the Regions, table 3"
ROWS = [{"target": "equalization_recipients_1999", "observed": "70-80", "source": SOURCE},
        {"target": "regional_share_1996", "observed": "0.465-0.525", "source": None}]
COLUMNS = ["target", "observed", "source"]


def test_a_piped_table_keeps_each_row_on_one_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    print_table(ROWS, COLUMNS, "Patterns")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip() == "Patterns (2)"
    body = [line for line in lines if line.startswith("│")]
    assert len(body) == 2
    assert SOURCE in body[0] and "equalization_recipients_1999" in body[0]
    assert body[1].split("│")[1:4] == [" regional_share_1996          ", " 0.465-0.525 ",
                                       " " * (len(SOURCE) + 2)]
    assert len(lines[-1]) > 80


def test_columns_in_the_environment_still_sets_the_width(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    print_table(ROWS, COLUMNS, "Patterns")
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert not any(SOURCE in line for line in lines)
    assert sum(line.startswith("│") for line in lines) > 2
