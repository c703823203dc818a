"""Guards for ``storage/imports.py`` written from the mutants mutmut found alive (docs/testing.md).

An import plan says whether the batch changes what the classifier reads about borders
(``borders_changed``): only then is every stored tie classified again. A batch of new
ties, of new actors, or of an attribute that is not a border, changes no border; a new
``cross_border_states`` of a stored organization, or a subject's border states, does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regionet.services.workspace import init_workspace
from regionet.storage import Workspace

SRC = "sergounin-1999:para 14"


def _file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    db = tmp_path / "ws.db"
    init_workspace(db)
    return Workspace(db)


def test_new_ties_and_actors_change_no_border(ws: Workspace, tmp_path: Path) -> None:
    plan = ws.validate_files([
        _file(tmp_path / "b", "actors.csv", f"id,kind,name_en,sources\nPT,state,Portugal,{SRC}\n"),
        _file(tmp_path / "b", "ties.csv", "id,kind,actors,start,sources\n"
              f"t-kr-pt,cooperation,RU-KR;PT,1997,{SRC}\n")])
    assert (plan.borders_changed, plan.memberships_changed) == (False, False)
    assert dict(plan.counts) == {"actors": 1, "ties": 1}


def test_a_stored_actor_s_other_attribute_changes_no_border(ws: Workspace,
                                                              tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    f"actor,attribute,value,sources\nFI,motto,sisu,{SRC}\n")])
    assert plan.borders_changed is False


def test_a_stored_organization_becoming_a_structure_changes_borders(ws: Workspace,
                                                                      tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    "actor,attribute,value,sources\n"
                                    f"cbss,cross_border_states,FI,{SRC}\n")])
    assert plan.borders_changed is True


def test_a_subject_s_new_border_changes_borders(ws: Workspace, tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    "actor,attribute,value,sources\n"
                                    f"RU-KR,sea_border_states,PT,{SRC}\n")])
    assert plan.borders_changed is True
