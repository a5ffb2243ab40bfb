"""Models of participation: one module per part, all imported here so Django finds them."""

from .budget import *  # noqa: F401,F403
from .comments import *  # noqa: F401,F403
from .consultations import *  # noqa: F401,F403
