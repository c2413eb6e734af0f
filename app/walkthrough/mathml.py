"""LaTeX of ``core.symbolic.derive`` as MathML that browsers draw natively (no typesetting script, nothing
fetched): one equation becomes lines (the rows of an ``aligned`` block), each line a list of
pieces cut at its top-level "=" signs, so that a long line can wrap between pieces instead of
being cut off or scrolling sideways. Pure functions, cached by the LaTeX text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from latex2mathml.converter import convert

_BEGIN, _END = r"\begin{aligned}", r"\end{aligned}"


def _top_level(tex: str, sep: str) -> list[str]:
    """``tex`` cut at every ``sep`` outside braces and \\left … \\right pairs."""
    out, depth, start = [], 0, 0
    for m in _pattern(sep).finditer(tex):
        t = m.group()
        if not t:  # where ``sep`` begins
            if depth == 0 and m.start() >= start:
                out.append(tex[start:m.start()])
                start = m.start() + len(sep)
        elif t in ("{", "}"):
            depth += 1 if t == "{" else -1
        elif t[1:] in ("left", "begin"):
            depth += 1
        elif t[1:] in ("right", "end"):
            depth -= 1
    out.append(tex[start:])
    return out


@lru_cache(maxsize=8)
def _pattern(sep: str) -> re.Pattern:
    """Commands, escaped characters, braces, and (as an empty match) every place ``sep`` begins."""
    return re.compile(r"\\(?:[{}\\]|[a-zA-Z]+)|[{}]|(?=" + re.escape(sep) + ")")


def rows(tex: str) -> list[str]:
    """The rows of an equation: those of a top-level aligned block (alignment marks dropped), or itself."""
    t = tex.strip()
    if not (t.startswith(_BEGIN) and t.endswith(_END)):
        return [t]
    body = t[len(_BEGIN):-len(_END)]
    return [r.replace("&=", "=", 1).replace("&", "").strip() for r in _top_level(body, r" \\ ")]


_ENTITY = re.compile(r"&#x([0-9A-Fa-f]+);")
_LONE = re.compile(r"<mrow>(<m[ino]>[^<]*</m[ino]>)</mrow>")
_KEEP = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "\xa0": "&#xA0;"}


def _char(m: re.Match) -> str:
    c = chr(int(m.group(1), 16))
    return _KEEP.get(c, c)


def _convert(tex: str) -> str:
    """One piece as compact MathML: characters instead of numeric entities, no namespace (HTML)."""
    m = convert(tex.replace(r"\_", "_"))
    m = m.replace(' xmlns="http://www.w3.org/1998/Math/MathML" display="inline"', "", 1)
    m = _ENTITY.sub(_char, m)
    return _LONE.sub(r"\1", m)  # <mrow> around one token is that token


# a number as latex2mathml reads it, unless its digits matter one by one (x^23, \frac12): those stay as they are
_NUMBER = re.compile(r"(?<![\w^.\\])\d+(?:\.\d+)?")
_MN = re.compile(r"<mn>(\d+)</mn>")


@lru_cache(maxsize=4096)
def _shape(template: str) -> str | None:
    """The MathML of a piece whose i-th number is written ``i`` (1, 2, …), or None when those numbers do
    not come out as one ``<mn>`` each (then the piece is converted as it is)."""
    m = _convert(template)
    found = _MN.findall(m)
    n = len(_NUMBER.findall(template))
    return m if sorted(found, key=int) == [str(i) for i in range(1, n + 1)] else None


def _math(tex: str) -> str:
    """One piece as MathML. Pieces differ mostly in their numbers, so the conversion (the slow part) is
    done once per shape, numbers left out, and the numbers are put back into its ``<mn>`` elements."""
    numbers = _NUMBER.findall(tex)
    it = iter(range(1, len(numbers) + 1))
    m = _shape(_NUMBER.sub(lambda _: str(next(it)), tex))
    if m is None:
        return _convert(tex)
    return _MN.sub(lambda g: "<mn>" + numbers[int(g.group(1)) - 1] + "</mn>", m)


@lru_cache(maxsize=20000)
def lines(tex: str) -> tuple[tuple[str, ...], ...]:
    """MathML of an equation: a tuple of lines, each a tuple of pieces cut at the top-level "=" and "+"
    signs (``A = B + C`` → ``A``, ``= B``, ``+ C``), so a long line wraps between them."""
    out = []
    for row in rows(tex):
        parts = _top_level(row, " = ") if " = " in row else [row]
        head, rest = parts[0], parts[1:]
        if not head.strip():  # a row that starts with "=" (the second row of an aligned sum)
            head, rest = "= " + rest[0], rest[1:]
        pieces = []
        for p in [head] + ["= " + p for p in rest]:
            terms = _top_level(p, " + ")  # a long sum wraps between its terms
            pieces += [terms[0]] + ["+ " + t for t in terms[1:]]
        out.append(tuple(_math(p) for p in pieces))
    return tuple(out)
