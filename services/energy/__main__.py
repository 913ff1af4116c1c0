"""``python -m services.energy api|relay|migrate|downgrade|topics|job carry-aid-to-register``."""

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.service_commands import ServiceCommands, main

from services.energy.app import MIGRATIONS_DIR, build_app, get_settings
from services.energy.jobs import JOBS

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=ALL_TOPICS,
                jobs=JOBS,
            )
        )
    )
