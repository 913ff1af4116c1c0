"""``python -m services.portfolio api|consume|relay|migrate|downgrade|topics``."""

from shared.contracts.topics import ALL_TOPICS
from shared.eventbus.service_commands import ServiceCommands, main

from services.portfolio.app import CONSUMER, MIGRATIONS_DIR, build_app, get_settings

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=ALL_TOPICS,
                consumer=CONSUMER,
            )
        )
    )
