"""Who may do what: investment managers prepare, the committee (approvers) decides, the back office books cash."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.platform.auth import Principal, Role, require_roles

Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Deciders = Annotated[Principal, Depends(require_roles(Role.APPROVER, Role.FUND_MANAGER))]
Committee = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Bookers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
Readers = Annotated[
    Principal, Depends(require_roles(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.SERVICE))
]
