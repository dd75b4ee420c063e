"""From a sentence's analysis to proposals: event rules, roles, modality, dates.

Each event type has one rule, named after the event and its CAMEO code (docs/extraction.md has
the table): appeal (02), threaten with sanctions (1312), impose sanctions (163), offer (0332),
sign a contract (057), deliver (072), visit (042), approve a sale (072), state (010). A rule
fills the roles it can from the names around its trigger and never guesses a name it cannot
resolve.

The modality of the sentence decides the class, not the trigger (the truth rule):

* negation before the trigger ("has not imposed", "no sign of") → ``dkg:Stance``, in the
  source's words, never the event;
* a condition ("will be denied ... if") → ``dkg:ConditionalThreat``; any other event under a
  condition is not proposed (the ontology has no conditional deal);
* a risk ("could leave them open to sanctions") → nothing is typed a sanction: the appeal that
  warns of it cites the law (``dkg:citesRiskUnder``), and the risk itself is the reasoner's to
  derive;
* a hedge ("is understood to") keeps the event, with the hedge in its evidence;
* words in quotation marks are the speaker's: ``dkg:assertedBy`` the speaker, ``dkg:DirectQuote``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.core.namespace import DKG, DKGR
from kg.extract.analysis import WEEKDAYS, Match, Mention, Sentence
from kg.extract.gazetteer import Gazetteer

#: event key -> (rule name, CAMEO code, PLOVER category)
RULES = {
    "appeal": ("appeal/cameo-02", "02", "REQUEST"),
    "threaten": ("threaten-sanctions/cameo-1312", "1312", "THREATEN"),
    "sanction": ("impose-sanctions/cameo-163", "163", "SANCTION"),
    "offer": ("offer/cameo-0332", "0332", "AID (intend)"),
    "contract": ("sign-contract/cameo-057", "057", "AGREE"),
    "deliver": ("deliver/cameo-072", "072", "AID"),
    "visit": ("visit/cameo-042", "042", "CONSULT"),
    "approve": ("approve-sale/cameo-072", "072", "AID (approve)"),
    "statement": ("statement/cameo-010", "010", "(statement)"),
}


@dataclass
class Evidence:
    sentence: str
    quote: str
    prefix: str | None = None
    asserted_by: URIRef | None = None
    mode: URIRef | None = None
    hedge: str | None = None


@dataclass
class Proposal:
    key: str  # event key, "stance", "entity"
    cls: URIRef | None
    node: URIRef
    label: str
    sentence: str
    rule: str
    confidence: float
    modality: str = "plain"  # plain, negated, conditional, hedged, quoted
    roles: list[tuple[URIRef, object]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    id: str = ""
    #: the article offsets of the words the roles were read from (the quote covers them)
    spans: list[tuple[int, int]] = field(default_factory=list)
    #: what a rule leaves for the whole-article pass (a delivery's system and buyer)
    pending: dict = field(default_factory=dict)

    def values(self, prop: URIRef) -> list:
        return [o for p, o in self.roles if p == prop]

    def add(self, prop: URIRef, value) -> None:
        if value is not None and (prop, value) not in self.roles:
            self.roles.append((prop, value))


@dataclass
class Context:
    slug: str
    gazetteer: Gazetteer
    date: dt.date | None  # the article's date, for relative dates
    date_precision: str | None  # "day", "month", "year"
    candidates: dict[str, Proposal] = field(default_factory=dict)  # candidate name -> its proposal

    def label(self, node: URIRef) -> str:
        """A node's name: the graph's label, or a candidate entity's own words."""
        cand = next((c for c in self.candidates.values() if c.node == node), None)
        return cand.label if cand is not None else self.gazetteer.label(node)

    def node(self, *parts: str) -> URIRef:
        local = "-".join([self.slug, *parts])
        return DKGR[re.sub(r"[^A-Za-z0-9-]+", "-", local).strip("-")]


# --- helpers on positions ------------------------------------------------------------------

def _kind_of(ctx: Context, m: Mention, kind: URIRef) -> URIRef | None:
    """The node *m* names, if it names exactly one *kind*; a candidate only if typed as one."""
    if m.kind == "known":
        return ctx.gazetteer.resolve(m.nodes, kind)
    if m.kind == "candidate":
        cand = ctx.candidates.get(m.text)
        if cand is not None and cand.cls is not None and _subclass(cand.cls, kind):
            return cand.node
    return None


def _subclass(cls: URIRef, kind: URIRef) -> bool:
    return cls == kind or (kind == DKG.Agent and cls in (DKG.Person, DKG.Organisation, DKG.State))


def _left(s: Sentence, ctx: Context, pos: int, kind: URIRef, stop: int | None = None):
    """The nearest mention of *kind* ending before *pos* (and after *stop*)."""
    for m in sorted(s.mentions, key=lambda m: -m.end):
        if m.end <= pos and (stop is None or m.start >= stop):
            node = _kind_of(ctx, m, kind)
            if node is not None:
                return m, node
    return None, None


