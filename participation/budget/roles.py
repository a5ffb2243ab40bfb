"""What each role may do with the participatory budget (applied from the app's ready())."""

from sip.tenancy import CENTRAL_ADMIN, EDITOR, PLANNER, VIEWER, grant

_MODELS = ("budgetedition", "budgetdistrict", "budgetproject", "budgetprojectphoto")


def grant_budget_permissions() -> None:
    read = [f"participation.view_{m}" for m in _MODELS]
    write = [f"participation.{a}_{m}" for m in _MODELS for a in ("add", "change", "delete")]
    # Entering paper ballots is a write of a ballot; nobody may change or read single ballots.
    ballots = ["participation.add_ballot"]
    grant(CENTRAL_ADMIN, [*read, *write, *ballots])
    grant(EDITOR, [*read, *write, *ballots])
    grant(PLANNER, read)
    grant(VIEWER, read)
