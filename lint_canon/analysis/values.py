"""What a string expression is known to hold, without running anything.

``known_text(expr, names)`` gives the text an expression is known to start with, and whether
that is the whole text: literals, implicit concatenation, f-strings, ``+``, ``%`` and
``.format`` on a literal, names bound to constants (in the function, the module or the class:
``self.BASE``, ``cls.BASE``, ``Client.BASE``), ``urljoin``, one of several constants
(``API_LOOKUP[region]``, ``a if c else b``: kept as choices) and what a one-statement helper of
the module or class returns (``self._url()``, read with the helper's own scopes). What cannot be
known ends the prefix; an expression with no known beginning gives None.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from lint_canon.analysis.names import Binding, ImportTracker, constant_index, integer_index

_MAX_DEPTH = 12
_MAX_CHOICES = 64


@dataclass(frozen=True)
class Known:
    """``text`` is what the value starts with; ``whole`` says whether it is all of it.

    A value that is one of several (``API_LOOKUP[region]``, ``a if c else b``) keeps them in
    ``choices``; its own ``text`` is then what they all start with, never whole, so a reader
    that does not look at the choices sees only what is certain."""

    text: str
    whole: bool
    choices: tuple[Known, ...] = ()

    @staticmethod
    def one_of(knowns: Sequence[Known]) -> Known:
        flat: list[Known] = []
        for known in knowns:
            for choice in known.choices or (known,):
                if choice not in flat:
                    flat.append(choice)
        if len(flat) == 1:
            return flat[0]
        prefix = os.path.commonprefix([choice.text for choice in flat])
        return Known(prefix, False, tuple(flat) if len(flat) <= _MAX_CHOICES else ())

    @property
    def growing(self) -> bool:
        """Whether text added after this value is still known to follow it."""
        return self.whole or any(choice.whole for choice in self.choices)

    def each(self, change: Callable[[Known], Known | None]) -> Known | None:
        """``change`` applied to every choice (to the value itself when it has none)."""
        if not self.choices:
            return change(self)
        changed = [change(choice) for choice in self.choices]
        if any(known is None for known in changed):
            return None
        return Known.one_of([known for known in changed if known is not None])

    def __add__(self, other: Known | None) -> Known:
        if self.choices:
            return Known.one_of([choice + other for choice in self.choices])
        if not self.whole:
            return self
        if other is None:
            return Known(self.text, False)
        if other.choices:
            return Known.one_of([self + choice for choice in other.choices])
        return Known(self.text + other.text, other.whole)


def known_text(expr: cst.BaseExpression | None, names: ImportTracker, depth: int = 0) -> Known | None:
    if expr is None or depth > _MAX_DEPTH:
        return None
    depth += 1
    if isinstance(expr, cst.SimpleString):
        if "b" in expr.prefix.lower():
            return None
        value = expr.evaluated_value
        return Known(value, True) if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left = known_text(expr.left, names, depth)
        return None if left is None else left + known_text(expr.right, names, depth)
    if isinstance(expr, cst.FormattedString):
        return _fstring(expr, names, depth)
    if isinstance(expr, cst.BinaryOperation):
        left = known_text(expr.left, names, depth)
        if left is None:
            return None
        if isinstance(expr.operator, cst.Add):
            return left + known_text(expr.right, names, depth)
        if isinstance(expr.operator, cst.Modulo):
            return left.each(lambda part: _up_to(part.text, "%") if part.whole else part)
        return None
    if isinstance(expr, cst.Name):
        return _from_binding(names.lookup(expr.value), names, depth)
    if isinstance(expr, cst.Attribute):
        return _attribute(expr, names, depth)
    if isinstance(expr, cst.Call):
        return _call(expr, names, depth)
    if isinstance(expr, cst.Subscript):
        return _one_of(expr, names, depth)
    if isinstance(expr, cst.IfExp):  # `self.submit_url if token else self.auth_url`
        return _any_of([expr.body, expr.orelse], names, depth)
    return None


def _one_of(expr: cst.Subscript, names: ImportTracker, depth: int) -> Known | None:
    """``API_LOOKUP[region]`` over a dict, tuple or list of constant URLs: one of its entries;
    ``details["url"]`` the entry of that key (also of a dict a one-statement helper returns:
    ``details = self._prepare_request(q)``)."""
    container: cst.BaseExpression | None = expr.value
    if isinstance(container, (cst.Name, cst.Attribute)):
        if isinstance(container, cst.Name):
            binding = names.lookup(container.value)
            container = binding.value if binding is not None else None
        else:
            container = _attribute_value(container, names)
    key = constant_index(expr)
    position = integer_index(expr)
    if (key is not None or position is not None) and isinstance(container, cst.Call):
        helper = names.returned_value(container.func)
        if helper is None:
            return None
        returned = helper[0]
        with names.inside(helper[1], helper[2]):
            if key is not None and isinstance(returned, cst.Dict):
                return known_text(_entry(returned, key), names, depth)
            if position is not None and isinstance(returned, cst.Tuple):
                # `url, params = build()` with `return url, params`: that item, as the helper has it
                return known_text(_item(returned, position), names, depth)
        return None
    if position is not None and isinstance(container, (cst.Tuple, cst.List)):
        return known_text(_item(container, position), names, depth)
    if key is not None and isinstance(container, cst.Dict):
        return known_text(_entry(container, key), names, depth)
    if isinstance(container, cst.Dict):
        values = [element.value for element in container.elements if isinstance(element, cst.DictElement)]
    elif isinstance(container, (cst.Tuple, cst.List)):
        values = [element.value for element in container.elements if isinstance(element, cst.Element)]
    else:
        return None
    if not values or len(values) != len(container.elements):
        return None
    return _any_of(values, names, depth)


def _item(sequence: cst.Tuple | cst.List, position: int) -> cst.BaseExpression | None:
    """The item at ``position`` of a tuple or list display; None when a ``*rest`` may move it or
    it has no such item."""
    items = [item.value for item in sequence.elements if isinstance(item, cst.Element)]
    if len(items) != len(sequence.elements) or position >= len(items):
        return None
    return items[position]


def _entry(mapping: cst.Dict, key: str) -> cst.BaseExpression | None:
    """The value of ``key`` in a dict display; None when absent or when a ``**`` may hold it."""
    found = None
    for element in mapping.elements:
        if not isinstance(element, cst.DictElement):  # a StarredDictElement, `**rest`
            found = None  # a later ** may override: not known
            continue
        if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key:
            found = element.value
    return found


def _any_of(values: list[cst.BaseExpression], names: ImportTracker, depth: int) -> Known | None:
    """One of ``values``, whichever: each is kept as a choice, and whoever judges the value
    judges each (None when one of them is not known: then where it goes is not known)."""
    knowns = [known_text(value, names, depth) for value in values]
    if any(known is None for known in knowns):
        return None
    return Known.one_of([known for known in knowns if known is not None])


def _attribute_value(expr: cst.Attribute, names: ImportTracker) -> cst.BaseExpression | None:
    """What ``self.X`` / ``cls.X`` is bound to among the class's members."""
    binding = names.binding_of(expr)
    return binding.value if binding is not None else None


