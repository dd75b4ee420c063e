"""The one SPARQL boundary: every query on every route passes through :func:`check` first.

It reads the query with a SPARQL *lexer* (IRIs, the four string forms, comments, variables,
prefixed names and keywords are told apart as the SPARQL 1.1 grammar's terminals define
them), so that a ``#`` inside an IRI, the word SERVICE inside a string or a comment, or
``service:`` as a prefix can neither hide nor fake a keyword. On that token stream it:

* **refuses** what would make a request leave the machine: ``SERVICE`` (any case, ``SILENT``,
  a variable endpoint), ``LOAD``, and ``FROM`` / ``FROM NAMED`` IRIs that do not name a graph
  of the dataset queried (a graph is never fetched);
* refuses queries nested past :data:`MAX_DEPTH` brackets, before any engine's recursive
  parser sees them;
* reads the query's **dataset clause** (FROM / FROM NAMED) so that every store applies it
  the same way, and the protocol's ``default-graph-uri`` / ``named-graph-uri`` replace it
  (SPARQL 1.1 Protocol §2.1.4);
* **binds values**: bound variables enter as a ``VALUES`` block written by the one term
  writer (:func:`kg.core.terms.n3`), at the opening of the WHERE group, never by
  formatting user text into the query;
* adds the project's **prefixes** for stores that do not take them as a parameter.

Import cost matters here (a cold ``kg query``): this module needs neither rdflib nor a
SPARQL engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.core.errors import KgError
from kg.core.iris import GRAPH_NONE, PREFIXES

#: Deepest nesting of ( { [ a query may have. Far above any real query (the deepest named
#: question nests 6), far below what a recursive parser survives.
MAX_DEPTH = 64

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][""" + _PN_CHARS + r"""]+)
  | (?P<pname>(?:[""" + _PN_CHARS_BASE + r"""][""" + _PN_CHARS + r""".]*)?:(?:[""" + _PN_CHARS + r""".:]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<blank>_:[""" + _PN_CHARS + r""".]+)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[(){}\[\].,;*/+\-=<>!^|a])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str   #: iri, string, var, pname, word, blank, number, lang, punct, other
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The query's tokens, whitespace and comments left out."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def shape(text: str) -> str:
    """*text* with its comments, layout, variable and blank node names, and literal values taken out.

    Two queries with the same shape do the same work but for the values they compare, so the
    server's memory of which queries ran long (:mod:`kg.serve.engine`) is keyed by shape: a query
    renamed, re-commented or re-spaced is still known for what it is.
    """
    names: dict[str, str] = {}
    out = []
    for t in tokens(text):
        if t.kind in ("var", "blank"):
            out.append(names.setdefault(t.text[1:] if t.kind == "var" else t.text, f"?{len(names)}"))
        elif t.kind in ("string", "number", "lang"):
            out.append(t.kind)
        else:
            out.append(t.text.upper() if t.kind == "word" else t.text)
    return " ".join(out)


@dataclass
class Inspection:
    """What the boundary read from a query."""

    form: str | None = None                              #: SELECT, ASK, CONSTRUCT, DESCRIBE (or an update verb)
    from_graphs: list[str] = field(default_factory=list)    #: FROM IRIs, expanded
    from_named: list[str] = field(default_factory=list)     #: FROM NAMED IRIs, expanded
    prefixes: dict[str, str] = field(default_factory=dict)  #: PREFIX declarations of the query
    depth: int = 0
    where_open: int | None = None                        #: offset just after the WHERE group's "{"
    service: bool = False
    load: bool = False
    #: the query's own ORDER BY, when it ends the query and orders by variables alone:
    #: ((name, descending), ...), and the offset where it starts (it runs to the end of the text)
    order: tuple[tuple[str, bool], ...] | None = None
    order_start: int | None = None

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATE_VERBS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


def _expand(tok: Token, declared: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        ns = declared.get(prefix, PREFIXES.get(prefix))
        return ns + local if ns is not None else None
    return None


def inspect(text: str) -> Inspection:
    """Read *text*'s form, dataset clause, prefixes, nesting and refused keywords."""
    toks = tokens(text)
    info = Inspection()
    depth = 0
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if t.kind == "punct" and t.text in "({[":
            depth += 1
            info.depth = max(info.depth, depth)
            if t.text == "{" and info.where_open is None and info.form in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT"):
                prev = toks[i - 1] if i else None
                # the WHERE group: after the keyword WHERE, or the first group of a query that omits it
                # (CONSTRUCT's first group is its template unless WHERE precedes it)
                if prev is not None and prev.kind == "word" and prev.text.upper() == "WHERE":
                    info.where_open = t.end
                elif info.form != "CONSTRUCT" and depth == 1:
                    info.where_open = t.end
        elif t.kind == "punct" and t.text in ")}]":
            depth -= 1
        elif t.kind == "word":
            word = t.text.upper()
            if word == "SERVICE":
                info.service = True
            elif word == "LOAD":
                info.load = True
            elif word == "PREFIX" and i + 2 < n and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
                info.prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
            elif word == "FROM" and depth == 0:
                named = i + 1 < n and toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
                j = i + 2 if named else i + 1
                iri = _expand(toks[j], info.prefixes) if j < n else None
                if iri is None:
                    raise KgError("FROM needs an IRI")
                (info.from_named if named else info.from_graphs).append(iri)
                i = j
            elif info.form is None and (word in _FORMS or word in _UPDATE_VERBS):
                info.form = word
            elif word == "ORDER" and depth == 0 and info.form == "SELECT":
                info.order, info.order_start = _plain_order(toks, i, _projected(toks))
                if info.order is not None:
                    break
        i += 1
    return info


