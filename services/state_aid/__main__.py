"""``python -m services.state_aid api|relay|consume|migrate|downgrade|topics|job expire-reservations``."""

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.service_commands import ServiceCommands, main

from services.state_aid.app import CONSUMER, MIGRATIONS_DIR, build_app, get_settings
from services.state_aid.jobs import JOBS

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=ALL_TOPICS,
                consumer=CONSUMER,
                jobs=JOBS,
            )
        )
    )