def _up_to(text: str, marker: str) -> Known:
    index = text.find(marker)
    return Known(text, True) if index < 0 else Known(text[:index], False)


def _fstring(expr: cst.FormattedString, names: ImportTracker, depth: int) -> Known | None:
    if "b" in expr.prefix.lower() or "t" in expr.prefix.lower():
        return None
    raw = "r" in expr.prefix.lower()
    out = Known("", True)
    texts = [
        (part.value if raw else _unescape(part.value)).replace("{{", "{").replace("}}", "}")
        if isinstance(part, cst.FormattedStringText)
        else None
        for part in expr.parts
    ]
    for index, part in enumerate(expr.parts):
        text = texts[index]
        if text is not None:
            out = out + Known(text, True)
        else:
            assert isinstance(part, cst.FormattedStringExpression)  # the part that is not text
            inner = None
            if part.conversion is None and part.format_spec is None:
                inner = known_text(part.expression, names, depth)
            following = texts[index + 1] if index + 1 < len(texts) else None
            out = out + (inner or _scheme(out, following))
        if not out.growing:
            break
    return out if out.text or out.whole or out.choices else None


def _scheme(out: Known, following: str | None) -> Known | None:
    """An unknown value in a URL's scheme (``f"{schema}://www.pushsafer.com/api"``): the host
    after it is known whatever the scheme is, so the value is read as ``https``."""
    if out.text == "" and out.whole and following is not None and following.startswith("://"):
        return Known("https", True)
    return None


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return text