def _projected(toks: list[Token]) -> set[str] | None:
    """The variables the outer SELECT projects (None for ``SELECT *``): each named in its
    clause, or after ``AS``; not those inside an expression (``(COUNT(?x) AS ?n)`` projects ?n)."""
    start = next(k for k, t in enumerate(toks) if t.kind == "word" and t.text.upper() == "SELECT")
    names: set[str] = set()
    parens = 0
    for k in range(start + 1, len(toks)):
        t = toks[k]
        if t.text == "{" or (t.kind == "word" and t.text.upper() in ("WHERE", "FROM")):
            break
        if t.text == "*" and parens == 0:
            return None
        if t.text == "(":
            parens += 1
        elif t.text == ")":
            parens -= 1
        elif t.kind == "var" and (parens == 0 or toks[k - 1].text.upper() == "AS"):
            names.add(t.text[1:])
    return names


def _plain_order(toks: list[Token], i: int, projected: set[str] | None):
    """The conditions of the ORDER BY at ``toks[i]`` if each is a variable the query projects
    (*projected*, None for all), ``ASC(?v)`` or ``DESC(?v)``, and nothing follows them (no
    LIMIT, OFFSET or VALUES); else ``(None, None)``. A variable not projected is gone from the
    rows, so only the engine can order by it."""
    n = len(toks)
    if i + 1 >= n or toks[i + 1].kind != "word" or toks[i + 1].text.upper() != "BY":
        return None, None
    out = []
    j = i + 2
    while j < n:
        t = toks[j]
        if t.kind == "var":
            out.append((t.text[1:], False))
            j += 1
        elif (t.kind == "word" and t.text.upper() in ("ASC", "DESC") and j + 3 < n
              and toks[j + 1].text == "(" and toks[j + 2].kind == "var" and toks[j + 3].text == ")"):
            out.append((toks[j + 2].text[1:], t.text.upper() == "DESC"))
            j += 4
        else:
            return None, None
    if not out or (projected is not None and any(name not in projected for name, _ in out)):
        return None, None
    return tuple(out), toks[i].start


