"""``python -m services.portfolio api|consume|relay|migrate|downgrade|topics|export``."""

from shared.contracts.topics import PORTFOLIO_EVENTS
from shared.eventbus.service_commands import ServiceCommands, main

from services.portfolio.app import CONSUMER, MIGRATIONS_DIR, build_app, get_settings
from services.portfolio.cli import EXPORT

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=(PORTFOLIO_EVENTS,),
                consumer=CONSUMER,
                extra={"export": EXPORT},
            )
        )
    )