def _right(s: Sentence, ctx: Context, pos: int, kind: URIRef, stop: int | None = None, after: tuple = ()):
    """The nearest mention of *kind* starting after *pos* (before *stop*); with *after*, only
    one right after one of those words ("to", "from")."""
    for m in sorted(s.mentions, key=lambda m: m.start):
        if m.start >= pos and (stop is None or m.end <= stop):
            if after:
                before = s.local(s.segment.start, m.start).rstrip()
                if not re.search(r"(?:^|\W)(?:" + "|".join(after) + r")(?:\s+the)?$", before, re.I):
                    continue
            node = _kind_of(ctx, m, kind)
            if node is not None:
                return m, node
    return None, None


def _boundaries(s: Sentence) -> list[int]:
    """Where the sentence's clauses begin: after a ';', and at an 'and' or 'but' that a new
    subject (a name) follows ("... for buying S-400s and Turkey, NATO ally, has been told ...")."""
    out = [s.segment.start]
    for m in re.finditer(r";\s*|,?\s+(?:and|but|while)\s+(?=(?:the\s+)?\S)", s.text):
        at = s.segment.start + m.end()
        if m.group().strip() == ";":
            out.append(at)
            continue
        name = next((x for x in s.mentions if x.start == at and x.kind in ("known", "candidate")), None)
        if name is not None and _VERB_AFTER.match(s.local(name.end, min(name.end + 40, s.segment.end))):
            out.append(at)
    return out


#: After a new subject, the verb of its own clause, perhaps past an apposition ("Turkey, NATO ally, has").
_VERB_AFTER = re.compile(r"(?:,[^,]{0,25},)?\s+(?:has|have|had|was|were|is|are|will|would|could|said|says|signed|told)\b")


def _clause(s: Sentence, pos: int) -> tuple[int, int]:
    """The clause that holds *pos*: (start, end) in article offsets."""
    bounds = _boundaries(s) + [s.segment.end]
    for a, b in zip(bounds, bounds[1:]):
        if a <= pos < b:
            return a, b
    return bounds[-2], bounds[-1]


def _clause_end(s: Sentence, pos: int) -> int:
    """Where the clause holding *pos* ends."""
    return _clause(s, pos)[1]


def _subject(s: Sentence, ctx: Context, trig: Match, kind: URIRef):
    """The subject of a verb trigger: the first *kind* named in its clause before it, outside
    quotation marks (news sentences open with their subject)."""
    a, _ = _clause(s, trig.start)
    for m in sorted(s.mentions, key=lambda m: m.start):
        if a <= m.start and m.end <= trig.start and not (s.in_quote(m.start, m.end) and not s.in_quote(trig.start, trig.end)):
            node = _kind_of(ctx, m, kind)
            if node is not None:
                return m, node
    return None, None


def _nominal(s: Sentence, trig: Match) -> bool:
    """A trigger used as a noun ("the approval of", "those offers"): it names an event, it has no subject."""
    before = s.local(s.segment.start, trig.start).rstrip().rsplit(" ", 1)[-1].lower()
    return before in ("the", "those", "these", "its", "their", "his", "her", "an", "a", "that", "this", "such")


def _quote(s: Sentence, spans: list[tuple[int, int]]) -> Evidence:
    """The sentence's words from the first to the last span (exact, as the build wants)."""
    a, b = min(x for x, _ in spans), max(y for _, y in spans)
    quote = s.local(a, b)
    ev = Evidence(s.id, quote)
    local = a - s.segment.start
    if s.text.count(quote) > 1:
        ev.prefix = s.text[max(0, local - 24):local]
    return ev


def _voice(s: Sentence, ev: Evidence, spans: list[tuple[int, int]], speaker: URIRef | None) -> None:
    """A span inside quotation marks is the speaker's words."""
    a, b = min(x for x, _ in spans), max(y for _, y in spans)
    if s.in_quote(a, b) and speaker is not None:
        ev.asserted_by, ev.mode = speaker, DKG.DirectQuote


def _negated(s: Sentence, trig: Match, subject_end: int | None) -> Match | None:
    """A negation cue that governs *trig*: between its subject and it, or just before it."""
    unanswered = [t for t in s.triggers if t.key == "unanswered"]
    for c in s.cues_of("negation"):
        if any(u.start <= c.start < u.end for u in unanswered):
            continue
        if c.end <= trig.start and (trig.start - c.end <= 24 or (subject_end is not None and c.start >= subject_end)
                                    or c.text.lower().startswith("no ")):
            return c
    return None


# --- dates ---------------------------------------------------------------------------------

def _year_bounds(year: int) -> tuple[str, str]:
    return f"{year}-01-01T00:00:00Z", f"{year + 1}-01-01T00:00:00Z"


