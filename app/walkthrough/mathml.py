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
_WORD = re.compile(r"\\([a-zA-Z]+)")


def _top_level(tex: str, sep: str) -> list[str]:
    """``tex`` cut at every ``sep`` outside braces and \\left … \\right pairs."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(tex):
        m = _WORD.match(tex, i)
        if m and m.group(1) in ("left", "begin"):
            depth += 1
        elif m and m.group(1) in ("right", "end"):
            depth -= 1
        c = tex[i]
        if c == "\\" and i + 1 < len(tex) and tex[i + 1] in "{}\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0 and tex.startswith(sep, i):
            out.append(tex[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    out.append(tex[start:])
    return out


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


def _math(tex: str) -> str:
    """One piece as compact MathML: characters instead of numeric entities, no namespace (HTML)."""
    m = convert(tex.replace(r"\_", "_"))
    m = m.replace(' xmlns="http://www.w3.org/1998/Math/MathML" display="inline"', "", 1)
    m = _ENTITY.sub(_char, m)
    return _LONE.sub(r"\1", m)  # <mrow> around one token is that token


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
