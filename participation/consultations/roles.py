"""Permissions of the roles for consultations and comments on draft plans (sip.tenancy.grant)."""

from sip import tenancy

_CONSULTATION_MODELS = ("consultation", "question", "attachment")


def grant_roles() -> None:
    """Gmina editors run consultations and moderate texts; planners lay out draft plans and decide
    comments; viewers read; the central unit does everything."""
    consult = [
        f"participation.{a}_{m}" for m in _CONSULTATION_MODELS for a in ("view", "add", "change", "delete")
    ]
    moderate = ["participation.view_response", "participation.view_answer", "participation.change_answer"]
    comments = [
        *[f"participation.{a}_planinspection" for a in ("view", "add", "change", "delete")],
        "participation.view_plancomment",
        "participation.change_plancomment",
    ]
    read = [
        "participation.view_consultation",
        "participation.view_response",
        "participation.view_planinspection",
        "participation.view_plancomment",
    ]
    tenancy.grant(tenancy.CENTRAL_ADMIN, [*consult, *moderate, *comments])
    tenancy.grant(tenancy.EDITOR, [*consult, *moderate, *read])
    tenancy.grant(tenancy.PLANNER, [*comments, *read])
    tenancy.grant(tenancy.VIEWER, read)
