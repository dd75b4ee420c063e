"""A synthetic defence graph with the shape of the real one, for tests and benchmarks.

``kg synth --articles N --seed S -o FILE`` writes N-Quads into the asserted and provenance
named graphs, exactly as the compiler does for a real article, and, for every fourth article, a
cited source's graph (``graph/source/<slug>``) as the compiler does for ``sources/<slug>``: every fact node carries
``dkg:evidence`` annotations whose ``oa:TextQuoteSelector`` and ``oa:TextPositionSelector``
point at the exact words of a sentence of the (generated) article text, and the article's
paragraphs and sentences are indexed with their offsets by the same splitter
(:func:`kg.sources.text.index_text`).

The world is fixed by the seed: about 200 states, 500 defence systems made by a few dozen
exporting states, sanctions laws that target some of them, alliances with their
memberships, agencies, officials and outlets. Each article then reports contracts, deals,
offers (with their response status), appeals, statements, sanctions, conditional threats,
agreement signings and alliance memberships among them, with a skewed (Zipf-like) choice of
actors, so some states and systems are in many facts and most in few. As in a hand-written fact
file, a state, system or law is quoted once per article that mentions it, so the evidence per
described node (about 1.4) and the share of facts among the triples are close to the real
article's. One article makes
about 2,000 triples once the world is introduced (the real one makes 2,300); the same seed always gives the same bytes.

The source model: the cited source of an article is a government statement (published by a
ministry, so an official source) or another outlet's news report, graded on the Admiralty
scale, with a title, URL, date of issue and the date read. It restates one to three of the
article's contracts and sanctions in its own graph, dated to the month or the day inside the
article's year (a corroboration), or, for about one in five, with another quantity or another
year (a contested claim), each fact tied to it by a citation with a locator ("para 2").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import KgError
from kg.core.iris import DCTERMS as DCT
from kg.core.iris import (DKGV, GRAPH_ASSERTED, GRAPH_PROVENANCE, PROV, RDF, RDFS, SCHEMA, SOURCE_GRAPH, SOURCE_RESOURCE,
                         TIME, XSD)
from kg.core.iris import RESOURCE as DKGR
from kg.core.iris import VOCAB as DKG
from kg.core.terms import iri_text, literal_text
from kg.sources.evidence import Iri, citation_annotation, quote_annotation, stable_iri
from kg.sources.text import index_text

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
#: Distinct triples (asserted, provenance and the cited sources' graphs) that N articles make
#: with seed 0, measured. The first articles also introduce the world (states, systems, laws),
#: so the count is not proportional to N at first; past 100 articles each adds about 2,000 (8 of
#: them the article's grade, counted exactly), and every SOURCE_EVERY-th about 60 more for its
#: cited source.
SIZE_TABLE = ((1, 2893), (2, 5493), (4, 10540), (10, 23546), (20, 45753), (40, 87038), (100, 208000),
              (200, 410723), (400, 809784), (700, 1419917))

_SYLLABLES = ("al", "ba", "cor", "da", "el", "fen", "gar", "hal", "is", "jor", "kar", "lun", "mar", "nor",
              "os", "pel", "quin", "ros", "sul", "tar", "ul", "ven", "wes", "xan", "yor", "zan", "bri", "dra")
_SYSTEM_CLASSES = ("AirAndMissileDefenceSystem", "FighterAircraft", "ArmedDrone", "MilitaryAircraft")
_SYSTEM_WORDS = {"AirAndMissileDefenceSystem": "air defence system", "FighterAircraft": "fighter jet",
                 "ArmedDrone": "armed drone", "MilitaryAircraft": "military aircraft"}
_STATUSES = ("NotYetAnswered", "Accepted", "Declined")
_REAL_STATES = (("UnitedStates", "United States"), ("Russia", "Russia"), ("India", "India"), ("Turkey", "Turkey"),
                ("China", "China"))
#: (slug, name, class, index of the origin state)
_REAL_SYSTEMS = (("S-400", "S-400", "AirAndMissileDefenceSystem", 1), ("THAAD", "THAAD", "AirAndMissileDefenceSystem", 0),
                 ("PAC-3", "PAC-3", "AirAndMissileDefenceSystem", 0), ("F-35", "F-35", "FighterAircraft", 0))


def _iri(x: str) -> str:
    return iri_text(x)


def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal in N-Triples syntax, written by the one term writer's escaping."""
    if lang:
        return f"{literal_text(value)}@{lang}"
    if datatype:
        return f"{literal_text(value)}^^<{datatype}>"
    return literal_text(value)


