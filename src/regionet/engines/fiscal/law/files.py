"""Reading parameter files: a directory of YAML files into a :class:`.ParameterTree`.

A parameter directory holds YAML files; each file is a node of the tree named after the file
(``profit_tax.yaml`` → ``profit_tax``; sub-directories nest). :func:`read_yaml` reads one file
with a strict loader (duplicate keys are an error, dates stay text so that
:func:`~regionet.core.periods.parse_date` reports them with their location);
:func:`parse_parameters` walks a directory and validates every file with
:class:`~.schema.LeafBuilder`, raising *all* problems at once.

Examples:
    >>> import regionet.cases
    >>> from pathlib import Path
    >>> folder = Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters"
    >>> tree = load_parameters(folder)
    >>> tree.get("profit_tax.rate.federal", "1999-04-01")
    0.11
    >>> load_parameters(folder / "nowhere")
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: .../nowhere: parameter directory not found ...
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from regionet.core.errors import DataFileError
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.schema import NAME, LeafBuilder

__all__ = ["load_parameters", "parse_parameters", "read_yaml"]

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's parser when PyYAML was built with it (several times faster)
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):
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
    builder = LeafBuilder()
    for file in files:
        parts = file.relative_to(root).with_suffix("").parts
        if not all(NAME.match(part) for part in parts):
            builder.fail("bad file name", str(file), "", file.name,
                         "snake_case names, e.g. profit_tax.yaml")
            continue
        try:
            data = read_yaml(file)
        except DataFileError as exc:
            builder.errors.add(exc)
            continue
        prefix = ".".join(parts)
        if prefix in builder.leaves or prefix in builder.groups:
            builder.fail("parameter defined twice", str(file), prefix)
        builder.node(data, prefix, str(file))
    _refuse_parameters_inside_parameters(builder)
    leaves, groups = builder.finish()
    return ParameterTree(leaves, groups, str(root))


def _refuse_parameters_inside_parameters(builder: LeafBuilder) -> None:
    """Keep a problem for each parameter under a name that is already a parameter.

    Within one file a mapping with ``values`` is a parameter and has no children, but two
    files can still nest: ``a/b/c.yaml`` (the parameter ``a.b.c``) and ``a/b/c/d.yaml``
    (``a.b.c.d``). A name is either a parameter or a group, never both.

    >>> b = LeafBuilder()
    >>> leaf = {"description": "x", "unit": "/1", "values": {
    ...     "1999-01-01": {"value": 0.2, "reference": "L", "status": "verified"}}}
    >>> b.node(leaf, "a.b", "a/b.yaml"); b.node(leaf, "a.b.c", "a/b/c.yaml")
    >>> _refuse_parameters_inside_parameters(b)
    >>> [(e.message, e.file, e.field, e.expected) for e in b.errors.errors]
    [('a parameter cannot hold other parameters', 'a/b/c.yaml', 'a.b.c', \
'a name that is not under the parameter a.b (defined in a/b.yaml)')]
    """
    for path, child in sorted(builder.leaves.items()):
        parts = path.split(".")
        parent = next((found for end in range(1, len(parts))
                       if (found := builder.leaves.get(".".join(parts[:end]))) is not None),
                      None)
        if parent is not None:
            builder.fail("a parameter cannot hold other parameters", child.file or "", path,
                         None, f"a name that is not under the parameter {parent.path} "
                               f"(defined in {parent.file})")


def load_parameters(directory: str | Path) -> ParameterTree:
    """Return the tree of parameters under ``directory`` (read and validated each call).

    Trees are immutable; the services keep one per case and revision
    (:mod:`regionet.services.cache`), so this function keeps no cache of its own.

    Raises:
        DataFileError: for a missing directory, no YAML files or an unreadable file.
        InvalidValueError: (or ValidationError for several) naming file, path and date key.
    """
    return parse_parameters(Path(directory).resolve())
