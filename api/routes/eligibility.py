"""POST /eligibility: check an organisation's profile (JSON or RDF) against a program's application
conditions, one verdict per criterion with the clause behind it (see qigraph.eligibility)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from qigraph import eligibility, uploads
from qigraph.eligibility import Profile, ProfileError, UnknownProgram

from ..deps import StoreDep
from ..problems import Problem

router = APIRouter(prefix="/eligibility", tags=["eligibility"])

_RDF_EXAMPLE = """@prefix qi: <https://w3id.org/qigraph/ontology#> .
[] a qi:Applicant ;
   qi:registeredIn "上海市" ;
   qi:legalPersonType qi:IndependentLegalPerson ;
   qi:applicantKind qi:TestingInstitution ."""

_BODY = {
    "required": True,
    "description": "The organisation's profile: JSON (every field optional; a field left out is 'not enough "
                   "information', never 'met'), or RDF with exactly one node typed qi:Applicant "
                   "(the ontology's 'Eligibility checks' section defines the properties).",
    "content": {
        "application/json": {"schema": Profile.model_json_schema()},
        "text/turtle": {"schema": {"type": "string"}, "example": _RDF_EXAMPLE},
        "application/ld+json": {"schema": {"type": "object"}},
        "application/n-triples": {"schema": {"type": "string"}},
    },
}


@router.post("", summary="May this organisation apply to the program? A verdict per application condition",
             openapi_extra={"requestBody": _BODY},
             responses={404: {"description": "unknown program (the problem lists the valid ones)"},
                        415: {"description": "unsupported profile format"}, 422: {"description": "malformed profile"}})
async def check_eligibility(
    request: Request,
    store: StoreDep,
    program: Annotated[str, Query(description="program id, e.g. municipal-industrial-metrology-center; "
                                              "the 404 problem for an unknown id lists them")],
) -> dict:
    """Each criterion of the program comes back ``met``, ``not-met`` or ``not-enough-information``,
    with the reasons (field, values, message in Chinese and English), the criterion's quote, its
    clause and document; ``outcome`` is ``eligible`` only when every criterion is met."""
    if program not in eligibility.programs():
        raise Problem(404, "Unknown program", str(UnknownProgram(program, eligibility.programs())))
    media = (request.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    body = await request.body()
    if media == "application/json":
        try:
            profile = Profile.model_validate(json.loads(uploads.decode(body) or "{}", object_pairs_hook=_no_duplicate_keys))
        except uploads.InputError as exc:
            raise Problem(422, "Malformed profile", str(exc)) from None
        except DuplicateField as exc:
            raise Problem(422, "Malformed profile", f"the field {exc} is given twice, with different values possible; give it once") from None
        except json.JSONDecodeError as exc:
            raise Problem(422, "Malformed profile", f"the profile is not valid JSON: {exc}") from exc
        except ValidationError as exc:
            errors = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'profile'}: {e['msg']}" for e in exc.errors())
            raise Problem(422, "Malformed profile", f"fix these fields: {errors}") from exc
        return await _run(eligibility.check_json, store, program, profile)
    if media not in eligibility.RDF_TYPES:
        raise Problem(415, "Unsupported profile format",
                      f"send the profile as application/json or as RDF ({', '.join(sorted(eligibility.RDF_TYPES))}); got {media!r}")
    try:
        graph, applicant = eligibility.read_rdf_profile(body, media)
    except ProfileError as exc:
        raise Problem(422, "Malformed profile", str(exc)) from exc
    return await _run(eligibility.check, store, program, graph, applicant)


class DuplicateField(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    # JSON lets a later key silently replace an earlier one; a profile saying two things is refused.
    keys = [k for k, _v in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise DuplicateField(repr(key))
    return dict(pairs)


async def _run(func, *args) -> dict:
    # pySHACL and the store calls block: keep them off the event loop.
    return await run_in_threadpool(func, *args)
