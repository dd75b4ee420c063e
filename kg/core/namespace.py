"""The project's vocabularies, in one place.

``DKG`` is our ontology as a closed :class:`rdflib.namespace.DefinedNamespace`:
``DKG.buyer`` works, ``DKG.buyr`` raises ``AttributeError`` instead of minting a
new IRI. A test keeps this list equal to the terms declared in ``ontology/``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg.core import iris
from kg.core.iris import PREFIXES

ONTOLOGY_IRI = URIRef(iris.ONTOLOGY)


class DKG(DefinedNamespace):
    """defence-kg ontology terms (https://w3id.org/defence-kg/ontology#)."""

    _NS = Namespace(iris.VOCAB)
    _fail = True

    # classes
    AccessUpgrade: URIRef
    ActorGroup: URIRef
    Administration: URIRef
    Agenda: URIRef
    Agent: URIRef
    AgreementSigning: URIRef
    AirAndMissileDefenceSystem: URIRef
    AllianceMembership: URIRef
    Appeal: URIRef
    ArmedDrone: URIRef
    ArmsBuyer: URIRef
    ArmsContract: URIRef
    ArmsDeal: URIRef
    AttributionMode: URIRef
    Briefing: URIRef
    Citation: URIRef
    CitedSource: URIRef
    ConditionalThreat: URIRef
    DefenceAgreement: URIRef
    DefenceRelationship: URIRef
    DefenceSystem: URIRef
    ElectionInterference: URIRef
    Event: URIRef
    Evidence: URIRef
    ExternalReference: URIRef
    FighterAircraft: URIRef
    Friction: URIRef
    Government: URIRef
    GovernmentAgency: URIRef
    Law: URIRef
    LegalInstrument: URIRef
    Lever: URIRef
    MilitaryAgency: URIRef
    MilitaryAircraft: URIRef
    MilitaryAlliance: URIRef
    NameDiscrepancy: URIRef
    NewsArticle: URIRef
    NewsOutlet: URIRef
    Offer: URIRef
    Organisation: URIRef
    Paragraph: URIRef
    Person: URIRef
    Place: URIRef
    Post: URIRef
    PressureCampaign: URIRef
    ProcurementInterest: URIRef
    Question: URIRef
    Relationship: URIRef
    ResponseStatus: URIRef
    SaleApproval: URIRef
    Sanction: URIRef
    SanctionedParty: URIRef
    SanctionsRiskBearer: URIRef
    SanctionsThreatLever: URIRef
    Sentence: URIRef
    Situation: URIRef
    Source: URIRef
    SourceGrading: URIRef
    Speech: URIRef
    Stance: URIRef
    State: URIRef
    Statement: URIRef
    TechnologyDenialLever: URIRef
    TextSegment: URIRef
    Topic: URIRef
    Visit: URIRef

    # controlled values (named individuals)
    Accepted: URIRef
    Declined: URIRef
    DirectQuote: URIRef
    ExternalCitation: URIRef
    NarrativeVoice: URIRef
    NotYetAnswered: URIRef
    ReportedSpeech: URIRef

    # properties
    aboutTopic: URIRef
    accessTo: URIRef
    acronym: URIRef
    addressee: URIRef
    agencyOf: URIRef
    agendaOf: URIRef
    aim: URIRef
    aimedAtGroup: URIRef
    alliance: URIRef
    alternativeTo: URIRef
    anonymous: URIRef
    appellant: URIRef
    approvedBuyer: URIRef
    approvedBy: URIRef
    approvedSystem: URIRef
    askedBy: URIRef
    assertedBy: URIRef
    attributionMode: URIRef
    audience: URIRef
    beneficiary: URIRef
    between: URIRef
    buyer: URIRef
    buyerIn: URIRef
    chiefCause: URIRef
    citationNote: URIRef
    citedBy: URIRef
    citedSource: URIRef
    citedStep: URIRef
    citesRiskUnder: URIRef
    concernsSystem: URIRef
    condition: URIRef
    conditionText: URIRef
    confidence: URIRef
    contractValue: URIRef
    correctName: URIRef
    creditedTo: URIRef
    currency: URIRef
    dateNote: URIRef
    dayOfWeek: URIRef
    deniedSystem: URIRef
    despite: URIRef
    destination: URIRef
    discrepancyOf: URIRef
    distinction: URIRef
    enactedBy: URIRef
    endOffset: URIRef
    evidence: URIRef
    exemplifies: URIRef
    expresses: URIRef
    factsGraph: URIRef
    firstNonTreatyPartner: URIRef
    forgoTransactionsWith: URIRef
    fullName: URIRef
    goal: URIRef
    governs: URIRef
    gradedOn: URIRef
    grading: URIRef
    hasAllianceMembership: URIRef
    hasParagraph: URIRef
    hasSentence: URIRef
    headedBy: URIRef
    extractionRule: URIRef
    hedge: URIRef
    holder: URIRef
    holdsPost: URIRef
    hostedBy: URIRef
    inArmouryOf: URIRef
    inResponseTo: URIRef
    includesMember: URIRef
    includesTopic: URIRef
    inferredTime: URIRef
    informationCredibility: URIRef
    leverUser: URIRef
    locator: URIRef
    matchesLevelOf: URIRef
    mentions: URIRef
    memberOfAlliance: URIRef
    memberState: URIRef
    mirroredAt: URIRef
    mostAdvancedFighterOf: URIRef
    motivatedBy: URIRef
    occasion: URIRef
    offeredItem: URIRef
    offeree: URIRef
    offeror: URIRef
    omitsTopic: URIRef
    ongoing: URIRef
    organiser: URIRef
    originState: URIRef
    outletConfirmed: URIRef
    party: URIRef
    perpetrator: URIRef
    place: URIRef
    position: URIRef
    postHeldBy: URIRef
    postIn: URIRef
    prepared: URIRef
    pressuredParty: URIRef
    pressuringParty: URIRef
    previews: URIRef
    quantity: URIRef
    quote: URIRef
    quotedName: URIRef
    reason: URIRef
    recent: URIRef
    refersTo: URIRef
    regarding: URIRef
    reiterated: URIRef
    repeats: URIRef
    responseStatus: URIRef
    reviewStatus: URIRef
    retrieved: URIRef
    risksSanctionsUnder: URIRef
    sanctionTarget: URIRef
    sanctionedBy: URIRef
    seeker: URIRef
    seeks: URIRef
    seller: URIRef
    seniority: URIRef
    sentence: URIRef
    sentenceOf: URIRef
    sha256: URIRef
    signedAgreement: URIRef
    singleValued: URIRef
    sourceKind: URIRef
    sourceReliability: URIRef
    speaker: URIRef
    stanceDescription: URIRef
    startOffset: URIRef
    statedIn: URIRef
    statedTime: URIRef
    supplier: URIRef
    system: URIRef
    takenBy: URIRef
    targetedBy: URIRef
    targetsState: URIRef
    text: URIRef
    textFile: URIRef
    threatenedParty: URIRef
    threatener: URIRef
    timeEnd: URIRef
    timePrecision: URIRef
    timeStart: URIRef
    trend: URIRef
    underLaw: URIRef
    upcoming: URIRef
    urgedAction: URIRef
    variantOf: URIRef
    victimState: URIRef
    visitor: URIRef
    worksFor: URIRef

    # ontology/cited-events.ttl: what the cited sources tell beyond the article
    addedCount: URIRef
    billNumber: URIRef
    codifiedAs: URIRef
    concernsList: URIRef
    coversTransactionsFrom: URIRef
    DeliveryStart: URIRef
    deliveryUnder: URIRef
    enactedLaw: URIRef
    Enactment: URIRef
    entryCount: URIRef
    followsThreat: URIRef
    formerName: URIRef
    identifiedWith: URIRef
    imposedBy: URIRef
    LegalProvision: URIRef
    listedOn: URIRef
    ListExpansion: URIRef
    ListPublication: URIRef
    measure: URIRef
    Meeting: URIRef
    menuSize: URIRef
    minimumSanctions: URIRef
    noLaterThan: URIRef
    participant: URIRef
    ProgrammeSuspension: URIRef
    programmeSystem: URIRef
    provisionOf: URIRef
    publicLawNumber: URIRef
    sanctionMenu: URIRef
    SanctionsList: URIRef
    sectionNumber: URIRef
    signatory: URIRef
    suspendedParty: URIRef
    suspensionCause: URIRef
    transactionScope: URIRef
    underProvision: URIRef


#: Individuals described by the articles (states, systems, fact nodes, ...).
DKGR = Namespace(iris.RESOURCE)
#: Controlled vocabularies (SKOS concepts: source kinds, the Admiralty code).
DKGV = Namespace(iris.DKGV)
#: Cited sources (``sources/<slug>``).
SRC = Namespace(iris.SOURCE_RESOURCE)
#: Named graphs of the built dataset.
GRAPH = Namespace(iris.GRAPH)
GRAPH_ONTOLOGY = GRAPH.ontology
GRAPH_ASSERTED = GRAPH.asserted
GRAPH_PROVENANCE = GRAPH.provenance
GRAPH_INFERRED = GRAPH.inferred
GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED)

OA = Namespace(iris.OA)
ORG = Namespace(iris.ORG)
SCHEMA = Namespace(iris.SCHEMA)
WD = Namespace(iris.WD)

# PREFIXES is kg.core.iris's, imported above for the modules that use it with the rest.


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on *graph* (a Graph or Dataset), replacing others."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