def without_order(text: str, info: Inspection) -> str:
    """*text* less its trailing ORDER BY (:attr:`Inspection.order`), for a store that sorts the
    rows itself faster than its engine does (:attr:`kg.store.protocol.Store.sorts_rows`)."""
    return text[:info.order_start] + "\n"


def check(text: str, graphs=None, source: str = "<query>") -> Inspection:
    """Refuse what may not pass; return what was read. *graphs*: the IRIs FROM may name (None: any)."""
    info = inspect(text)
    if info.service:
        raise KgError(f"{source}: SERVICE is disabled: queries make no outbound requests")
    if info.load:
        raise KgError(f"{source}: LOAD is disabled: queries make no outbound requests")
    if info.depth > MAX_DEPTH:
        raise KgError(f"{source}: the query nests {info.depth} brackets deep; the limit is {MAX_DEPTH}")
    if graphs is not None:
        foreign = _foreign(info.from_graphs + info.from_named, graphs)
        if foreign:
            raise KgError(f"{source}: FROM <{foreign}> names no graph of this dataset, and graphs are never "
                          f"fetched (its graphs: {_listed(graphs)})")
    return info


def check_dataset(default_graph, named_graphs, graphs) -> None:
    """The protocol's ``default-graph-uri`` / ``named-graph-uri``, held to the same rule as FROM."""
    foreign = _foreign(list(default_graph or []) + list(named_graphs or []), graphs)
    if foreign:
        raise KgError(f"graph <{foreign}> is not a graph of this dataset, and graphs are never fetched "
                      f"(its graphs: {_listed(graphs)})")


def _foreign(iris, graphs) -> str | None:
    """The first of *iris* that is not one of *graphs*: the one rule for FROM and the protocol's
    dataset. :data:`~kg.core.iris.GRAPH_NONE` is a graph of every dataset, always empty."""
    known = {str(g) for g in graphs}
    return next((str(i) for i in iris if str(i) not in known and str(i) != GRAPH_NONE), None)


def _listed(graphs) -> str:
    return ", ".join(sorted(str(g) for g in graphs))


_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_block(bindings: dict) -> str:
    """A ``VALUES`` block for *bindings*: name -> an RDF term, or a list of terms (one row each).

    Each term is written by the one term writer (:func:`kg.core.terms.n3`), so a user's value
    cannot change the query's shape; blank nodes cannot be bound (SPARQL forbids them there).
    """
    from kg.core.terms import n3

    names = list(bindings)
    for n in names:
        if not _VAR_NAME.fullmatch(n):
            raise KgError(f"bad variable name {n!r}")
    columns = [v if isinstance(v, list) else [v] for v in bindings.values()]
    if len({len(c) for c in columns}) != 1:
        raise KgError("bindings of different lengths")

    def cell(term):
        if type(term).__name__ == "BNode":
            raise KgError(f"cannot bind {term!r}: only IRIs and literals")
        return n3(term)

    if len(names) == 1:
        return f"VALUES ?{names[0]} {{ {' '.join(cell(t) for t in columns[0])} }}"
    rows = " ".join("(" + " ".join(cell(x) for x in row) + ")" for row in zip(*columns))
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }}"


def bind(text: str, bindings: dict, info: Inspection | None = None) -> str:
    """*text* with *bindings* as a ``VALUES`` block opening its WHERE group (where rdflib's
    ``initBindings`` act), or, for a query without one, a trailing ``VALUES`` clause."""
    if not bindings:
        return text
    info = info or inspect(text)
    block = values_block(bindings)
    if info.where_open is None:
        return f"{text}\n{block}\n"
    return text[:info.where_open] + " " + block + " " + text[info.where_open:]


def with_prefixes(text: str, info: Inspection | None = None) -> str:
    """*text* with ``PREFIX`` lines for the project prefixes it uses but does not declare."""
    info = info or inspect(text)
    used = {tok.text.partition(":")[0] for tok in tokens(text) if tok.kind == "pname"}
    missing = [p for p in PREFIXES if p in used and p not in info.prefixes]
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text
