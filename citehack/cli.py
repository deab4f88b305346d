"""The `citehack` command.

`citehack tally|teams|scores FILE ...` run the voting, team-formation and score
algorithms on files, without a database or a server. Everything else goes to Django's
management commands: `citehack demo`, `citehack serve`, `citehack migrate`, ...
"""

import os
import sys

FILE_COMMANDS = {
    "tally": "citehack.challenges.tally_cli",
    "teams": "citehack.teams.formation_cli",
    "scores": "citehack.judging.scores_cli",
}


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in FILE_COMMANDS:
        from importlib import import_module

        module = import_module(FILE_COMMANDS[argv[1]])
        return module.main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citehack.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
