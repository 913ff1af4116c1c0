"""``python -m services.sifo api|relay|migrate|downgrade|topics|job expire-drawing-rights|carry-aid-to-register``."""

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.service_commands import ServiceCommands, main

from services.sifo.app import MIGRATIONS_DIR, build_app, get_settings
from services.sifo.jobs import JOBS

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