def _time_roles(ctx: Context, s: Sentence, p: Proposal, trig: Match) -> list[tuple[int, int]]:
    """Stated years, and relative dates resolved against the article date as inferred ones."""
    a, b = _clause(s, trig.start)
    others = [t for t in s.triggers if t is not trig and t.key != "unanswered"]
    after = [m for m in s.mentions if m.kind == "date" and trig.end <= m.start < b
             and not any(t.key == "statement" and trig.end <= t.start < m.start for t in others)]
    before = [m for m in s.mentions if m.kind == "date" and a <= m.start and m.end <= trig.start
              and not any(m.end <= t.start < trig.start for t in others)]
    if not after and not before:
        return []
    m = after[0] if after else before[-1]
    word = m.text
    if re.fullmatch(r"(19|20)\d\d", word):
        start, end = _year_bounds(int(word))
        p.add(DKG.statedTime, Literal(word))
        p.add(DKG.timePrecision, URIRef("http://www.w3.org/2006/time#unitYear"))
        p.add(DKG.timeStart, Literal(start, datatype=XSD.dateTime, normalize=False))
        p.add(DKG.timeEnd, Literal(end, datatype=XSD.dateTime, normalize=False))
        return [(m.start, m.end)]
    resolved = _resolve(ctx, word)
    if word in WEEKDAYS:
        p.add(DKG.dayOfWeek, Literal(word))
    if resolved is None:
        p.notes.append(f"'{word}' is not resolved: the article date is not known to the day")
        return [(m.start, m.end)]
    value, unit, start, end = resolved
    p.add(DKG.inferredTime, Literal(value))
    p.add(DKG.timePrecision, URIRef("http://www.w3.org/2006/time#unit" + unit))
    p.add(DKG.timeStart, Literal(start, datatype=XSD.dateTime, normalize=False))
    p.add(DKG.timeEnd, Literal(end, datatype=XSD.dateTime, normalize=False))
    p.add(DKG.dateNote, Literal(f"The article says '{word}'; resolved against the article's date, "
                                f"{ctx.date.isoformat()[:{'day': 10, 'month': 7, 'year': 4}[ctx.date_precision]]}, "
                                f"as {value}. Inferred, not stated."))
    p.notes.append(f"'{word}' resolved as {value} (inferred)")
    return [(m.start, m.end)]


def _resolve(ctx: Context, word: str):
    """(value, unit, start, end) of a relative date word, or None if the article date is too coarse."""
    d, prec = ctx.date, ctx.date_precision
    if d is None:
        return None
    w = word.lower()
    if w in ("last year", "next year", "this year"):
        y = d.year + {"last year": -1, "next year": 1, "this year": 0}[w]
        return (str(y), "Year", *_year_bounds(y))
    if w in ("last month", "this month", "next month"):
        if prec == "year":
            return None
        y, mo = d.year, d.month + {"last month": -1, "this month": 0, "next month": 1}[w]
        y, mo = (y - 1, 12) if mo == 0 else (y + 1, 1) if mo == 13 else (y, mo)
        ny, nmo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        return (f"{y}-{mo:02d}", "Month", f"{y}-{mo:02d}-01T00:00:00Z", f"{ny}-{nmo:02d}-01T00:00:00Z")
    if prec != "day":
        return None
    if word in WEEKDAYS:  # the last such weekday on or before the article's date
        back = (d.weekday() - WEEKDAYS.index(word)) % 7
        day = d - dt.timedelta(days=back)
    elif w in ("yesterday", "today", "tomorrow"):
        day = d + dt.timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[w])
    else:
        return None
    nxt = day + dt.timedelta(days=1)
    return (day.isoformat(), "Day", f"{day.isoformat()}T00:00:00Z", f"{nxt.isoformat()}T00:00:00Z")


def parse_date(text: str | None) -> tuple[dt.date | None, str | None]:
    """An article date 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' as (date, precision)."""
    if not text:
        return None, None
    for fmt, prec in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return dt.datetime.strptime(text, fmt).date(), prec
        except ValueError:
            continue
    return None, None


# --- candidate entities --------------------------------------------------------------------

_ORG_HEADS = ("Ministry", "Agency", "Council", "Corporation", "Company", "Industries", "Systems", "Dynamics",
              "Department", "Bureau", "Office", "Command", "Forces", "Force", "Group", "Ltd", "Inc", "Committee",
              "Directorate", "Organisation", "Organization", "Institute", "Aerospace", "Defence", "Works")
_PERSON_TITLES = ("Minister", "President", "General", "Admiral", "Secretary", "Mr", "Ms", "Dr", "spokesman",
                  "spokeswoman", "spokesperson", "Ambassador", "Senator", "Director", "chief")


def candidate(ctx: Context, s: Sentence, m: Mention) -> Proposal:
    """A proposal for a name the graph does not know: a new node, linked to nothing known. Its
    kind is given only by its own words (an "... Agency" is an organisation, a name after a
    title such as "Minister" a person); otherwise it has none and fills no role."""
    if m.text in ctx.candidates:
        p = ctx.candidates[m.text]
        if not any(e.sentence == s.id for e in p.evidence) and len(p.evidence) < 3:
            p.evidence.append(_quote(s, [(m.start, m.end)]))
        return p
    before = s.local(s.segment.start, m.start).rstrip().split(" ")[-1:] or [""]
    cls, why = None, "no kind: the words do not say what it is"
    if m.text.split()[-1] in _ORG_HEADS:
        cls, why = DKG.Organisation, f"an organisation: its name ends in '{m.text.split()[-1]}'"
    elif before[0] in _PERSON_TITLES and " " in m.text:
        cls, why = DKG.Person, f"a person: the name follows the title '{before[0]}'"
    p = Proposal("entity", cls, ctx.node("entity", m.text.lower()), m.text, s.id, "candidate-entity",
                 0.6 if cls else 0.4)
    p.notes.append(f"not in the graph's names: a candidate new entity, {why}")
    p.evidence.append(_quote(s, [(m.start, m.end)]))
    ctx.candidates[m.text] = p
    return p