def _year_facts(year: int) -> list[tuple[str, str]]:
    """A time stated to the year: the value as written, the instants it spans (end exclusive), the unit."""
    return [(DKG + "statedTime", _lit(str(year))),
            (DKG + "timeStart", _lit(f"{year:04d}-01-01T00:00:00Z", XSD + "dateTime")),
            (DKG + "timeEnd", _lit(f"{year + 1:04d}-01-01T00:00:00Z", XSD + "dateTime")),
            (DKG + "timePrecision", _iri(TIME + "unitYear"))]


def _day_facts(year: int, month: int, day: int | None) -> list[tuple[str, str]]:
    """A time stated to the month (*day* None) or to the day, as :func:`_year_facts` does for a year."""
    if day is None:
        end = (year + 1, 1) if month == 12 else (year, month + 1)
        return [(DKG + "statedTime", _lit(f"{year:04d}-{month:02d}")),
                (DKG + "timeStart", _lit(f"{year:04d}-{month:02d}-01T00:00:00Z", XSD + "dateTime")),
                (DKG + "timeEnd", _lit(f"{end[0]:04d}-{end[1]:02d}-01T00:00:00Z", XSD + "dateTime")),
                (DKG + "timePrecision", _iri(TIME + "unitMonth"))]
    nxt = dt.date(year, month, day) + dt.timedelta(days=1)
    return [(DKG + "statedTime", _lit(f"{year:04d}-{month:02d}-{day:02d}")),
            (DKG + "timeStart", _lit(f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z", XSD + "dateTime")),
            (DKG + "timeEnd", _lit(f"{nxt.isoformat()}T00:00:00Z", XSD + "dateTime")),
            (DKG + "timePrecision", _iri(TIME + "unitDay"))]


def _stable(kind: str, *parts: object) -> str:
    return stable_iri(kind, *parts)


@dataclass
class Entity:
    iri: str
    name: str
    cls: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (predicate IRI, object in N-Triples)


@dataclass
class World:
    states: list[Entity]
    systems: list[Entity]
    origin: dict[str, Entity]
    laws: list[Entity]
    law_targets: dict[str, list[Entity]]
    alliances: list[Entity]
    agencies: dict[str, Entity]
    officials: dict[str, Entity]
    posts: dict[str, Entity]
    outlets: list[Entity]
    exporters: list[Entity]
    law_enactor: dict[str, Entity] = field(default_factory=dict)
    by_iri: dict[str, Entity] = field(default_factory=dict)


def _names(rng: random.Random, n: int, parts: int, suffix: str = "") -> list[str]:
    seen, out = set(), []
    while len(out) < n:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize() + suffix
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def make_world(rng: random.Random, states: int = 200, systems: int = 500) -> World:
    st = [Entity(f"{DKGR}synth-state-{i:03d}", n, "State") for i, n in enumerate(_names(rng, states, 3, "ia"))]
    # the few actors the competency questions name are real, so the questions have answers at scale
    for e, (slug, name) in zip(st, _REAL_STATES):
        e.iri, e.name = DKGR + slug, name
    exporters = st[:max(3, states // 8)]
    syss, origin = [], {}
    for i in range(systems):
        cls = _SYSTEM_CLASSES[rng.randrange(len(_SYSTEM_CLASSES))]
        name = f"{rng.choice('KMRTSVZ')}{rng.choice('ABDGHLX')}-{100 + i}"
        e = Entity(f"{DKGR}synth-system-{i:03d}", name, cls)
        o = exporters[min(int(rng.paretovariate(1.2)) - 1, len(exporters) - 1)]
        if i < len(_REAL_SYSTEMS):
            (slug, e.name, e.cls, o_index) = _REAL_SYSTEMS[i]
            e.iri, o = DKGR + slug, st[o_index]
        origin[e.iri] = o
        e.facts.append((DKG + "originState", _iri(o.iri)))
        syss.append(e)
    enactors = st[:10]
    laws, law_targets, law_enactor = [], {}, {}
    for i, acr in enumerate(_names(rng, 20, 2)):
        acr = acr.upper()[:6] + "A"
        e = Entity(f"{DKGR}synth-law-{i:02d}", acr, "Law")
        targets = rng.sample(exporters, rng.randint(1, 3))
        if i == 0:  # CAATSA: a US law aimed at Russia
            e.iri, e.name, acr, targets = DKGR + "CAATSA", "CAATSA", "CAATSA", [st[1]]
        law_targets[e.iri] = targets
        e.facts.append((DKG + "acronym", _lit(acr)))
        law_enactor[e.iri] = st[0] if i == 0 else rng.choice(enactors)
        e.facts.append((DKG + "enactedBy", _iri(law_enactor[e.iri].iri)))
        for t in targets:
            e.facts.append((DKG + "targetsState", _iri(t.iri)))
        e.facts.append((DKG + "aim", _lit(f"punishing {', '.join(t.name for t in targets)}")))
        laws.append(e)
    alliances = [Entity(f"{DKGR}synth-alliance-{i}", n, "MilitaryAlliance")
                 for i, n in enumerate(_names(rng, 8, 2, " Pact"))]
    agencies, officials, posts = {}, {}, {}
    for i, s in enumerate(st):
        ag = Entity(f"{DKGR}synth-agency-{i:03d}", f"{s.name} Defence Procurement Agency",
                    "MilitaryAgency" if i % 2 else "GovernmentAgency")
        ag.facts.append((DKG + "agencyOf", _iri(s.iri)))
        agencies[s.iri] = ag
        post = Entity(f"{DKGR}synth-post-{i:03d}", f"Foreign Minister of {s.name}", "Post")
        post.facts.append((DKG + "postIn", _iri(s.iri)))
        posts[s.iri] = post
        person = Entity(f"{DKGR}synth-person-{i:03d}", " ".join(_names(rng, 2, 2)), "Person")
        person.facts.append((DKG + "holdsPost", _iri(post.iri)))
        officials[s.iri] = person
    outlets = [Entity(f"{DKGR}synth-outlet-{i:02d}", f"The {n} Herald", "NewsOutlet")
               for i, n in enumerate(_names(rng, 30, 2))]
    world = World(st, syss, origin, laws, law_targets, alliances, agencies, officials, posts, outlets, exporters,
                  law_enactor)
    for group in (st, syss, laws, alliances, agencies.values(), officials.values(), posts.values()):
        for e in group:
            world.by_iri[e.iri] = e
    return world


def _zipf(rng: random.Random, items: list):
    return items[min(int(rng.paretovariate(0.9)) - 1, len(items) - 1)]


class _Article:
    """One synthetic article: its sentences, and the facts each sentence states."""

    def __init__(self, number: int, world: World, rng: random.Random, introduced: set[str]):
        self.slug = f"synth-{number:06d}"
        self.iri = f"{DKGR}article/{self.slug}"
        self.world = world
        self.rng = rng
        self.year = rng.randint(2000, 2025)
        self.outlet = rng.choice(world.outlets)
        self.paragraphs: list[list[tuple[str, list]]] = []  # [[(sentence, [(node, quote, asserted_by)])]]
        self.nodes: dict[str, Entity] = {}
        self.introduced = introduced
        self._n = 0

    def node(self, kind: str, label: str, cls: str) -> Entity:
        self._n += 1
        e = Entity(f"{DKGR}{kind}-{self.slug}-{self._n:03d}", label, cls)
        self.nodes[e.iri] = e
        return e

    def write_paragraphs(self, count: int) -> None:
        for _ in range(count):
            para = []
            for _ in range(self.rng.randint(2, 4)):
                sentence = self.rng.choice(self._makers)(self)
                para.append(sentence)
                self._introduce(sentence[1], para)
            self.paragraphs.append(para)

    def _introduce(self, claims, para) -> None:
        """Introduce, in sentences of their own, the world entities that have no evidence yet.

        Every node the facts point at gets evidence quoting its name somewhere in the file,
        as the shapes ask of every agent, system, law, post and alliance.
        """
        w = self.world
        todo = [e for e, _, _ in claims]
        while todo:
            e = todo.pop(0)
            refs = [w.by_iri[o[1:-1]] for _, o in e.facts if o.startswith("<") and o[1:-1] in w.by_iri]
            for ref in [e] + refs:
                if ref.iri in w.by_iri and ref.iri not in self.introduced:
                    self.introduced.add(ref.iri)
                    sentence = self._intro(ref)
                    para.append(sentence)
                    todo.extend(x for x, _, _ in sentence[1])

    def _intro(self, e: Entity):
        w = self.world
        if e.cls == "State":
            return f"{e.name} is a sovereign state.", [(e, e.name, None)]
        if e.iri in w.origin:
            origin = w.origin[e.iri]
            clause = f"{e.name} is a {_SYSTEM_WORDS[e.cls]} built by {origin.name}"
            return f"The {clause}.", [(e, clause, None), (origin, origin.name, None)]
        if e.iri in w.law_targets:
            enactor, targets = w.law_enactor[e.iri], w.law_targets[e.iri]
            names = " and ".join(t.name for t in targets)
            clause = f"{e.name} is a law of {enactor.name} aimed at punishing {names}"
            return f"{clause}.", [(e, clause, None), (enactor, enactor.name, None)] + [(t, t.name, None) for t in targets]
        if e.cls == "Person":
            post = w.by_iri[e.facts[0][1][1:-1]]
            clause = f"{e.name} is the {post.name}"
            return f"{clause}.", [(e, clause, None), (post, post.name, None)]
        if e.cls == "Post":
            state = w.by_iri[e.facts[0][1][1:-1]]
            return f"The {e.name} is a senior office.", [(e, e.name, None), (state, state.name, None)]
        if e.cls in ("MilitaryAgency", "GovernmentAgency"):
            state = w.by_iri[e.facts[0][1][1:-1]]
            return f"The {e.name} buys arms.", [(e, e.name, None), (state, state.name, None)]
        return f"The {e.name} is a military alliance.", [(e, e.name, None)]

    # --- sentence makers: each returns (text, [(entity, quote, asserted_by or None)]) --------

    def _contract(self):
        w, r = self.world, self.rng
        buyer_state = _zipf(r, w.states)
        buyer = w.agencies[buyer_state.iri] if r.random() < 0.2 else buyer_state
        system = _zipf(r, w.systems)
        seller = w.origin[system.iri]
        q = r.randint(2, 60)
        year = r.randint(1995, self.year)
        signed = r.random() < 0.7
        deal = self.node("contract" if signed else "deal", f"{buyer.name} deal for {system.name} ({self.slug})",
                         "ArmsContract" if signed else "ArmsDeal")
        deal.facts += [(DKG + "buyer", _iri(buyer.iri)), (DKG + "seller", _iri(seller.iri)),
                       (DKG + "system", _iri(system.iri)),
                       (DKG + "quantity", _lit(str(q), XSD + "positiveInteger")),
                       *_year_facts(year)]
        self.last_deal = (deal, buyer, system)
        verb = "signed a contract with" if signed else "is in talks with"
        clause = f"{buyer.name} {verb} {seller.name} for {q} {system.name} units"
        text = f"{clause} in {year}, officials said."
        return text, [(deal, clause, None), (buyer, buyer.name, None), (seller, seller.name, None),
                      (system, system.name, None)]

    def _system(self):
        w, r = self.world, self.rng
        system = _zipf(r, w.systems)
        origin = w.origin[system.iri]
        word = _SYSTEM_WORDS[system.cls]
        text = f"The {system.name} is a {word} built by {origin.name}."
        return text, [(system, f"{system.name} is a {word} built by {origin.name}", None), (origin, origin.name, None)]

    def _law(self):
        w, r = self.world, self.rng
        law = r.choice(w.laws)
        targets = w.law_targets[law.iri]
        names = " and ".join(t.name for t in targets)
        text = f"{law.name} is a law aimed at punishing {names} for its arms exports."
        return text, [(law, f"{law.name} is a law aimed at punishing {names}", None)] + [(t, t.name, None) for t in targets]

    def _offer(self):
        w, r = self.world, self.rng
        offeror = _zipf(r, w.exporters)
        offeree = _zipf(r, w.states)
        item = r.choice([s for s in w.systems[:120] if w.origin[s.iri] is offeror] or w.systems[:5])
        alt = _zipf(r, w.systems)
        status = _STATUSES[r.randrange(3)]
        offer = self.node("offer", f"offer of {item.name} to {offeree.name} ({self.slug})", "Offer")
        offer.facts += [(DKG + "offeror", _iri(offeror.iri)), (DKG + "offeree", _iri(offeree.iri)),
                        (DKG + "offeredItem", _iri(item.iri)), (DKG + "alternativeTo", _iri(alt.iri)),
                        (DKG + "responseStatus", _iri(DKG + status))]
        clause = f"{offeror.name} has offered {offeree.name} the {item.name} as an alternative to the {alt.name}"
        answer = {"NotYetAnswered": "has not responded yet", "Accepted": "has accepted", "Declined": "has declined"}[status]
        text = f"{clause}, and {offeree.name} {answer}."
        return text, [(offer, clause, None), (offer, f"{offeree.name} {answer}", None), (item, item.name, None)]

    def _appeal(self):
        w, r = self.world, self.rng
        law = r.choice(w.laws)
        appellant = w.states[min(int(r.paretovariate(1.5)) - 1, 9)]
        addressees = list({_zipf(r, w.states).iri: None for _ in range(r.randint(1, 3))})
        by_iri = {s.iri: s for s in w.states}
        target = w.law_targets[law.iri][0]
        appeal = self.node("appeal", f"{appellant.name} call to forgo transactions with {target.name} ({self.slug})", "Appeal")
        appeal.facts += [(DKG + "appellant", _iri(appellant.iri)), (DKG + "forgoTransactionsWith", _iri(target.iri)),
                         (DKG + "citesRiskUnder", _iri(law.iri)),
                         (DKG + "urgedAction", _lit(f"forgo transactions with {target.name}"))]
        appeal.facts += [(DKG + "addressee", _iri(a)) for a in addressees]
        names = " and ".join(by_iri[a].name for a in addressees)
        clause = f"{appellant.name} urged {names} to forgo transactions with {target.name}"
        text = f"{clause} that risk triggering sanctions under {law.name}."
        return text, [(appeal, clause, None), (appeal, f"sanctions under {law.name}", None), (law, law.name, None)]

    def _statement(self):
        w, r = self.world, self.rng
        state = _zipf(r, w.states)
        person, post = w.officials[state.iri], w.posts[state.iri]
        topic = _zipf(r, w.systems)
        quote = f"We will decide on the {topic.name} in our own national interest"
        st = self.node("statement", f"{person.name} on the {topic.name} ({self.slug})", "Statement")
        st.facts += [(DKG + "speaker", _iri(person.iri)), (DKG + "quote", _lit(quote)),
                     (DKG + "concernsSystem", _iri(topic.iri))]
        text = f"“{quote},” said {person.name}, {post.name}."
        return text, [(st, f"“{quote},” said {person.name}", person), (person, person.name, None),
                      (post, post.name, None), (state, state.name, None)]

    def _sanction(self):
        w, r = self.world, self.rng
        law = r.choice(w.laws)
        target_state = _zipf(r, w.states)
        agency = w.agencies[target_state.iri]
        year = r.randint(2017, self.year) if self.year >= 2017 else self.year
        sanction = self.node("sanction", f"sanction on {agency.name} under {law.name} ({self.slug})", "Sanction")
        sanction.facts += [(DKG + "sanctionTarget", _iri(agency.iri)), (DKG + "underLaw", _iri(law.iri)),
                           *_year_facts(year)]
        clause = f"{agency.name} was sanctioned under {law.name} in {year}"
        return f"The {clause}.", [(sanction, clause, None), (agency, agency.name, None)]

    def _threat(self):
        w, r = self.world, self.rng
        if not getattr(self, "last_deal", None):
            return self._contract()
        deal, buyer, system = self.last_deal
        threatener = w.states[min(int(r.paretovariate(1.5)) - 1, 9)]
        denied = _zipf(r, w.systems)
        th = self.node("threat", f"{threatener.name} warning to {buyer.name} ({self.slug})", "ConditionalThreat")
        th.facts += [(DKG + "threatener", _iri(threatener.iri)), (DKG + "threatenedParty", _iri(buyer.iri)),
                     (DKG + "deniedSystem", _iri(denied.iri)), (DKG + "condition", _iri(deal.iri))]
        clause = f"{threatener.name} warned {buyer.name} it would be denied the {denied.name}"
        text = f"{clause} if it went ahead with the {system.name} purchase."
        return text, [(th, clause, None), (th, f"if it went ahead with the {system.name} purchase", None)]

    def _agreement(self):
        w, r = self.world, self.rng
        a, b = _zipf(r, w.states), _zipf(r, w.states)
        if a is b:
            b = w.states[(w.states.index(a) + 1) % len(w.states)]
        name = f"{a.name}–{b.name} Logistics Agreement"
        agr = Entity(_stable("synth-agreement", a.iri, b.iri), name, "DefenceAgreement")
        agr.facts += [(DKG + "party", _iri(a.iri)), (DKG + "party", _iri(b.iri))]
        sig = self.node("signing", f"signing of the {name} ({self.slug})", "AgreementSigning")
        sig.facts += [(DKG + "signedAgreement", _iri(agr.iri)), (DKG + "takenBy", _iri(a.iri))]
        clause = f"{a.name} and {b.name} signed the {name}"
        return f"{clause} last year.", [(sig, clause, None), (agr, name, None)]

    def _membership(self):
        w, r = self.world, self.rng
        state = _zipf(r, w.states)
        alliance = w.alliances[w.states.index(state) % len(w.alliances)]
        m = Entity(_stable("synth-membership", state.iri, alliance.iri), f"{state.name} in {alliance.name}",
                   "AllianceMembership")
        m.facts += [(DKG + "memberState", _iri(state.iri)), (DKG + "alliance", _iri(alliance.iri))]
        clause = f"{state.name}, a member of the {alliance.name}"
        return f"{clause}, said little.", [(m, clause, None), (alliance, alliance.name, None)]

    _makers = (_contract, _contract, _contract, _system, _law, _offer, _offer, _appeal, _statement, _statement,
               _sanction, _threat, _agreement, _membership)


class _Writer:
    def __init__(self, out, fmt: str = "nquads"):
        self.out = out
        self.trig = fmt == "trig"
        self.graph: str | None = None  # TriG: the graph block now open
        self.count = 0
        self.described: set[str] = set()

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        if self.trig:  # N-Triples terms are TriG terms; one block per run of quads in a graph
            if g != self.graph:
                self.out.write(("}\n" if self.graph is not None else "") + f"<{g}> {{\n")
                self.graph = g
            self.out.write(f"<{s}> <{p}> {o} .\n")
        else:
            self.out.write(f"<{s}> <{p}> {o} <{g}> .\n")
        self.count += 1

    def close(self) -> None:
        if self.graph is not None:
            self.out.write("}\n")
            self.graph = None

    def describe(self, e: Entity, g: str = GRAPH_ASSERTED) -> None:
        """An entity's own triples, once per file (later mentions only add evidence)."""
        if e.iri in self.described:
            return
        self.described.add(e.iri)
        self.quad(e.iri, RDF_TYPE, _iri(DKG + e.cls), g)
        self.quad(e.iri, RDFS_LABEL, _lit(e.name, lang="en"), g)
        for p, o in e.facts:
            self.quad(e.iri, p, o, g)


def _emit_article(art: _Article, w: _Writer) -> None:
    paragraphs = ["  ".join(text for text, _ in para) for para in art.paragraphs]
    text = "\n\n".join(paragraphs) + "\n"
    index = index_text(text)
    sentence_texts = [t for para in art.paragraphs for t, _ in para]
    if len(index.sentences) != len(sentence_texts):
        raise AssertionError(f"{art.slug}: generated {len(sentence_texts)} sentences, splitter found {len(index.sentences)}")
    P = GRAPH_PROVENANCE
    a = art.iri
    outlet = art.outlet
    w.describe(outlet, P)
    title = f"Arms deals and pressure, report {art.slug}"
    for p, o in ((RDF_TYPE, _iri(DKG + "NewsArticle")), (RDF_TYPE, _iri(PROV + "Entity")),
                 (RDF_TYPE, _iri(SCHEMA + "NewsArticle")), (RDFS_LABEL, _lit(title, lang="en")),
                 (DCT + "title", _lit(title, lang="en")),
                 (DCT + "date", _lit(f"{art.year}-{art.rng.randint(1, 12):02d}", XSD + "gYearMonth")),
                 (DCT + "language", _lit("en")), (DCT + "publisher", _iri(outlet.iri)),
                 (DKG + "outletConfirmed", _lit("true", XSD + "boolean")),
                 (DKG + "textFile", _lit(f"synthetic/{art.slug}.txt")),
                 (DKG + "sha256", _lit(hashlib.sha256(text.encode("utf-8")).hexdigest())),
                 (DKG + "sourceKind", _iri(DKGV + "kind-news-report")), (DKG + "grading", _iri(f"{a}#grading"))):
        w.quad(a, p, o, P)
    # every source is graded (source-without-grade-violation); a synthetic report: C3, fixed, no draw
    grading = f"{a}#grading"
    for p, o in ((RDF_TYPE, _iri(DKG + "SourceGrading")), (RDFS_LABEL, _lit(f"grading of {art.slug}: C3", lang="en")),
                 (DKG + "sourceReliability", _iri(DKGV + "reliability-C")),
                 (DKG + "informationCredibility", _iri(DKGV + "credibility-3")),
                 (PROV + "wasAttributedTo", _iri(DKGR + "defence-kg-curators")),
                 (DKG + "gradedOn", _lit("2026-12-01", XSD + "date"))):
        w.quad(grading, p, o, P)
    seg = lambda sid: f"{a}#{sid}"  # noqa: E731
    for segs, cls, link in ((index.paragraphs, "Paragraph", "hasParagraph"), (index.sentences, "Sentence", "hasSentence")):
        for sg in segs:
            node = seg(sg.id)
            w.quad(a, DKG + link, _iri(node), P)
            w.quad(node, RDF_TYPE, _iri(DKG + cls), P)
            w.quad(node, RDFS_LABEL, _lit(f"{art.slug} {sg.id}"), P)
            w.quad(node, DKG + "position", _lit(str(sg.position), XSD + "positiveInteger"), P)
            w.quad(node, DKG + "startOffset", _lit(str(sg.start), XSD + "nonNegativeInteger"), P)
            w.quad(node, DKG + "endOffset", _lit(str(sg.end), XSD + "nonNegativeInteger"), P)
            w.quad(node, DKG + "text", _lit(sg.text), P)
    for sid, pid in index.paragraph_of.items():
        w.quad(seg(pid), DKG + "hasSentence", _iri(seg(sid)), P)

    claims = [c for para in art.paragraphs for _, c in para]
    seen = set()
    evidenced = set()  # world entities (states, systems, laws...) quoted once per article, as a reporter's
    for sg, sentence_claims in zip(index.sentences, claims):  # fact file would: about 1.4 evidence per node
        for entity, quote, speaker in sentence_claims:
            w.describe(entity)
            if entity.iri in art.world.by_iri:
                if entity.iri in evidenced:
                    continue
                evidenced.add(entity.iri)
            key = (entity.iri, sg.id, quote)
            if key in seen:
                continue
            seen.add(key)
            hit = sg.text.find(quote)
            if hit < 0:
                raise AssertionError(f"{art.slug} {sg.id}: quote {quote!r} not in {sg.text!r}")
            start = sg.start + hit
            end = start + len(quote)
            derived = (entity.iri, sg.id) not in seen
            seen.add((entity.iri, sg.id))
            if speaker is not None:
                w.describe(speaker)
            mode = DKG + ("DirectQuote" if speaker else "NarrativeVoice")
            for s, p, o in quote_annotation(entity.iri, seg(sg.id), a, text, start, end, (speaker or outlet).iri,
                                            mode, derived=derived):
                w.quad(s, p, _iri(o.value) if isinstance(o, Iri) else _lit(o.value, o.datatype, o.lang), P)


#: One article in SOURCE_EVERY is followed by a cited source that restates some of its contracts
#: and sanctions, in its own named graph, with a citation (a locator) per fact: the source model of
#: the real graph (sources/), so that the benchmark covers it.
SOURCE_EVERY = 4
#: Of the facts a cited source restates, the share it gives a different quantity or year for: a
#: contested claim (where-sources-disagree). The others it corroborates, dated to the month or day.
CONTESTED_SHARE = 0.2
_RELIABILITY = "AABBBCCCDEF"  # Admiralty reliability, skewed to the usual sources
_CREDIBILITY = "1222333456"


def _emit_cited_source(art: _Article, w: _Writer, rng: random.Random, ministries: dict[str, Entity]) -> None:
    """A cited source (a government statement or another outlet's report) on *art*'s contracts and
    sanctions: its description and grading in the provenance graph, its facts in its own graph,
    each fact tied to it by a citation with a locator, as the compiler does for ``sources/<slug>``."""
    events = [e for e in art.nodes.values() if e.cls in ("ArmsContract", "Sanction")]
    if not events:
        return
    P = GRAPH_PROVENANCE
    slug = f"{art.slug}-cited"
    src = SOURCE_RESOURCE + slug
    graph = SOURCE_GRAPH + slug
    official = rng.random() < 0.4
    if official:  # an official source: a government agency of one of the first (most active) states
        state = art.world.states[rng.randrange(0, 20)]
        publisher = ministries.get(state.iri)
        if publisher is None:
            publisher = ministries[state.iri] = Entity(f"{DKGR}synth-ministry-{art.world.states.index(state):03d}",
                                                       f"Ministry of Defence of {state.name}", "GovernmentAgency")
            w.quad(publisher.iri, RDF_TYPE, _iri(DKG + "GovernmentAgency"), P)
            w.quad(publisher.iri, RDFS_LABEL, _lit(publisher.name, lang="en"), P)
        kind = "kind-government-statement"
    else:
        publisher = rng.choice([o for o in art.world.outlets if o is not art.outlet])
        w.describe(publisher, P)
        kind = "kind-news-report"
    issued = f"{art.year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    title = f"{'Statement' if official else 'Report'} on arms deals and sanctions ({slug})"
    grade = rng.choice(_RELIABILITY) + rng.choice(_CREDIBILITY)
    for p, o in ((RDF_TYPE, _iri(DKG + "CitedSource")), (RDFS_LABEL, _lit(title, lang="en")),
                 (DKG + "sourceKind", _iri(DKGV + kind)), (DCT + "title", _lit(title, lang="en")),
                 (DCT + "publisher", _iri(publisher.iri)), (DCT + "issued", _lit(issued, XSD + "date")),
                 (SCHEMA + "url", _lit(f"https://example.org/synthetic/{slug}", XSD + "anyURI")),
                 (DKG + "retrieved", _lit("2026-12-01", XSD + "date")), (DCT + "language", _lit("en")),
                 (DKG + "grading", _iri(f"{src}#grading"))):
        w.quad(src, p, o, P)
    w.quad(src, DKG + "factsGraph", _iri(graph), P)  # which graph holds its facts (kg.sources.cited)
    for p, o in ((RDF_TYPE, _iri(DKG + "SourceGrading")), (RDFS_LABEL, _lit(f"grading of {slug}: {grade}", lang="en")),
                 (DKG + "sourceReliability", _iri(DKGV + "reliability-" + grade[0])),
                 (DKG + "informationCredibility", _iri(DKGV + "credibility-" + grade[1])),
                 (PROV + "wasAttributedTo", _iri(DKGR + "defence-kg-curators")),
                 (DKG + "gradedOn", _lit("2026-12-01", XSD + "date"))):
        w.quad(f"{src}#grading", p, o, P)
    chosen = rng.sample(events, min(len(events), rng.randint(1, 3)))
    for para, e in enumerate(sorted(chosen, key=lambda x: x.iri), start=1):
        facts = dict(e.facts)  # one value per property in a synthetic node
        year = int(facts[DKG + "statedTime"][1:5])
        contested = rng.random() < CONTESTED_SHARE
        roles = [(p, o) for p, o in e.facts if p in (DKG + "buyer", DKG + "seller", DKG + "system",
                                                      DKG + "sanctionTarget", DKG + "underLaw")]
        if DKG + "quantity" in facts:
            q = int(facts[DKG + "quantity"].split('"')[1])
            if contested and rng.random() < 0.5:  # another count: a contested quantity
                q, contested = q + rng.randint(1, 3), False
            roles.append((DKG + "quantity", _lit(str(q), XSD + "positiveInteger")))
        if contested:  # another year: disjoint intervals, a contested time
            year = year + 1
        month, day = rng.randint(1, 12), rng.choice([None, rng.randint(1, 28)])
        w.quad(e.iri, RDF_TYPE, _iri(DKG + e.cls), graph)
        for p, o in roles + _day_facts(year, month, day):
            w.quad(e.iri, p, o, graph)
        for s_, p, o in citation_annotation(e.iri, src, f"para {para}", publisher.iri, DKG + "ExternalCitation"):
            w.quad(s_, p, _iri(o.value) if isinstance(o, Iri) else _lit(o.value, o.datatype, o.lang), P)


#: what ``kg synth -o FILE`` writes, by FILE's extension: only formats that keep named graphs
OUTPUT_FORMATS = {".nq": "nquads", ".trig": "trig"}


def output_format(path: Path) -> str:
    """The format *path*'s extension names; a user error for one that cannot hold named graphs."""
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise KgError(f"{path}: give a file ending in .nq (N-Quads) or .trig (TriG); the synthetic graph is "
                      "two named graphs (asserted, provenance), which Turtle and N-Triples cannot hold")
    return fmt


def generate(out, articles: int, seed: int = 0, progress=None, fmt: str = "nquads") -> int:
    """Write *articles* synthetic articles as N-Quads (or TriG) to the text stream *out*; return the quads written."""
    if articles < 1:
        raise KgError("--articles must be at least 1")
    if fmt not in OUTPUT_FORMATS.values():
        raise KgError(f"unknown synthetic output format {fmt!r} (known: {', '.join(OUTPUT_FORMATS.values())})")
    rng = random.Random(seed)
    world = make_world(rng)
    w = _Writer(out, fmt)
    introduced: set[str] = set()
    ministries: dict[str, Entity] = {}
    for i in range(articles):
        art = _Article(i + 1, world, rng, introduced)
        art.write_paragraphs(rng.randint(9, 12))
        _emit_article(art, w)
        if (i + 1) % SOURCE_EVERY == 0:  # its own draws, so the articles are the same with or without it
            _emit_cited_source(art, w, random.Random(f"{seed}-cited-{i + 1}"), ministries)
        if progress is not None:
            progress(i + 1, articles)
    w.close()
    return w.count


def articles_for(triples: int) -> int:
    """How many synthetic articles make about *triples* asserted triples (from :data:`SIZE_TABLE`)."""
    table = SIZE_TABLE
    for (n0, t0), (n1, t1) in zip(table, table[1:]):
        if triples <= t1 or (n1, t1) == table[-1]:
            return max(1, round(n0 + (triples - t0) * (n1 - n0) / (t1 - t0)))
    return table[-1][0]


def write(path: Path, articles: int, seed: int = 0, quiet: bool = False) -> int:
    from kg.core.progress import Progress

    path = Path(path)
    fmt = output_format(path)  # before anything is written
    if articles < 1:
        raise KgError("--articles must be at least 1")
    import io

    from kg.core.rdfio import atomic_file

    bar = Progress("synth", articles, quiet=quiet)
    try:
        with atomic_file(path) as raw:  # the one atomic writer: the file appears whole, or not at all
            fh = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            n = generate(fh, articles, seed, bar.update, fmt)
            fh.flush()
            fh.detach()
    finally:
        bar.close()
    return n
