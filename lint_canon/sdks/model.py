"""What an SDK's calls do, as its model says: send a request, stay local, or not known.

A model is the data ``lint_canon.sdks.scan`` derived from the SDK's own source and annotations
(shipped in ``lint_canon/sdks/data``, or written by ``lint-canon sdk scan`` for a team's own SDK
and named in the canon's ``sdk_models``). The linter asks one question of it: given the chain a
call is made through (``openai.OpenAI().chat.completions.create``, where ``()`` marks a call), does
the call send? The chain is followed through the model's public names, the attributes and
properties of its classes and the return types of its methods; a step the model does not know
makes the answer "not known", and the rules stay silent on it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from lint_canon_guard.config import Canon

FORMAT = 1


@dataclass(frozen=True)
class Verdict:
    """The answer for one call: ``sends`` True, False (local) or None (not known), and the class
    of what it returns where the model knows it."""

    sends: bool | None
    returns: str | None = None


@dataclass(frozen=True)
class SdkModel:
    sdk: str  # the distribution it was derived from
    version: str  # the version scanned
    versions: str  # the range the model is shipped for
    vendor: str
    roots: tuple[str, ...]  # the import roots it describes (``google.cloud.storage``)
    hosts: tuple[str, ...]  # the hosts its clients talk to unless told otherwise
    names: dict[str, str] = field(repr=False)
    classes: dict[str, dict[str, Any]] = field(repr=False)
    functions: dict[str, dict[str, Any]] = field(repr=False)
    services: dict[str, str] = field(default_factory=dict, repr=False)  # boto3 service -> class
    instances: dict[str, str] = field(default_factory=dict, repr=False)  # module-level objects -> class
    # class -> the classes derived from it (from each class's "bases"): what a value typed by a
    # base class may be at run time
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SdkModel:
        """A model from its JSON; ValueError when its shape is not a model's."""
        if not isinstance(data, dict) or not isinstance(data.get("roots"), list) or not data["roots"]:
            raise ValueError("not a model: no roots")
        if not all(isinstance(root, str) and root for root in data["roots"]):
            raise ValueError("not a model: a root is not a module name")
        for key in ("names", "classes", "functions", "services", "instances"):
            if not isinstance(data.get(key, {}), dict):
                raise ValueError(f"not a model: {key} is not a mapping")
        for entry in (*data.get("classes", {}).values(), *data.get("functions", {}).values()):
            if not isinstance(entry, dict) or not isinstance(entry.get("methods", {}), dict):
                raise ValueError("not a model: an entry is not a mapping")
            if not all(isinstance(method, dict) for method in entry.get("methods", {}).values()):
                raise ValueError("not a model: a method is not a mapping")
            if not isinstance(entry.get("attributes", {}), dict):
                raise ValueError("not a model: attributes are not a mapping")
            bases = entry.get("bases", [])
            if not isinstance(bases, list) or not all(isinstance(base, str) for base in bases):
                raise ValueError("not a model: bases are not a list of class names")
        if not isinstance(data.get("hosts", []), list):
            raise ValueError("not a model: hosts is not a list")
        derived: dict[str, list[str]] = {}
        for name, entry in data.get("classes", {}).items():
            for base in entry.get("bases", ()):
                derived.setdefault(base, []).append(name)
        return cls(
            sdk=data["sdk"],
            version=data["version"],
            versions=data.get("versions", ""),
            vendor=data["vendor"],
            roots=tuple(data["roots"]),
            hosts=tuple(data.get("hosts", ())),
            names=data.get("names", {}),
            classes=data.get("classes", {}),
            functions=data.get("functions", {}),
            services=data.get("services", {}),
            instances=data.get("instances", {}),
            derived={base: tuple(names) for base, names in derived.items()},
        )

    def judge(self, chain: str) -> Verdict:
        """The verdict on calling ``chain`` (``pkg.Client().attr.method``)."""
        steps = _steps(chain)
        current: tuple[str, str] | None = None  # ("class" | "instance" | "module", qualname)
        position = 0
        # The longest dotted prefix the model names: a class, a function or a module.
        plain: list[str] = []
        for index, (name, calls) in enumerate(steps):
            plain.append(name)
            dotted = ".".join(plain)
            target = self.names.get(dotted, dotted)
            if dotted in self.instances:  # `openai.embeddings`: an object the module holds
                current = ("instance", self.instances[dotted])
                position = index
                break
            if target in self.classes or target in self.functions:
                current = ("class" if target in self.classes else "function", target)
                position = index
                if calls or target in self.functions:
                    break
            elif calls:
                break
        if current is None:
            return Verdict(None)
        kind, qualname = current
        name, calls = steps[position]
        last = position == len(steps) - 1
        items: str | None = None  # what iterating the value reached so far gives (`__item__`)
        entry: dict[str, Any] | None  # a function's, then each class's on the way
        if kind == "function":
            entry = self.functions[qualname]
            if last:
                return Verdict(entry.get("sends"), entry.get("returns"))
            if not calls or not ("returns" in entry or _iterated(steps, position) and "items" in entry):
                return Verdict(None)
            kind, qualname, items = "instance", entry.get("returns", ""), entry.get("items")
            calls -= 1
        elif kind == "instance":
            if last or calls:
                return Verdict(None)  # calling the object itself
        elif calls:
            if last:
                return Verdict(False, qualname)  # making an object of the SDK sends nothing
            kind = "instance"
            calls -= 1
        if calls:
            return Verdict(None)
        for index in range(position + 1, len(steps)):
            name, calls = steps[index]
            if name == ITEM:
                # `for repo in user.get_repos()`: an item of what the last call returned
                if items is None or calls:
                    return Verdict(None)
                qualname, items = items, None
                if index == len(steps) - 1:
                    return Verdict(None)
                continue
            entry = self.classes.get(qualname)
            if entry is None:
                return Verdict(None)
            last = index == len(steps) - 1
            attribute = entry.get("attributes", {}).get(name)
            method = entry.get("methods", {}).get(name)
            if attribute is None and method is None and not calls and name not in entry.get("plain", ()):
                # a dynamic client's other names (`client.mail.send`): what its __getattr__ gives
                # (not its own plain attributes, `sf.headers`, found before __getattr__ is asked)
                attribute = entry.get("attributes", {}).get("*")
            if attribute is not None and method is None:
                if calls:
                    # calling an attribute: the __call__ of its class (praw's reddit.subreddit(name))
                    method = self.classes.get(attribute, {}).get("methods", {}).get("__call__")
                    if method is None or calls != 1:
                        return Verdict(None)
                    if last:
                        return Verdict(method.get("sends"), method.get("returns"))
                    if "returns" not in method:
                        return Verdict(None)
                    qualname = method["returns"]
                    kind = "instance"
                    continue
                if last:
                    return Verdict(None)
                qualname = attribute
                continue
            if method is None and attribute is None:
                method = self._derived_method(qualname, name)
            if method is None:
                if entry.get("kind") == "data" and (kind == "instance" or last):
                    return Verdict(False)  # a method of response data: local
                return Verdict(None)
            if last:
                return Verdict(method.get("sends"), method.get("returns"))
            if calls != 1 or not ("returns" in method or _iterated(steps, index) and "items" in method):
                return Verdict(None)
            qualname, items = method.get("returns", ""), method.get("items")
            kind = "instance"
        return Verdict(None)

    def _derived_method(self, qualname: str, name: str) -> dict[str, Any] | None:
        """A method a class does not define, called on a value typed by that class
        (``resource: type[APIResource]``, then ``resource.list()``): what the classes derived
        from it that define the method say, when they all say the same (an override that only
        raises, ``Card.modify``, is never a call that completes and has no say)."""
        found = [
            method
            for sub in self.derived.get(qualname, ())
            if (method := self.classes[sub].get("methods", {}).get(name)) is not None and not method.get("raises")
        ]
        if not found:
            return None
        sends = {method.get("sends") for method in found}
        returns = {method.get("returns") for method in found}
        merged: dict[str, Any] = {"sends": sends.pop() if len(sends) == 1 else None}
        if len(returns) == 1 and None not in returns:
            merged["returns"] = returns.pop()
        return merged