# --- the event rules -----------------------------------------------------------------------

def propose(ctx: Context, s: Sentence) -> list[Proposal]:
    """The proposals of one sentence, in the order of their triggers."""
    out: list[Proposal] = []
    for m in s.mentions:
        if m.kind == "candidate":
            candidate(ctx, s, m)
    speaker, speaker_span = _speaker(ctx, s)
    hedge = s.cues_of("hedge")
    for trig in s.triggers:
        if trig.key in ("unanswered", "statement"):
            continue
        clause = _clause(s, trig.start)
        conditional = [c for c in s.cues_of("conditional") if clause[0] <= c.start < clause[1]]
        risk = [c for c in s.cues_of("risk") if clause[0] <= c.start < clause[1]]
        if trig.key == "threaten" and conditional and any(t.key in ("deny", "sanction") and clause[0] <= t.start < clause[1]
                                                          for t in s.triggers):
            continue  # the consequence ("will lose", "will face sanctions") carries the threat
        if trig.key in ("contract", "deliver", "sanction") and not conditional and (_FUTURE.search(
                s.local(max(clause[0], trig.start - 30), trig.start)) or _WILL_AFTER.match(s.local(trig.end, clause[1]))):
            continue  # what will happen has not happened: no event is proposed for it
        if trig.key == "threaten" or (trig.key in ("sanction", "deny") and conditional):
            p = _threat(ctx, s, trig, conditional)
        elif trig.key == "deny":
            continue  # "denied" with no condition: nothing the rules can type
        elif trig.key == "sanction" and risk:
            continue  # a risk of sanctions is not a sanction, and the reasoner derives the risk
        elif conditional and trig.key != "appeal":
            continue  # an event under a condition: the ontology has no conditional deal or offer
        else:
            p = RULE_FUNCS[trig.key](ctx, s, trig, risk)
        for q in p if isinstance(p, list) else [p]:
            if q is not None:
                out.append(_finish(ctx, s, q, trig, speaker, hedge))
    out += _stances(ctx, s, speaker, hedge)
    st = _statement(ctx, s, speaker, speaker_span)
    if st is not None:
        out.append(st)
    return out


def _finish(ctx: Context, s: Sentence, q: Proposal, trig: Match, speaker, hedge) -> Proposal:
    """Negation, hedge and voice applied to a rule's proposal, and its evidence quoted."""
    subject_end = max((b for a, b in q.spans if b <= trig.start), default=None)
    neg = _negated(s, trig, subject_end) if q.cls != DKG.ConditionalThreat else None
    if neg is not None:
        q = _as_stance(ctx, s, q, trig, neg)
    spans = [(trig.start, trig.end)] + q.spans + ([(neg.start, neg.end)] if neg is not None else [])
    if hedge:
        spans.append((hedge[0].start, hedge[0].end))
    ev = _quote(s, spans)
    _voice(s, ev, spans, speaker)
    if hedge:
        ev.hedge = hedge[0].text
        q.modality = "hedged" if q.modality == "plain" else q.modality
        q.confidence = round(q.confidence - 0.15, 2)
    if ev.mode == DKG.DirectQuote and q.modality == "plain":
        q.modality = "quoted"
    a, b = min(x for x, _ in spans), max(y for _, y in spans)
    if s.in_quote(a, b) and speaker is None:
        q.confidence = round(q.confidence - 0.2, 2)
        q.notes.append("in quotation marks, but the sentence names no speaker the graph knows: "
                       "the evidence is in the outlet's voice until a reviewer names the speaker")
    q.evidence.insert(0, ev)
    return q


def _stances(ctx: Context, s: Sentence, speaker, hedge) -> list[Proposal]:
    """'no sign of ...' with no event trigger after it: the holder's stance, in the source's words."""
    out = []
    for c in s.cues_of("negation"):
        if not c.text.lower().startswith("no ") or any(t.start > c.start and t.key != "unanswered" for t in s.triggers):
            continue
        trig = Match("stance", c.start, c.end, c.text)
        holder = _subject(s, ctx, trig, DKG.Agent)
        end = _clause_end(s, c.end)
        rest = s.local(c.start, end)
        stop = re.search(r",|\s+despite\b|\s+even as\b|\s+as\b", rest)
        words = rest[: stop.start()] if stop else rest.rstrip(". ")
        p = Proposal("stance", DKG.Stance, ctx.node("stance", s.id), f"stance: {words}", s.id, "negation/no-sign-of",
                     0.6, "negated")
        if holder[1] is not None:
            p.add(DKG.holder, holder[1])
            p.spans.append((holder[0].start, holder[0].end))
        p.add(DKG.stanceDescription, Literal(words))
        p.spans.append((c.start, c.start + len(words)))
        p.notes.append(f"negated ('{c.text}'): a stance in the source's words, not an event")
        out.append(_finish(ctx, s, p, trig, speaker, hedge))
    return out


