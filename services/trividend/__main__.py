"""``python -m services.trividend api|relay|migrate|downgrade|topics|job <name>|scheduler|import-statement FILE``."""

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.service_commands import ServiceCommands, main
from shared.loan_operations.cli import scheduler, statement_import

from services.trividend.app import MIGRATIONS_DIR, build_app, get_settings, operations
from services.trividend.jobs import JOBS, WORKS

if __name__ == "__main__":
    raise SystemExit(
        main(
            ServiceCommands(
                settings=get_settings,
                build_app=build_app,
                migrations_dir=MIGRATIONS_DIR,
                topics=(TRIVIDEND_EVENTS,),
                jobs=JOBS,  # type: ignore[arg-type]
                extra={"import-statement": statement_import(operations)},
                scheduler=scheduler(operations, WORKS),
            )
        )
    )
