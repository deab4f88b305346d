"""Registration pages: the public form, the participant's own pages, the organiser's pages, check-in."""

from .checkin import checkin, checkin_badge, checkin_do
from .manage import manage_detail, manage_export, manage_import, manage_list
from .participant import badge, cancel, mine, workshop_leave, workshop_signup
from .public import register

__all__ = [
    "badge", "cancel", "checkin", "checkin_badge", "checkin_do", "manage_detail", "manage_export", "manage_import",
    "manage_list", "mine", "register", "workshop_leave", "workshop_signup",
]