def _speaker(ctx: Context, s: Sentence):
    """Who the sentence quotes: the agent next to "said"/"told" outside the quotation marks."""
    if not s.quotes:
        return None, None
    for t in s.triggers:
        if t.key != "statement" or s.in_quote(t.start, t.end):
            continue
        for finder in (lambda: _left(s, ctx, t.start, DKG.Person, t.start - 60),
                       lambda: _right(s, ctx, t.end, DKG.Person, t.end + 40)):
            m, node = finder()
            if node is not None and not s.in_quote(m.start, m.end):
                return node, [(m.start, m.end), (t.start, t.end)]
    return None, None


def _statement(ctx: Context, s: Sentence, speaker, speaker_span) -> Proposal | None:
    if not s.quotes or speaker is None:
        return None
    a, b = max(s.quotes, key=lambda q: q[1] - q[0])
    words = s.local(a, b).rstrip(",")
    p = Proposal("statement", DKG.Statement, ctx.node("statement", s.id), f"statement by {ctx.label(speaker)}",
                 s.id, RULES["statement"][0], 0.85, "quoted")
    p.add(DKG.speaker, speaker)
    p.add(DKG.quote, Literal(words))
    spans = [(a - 1, b + 1)] + speaker_span
    ev = _quote(s, spans)
    p.evidence.append(ev)
    if any(m.kind == "date" and m.text in WEEKDAYS for m in s.mentions):
        _time_roles(ctx, s, p, next(t for t in s.triggers if t.key == "statement"))
    return p


def _as_stance(ctx: Context, s: Sentence, p: Proposal, trig: Match, neg: Match) -> Proposal:
    """A negated event as what the source says: the holder's stance, in its words."""
    holder = next((o for prop, o in p.roles if prop in _SUBJECT_ROLES), None)
    st = Proposal("stance", DKG.Stance, ctx.node("stance", s.id, trig.key), f"negated {trig.key}: {p.label}",
                  s.id, p.rule + "+negation", round(p.confidence - 0.1, 2), "negated")
    if holder is not None:
        st.add(DKG.holder, holder)
    spans = [(neg.start, neg.end), (trig.start, trig.end)] + p.spans
    a, b = min(x for x, _ in spans), max(y for _, y in spans)
    st.add(DKG.stanceDescription, Literal(s.local(a, b)))
    st.notes.append(f"negated ('{neg.text}'): proposed as a stance, never as a {p.cls.rsplit('#', 1)[-1]}")
    st.spans = p.spans
    return st


_FUTURE = re.compile(r"\b(will|would|is expected to|are expected to|plans to|plan to|is to|are to)\b[^,;]*$", re.I)
_WILL_AFTER = re.compile(r"[^,;]{0,40}?\b(will|would)\s+(begin|start|be|take)\b", re.I)
_SUBJECT_ROLES = (DKG.imposedBy, DKG.offeror, DKG.buyer, DKG.visitor, DKG.approvedBy, DKG.appellant,
                  DKG.threatener, DKG.leverUser)


def _new(ctx: Context, key: str, s: Sentence, cls: URIRef, label: str, confidence: float, *extra: str) -> Proposal:
    return Proposal(key, cls, ctx.node(key, s.id, *extra), label, s.id, RULES[key][0], confidence)


def _use(p: Proposal, prop: URIRef, found) -> None:
    m, node = found
    if node is not None:
        p.add(prop, node)
        p.spans.append((m.start, m.end))


def _near(s: Sentence, ctx: Context, pos: int, kind: URIRef, end: int, left_stop: int | None = None):
    """The first *kind* mention after *pos* up to *end*, else the nearest before *pos* (back to *left_stop*)."""
    found = _right(s, ctx, pos, kind, end)
    return found if found[1] is not None else _left(s, ctx, pos, kind, left_stop)


def _named(ctx: Context, p: Proposal, prop: URIRef) -> str:
    """The label of *p*'s first value of *prop*, or "?" when the sentence did not give it."""
    values = p.values(prop)
    return ctx.label(values[0]) if values else "?"


def _sanction(ctx, s, trig, risk):
    p = _new(ctx, "sanction", s, DKG.Sanction, "sanction", 0.85)
    passive = re.search(r"\b(was|were|been|be|is|are)\s+(\w+\s+)?$", s.local(s.segment.start, trig.start))
    end = _clause_end(s, trig.end)
    if passive:
        _use(p, DKG.sanctionTarget, _subject(s, ctx, trig, DKG.Agent))
    else:
        _use(p, DKG.imposedBy, _subject(s, ctx, trig, DKG.Agent))
        _use(p, DKG.sanctionTarget, _right(s, ctx, trig.end, DKG.Agent, end, after=("on", "against")))
    _use(p, DKG.underLaw, _near(s, ctx, trig.start, DKG.Law, end, _clause(s, trig.start)[0]))
    p.spans += _time_roles(ctx, s, p, trig)
    p.label = f"sanction on {_named(ctx, p, DKG.sanctionTarget)}"
    return p


