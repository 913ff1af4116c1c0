"""``python -m services.trividend api|relay|migrate|downgrade|topics``."""

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.service_commands import ServiceCommands, main

from services.trividend.app import MIGRATIONS_DIR, build_app, get_settings

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=(TRIVIDEND_EVENTS,),
            )
        )
    )
