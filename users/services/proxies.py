"""E-mail addresses of users (Graph's proxyAddresses) and the user-name rule across domains.

Every account gets its user name as the primary address and, when the user name is on a custom domain, a routing
address `alias@<initial domain>` (the initial domain always routes mail). A user name may not be another live
account's address. Together these give SPEC users/ "Rule across domains": `geoff@contoso.<initial>` first and
`geoff@contoso.com` second is allowed (the second's routing address is taken, so it gets none), the reverse order is
refused (`geoff@contoso.<initial>` is already the first account's routing address).
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from tenantadmin.actors import Actor
from tenantadmin.services.audit import audit_record
from users.models import ProxyAddress, User
from users.services.roles import require_manage

ADDRESS_MAX_LENGTH = ProxyAddress._meta.get_field("address").max_length


def address_owner(address: str, *, exclude: User | None = None):
    """The live account (of any organization) that has `address` as its user name or e-mail address, or None."""
    lowered = address.strip().lower()
    users = User.objects.alias(upn_lower=Lower("upn")).filter(upn_lower=lowered, deleted_at__isnull=True)
    proxies = ProxyAddress.objects.alias(address_lower=Lower("address")).filter(address_lower=lowered, is_live=True)
    if exclude is not None:
        users, proxies = users.exclude(pk=exclude.pk), proxies.exclude(user_id=exclude.pk)
    owner = users.only("pk", "tenant_id", "upn", "display_name").first()
    if owner is None:
        proxy = proxies.select_related("user").first()
        owner = proxy.user if proxy else None
    return owner


def taken_error(address: str, owner: User, tenant, field: str = "alias") -> ValidationError:
    """The account that holds `address` is named only inside its own organization."""
    if owner.tenant_id == tenant.pk and owner.upn.lower() == address.lower():
        text, code = _("%(address)s is already used by another account.") % {"address": address}, "upn_taken"
    elif owner.tenant_id == tenant.pk:
        text = _("%(address)s is already an e-mail address of %(name)s (%(upn)s).") % {
            "address": address, "name": owner.display_name, "upn": owner.upn}
        code = "proxy_taken"
    else:
        text, code = _("%(address)s is already used by another account.") % {"address": address}, "upn_taken"
    return ValidationError({field: ValidationError(text, code=code)})


def _verified_domains(tenant) -> set[str]:
    return set(tenant.domains.filter(verified_at__isnull=False).values_list("name", flat=True))


def clean_address(tenant, address: str, *, exclude: User | None = None) -> str:
    """A new e-mail address for a user of `tenant`: valid, on one of its verified domains and used by nobody."""
    address = (address or "").strip().lower()
    if not address:
        raise ValidationError({"address": [_("Enter an e-mail address.")]})
    if len(address) > ADDRESS_MAX_LENGTH:
        raise ValidationError({"address": [_("An e-mail address can have at most %(max)d characters.") % {
            "max": ADDRESS_MAX_LENGTH}]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"address": [_("%(address)s is not a valid e-mail address.") % {"address": address}]})
    if address.rpartition("@")[2] not in _verified_domains(tenant):
        raise ValidationError({"address": [_("Use one of your organization's verified domains.")]})
    owner = address_owner(address, exclude=exclude)
    if owner is not None:
        raise taken_error(address, owner, tenant, field="address")
    return address


def proxies_for_new_user(user: User, extra=()) -> None:
    """The primary address (the user name), the routing address on the initial domain when it is free, and `extra`."""
    ProxyAddress.objects.create(tenant=user.tenant, user=user, address=user.upn, is_primary=True)
    initial = user.tenant.initial_domain
    routing = f"{user.alias}@{initial}"
    if user.domain != initial and address_owner(routing, exclude=user) is None:
        ProxyAddress.objects.create(tenant=user.tenant, user=user, address=routing)
    for address in extra:
        _add(user, clean_address(user.tenant, address, exclude=user))


def _add(user: User, address: str) -> ProxyAddress:
    if user.proxy_addresses.alias(address_lower=Lower("address")).filter(address_lower=address).exists():
        raise ValidationError({"address": [_("%(address)s is already one of this user's addresses.") % {
            "address": address}]})
    try:
        with transaction.atomic():
            return ProxyAddress.objects.create(tenant=user.tenant, user=user, address=address)
    except IntegrityError:  # taken by a concurrent request between the check and the insert
        raise ValidationError({"address": [_("%(address)s is already used by another account.") % {"address": address}]})


def proxy_list(user: User) -> list[ProxyAddress]:
    return list(user.proxy_addresses.order_by("-is_primary", "address"))


@transaction.atomic
def proxy_add(*, user: User, actor: Actor, address: str) -> ProxyAddress:
    """Give `user` another e-mail address."""
    require_manage(actor, user)
    proxy = _add(user, clean_address(user.tenant, address, exclude=user))
    audit_record(tenant=user.tenant, actor=actor, action="user.proxy_add", target=user,
                 changes={"proxy_addresses": [None, proxy.address]})
    return proxy


def _own(user: User, proxy_id) -> ProxyAddress:
    proxy = ProxyAddress.objects.select_for_update().filter(user=user, tenant_id=user.tenant_id, pk=proxy_id).first()
    if proxy is None:
        raise ValidationError({"address": [_("That address is no longer one of this user's addresses.")]})
    return proxy


@transaction.atomic
def proxy_remove(*, user: User, actor: Actor, proxy_id) -> None:
    """Remove an address; the primary one stays until another is made primary (mail must have a reply address)."""
    require_manage(actor, user)
    proxy = _own(user, proxy_id)
    if proxy.is_primary:
        raise ValidationError({"address": [_("The primary address cannot be removed: make another address primary "
                                             "first.")]}, code="primary")
    proxy.delete()
    audit_record(tenant=user.tenant, actor=actor, action="user.proxy_remove", target=user,
                 changes={"proxy_addresses": [proxy.address, None]})


def _make_primary(user: User, proxy: ProxyAddress) -> str | None:
    """Returns the address that was primary before."""
    old = user.proxy_addresses.filter(is_primary=True).exclude(pk=proxy.pk).first()
    if old is not None:
        # One primary per user is a constraint: clear the old one before setting the new one.
        ProxyAddress.objects.filter(pk=old.pk).update(is_primary=False)
    ProxyAddress.objects.filter(pk=proxy.pk).update(is_primary=True)
    return old.address if old else None


@transaction.atomic
def proxy_set_primary(*, user: User, actor: Actor, proxy_id) -> None:
    """Make one of the user's addresses the one mail is sent from."""
    require_manage(actor, user)
    proxy = _own(user, proxy_id)
    if proxy.is_primary:
        return
    before = _make_primary(user, proxy)
    audit_record(tenant=user.tenant, actor=actor, action="user.proxy_primary", target=user,
                 changes={"primary_address": [before, proxy.address]})


def proxies_follow_upn(user: User, old_upn: str) -> None:
    """After a rename: the new user name becomes an address; it becomes primary if the old user name was (the
    primary follows the user name unless an administrator chose another one). The old name stays as an alias so
    mail sent to it still arrives."""
    addresses = {proxy.address.lower(): proxy for proxy in user.proxy_addresses.all()}
    new = addresses.get(user.upn.lower()) or ProxyAddress.objects.create(tenant=user.tenant, user=user, address=user.upn)
    primary = next((proxy for proxy in addresses.values() if proxy.is_primary), None)
    if primary is None or primary.address.lower() == old_upn.lower():
        _make_primary(user, new)