def _threat(ctx, s, trig, conditional):
    start, end = _clause(s, trig.start)
    law = _near(s, ctx, trig.start, DKG.Law, end, start)
    if conditional:
        p = _new(ctx, "threaten", s, DKG.ConditionalThreat, "conditional threat", 0.8)
        p.modality = "conditional"
        if trig.key == "threaten":
            party = _right(s, ctx, trig.end, DKG.Agent, conditional[0].start)
            _use(p, DKG.threatener, _subject(s, ctx, trig, DKG.Agent))
        else:  # "X will be denied ... if", "X will be sanctioned if": X is warned
            party = _subject(s, ctx, trig, DKG.Agent)
            says = [t for t in s.triggers if t.key in ("threaten", "statement") and t.start > conditional[0].start]
            if says:  # "..., a US official warned": the official's state
                _use(p, DKG.threatener, _left(s, ctx, says[0].start, DKG.State, says[0].start - 25))
        _use(p, DKG.threatenedParty, party)
        if trig.key == "deny":
            _use(p, DKG.deniedSystem, _right(s, ctx, trig.end, DefenceKind, conditional[0].start))
        _use(p, DKG.underLaw, law)
        c = conditional[0]
        cond_text = re.split(r"[,;]", s.local(c.start, _clause_end(s, c.end)))[0].rstrip(" .”\"")
        p.add(DKG.conditionText, Literal(cond_text))
        p.spans += [(c.start, c.start + len(cond_text))]
        p.notes.append(f"conditional ('{c.text}'): a threat, not a sanction")
        p.label = f"conditional threat to {_named(ctx, p, DKG.threatenedParty)}"
        return p
    if not re.search(r"sanction", s.local(trig.start, end), re.I):
        return None
    p = _new(ctx, "threaten", s, DKG.SanctionsThreatLever, "threat of sanctions", 0.75)
    _use(p, DKG.leverUser, _left(s, ctx, trig.start, DKG.Agent))
    _use(p, DKG.underLaw, law)
    p.label = "threat of sanctions" + (f" under {ctx.label(law[1])}" if law[1] else "")
    return p


def _offer(ctx, s, trig, risk):
    end = _clause_end(s, trig.end)
    nominal = _nominal(s, trig)
    if nominal and trig.text.lower().endswith("s"):
        return None  # "those offers": a reference to offers made before, not an offer
    if re.search(r"\b(be|been|being|was|were)\s+$", s.local(s.segment.start, trig.start)):
        return None  # "to be offered": the offeree's side, without the offer's roles
    offeror = (None, None) if nominal else _subject(s, ctx, trig, DKG.Agent)
    offeree = _right(s, ctx, trig.end, DKG.Agent, end)
    out = []
    items = []
    pos = trig.end
    while True:
        m, node = _right(s, ctx, pos, DefenceKind, end)
        if node is None:
            break
        if re.search(r"\balternatives?\s+to\b", s.local(trig.end, m.start)):
            break
        if node not in [i[1] for i in items]:
            items.append((m, node))
        pos = m.end
    alt_to = re.search(r"alternatives?\s+to\b", s.local(trig.end, end))
    alternative = _right(s, ctx, trig.end + alt_to.end(), DefenceKind, end) if alt_to else (None, None)
    for m, node in items or [(None, None)]:
        p = _new(ctx, "offer", s, DKG.Offer, "offer", 0.8, node.rsplit("/", 1)[-1] if node else "")
        _use(p, DKG.offeror, offeror)
        if offeree[1] is not None and (m is None or offeree[0].start < m.start):
            _use(p, DKG.offeree, offeree)
        else:
            _use(p, DKG.offeree, _right(s, ctx, trig.end, DKG.Agent, end, after=("to",)))
        if node is not None:
            _use(p, DKG.offeredItem, (m, node))
        _use(p, DKG.alternativeTo, alternative)
        p.label = f"offer of {ctx.label(node) if node else '?'} to {_named(ctx, p, DKG.offeree)}"
        out.append(p)
    return out


DefenceKind = DKG.DefenceSystem


def _contract(ctx, s, trig, risk):
    end = _clause_end(s, trig.end)
    p = _new(ctx, "contract", s, DKG.ArmsContract, "contract", 0.8)
    buyer = _left(s, ctx, trig.start, DKG.Agent, _clause(s, trig.start)[0])
    if buyer[1] is None or not re.search(r"\b(is|are|was|were|has been)\s+$", s.local(buyer[0].end, trig.start) + " "):
        buyer = _subject(s, ctx, trig, DKG.Agent) if buyer[1] is None or "contracted" not in trig.text else buyer
    _use(p, DKG.buyer, buyer)
    system = _near(s, ctx, trig.start, DefenceKind, end)
    _use(p, DKG.system, system)
    seller = _right(s, ctx, trig.end, DKG.Agent, end, after=("from", "with"))
    _use(p, DKG.seller, seller)
    if system[0] is not None:
        qty = [m for m in s.mentions if m.kind == "number" and 0 <= system[0].start - m.end <= 30]
        if qty:
            q = qty[-1]
            p.add(DKG.quantity, Literal(q.value, datatype=XSD.positiveInteger))
            p.spans.append((q.start, q.end))
    p.spans += _time_roles(ctx, s, p, trig)
    missing = [n for n, prop in (("buyer", DKG.buyer), ("seller", DKG.seller), ("system", DKG.system),
                                 ("quantity", DKG.quantity)) if not p.values(prop)]
    if not (p.values(DKG.statedTime) or p.values(DKG.inferredTime)):
        missing.append("time")
    if missing:
        p.cls = DKG.ArmsDeal
        p.notes.append(f"a contract, but the sentence does not give its {', '.join(missing)}: proposed as the broader "
                       "dkg:ArmsDeal (an arms contract needs buyer, seller, system, quantity and time)")
        p.confidence = 0.65
    p.label = f"{_named(ctx, p, DKG.buyer)}'s contract for {_named(ctx, p, DKG.system)}"
    return p