# The step of a chain that stands for an item of the value before it (`for x in value`)
ITEM = "__item__"


def _iterated(steps: list[tuple[str, int]], index: int) -> bool:
    """Whether the step after ``index`` takes an item of its value."""
    return index + 1 < len(steps) and steps[index + 1][0] == ITEM


def _steps(chain: str) -> list[tuple[str, int]]:
    """``a.B().c.d()()`` -> [(a, 0), (B, 1), (c, 0), (d, 2)]."""
    steps = []
    for part in chain.split("."):
        name = part.rstrip("()")
        steps.append((name, (len(part) - len(name)) // 2))
    return steps


class Models:
    """The models a run knows, by import root: the shipped ones (each read from its file the
    first time a file of the run imports its SDK) and the canon's own."""

    def __init__(self, extra: tuple[SdkModel, ...] = ()) -> None:
        self._files: dict[str, tuple[str, ...]] = shipped_index()
        self._found: dict[str, tuple[SdkModel, ...]] = {}
        self._extra: dict[str, list[SdkModel]] = {}
        for model in extra:
            for root in model.roots:
                self._extra.setdefault(root, []).append(model)

    def for_module(self, dotted: str) -> tuple[SdkModel, ...]:
        """The models describing ``dotted`` (those of the longest root it starts with): an SDK
        may have several, one per major version."""
        found = self._found.get(dotted)
        if found is None:
            found = self._found[dotted] = self._for_module(dotted)
        return found

    def _for_module(self, dotted: str) -> tuple[SdkModel, ...]:
        parts = dotted.replace("()", "").split(".")
        for end in range(len(parts), 0, -1):
            root = ".".join(parts[:end])
            found = (*self._extra.get(root, ()), *(shipped_model(name) for name in self._files.get(root, ())))
            if found:
                return found
        return ()

    def through_stubs(self, chain: str) -> str:
        """A chain typed by an SDK's type stubs, as the SDK's own: ``mypy_boto3_s3.S3Client().put_object``
        is ``boto3.client().put_object`` (the stubs' prefixes and client suffix are the model's)."""
        if not chain.startswith(stub_prefixes()):
            return chain  # the common case, in one test
        root = chain.split(".", 1)[0]
        for prefix, suffix, means in _stubs():
            if root.startswith(prefix):
                parts = chain.split(".")
                for index, part in enumerate(parts):
                    if part.endswith(suffix + "()"):
                        return ".".join([means, *parts[index + 1 :]])
                return chain
        return chain

    def judge(self, chain: str) -> Verdict | None:
        """The verdict of the models of ``chain``'s SDK (None: no model describes it). Where
        versions disagree, a version in which the call sends wins, then one that knows it."""
        models = self.for_module(chain)
        if not models:
            return None
        verdicts = [model.judge(chain) for model in models]
        for wanted in (True, False):
            for verdict in verdicts:
                if verdict.sends is wanted:
                    return verdict
        return verdicts[0]

    def default_hosts(self) -> dict[str, tuple[str, ...]]:
        """Every import root -> the hosts its SDK talks to by default (from the index)."""
        found = {root: tuple(entry.get("hosts", ())) for root, entry in _raw_index().items()}
        for root, models in self._extra.items():
            found[root] = tuple(host for model in models for host in model.hosts)
        return found

    def roots(self) -> dict[str, str]:
        """Every import root a model describes -> its vendor."""
        found = {root: vendor for root, (vendor, _) in _index().items()}
        found.update({root: models[0].vendor for root, models in self._extra.items()})
        return found


def _data() -> Any:
    return resources.files("lint_canon.sdks") / "data"


@cache
def _raw_index() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((_data() / "index.json").read_text(encoding="utf-8"))
    return result


@cache
def _index() -> dict[str, tuple[str, tuple[str, ...]]]:
    """``data/index.json``: import root -> (vendor, model files)."""
    return {root: (entry["vendor"], tuple(entry["files"])) for root, entry in _raw_index().items()}


@cache
def _stubs() -> tuple[tuple[str, str, str], ...]:
    """(prefix, client suffix, what it means) of every shipped model's type stubs."""
    found = {
        (prefix, entry["stubs"]["suffix"], entry["stubs"]["means"])
        for entry in _raw_index().values()
        if entry.get("stubs")
        for prefix in entry["stubs"]["prefixes"]
    }
    return tuple(sorted(found))


@cache
def stub_prefixes() -> tuple[str, ...]:
    """The module prefixes of the shipped models' type stubs (``mypy_boto3_``)."""
    return tuple(prefix for prefix, _, _ in _stubs())


@cache
def factories() -> frozenset[str]:
    """Public names of the shipped SDKs' functions that return a client."""
    return frozenset(name for entry in _raw_index().values() for name in entry.get("factories", ()))


def shipped_index() -> dict[str, tuple[str, ...]]:
    return {root: files for root, (_, files) in _index().items()}


@cache
def shipped_model(name: str) -> SdkModel:
    """One shipped model, read once a process."""
    return SdkModel.from_data(json.loads((_data() / name).read_text(encoding="utf-8")))


def write_index(folder: Path) -> None:
    """Write ``index.json`` of the models in ``folder`` (by ``lint_canon.sdks.generate``)."""
    index: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "index.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        # Functions that return a client (boto3.client, googleapiclient.discovery.build): what
        # they return is bound to its name, as an instance made by calling a class is.
        names = {target: alias for alias, target in sorted(data.get("names", {}).items(), reverse=True)}
        factories = sorted(
            names.get(qualname, qualname)
            for qualname, entry in data.get("functions", {}).items()
            if entry.get("returns") in data.get("classes", {})
        )
        for root in data["roots"]:
            entry = index.setdefault(root, {"vendor": data["vendor"], "files": [], "factories": [], "hosts": []})
            entry["files"].append(path.name)
            entry["factories"] = sorted({*entry["factories"], *factories})
            entry["hosts"] = sorted({*entry["hosts"], *data.get("hosts", ())})
            if data.get("stubs"):
                entry["stubs"] = data["stubs"]
    (folder / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path) -> SdkModel:
    """A model written by ``lint-canon sdk scan``."""
    return SdkModel.from_data(json.loads(path.read_text(encoding="utf-8")))


def with_team_models(canon: Canon, read: Callable[[Path], bytes]) -> Canon:
    """The canon with the models its ``sdk_models`` names, read (through ``read``, the run's
    reader) and checked; their content is folded into the canon's digest, so a cache keyed on the
    canon is keyed on them too. A file that cannot be read or is not a model is a ``ConfigError``
    at its line of the canon."""
    import dataclasses
    import hashlib

    from lint_canon_guard.errors import ConfigError

    if not canon.sdk_models:
        return canon
    models = []
    digest = hashlib.sha256(canon.digest.encode())
    text = canon.path.read_text(encoding="utf-8", errors="replace").splitlines()
    for index, name in enumerate(canon.sdk_models):
        line = next((n for n, row in enumerate(text, 1) if name in row), None)
        path = canon.root / name
        shown = os.path.relpath(canon.path)
        try:
            data = read(path)
            model = SdkModel.from_data(json.loads(data))
        except OSError as exc:
            raise ConfigError(
                shown,
                line,
                f"sdk_models[{index}]",
                f"cannot read {name}: {exc.strerror or exc}; write it with 'lint-canon sdk scan PACKAGE -o {name}'",
            ) from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ConfigError(
                shown,
                line,
                f"sdk_models[{index}]",
                f"{name} is not a model written by 'lint-canon sdk scan'; write it again with that command",
            ) from None
        digest.update(data)
        models.append(model)
    index_ = {**canon._index, "sdk_models": tuple(models)}
    return dataclasses.replace(canon, digest=digest.hexdigest(), _index=index_)


_BY_CANON: dict[tuple[str, ...], Models] = {}


def models_for(canon: Any) -> Models:
    """The models a canon's files are judged with: the shipped ones and the canon's own."""
    if canon is not None and canon.sdk_models and "sdk_models" not in canon._index:
        # a canon loaded without the run's reader (the Python API): read its models now
        from lint_canon_guard.files import read_bytes

        canon._index["sdk_models"] = with_team_models(canon, read_bytes)._index["sdk_models"]
    extra: tuple[SdkModel, ...] = canon._index.get("sdk_models", ()) if canon is not None else ()
    key = tuple(f"{model.sdk}@{id(model)}" for model in extra)
    found = _BY_CANON.get(key)
    if found is None:
        found = _BY_CANON[key] = Models(extra)
    return found
