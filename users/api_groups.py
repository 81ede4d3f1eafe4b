"""Graph routes of this part of the users area; users.api mounts this router."""

from ninja import Router

router = Router(tags=["Users"], by_alias=True)