def _deliver(ctx, s, trig, risk):
    end = _clause_end(s, trig.end)
    p = _new(ctx, "deliver", s, DKG.DeliveryStart, "delivery start", 0.7)
    system = _near(s, ctx, trig.start, DefenceKind, end)
    buyer = _right(s, ctx, trig.end, DKG.Agent, end, after=("to",))
    p.spans += [(m.start, m.end) for m, n in (system, buyer) if n is not None]
    p.pending = {"system": system[1], "buyer": buyer[1]}
    p.spans += _time_roles(ctx, s, p, trig)
    p.label = (f"start of deliveries of {ctx.label(system[1]) if system[1] else '?'} to "
               f"{ctx.label(buyer[1]) if buyer[1] else '?'}")
    return p


def _visit(ctx, s, trig, risk):
    visitor = _left(s, ctx, trig.start, DKG.Person, trig.start - 80)
    if visitor[1] is None:
        return None
    end = _clause_end(s, trig.end)
    p = _new(ctx, "visit", s, DKG.Visit, "visit", 0.7)
    _use(p, DKG.visitor, visitor)
    dest = _right(s, ctx, trig.end, DKG.State, end, after=("to",))
    if dest[1] is None and trig.text.lower() in ("visited", "visits", "visiting"):
        nxt = next((m for m in s.mentions if trig.end < m.start <= trig.end + 2), None)
        if nxt is not None:  # "visited New Delhi": the object names the place, and the state
            dest = (nxt, _kind_of(ctx, nxt, DKG.State))
            _use(p, DKG.place, (nxt, _kind_of(ctx, nxt, DKG.Place)))
    if dest[1] is None:
        dest = _left(s, ctx, trig.start, DKG.State, visitor[0].end)
    _use(p, DKG.destination, dest)
    if not p.values(DKG.place):
        _use(p, DKG.place, _left(s, ctx, trig.start, DKG.Place, visitor[0].end))
    p.spans += _time_roles(ctx, s, p, trig)
    p.label = f"{_named(ctx, p, DKG.visitor)}'s visit to {_named(ctx, p, DKG.destination)}"
    return p


def _approve(ctx, s, trig, risk):
    end = _clause_end(s, trig.end)
    p = _new(ctx, "approve", s, DKG.SaleApproval, "sale approval", 0.75)
    if not _nominal(s, trig):
        _use(p, DKG.approvedBy, _subject(s, ctx, trig, DKG.Agent))
    _use(p, DKG.approvedSystem, _right(s, ctx, trig.start, DefenceKind, end))
    _use(p, DKG.approvedBuyer, _right(s, ctx, trig.end, DKG.Agent, end, after=("to",)))
    p.spans += _time_roles(ctx, s, p, trig)
    p.label = f"approval of the sale of {_named(ctx, p, DKG.approvedSystem)} to {_named(ctx, p, DKG.approvedBuyer)}"
    return p


def _appeal(ctx, s, trig, risk):
    end = _clause_end(s, trig.end)
    p = _new(ctx, "appeal", s, DKG.Appeal, "appeal", 0.75)
    _use(p, DKG.appellant, _subject(s, ctx, trig, DKG.Agent))
    addressee = _right(s, ctx, trig.end, DKG.Agent, end)
    _use(p, DKG.addressee, addressee)
    if addressee[1] is not None:
        rest = s.local(addressee[0].end, end)
        m = re.search(r"\bto\s+[“\"]?((?:forgo|forego|look|buy|drop|stop|reconsider|cancel|halt|abandon|avoid|consider)\b[^,;.”\"]*)", rest)
        if m:
            a = addressee[0].end + m.start(1)
            words = s.local(a, a + len(m.group(1).rstrip()))
            p.add(DKG.urgedAction, Literal(words))
            p.spans.append((a, a + len(words)))
        fw = re.search(r"for[e]?go\s+transactions[”\"]?\s+with\s+", s.local(trig.end, end))
        if fw:
            _use(p, DKG.forgoTransactionsWith, _right(s, ctx, trig.end + fw.end(), DKG.State, end))
    for r in risk:
        law = _right(s, ctx, r.start, DKG.Law, end)
        if law[1] is None:
            law = _left(s, ctx, r.end, DKG.Law) if r.start > trig.start else (None, None)
        if law[1] is not None:
            _use(p, DKG.citesRiskUnder, law)
            p.notes.append(f"risk ('{r.text}'): kept as the law the appeal cites; no sanction is proposed")
        else:
            p.notes.append(f"risk ('{r.text}') names no law: no sanction and no law proposed")
    p.label = f"appeal to {_named(ctx, p, DKG.addressee)}"
    return p


