"""Reading and validating parameter files: the YAML side of :mod:`.parameters`.

:func:`read_yaml` reads one file with a strict loader (duplicate keys are an error, dates stay
text so that :func:`~regionet.core.periods.parse_date` reports them with their location);
:func:`parse_parameters` walks a directory and :func:`parse_mapping` takes one nested mapping.
Both check every node, leaf and dated entry, collect *all* problems and raise them at once via
:func:`raise_collected`, naming file, dotted path and date key. The file format is described
in :mod:`regionet.engines.fiscal.parameters`, which re-exports the public names here.

Examples:
    >>> parse_mapping({"r": {"description": "r", "unit": "/1", "values": {
    ...     "2002-01-01": {"value": 1, "reference": "L", "status": "guess"}}}})
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: <mapping>, field 'r.values[2002-01-01].status', ...
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import yaml

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    ValidationError,
    did_you_mean,
)
from regionet.core.periods import parse_date

if TYPE_CHECKING:
    # parameters imports this module, so the tree classes are imported where they are built.
    from regionet.engines.fiscal.parameters import Parameter, ParameterTree, ParameterValue

__all__ = [
    "STATUSES",
    "parse_mapping",
    "parse_parameters",
    "raise_collected",
    "read_yaml",
]

STATUSES: Final = ("verified", "partial", "assumed")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_LEAF_KEYS: Final = ("description", "unit", "rule_kind", "values")
_ENTRY_KEYS: Final = ("value", "reference", "status", "note")


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last silently)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


def _timestamp_as_text(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)  # parse_date validates dates with a located error


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def read_yaml(path: Path) -> object:
    """Read one YAML file, refusing duplicate keys.

    Raises:
        DataFileError: when the file cannot be read or is not valid YAML (with the line).
    """
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)
    except OSError as exc:
        raise DataFileError(f"cannot read file ({exc.strerror})", file=str(path)) from exc
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataFileError(f"not valid YAML{where}: {problem}", file=str(path),
                            expected="a YAML mapping") from exc


def raise_collected(errors: Sequence[RegionetError], what: str) -> None:
    """Raise nothing, the single error, or a ValidationError listing all of ``errors``."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        lines = "\n  - ".join(str(e) for e in errors[:30])
        more = f"\n  ... and {len(errors) - 30} more" if len(errors) > 30 else ""
        exc = ValidationError(f"{len(errors)} problems in {what}:\n  - {lines}{more}",
                              file=errors[0].file)
        exc.errors = list(errors)
        raise exc


