"""Team formation: the two-stage model of ALGORITHMS.md section 2 (no Django here).

``form_teams(people, settings)`` places everyone; ``place_late_arrival`` adds
one person without moving anyone; ``tradeoffs`` prices the organiser's choices.
"""

from .late import LatePlacement, place_late_arrival
from .solve import form_teams
from .tradeoffs import Tradeoffs, tradeoffs
from .types import REASONS, FormationInfeasible, Person, Quality, Result, Settings, Team

__all__ = [
    "REASONS", "FormationInfeasible", "LatePlacement", "Person", "Quality", "Result", "Settings", "Team",
    "Tradeoffs", "form_teams", "place_late_arrival", "tradeoffs",
]
