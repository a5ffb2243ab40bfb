"""Staff administration of participation, scoped by gmina (see sip.admin)."""

from .budget.admin import *  # noqa: F401,F403
