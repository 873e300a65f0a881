"""Eligibility check: may an organisation apply to a program? One verdict per application condition.

The organisation describes itself in a profile (JSON, as :class:`Profile`, or RDF with one
``qi:Applicant``). The program's eligibility shapes (``shapes/eligibility-*.ttl``) are run on the
profile with pySHACL, and each application condition of the program gets a verdict:

* ``met`` — no shape that checks it reports anything;
* ``not-met`` — the profile states a fact and a shape rejects it;
* ``not-enough-information`` — a fact a shape needs is missing from the profile.

A missing fact is never "met": every eligibility shape requires its fact (``sh:minCount 1``), and a
result on a fact the profile leaves out becomes "not enough information". The criteria, their
labels, quotes, clauses and documents come from the graph, so each verdict carries the words it
rests on.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, RDFS, SH

from qigraph import catalog
from qigraph.catalog_queries import load_catalog
from qigraph.namespaces import QI, QID, sparql_prologue

MET, NOT_MET, NOT_ENOUGH = "met", "not-met", "not-enough-information"
_RANK = {MET: 0, NOT_ENOUGH: 1, NOT_MET: 2}
RDF_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/ld+json": "json-ld",
             "application/n-triples": "nt", "application/rdf+xml": "xml"}

# The sixteen districts of Shanghai: a profile saying only "浦东新区" is registered in Shanghai.
SHANGHAI_DISTRICTS = ("黄浦", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "浦东新",
                      "金山", "松江", "青浦", "奉贤", "崇明")

LEGAL_PERSON_TYPES = {"independent-legal-person": QI.IndependentLegalPerson,
                      "unincorporated-organisation": QI.UnincorporatedOrganisation,
                      "branch": QI.LegalPersonBranch}
KINDS = {"metrology-institution": QI.MetrologyInstitution, "testing-institution": QI.TestingInstitution,
         "research-institute": QI.ResearchInstitute, "university": QI.University,
         "leading-enterprise": QI.LeadingEnterprise, "enterprise": QI.Enterprise,
         "state-owned-enterprise": QI.StateOwnedEnterprise, "public-institution": QI.PublicInstitution,
         "social-organization": QI.SocialOrganization}
CONSTRUCTION = {"sole": QI.SoleConstruction, "joint-lead-agreed": QI.JointConstructionLeadAgreed,
                "joint-lead-unsettled": QI.JointConstructionLeadUnsettled, "joint-not-lead": QI.JointConstructionNotLead}
CAPABILITIES = {"metrology": QI.MetrologyService, "metrology-innovation": QI.MetrologyInnovation,
                "standards": QI.StandardsService, "certification-accreditation": QI.CertificationAccreditationService,
                "inspection-testing": QI.InspectionTestingService, "quality-management": QI.QualityManagementService}
# Yes/no declarations: JSON field -> ontology property (each defined with the clause's words).
DECLARATIONS = {"industry_support": QI.industrySupport, "industry_authority": QI.industryAuthority,
                "research_capacity": QI.researchCapacity, "construction_plan_and_support": QI.constructionPlanAndSupport,
                "industry_influence": QI.industryInfluence, "fits_regional_plan": QI.fitsRegionalPlan,
                "working_rules_and_resources": QI.workingRulesAndResources,
                "well_run_district_project": QI.wellRunDistrictProject,
                "recommended_by_district_regulator": QI.recommendedByDistrictRegulator,
                "sound_organisation": QI.soundOrganisation, "sme_service_brand": QI.smeServiceBrand,
                "leading_integrated_service": QI.leadingIntegratedService, "replicable_practices": QI.replicablePractices}
FIELD_OF = {QI.registeredIn: "registered_in", QI.legalPersonType: "legal_person_type", QI.applicantKind: "kind",
            QI.constructionArrangement: "construction", QI.applicantIndustry: "industries",
            QI.capability: "capabilities", **{p: f for f, p in DECLARATIONS.items()}}

LegalPersonType = Literal["independent-legal-person", "unincorporated-organisation", "branch"]
Kind = Literal["metrology-institution", "testing-institution", "research-institute", "university", "leading-enterprise",
               "enterprise", "state-owned-enterprise", "public-institution", "social-organization"]
Construction = Literal["sole", "joint-lead-agreed", "joint-lead-unsettled", "joint-not-lead"]
Capability = Literal["metrology", "metrology-innovation", "standards", "certification-accreditation",
                     "inspection-testing", "quality-management"]


def _declared(zh: str, en: str) -> Any:
    return Field(None, description=f"{en} (declared by the applicant) — {zh}")


class Profile(BaseModel):
    """What an organisation says about itself. Every field is optional: a field left out is
    "not enough information" for the criteria that need it, never "met"."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "上海市某某计量测试技术研究院", "registered_in": "上海市浦东新区",
        "legal_person_type": "independent-legal-person", "kind": ["metrology-institution"], "construction": "sole",
        "industries": ["集成电路"], "capabilities": ["metrology", "metrology-innovation"], "industry_influence": True}]})

    name: str | None = Field(None, description="the organisation's name")
    registered_in: str | None = Field(None, description="where it is registered, e.g. 上海市浦东新区 (a Shanghai district alone is understood)")
    legal_person_type: LegalPersonType | None = Field(None, description="independent legal person (独立法人), unincorporated organisation (非法人组织/其他组织) or branch of a legal person (分支机构)")
    kind: list[Kind] | None = Field(None, description="the kinds of organisation it is (one or several)")
    construction: Construction | None = Field(None, description="builds alone, or jointly: as lead builder with tasks and a cooperation mechanism agreed, as lead builder without them, or not as lead")
    industries: list[str] | None = Field(None, description="industries it serves: concept IRIs of qigraph's industry schemes, or names (集成电路, hydrogen…) matched to their labels")
    capabilities: list[Capability] | None = Field(None, description="service capabilities; a list given is taken as complete")
    industry_support: bool | None = _declared("申报领域有产业支撑，符合产业政策和规划，形成较高产业集聚度",
                                              "the testing field has industrial support, fits national policy and Shanghai's plans, and is well clustered")
    industry_authority: bool | None = _declared("行业内具备较高权威性，检验检测技术国内领先、国际先进",
                                                "authority in the industry; testing technology leading in China and advanced internationally")
    research_capacity: bool | None = _declared("较强科研实力和较高数字化水平，相适应的设备、试验环境和人才团队",
                                               "research strength, digital maturity, fitting equipment, facilities and team")
    construction_plan_and_support: bool | None = _declared("完善的建设规划，政府部门支持，土地、基建、资金投入满足需求",
                                                           "a complete construction plan, government support, and land, infrastructure and funding")
    industry_influence: bool | None = _declared("在产业内具有一定影响力，可集聚产业链上中下游单位",
                                                "influence in the industry; able to bring together up-, mid- and downstream organisations")
    fits_regional_plan: bool | None = _declared("符合区域产业发展规划和布局要求，拥有明确的服务对象",
                                                "fits the regional industrial plan and has clear clients")
    working_rules_and_resources: bool | None = _declared("必要的工作制度和服务流程，经费、人员、技术、场地保障",
                                                         "working rules and processes; funding, staff, technology and premises")
    well_run_district_project: bool | None = _declared("运行良好的区级项目", "a well-run, named district-level project")
    recommended_by_district_regulator: bool | None = _declared("经所在区市场监管局推荐", "recommended by its district market regulator")
    sound_organisation: bool | None = _declared("组织架构和管理制度健全，日常运行管理规范高效", "sound organisation and management; efficient operation")
    sme_service_brand: bool | None = _declared("每年稳定有效服务中小企业，形成有影响力的服务品牌", "serves SMEs steadily every year; an influential service brand")
    leading_integrated_service: bool | None = _declared("集成服务能力在所在产业（区域）全市领先", "integrated service capability leading in Shanghai")
    replicable_practices: bool | None = _declared("形成可复制推广的典型做法", "replicable practices in cooperation, technology transfer or quality improvement")

    @field_validator("kind", "industries", "capabilities", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class UnknownProgram(LookupError):
    """The program has no eligibility check; ``valid`` lists the programs that have one."""

    def __init__(self, program: str, valid: list[str]):
        super().__init__(f"no eligibility check for program {program!r}; the programs are: {', '.join(valid)}")
        self.valid = valid


class ProfileError(ValueError):
    """The profile cannot be read: malformed RDF, or not exactly one applicant in it."""


@functools.lru_cache(maxsize=1)
def eligibility_shapes() -> Graph:
    """The eligibility shapes of every program, as one shapes graph."""
    g = Graph()
    for f in catalog.shape_files():
        if f.name.startswith("eligibility-"):
            g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    return g


def programs() -> list[str]:
    """The ids of the programs that have an eligibility check."""
    return sorted({str(p).rsplit("/", 1)[-1] for p in eligibility_shapes().objects(None, QI.program)})


def _applicant_classes() -> set[URIRef]:
    shapes = eligibility_shapes()
    return {c for c in shapes.objects(None, SH.targetClass)} | {QI.Applicant}


def _normalise_region(text: str) -> str:
    name = text.strip()
    if "上海" not in name and any(name.startswith(d) for d in SHANGHAI_DISTRICTS):
        return "上海市" + name
    return name


_INDUSTRY_BY_LABEL = sparql_prologue() + """
SELECT ?text ?c ?exact WHERE {
  ?c a skos:Concept ; skos:inScheme ?scheme ; (skos:prefLabel|skos:altLabel|rdfs:label) ?l .
  FILTER NOT EXISTS { ?c a qi:TaskCategory }
  FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?text)))
  BIND(LCASE(STR(?l)) = LCASE(?text) AS ?exact)
}"""


def resolve_industries(store, texts: list[str]) -> tuple[list[URIRef], list[str]]:
    """Industry names or IRIs -> concept IRIs of the graph (a label equal to the name, else
    containing it); returns the concepts and the names that matched nothing."""
    found: list[URIRef] = []
    unresolved: list[str] = []
    for text in texts:
        text = text.strip()
        if text.startswith(("http://", "https://")):
            found.append(URIRef(text))
            continue
        rows = store.select(_INDUSTRY_BY_LABEL, bindings={"text": RdfLiteral(text)})["results"]["bindings"]
        exact = [r["c"]["value"] for r in rows if r["exact"]["value"] == "true"]
        matches = sorted(set(exact or [r["c"]["value"] for r in rows]))
        if matches:
            found.extend(URIRef(m) for m in matches)
        else:
            unresolved.append(text)
    return found, unresolved


def profile_graph(profile: Profile | Mapping[str, Any], *, store=None) -> tuple[Graph, URIRef, list[str]]:
    """A JSON profile as RDF: one ``qi:Applicant`` with the facts the profile gives.

    Args:
        profile: a :class:`Profile` or a mapping validated as one.
        store: the store to match industry names against (names stay unresolved without one).

    Returns:
        The graph, the applicant node, and the industry names that matched no concept.

    >>> g, a, _ = profile_graph({"registered_in": "浦东新区", "industry_support": True})
    >>> sorted(str(o) for o in g.objects(a, None) if not str(o).startswith("https://w3id.org"))
    ['true', '上海市浦东新区']
    """
    p = profile if isinstance(profile, Profile) else Profile.model_validate(profile)
    g = Graph()
    a = BNode()
    g.add((a, RDF.type, QI.Applicant))
    if p.name:
        g.add((a, RDFS.label, RdfLiteral(p.name)))
    if p.registered_in:
        g.add((a, QI.registeredIn, RdfLiteral(_normalise_region(p.registered_in))))
    if p.legal_person_type:
        g.add((a, QI.legalPersonType, LEGAL_PERSON_TYPES[p.legal_person_type]))
    for k in p.kind or []:
        g.add((a, QI.applicantKind, KINDS[k]))
    if p.construction:
        g.add((a, QI.constructionArrangement, CONSTRUCTION[p.construction]))
    for c in p.capabilities or []:
        g.add((a, QI.capability, CAPABILITIES[c]))
    unresolved: list[str] = []
    if p.industries:
        if store is None:
            concepts, unresolved = [URIRef(t) for t in p.industries if t.startswith(("http://", "https://"))], \
                [t for t in p.industries if not t.startswith(("http://", "https://"))]
        else:
            concepts, unresolved = resolve_industries(store, p.industries)
        for c in concepts:
            g.add((a, QI.applicantIndustry, c))
    for field, prop in DECLARATIONS.items():
        value = getattr(p, field)
        if value is not None:
            g.add((a, prop, RdfLiteral(value)))
    return g, a, unresolved


def _no_remote_context(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@import" and isinstance(value, str):
                raise ProfileError("a JSON-LD @import must not be used: qigraph fetches nothing at run time; give the context inline")
            if key == "@context":
                for ctx in value if isinstance(value, list) else [value]:
                    if isinstance(ctx, str):
                        raise ProfileError("a JSON-LD @context must be given inline: qigraph fetches nothing at run time")
            _no_remote_context(value)
    elif isinstance(node, list):
        for item in node:
            _no_remote_context(item)


def read_rdf_profile(data: bytes | str, media_type: str) -> tuple[Graph, URIRef]:
    """Parse an RDF profile and find its one applicant (a node typed ``qi:Applicant`` or one of the
    program applicant classes).

    Raises:
        ProfileError: unsupported media type, malformed RDF, or not exactly one applicant.
    """
    fmt = RDF_TYPES.get(media_type)
    if fmt is None:
        raise ProfileError(f"a profile comes as JSON or as RDF ({', '.join(sorted(RDF_TYPES))}); got {media_type!r}")
    if isinstance(data, bytes):
        from qigraph.uploads import InputError, decode

        try:
            text = decode(data)
        except InputError as exc:
            raise ProfileError(str(exc)) from None
    else:
        text = data
    if fmt == "xml" and re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        # A DTD is how XML reads files and URLs (external entities) and expands without bound
        # (billion laughs); the XML parser is never given one.
        raise ProfileError("RDF/XML with a DOCTYPE or ENTITY declaration is not accepted (entities can read files "
                           "and expand without bound); remove the DOCTYPE and write the values out")
    if fmt == "json-ld":
        try:
            _no_remote_context(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ProfileError(f"the JSON-LD profile is not valid JSON: {exc}") from exc
    try:
        g = Graph().parse(data=text, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise ProfileError(f"the {media_type} profile cannot be parsed: {exc}") from exc
    classes = _applicant_classes()
    applicants = {s for c in classes for s in g.subjects(RDF.type, c)}
    if len(applicants) != 1:
        raise ProfileError(f"the profile must describe exactly one applicant, a node typed {QI.Applicant.n3()} "
                           f"(found {len(applicants)})")
    return g, applicants.pop()


_PROGRAM = sparql_prologue() + """
SELECT ?program ?label ?labelEn ?criterion ?clause ?clauseLabel ?doc ?title ?titleEn WHERE {
  ?program rdfs:label ?label , ?labelEn . FILTER(LANG(?label) = "zh" && LANG(?labelEn) = "en")
  ?criterion a qi:ApplicationCondition ; qi:appliesTo ?program ; dcterms:source ?clause .
  ?clause qi:inDocument ?doc ; rdfs:label ?clauseLabel . FILTER(LANG(?clauseLabel) = "zh")
  ?doc eli:title ?title , ?titleEn . FILTER(LANG(?title) = "zh" && LANG(?titleEn) = "en")
}"""


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]


def _lang_map(g: Graph, s, p) -> dict[str, str]:
    return {lit.language: str(lit) for lit in g.objects(s, p) if getattr(lit, "language", None)}


def check(store, program: str, profile: Graph, applicant: URIRef, *, unresolved_industries: list[str] = ()) -> dict[str, Any]:
    """Check an applicant profile against a program's application conditions.

    Args:
        store: the built graph (anything with ``select(query, bindings=)``).
        program: a program id, e.g. ``municipal-industrial-metrology-center``.
        profile: the profile graph; it is not changed.
        applicant: the applicant node in it.
        unresolved_industries: industry names the caller could not match, to report back.

    Returns:
        A JSON-ready report: the program, an ``outcome`` (``eligible``, ``not-eligible`` or
        ``undetermined``), counts, and per criterion its verdict, reasons, quote, clause and document.

    Raises:
        UnknownProgram: the program has no eligibility check.
    """
    valid = programs()
    if program not in valid:
        raise UnknownProgram(program, valid)
    program_iri = QID[f"program/{program}"]
    shapes = eligibility_shapes()
    criteria_rows = _rows(store.select(load_catalog()["eligibility-criteria"].sparql, bindings={"program": program_iri}))
    context = {r["criterion"]: r for r in _rows(store.select(_PROGRAM, bindings={"program": program_iri}))}

    data = Graph()
    data += profile
    checks: dict[str, list[URIRef]] = {}
    for row in criteria_rows:
        shape_list = sorted(shapes.subjects(QI.checksRequirement, URIRef(row["criterion"])))
        checks[row["criterion"]] = shape_list
        for shape in shape_list:
            for node_shape in shapes.subjects(SH.property, shape):
                for cls in shapes.objects(node_shape, SH.targetClass):
                    data.add((applicant, RDF.type, cls))
    import pyshacl  # here, not at module import: it pulls in rdflib's SPARQL engine, slow to load

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    results: dict[URIRef, list] = {}
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(r, SH.focusNode) == applicant:
            results.setdefault(report.value(r, SH.sourceShape), []).append(r)

    criteria = []
    for row in criteria_rows:
        reasons = []
        verdict = MET
        for shape in checks[row["criterion"]]:
            if shape not in results:
                continue
            path = shapes.value(shape, SH.path)
            values = sorted(str(v) for v in data.objects(applicant, path))
            shape_verdict = NOT_MET if values else NOT_ENOUGH
            field = FIELD_OF.get(path, str(path))
            message = _lang_map(shapes, shape, SH.message)
            if shape_verdict == NOT_ENOUGH:
                message = {"zh": f"档案未提供“{field}”。要求：{message.get('zh', '')}",
                           "en": f"The profile does not give '{field}'. Required: {message.get('en', '')}"}
                if path == QI.applicantIndustry and unresolved_industries:
                    message["en"] += f" (no industry concept matches {', '.join(unresolved_industries)})"
                    message["zh"] += f"（未找到与 {'、'.join(unresolved_industries)} 对应的产业概念）"
            reasons.append({"verdict": shape_verdict, "field": field, "path": str(path), "values": values,
                            "shape": str(shape), "message": message})
            verdict = max(verdict, shape_verdict, key=_RANK.get)
        if not checks[row["criterion"]]:
            verdict = NOT_ENOUGH
            reasons.append({"verdict": NOT_ENOUGH, "field": None, "path": None, "values": [], "shape": None,
                            "message": {"zh": "尚无形状检查此条件。", "en": "No shape checks this criterion yet."}})
        ctx = context.get(row["criterion"], {})
        criteria.append({
            "id": row["criterion"].rsplit("/", 1)[-1], "iri": row["criterion"],
            "label": {"zh": row["label"], "en": row["labelEn"]}, "verdict": verdict, "reasons": reasons,
            "clause": {"iri": row["clause"], "label": ctx.get("clauseLabel"), "quote": row["quote"],
                       "document": {"iri": ctx.get("doc"), "title": {"zh": ctx.get("title"), "en": ctx.get("titleEn")}}},
        })
    counts = {v: sum(c["verdict"] == v for c in criteria) for v in (MET, NOT_MET, NOT_ENOUGH)}
    outcome = "not-eligible" if counts[NOT_MET] else "undetermined" if counts[NOT_ENOUGH] else "eligible"
    any_ctx = next(iter(context.values()), {})
    return {
        "program": {"id": program, "iri": str(program_iri), "label": {"zh": any_ctx.get("label"), "en": any_ctx.get("labelEn")}},
        "applicant": {"name": str(profile.value(applicant, RDFS.label) or "") or None},
        "outcome": outcome, "counts": counts, "criteria": criteria,
        "unresolved_industries": list(unresolved_industries),
    }


def check_json(store, program: str, profile: Profile | Mapping[str, Any]) -> dict[str, Any]:
    """:func:`check` for a JSON profile (industry names are matched against the store)."""
    valid = programs()
    if program not in valid:  # before any work on the profile
        raise UnknownProgram(program, valid)
    g, applicant, unresolved = profile_graph(profile, store=store)
    return check(store, program, g, applicant, unresolved_industries=unresolved)