RULE_FUNCS = {"appeal": _appeal, "sanction": _sanction, "offer": _offer, "contract": _contract,
              "deliver": _deliver, "visit": _visit, "approve": _approve}


# --- the whole article ---------------------------------------------------------------------

def link_article(ctx: Context, proposals: list[Proposal], sentences: list[Sentence], known_deals) -> list[Proposal]:
    """What needs the whole article: the response an offer has had, the deal a delivery is
    under, and one node for an event that several sentences state (merged evidence)."""
    merged: list[Proposal] = []
    for p in proposals:
        twin = next((q for q in merged if _same(q, p)), None)
        if twin is not None:
            for ev in p.evidence:
                if ev.sentence not in [e.sentence for e in twin.evidence]:
                    twin.evidence.append(ev)
            for prop, o in p.roles:
                if prop not in [r for r, _ in twin.roles]:
                    twin.add(prop, o)
            continue
        merged.append(p)
    # an offer's response status, as the article states it
    for s in sentences:
        for t in s.triggers:
            if t.key != "unanswered" or not re.search(r"\boffers?\b", s.text):
                continue
            who = {n for m in s.known() for n in m.nodes}
            for p in merged:
                if p.cls == DKG.Offer and set(p.values(DKG.offeree)) & who and not p.values(DKG.responseStatus):
                    p.add(DKG.responseStatus, DKG.NotYetAnswered)
                    spans = [(t.start, t.end)] + [(m.start, m.end) for m in s.known() if set(m.nodes) & who]
                    ev = _quote(s, spans)
                    h = s.cues_of("hedge")
                    if h:
                        ev = _quote(s, spans + [(h[0].start, h[0].end)])
                        ev.hedge = h[0].text
                    p.evidence.append(ev)
                    p.notes.append(f"not yet answered: {s.id} '{ev.quote}'")
    for p in merged:
        if p.cls == DKG.Offer and not p.values(DKG.responseStatus):
            p.missing.append("responseStatus (the article does not say whether the offer was answered)")
        if p.cls == DKG.DeliveryStart:
            deals = [q.node for q in merged if q.cls in (DKG.ArmsContract, DKG.ArmsDeal)
                     and p.pending["system"] in q.values(DKG.system) and p.pending["buyer"] in q.values(DKG.buyer)]
            deals += [d for d, buyers, systems in known_deals
                      if p.pending["system"] in systems and p.pending["buyer"] in buyers]
            deals = sorted(set(deals))
            if len(deals) == 1:
                p.add(DKG.deliveryUnder, deals[0])
            else:
                p.missing.append(f"deliveryUnder ({'no' if not deals else len(deals)} deal(s) with that buyer and system)")
    return merged


def _same(a: Proposal, b: Proposal) -> bool:
    """*b* restates *a*: same class, and b's roles agree with a's where both have them, with at
    least one shared node-valued role."""
    if a.cls != b.cls or a.cls in (DKG.Statement, DKG.Stance, None):
        return False
    shared = 0
    for prop, o in b.roles:
        mine = a.values(prop)
        if not isinstance(o, URIRef) or prop == DKG.timePrecision:
            if prop == DKG.urgedAction and mine and all(str(o).split()[:1] != str(x).split()[:1] for x in mine):
                return False  # two appeals to one party, urging two things
            continue
        if mine and o not in mine:
            return False
        if o in mine and isinstance(o, URIRef):
            shared += 1
    return shared >= 2 or (shared >= 1 and len([r for r in b.roles if isinstance(r[1], URIRef)]) == 1)


def required_roles(shapes, cls: URIRef) -> list[URIRef]:
    """The paths the SHACL shapes require (sh:minCount ≥ 1) of a node of *cls* (plain properties only)."""
    from rdflib.namespace import SH

    out = []
    for shape in shapes.subjects(SH.targetClass, cls):
        for prop in shapes.objects(shape, SH.property):
            path, mn = shapes.value(prop, SH.path), shapes.value(prop, SH.minCount)
            if isinstance(path, URIRef) and mn is not None and int(mn) >= 1:
                out.append(path)
    return out


def check_complete(shapes, proposals: list[Proposal]) -> None:
    """Mark what each proposal lacks of what the shapes require of its class."""
    for p in proposals:
        if p.cls is None:
            continue
        for path in required_roles(shapes, p.cls):
            if not p.values(path) and not any(path.endswith(m.split(" ")[0]) for m in p.missing):
                p.missing.append(path.rsplit("#", 1)[-1])
        if p.cls in (DKG.Sanction,) and not (p.values(DKG.statedTime) or p.values(DKG.inferredTime)):
            p.missing.append("time (statedTime or inferredTime)")
        for prop, o in p.roles:
            if isinstance(o, URIRef) and o.startswith(str(DKGR)) and "-entity-" in str(o):
                p.notes.append(f"names the candidate entity {o.rsplit('/', 1)[-1]}")