def _from_binding(binding: Binding | None, names: ImportTracker, depth: int) -> Known | None:
    if binding is None or binding.value is None:
        return None
    return known_text(binding.value, names, depth)


def _attribute(expr: cst.Attribute, names: ImportTracker, depth: int) -> Known | None:
    owner = expr.value
    if isinstance(owner, cst.Name):
        if owner.value in ("self", "cls"):
            return _from_binding(names.binding_of(expr), names, depth)
        binding = names.lookup(owner.value)
        if binding is not None and binding.members is not None:
            return _from_binding(binding.members.get(expr.attr.value), names, depth)
    return None


# Declared defaults of a class attribute: pydantic's Field(default, ...), dataclasses' field(default=...),
# attrs' attr.ib(default=...) / attrs.field(default=...).
_DEFAULTS = {"pydantic.Field": 0, "pydantic.fields.Field": 0, "dataclasses.field": None, "attr.ib": None}
_DEFAULTS |= {"attr.attrib": None, "attrs.field": None, "attr.field": None}


def _call(expr: cst.Call, names: ImportTracker, depth: int) -> Known | None:
    func = expr.func
    qualified = names.qualname(func)
    if qualified in _DEFAULTS:
        return known_text(keyword(expr, "default", _DEFAULTS[qualified]), names, depth)
    if isinstance(func, cst.Attribute) and func.attr.value == "format":
        base = known_text(func.value, names, depth)
        if base is None:
            return None
        return base.each(lambda template: _format(template.text, expr, names, depth) if template.whole else template)
    qualname = qualified
    if qualname in ("urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin") and expr.args:
        base = known_text(expr.args[0].value, names, depth)
        if base is None:
            return None
        if len(expr.args) > 1:
            relative = known_text(expr.args[1].value, names, depth)
            if relative is not None and relative.whole and "://" in relative.text:
                return relative  # an absolute second argument replaces the base
        # The host of the base survives any relative join; the rest may not. A "/" marks
        # where the known host ends.
        return base.each(lambda part: Known(part.text.rstrip("/") + "/", False) if part.whole else part)
    helper = names.returned_value(func)
    if helper is not None:
        # `self._url()` whose one statement returns f"{self.BASE}/send": read where it is defined
        returned, function, method = helper
        with names.inside(function, method):
            return known_text(returned, names, depth)
    return None


def _format(template: str, call: cst.Call, names: ImportTracker, depth: int) -> Known:
    """``template.format(...)`` with what its arguments are known to hold:
    ``"{}{}/{}".format(self.notify_url, token, "send")`` starts with the notify URL."""
    import string

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return _up_to(template, "{")
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    if any(arg.star for arg in call.args):
        return _up_to(template, "{")
    out = Known("", True)
    automatic = 0
    for index, (literal, field, spec, conversion) in enumerate(parts):
        out = out + Known(literal, True)
        if field is None or not out.growing:
            continue
        if spec or conversion or not all(c.isalnum() or c == "_" for c in field):
            return out + None  # a format spec, a conversion, an index or an attribute
        if field == "":
            arg = positional[automatic] if automatic < len(positional) else None
            automatic += 1
        elif field.isdigit():
            arg = positional[int(field)] if int(field) < len(positional) else None
        else:
            arg = keyword(call, field)
        following = parts[index + 1][0] if index + 1 < len(parts) else None
        out = out + ((known_text(arg, names, depth) if arg is not None else None) or _scheme(out, following))
    return out


def keyword(call: cst.Call, name: str, position: int | None = None) -> cst.BaseExpression | None:
    """The argument ``name`` of ``call``, given by keyword or at ``position``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    if position is not None:
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if position < len(positional):
            return positional[position].value
    return None
