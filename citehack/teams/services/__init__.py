"""Every write on teams, in one place to import from: preferences and friend groups, team
formation and its hand edits, publication and late arrivals, the team workspace."""

from .adapter import Choices, FormationInput, build_people, default_choices, draft_locks, formation_input
from .forming import (
    edit_refusal, formation_refusal, late_refusal, move_member, place_all_late_arrivals, place_late_arrival,
    publish_refusal, publish_teams, run_formation, set_locked, swap_members,
)
from .preferences import (
    accept_friend, create_friend_group, decline_friend, join_friend_group, leave_friend_group, normalise_code,
    preferences_refusal, save_preferences,
)
from .workspace import (
    add_file, assign_mentor, close_sheet, edit_sheet, remove_file, reopen_sheet, save_team_settings, set_speaker,
    sheet_refusal, speaker_refusal, submit_sheet,
)

__all__ = [
    "Choices", "FormationInput", "accept_friend", "add_file", "assign_mentor", "build_people", "close_sheet",
    "create_friend_group", "decline_friend", "default_choices", "draft_locks", "edit_refusal", "edit_sheet",
    "formation_input", "formation_refusal", "join_friend_group", "late_refusal", "leave_friend_group", "move_member",
    "normalise_code", "place_all_late_arrivals", "place_late_arrival", "preferences_refusal", "publish_refusal",
    "publish_teams", "remove_file", "reopen_sheet", "run_formation", "save_preferences", "save_team_settings",
    "set_locked", "set_speaker", "sheet_refusal", "speaker_refusal", "submit_sheet", "swap_members",
]
