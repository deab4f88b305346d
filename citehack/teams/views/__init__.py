"""Team pages: the participant's (preferences, friend group), the team workspace, the organiser's."""

from .manage import late, late_all, lock, manage, move, preferences_overview, publish, run, swap, team_settings
from .participant import (
    friends, friends_accept, friends_create, friends_decline, friends_join, friends_leave, hub, preferences,
)
from .workspace import (
    file_download, file_remove, file_upload, mentor, sheet_edit, sheet_history, sheet_reopen, sheet_submit, speaker,
    team_page,
)

__all__ = [
    "file_download", "file_remove", "file_upload", "friends", "friends_accept", "friends_create", "friends_decline",
    "friends_join", "friends_leave", "hub", "late", "late_all", "lock", "manage", "mentor", "move", "preferences",
    "preferences_overview", "publish", "run", "sheet_edit", "sheet_history", "sheet_reopen", "sheet_submit", "speaker",
    "swap", "team_page", "team_settings",
]
