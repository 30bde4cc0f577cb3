"""What a string expression is known to hold, without running anything.

``known_text(expr, names)`` gives the text an expression is known to start with, and whether
that is the whole text: literals, implicit concatenation, f-strings, ``+``, ``%`` and
``.format`` on a literal, names bound to constants (in the function, the module or the class:
``self.BASE``, ``cls.BASE``, ``Client.BASE``) and ``urljoin``. What cannot be known ends the
prefix; an expression with no known beginning gives None.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lint_canon.names import Binding, ImportTracker

_MAX_DEPTH = 12


@dataclass(frozen=True)
class Known:
    """``text`` is what the value starts with; ``whole`` says whether it is all of it."""

    text: str
    whole: bool

    def __add__(self, other: Known | None) -> Known:
        if not self.whole:
            return self
        if other is None:
            return Known(self.text, False)
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
            return _up_to(left.text, "%")
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
        return _same_host([expr.body, expr.orelse], names, depth)
    return None


def _one_of(expr: cst.Subscript, names: ImportTracker, depth: int) -> Known | None:
    """``API_LOOKUP[region]`` over a dict, tuple or list of constant URLs: known up to the host
    when every entry names the same scheme and host (whichever entry is taken)."""
    container = expr.value
    if isinstance(container, (cst.Name, cst.Attribute)):
        if isinstance(container, cst.Name):
            binding = names.lookup(container.value)
            container = binding.value if binding is not None else None
        else:
            container = _attribute_value(container, names)
    if isinstance(container, cst.Dict):
        values = [element.value for element in container.elements if isinstance(element, cst.DictElement)]
    elif isinstance(container, (cst.Tuple, cst.List)):
        values = [element.value for element in container.elements if isinstance(element, cst.Element)]
    else:
        return None
    if not values or len(values) != len(container.elements):
        return None
    return _same_host(values, names, depth)


def _same_host(values: list[cst.BaseExpression], names: ImportTracker, depth: int) -> Known | None:
    """One of ``values``, whichever: known up to the host when every value names the same
    scheme and host (the same text when they are all the same constant)."""
    from lint_canon.vendors import _AUTHORITY, host_of

    knowns = [known_text(value, names, depth) for value in values]
    if any(known is None for known in knowns):
        return None
    if len({(k.text, k.whole) for k in knowns if k is not None}) == 1:
        return knowns[0]
    prefixes = set()
    for known in knowns:
        if known is None or host_of(known) is None:
            return None
        match = _AUTHORITY.match(known.text)
        if match is None:
            return None
        prefixes.add(known.text[: match.end()].lower())
    if len(prefixes) != 1:
        return None  # different hosts: which one is called is not known
    return Known(prefixes.pop().rstrip("/") + "/", False)


def _attribute_value(expr: cst.Attribute, names: ImportTracker) -> cst.BaseExpression | None:
    owner = expr.value
    if isinstance(owner, cst.Name) and owner.value in ("self", "cls"):
        members = names.enclosing_class_members()
        binding = members.get(expr.attr.value) if members is not None else None
        return binding.value if binding is not None else None
    return None


def _up_to(text: str, marker: str) -> Known:
    index = text.find(marker)
    return Known(text, True) if index < 0 else Known(text[:index], False)


def _fstring(expr: cst.FormattedString, names: ImportTracker, depth: int) -> Known | None:
    if "b" in expr.prefix.lower() or "t" in expr.prefix.lower():
        return None
    raw = "r" in expr.prefix.lower()
    out = Known("", True)
    for part in expr.parts:
        if isinstance(part, cst.FormattedStringText):
            text = part.value if raw else _unescape(part.value)
            out = out + Known(text.replace("{{", "{").replace("}}", "}"), True)
        else:
            inner = None
            if part.conversion is None and part.format_spec is None:
                inner = known_text(part.expression, names, depth)
            out = out + inner
        if not out.whole:
            break
    return out if out.text or out.whole else None


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
            members = names.enclosing_class_members()
            if members is not None:
                return _from_binding(members.get(expr.attr.value), names, depth)
            return None
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
        return _format(base.text, expr, names, depth) if base.whole else base
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
        return Known(base.text.rstrip("/") + "/", False) if base.whole else base
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
    for literal, field, spec, conversion in parts:
        out = out + Known(literal, True)
        if field is None or not out.whole:
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
        out = out + (known_text(arg, names, depth) if arg is not None else None)
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