class _Builder:
    """Validate nested mappings into parameters, collecting every problem."""

    def __init__(self) -> None:
        self.leaves: dict[str, Parameter] = {}
        self.groups: dict[str, str] = {}
        self.errors: list[RegionetError] = []

    def fail(self, message: str, file: str, where: str, value: object = None,
             expected: str | None = None, hint: str | None = None) -> None:
        self.errors.append(InvalidValueError(message, file=file, field=where or None,
                                             value=value, expected=expected, hint=hint))

    def node(self, data: object, path: str, file: str) -> None:
        if not isinstance(data, Mapping):
            self.fail("not a mapping", file, path, expected="a group of parameters or a "
                      "parameter with description, unit and values")
        elif "values" in data:
            self.leaf(data, path, file)
        else:
            if path:
                self.groups[path] = str(data.get("description", ""))
            for key, child in data.items():
                if key == "description":
                    continue
                if not isinstance(key, str) or not _NAME.match(key):
                    self.fail("bad node name", file, path, key,
                              "a snake_case name ([a-z][a-z0-9_]*)")
                    continue
                full = f"{path}.{key}" if path else key
                if full in self.leaves or full in self.groups:
                    self.fail("parameter defined twice", file, full)
                self.node(child, full, file)

    def leaf(self, data: Mapping[Any, Any], path: str, file: str) -> None:
        from regionet.engines.fiscal.parameters import Parameter

        before = len(self.errors)
        for key in data:
            if key not in _LEAF_KEYS:
                self.fail("unknown key", file, path, key, f"one of {', '.join(_LEAF_KEYS)}",
                          did_you_mean(str(key), _LEAF_KEYS, n=1))
        description, unit, kind = (data.get(k) for k in ("description", "unit", "rule_kind"))
        if not isinstance(description, str) or not description.strip():
            self.fail("missing description", file, f"{path}.description", description,
                      "a non-empty text")
        for key, val in (("unit", unit), ("rule_kind", kind)):
            if val is not None and not isinstance(val, str):
                self.fail(f"bad {key}", file, f"{path}.{key}", val, "a text")
        raw = data["values"]
        if not isinstance(raw, Mapping) or not raw:
            self.fail("no values", file, f"{path}.values", None,
                      "a mapping of dates to {value, reference, status}")
            return
        entries = [e for key, item in raw.items()
                   if (e := self.entry(key, item, f"{path}.values[{key}]", file))]
        kinds = {type(e.value).__name__ for e in entries if e.value is not None}
        if len(kinds) > 1:
            self.fail("mixes numbers and names", file, f"{path}.values", None,
                      "all values numbers or all values names")
        if "float" in kinds and not unit:
            self.fail("a numeric parameter needs a unit", file, f"{path}.unit", None,
                      "e.g. '/1', 'share' or 'currency-RUB'")
        days = sorted(e.since for e in entries)
        for a, b in itertools.pairwise(days):
            if a == b:
                self.fail("two values for one date", file, f"{path}.values", str(a))
        if len(self.errors) == before:
            self.leaves[path] = Parameter(
                path, str(description), tuple(sorted(entries, key=lambda e: e.since)),
                unit if isinstance(unit, str) else None,
                kind if isinstance(kind, str) else None, file)

    def entry(self, key: object, item: object, where: str, file: str) -> ParameterValue | None:
        from regionet.engines.fiscal.parameters import ParameterValue

        try:
            if isinstance(key, datetime) or not isinstance(key, (date, str, int)):
                raise InvalidValueError("not a date", value=key)
            day = parse_date(key if isinstance(key, date) else str(key))
        except InvalidValueError:
            self.fail("bad date key", file, where, key, "an ISO date YYYY-MM-DD")
            return None
        if not isinstance(item, Mapping):
            self.fail("bad entry", file, where, item, "a mapping with value, reference, status")
            return None
        ok = len(self.errors)
        for k in item:
            if k not in _ENTRY_KEYS:
                self.fail("unknown key", file, where, k, f"one of {', '.join(_ENTRY_KEYS)}")
        if "value" not in item:
            self.fail("missing value", file, f"{where}.value", None, "a number, a name or null")
        value = item.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                self.fail("not a finite number", file, f"{where}.value", value, "a finite number")
            value = float(value)
        elif value is not None and not isinstance(value, str):
            self.fail("bad value", file, f"{where}.value", value, "a number, a name or null")
        reference, status, note = item.get("reference"), item.get("status"), item.get("note")
        if not isinstance(reference, str) or not reference.strip():
            self.fail("missing reference", file, f"{where}.reference", reference,
                      "the legal or documentary source as text")
        if status not in STATUSES:
            self.fail("bad status", file, f"{where}.status", status,
                      f"one of {', '.join(STATUSES)}")
        if note is not None and not isinstance(note, str):
            self.fail("bad note", file, f"{where}.note", note, "a text")
        if len(self.errors) > ok:
            return None
        return ParameterValue(day, value, str(reference), str(status), note)

    def finish(self, source: str | None) -> ParameterTree:
        from regionet.engines.fiscal.parameters import ParameterTree

        raise_collected(self.errors, "the parameters")
        return ParameterTree(self.leaves, self.groups, source)


def parse_mapping(data: Mapping[str, object], file: str | None = None) -> ParameterTree:
    """Validate the nested mapping one YAML file would hold into a tree.

    The work behind :meth:`.ParameterTree.from_mapping`; ``file`` names the source in error
    messages (``<mapping>`` if not given).

    Raises:
        InvalidValueError: or ValidationError (several problems) on malformed data.
    """
    builder = _Builder()
    builder.node(data, "", file or "<mapping>")
    return builder.finish(file)


def parse_parameters(directory: str | Path) -> ParameterTree:
    """Read and validate every ``*.yaml`` file under ``directory`` (uncached).

    Raises:
        DataFileError: for a missing directory, no YAML files or an unreadable file.
        InvalidValueError: (or ValidationError for several) naming file, path and date key.
    """
    root = Path(directory)
    if not root.is_dir():
        raise DataFileError("parameter directory not found", file=str(root),
                            expected="a directory of YAML parameter files")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise DataFileError("no parameter files", file=str(root), expected="*.yaml files")
    builder = _Builder()
    for file in files:
        parts = file.relative_to(root).with_suffix("").parts
        if not all(_NAME.match(part) for part in parts):
            builder.fail("bad file name", str(file), "", file.name,
                         "snake_case names, e.g. profit_tax.yaml")
            continue
        try:
            data = read_yaml(file)
        except DataFileError as exc:
            builder.errors.append(exc)
            continue
        prefix = ".".join(parts)
        if prefix in builder.leaves or prefix in builder.groups:
            builder.fail("parameter defined twice", str(file), prefix)
        builder.node(data, prefix, str(file))
    return builder.finish(str(root))
