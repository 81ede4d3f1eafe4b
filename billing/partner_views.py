"""Partner pages (SPEC billing/ "Partners"): the partner's Customers (pick one to manage, return) and Invitations
(send, resend, withdraw); the customer's authorization page at the invitation link and its Delegated
administrators under Support (remove one); and the Support overview that links there."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.models import DelegatedAdminInvitation, DelegatedAdminRelationship
from billing.partner_forms import InvitationForm
from billing.partner_selectors import (
    NEWEST_FIRST, delegated_admin_list, partner_customers as customers_selector,
    partner_invitations as invitations_selector, partner_profile, resellers,
)
from billing.partner_services import (
    InvitationError, NotAPartner, can_remove_delegated_admins, delegated_access_start, invitation_accept,
    invitation_decline, invitation_for_token, invitation_resend, invitation_revoke, invitation_send,
    relationship_remove,
)
from tenantadmin.access import has_perm, require_member, require_perm, tenant_object_or_404
from tenantadmin.actors import Actor
from tenantadmin.delegation import ACTING_SESSION_KEY, delegated_role_codes
from tenantadmin.forms import apply_service_errors
from tenantadmin.paging import CursorError, keyset_page
from tenantadmin.roles import ROLE_DESCRIPTIONS, Perm, Role

PAGE_SIZE = 50
# The link of an invitation just sent is shown once: it travels in the session and is removed as it is read.
NEW_LINK_SESSION_KEY = "partner-invitation-link"
# Who may do what (tenantadmin.roles has no partner permissions of its own):
# - the Customers page is for the partner's people who act for customers, i.e. those delegated_role_codes gives
#   a role: global, password and user management administrators — exactly the roles that reset passwords;
# - invitations make the partner's people administrators of a customer: the right to give roles (global admins).
ACT_FOR_CUSTOMERS = Perm.PASSWORDS_RESET
INVITE = Perm.ROLES_ASSIGN
# The customer sees its delegated administrators where it sees support; only its global admins remove them.
SEE_DELEGATED_ADMINS = Perm.SUPPORT
REMOVE_DELEGATED_ADMINS = Perm.ROLES_ASSIGN


def _page(request, rows, salt: str):
    try:
        return keyset_page(rows, order=NEWEST_FIRST, size=PAGE_SIZE, cursor=request.GET.get("after"), salt=salt)
    except CursorError:
        return keyset_page(rows, order=NEWEST_FIRST, size=PAGE_SIZE, cursor=None, salt=salt)


def _not_a_partner(request, title: str):
    """Partner pages of an organization the operator did not enrol: what they are for and how to get them."""
    return render(request, "billing/partners/not_partner.html", {"title": title})


# ------------------------------------------------------------------------------------------------ partner side

@require_perm(ACT_FOR_CUSTOMERS)
def partner_customers(request):
    """The partner's customers with a Manage button each (a POST that starts managing that customer)."""
    if partner_profile(tenant=request.tenant) is None:
        return _not_a_partner(request, _("Customers"))
    search = request.GET.get("q", "").strip()[:100]
    page = _page(request, customers_selector(tenant=request.tenant, search=search), "billing.partner.customers")
    delegated = sorted(delegated_role_codes(request.user.role_codes))
    return render(request, "billing/partners/customers.html", {
        "page": page, "search": search, "is_first_page": not request.GET.get("after"),
        "filter_query": urlencode({"q": search}) if search else "",
        "delegated_roles": [(Role(code).label, ROLE_DESCRIPTIONS[Role(code)]) for code in delegated],
        "managing": request.delegation.customer if request.delegation else None,
    })


@require_POST
@require_perm(ACT_FOR_CUSTOMERS)
def partner_manage(request):
    """Start managing a customer: the session remembers it and every following page works in it
    (tenantadmin.middleware) until Return, sign-out, or the customer removing the partner."""
    customer_id = request.POST.get("customer", "").strip()
    if not customer_id:
        messages.error(request, _("Choose the customer to manage."))
        return redirect("partners:customers")
    try:
        customer = delegated_access_start(partner=request.tenant, actor=Actor.from_request(request),
                                          customer_id=customer_id)
    except NotAPartner as error:
        messages.error(request, str(error))
        return redirect("partners:customers")
    request.session[ACTING_SESSION_KEY] = {"id": str(customer.pk), "name": customer.name}
    messages.success(request, _("You are managing %(customer)s. Every change you make is recorded in its audit log "
                                "under the name of %(partner)s.") % {"customer": customer.name,
                                                                     "partner": request.tenant.name})
    return redirect("tenantadmin:overview")


@require_POST
@require_member
def partner_return(request):
    """Stop managing a customer and work in the own organization again."""
    remembered = request.session.pop(ACTING_SESSION_KEY, None)
    if remembered:
        messages.info(request, _("You are back in %(organization)s.") % {"organization": request.tenant.name})
    if has_perm(request, ACT_FOR_CUSTOMERS) and partner_profile(tenant=request.tenant) is not None:
        return redirect("partners:customers")
    return redirect("home")


@require_perm(INVITE)
def partner_invitations(request):
    """Send an invitation (the form), and the partner's invitations with their status."""
    if partner_profile(tenant=request.tenant) is None:
        return _not_a_partner(request, _("Invitations"))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, link = invitation_send(tenant=request.tenant, actor=Actor.from_request(request),
                                               email=form.cleaned_data["email"], message=form.cleaned_data["message"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except NotAPartner as error:
            form.add_error(None, str(error))
        else:
            _remember_link(request, invitation, link)
            messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("partners:invitations")
    status = request.GET.get("status", "")
    page = _page(request, invitations_selector(tenant=request.tenant, status=status), "billing.partner.invitations")
    return render(request, "billing/partners/invitations.html", {
        "form": form, "page": page, "status": status, "statuses": DelegatedAdminInvitation.Status.choices,
        "is_first_page": not request.GET.get("after"), "filter_query": urlencode({"status": status}) if status else "",
        "new_link": request.session.pop(NEW_LINK_SESSION_KEY, None), "now": timezone.now(),
        "invitation_days": settings.PARTNER_INVITATION_DAYS,
    })


def _remember_link(request, invitation, link: str) -> None:
    request.session[NEW_LINK_SESSION_KEY] = {"id": str(invitation.pk), "email": invitation.email, "link": link}


def _invitation(request, invitation_id) -> DelegatedAdminInvitation:
    return tenant_object_or_404(DelegatedAdminInvitation.objects.select_related("customer"), request.tenant,
                                pk=invitation_id)


@require_POST
@require_perm(INVITE)
def partner_invitation_resend(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    try:
        invitation, link = invitation_resend(tenant=request.tenant, actor=Actor.from_request(request),
                                             invitation_id=invitation.pk)
    except (ValidationError, NotAPartner) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        _remember_link(request, invitation, link)
        messages.success(request, _("The invitation was sent to %(email)s again with a new link. The earlier link no "
                                    "longer works.") % {"email": invitation.email})
    return redirect("partners:invitations")


@require_http_methods(["GET", "POST"])
@require_perm(INVITE)
def partner_invitation_revoke(request, invitation_id):
    """Withdraw an invitation, after a confirmation that says its link stops working."""
    invitation = _invitation(request, invitation_id)
    if request.method == "POST":
        try:
            invitation_revoke(tenant=request.tenant, actor=Actor.from_request(request), invitation_id=invitation.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The invitation to %(email)s was withdrawn; its link no longer works.")
                             % {"email": invitation.email})
        return redirect("partners:invitations")
    return render(request, "billing/partners/invitation_revoke.html", {"invitation": invitation})


# ------------------------------------------------------------------------------------------------ customer side

@require_http_methods(["GET", "POST"])
def partner_invitation(request, token):
    """The authorization page at the invitation link: sign in first; then a global administrator of the invited
    organization accepts or declines."""
    try:
        invitation = invitation_for_token(token)
    except InvitationError as error:
        return render(request, "billing/partners/invitation_answer.html", {"problem": error.messages[0],
                                                                           "problem_code": error.code},
                      status=404 if error.code == "unknown" else 410)
    context = {"invitation": invitation, "partner": invitation.tenant,
               "profile": partner_profile(tenant=invitation.tenant)}
    if not request.user.is_authenticated:
        return render(request, "billing/partners/invitation_answer.html", {
            **context, "signin_url": f"{reverse('users:signin')}?{urlencode({'next': request.get_full_path()})}"})
    if request.tenant is None:
        raise PermissionDenied(_("Support staff work in the staff site, not in an organization's admin center."))
    if request.delegation is not None:
        return render(request, "billing/partners/invitation_answer.html", {**context, "acting": request.delegation},
                      status=403)
    organization = request.tenant
    if request.method == "POST":
        return _answer(request, token, invitation, context)
    if organization.pk == invitation.tenant_id:
        context["problem"] = _("This invitation comes from your own organization. Send the link to your customer: a "
                               "global administrator of the customer accepts it.")
        return render(request, "billing/partners/invitation_answer.html", context, status=400)
    if not request.user.is_global_admin:
        return render(request, "billing/partners/invitation_answer.html", {**context, "not_global_admin": True},
                      status=403)
    already = DelegatedAdminRelationship.objects.filter(
        tenant=organization, partner=invitation.tenant, status=DelegatedAdminRelationship.Status.ACTIVE).exists()
    return render(request, "billing/partners/invitation_answer.html", {
        **context, "organization": organization, "already": already, "can_answer": True})


def _answer(request, token, invitation, context):
    actor = Actor.from_request(request)
    try:
        if request.POST.get("answer") == "accept":
            relationship, created = invitation_accept(token=token, actor=actor)
            if created:
                messages.success(request, _("%(partner)s is now a delegated administrator of your organization. You "
                                            "can remove it here at any time.") % {"partner": invitation.tenant.name})
            else:
                messages.info(request, _("%(partner)s already is a delegated administrator of your organization.")
                              % {"partner": invitation.tenant.name})
            if has_perm(request, SEE_DELEGATED_ADMINS):
                return redirect("partners:delegated_admins")
            return redirect("home")
        if request.POST.get("answer") == "decline":
            invitation_decline(token=token, actor=actor)
            messages.info(request, _("You declined the invitation of %(partner)s. It has been told.")
                          % {"partner": invitation.tenant.name})
            return redirect("home")
    except InvitationError as error:
        return render(request, "billing/partners/invitation_answer.html", {**context, "problem": error.messages[0]},
                      status=400 if error.code == "own_organization" else 410)
    except PermissionDenied as error:
        return render(request, "billing/partners/invitation_answer.html",
                      {**context, "problem": str(error) or _("Your role does not allow this.")}, status=403)
    return redirect(request.path)


@require_perm(SEE_DELEGATED_ADMINS)
def delegated_admins(request):
    """Support > Delegated administrators: the partners acting as administrators of this organization."""
    can_remove = (has_perm(request, REMOVE_DELEGATED_ADMINS)
                  and can_remove_delegated_admins(Actor.from_request(request), request.tenant))
    return render(request, "billing/partners/delegated_admins.html", {
        "relationships": delegated_admin_list(tenant=request.tenant), "can_remove": can_remove,
        "acting": request.partner_tenant is not None,
    })


@require_http_methods(["GET", "POST"])
@require_perm(REMOVE_DELEGATED_ADMINS)
def delegated_admin_remove(request, relationship_id):
    """Remove a partner after a confirmation that says its people lose access at once."""
    relationship = tenant_object_or_404(DelegatedAdminRelationship.objects.select_related("partner"), request.tenant,
                                        pk=relationship_id, status=DelegatedAdminRelationship.Status.ACTIVE)
    actor = Actor.from_request(request)
    if not can_remove_delegated_admins(actor, request.tenant):
        raise PermissionDenied(_("Only a global administrator of this organization can remove its delegated "
                                 "administrators; a partner cannot remove itself or other partners."))
    if request.method == "POST":
        try:
            relationship_remove(tenant=request.tenant, actor=actor, relationship_id=relationship.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(partner)s is no longer a delegated administrator. Its people lost access "
                                        "to your organization.") % {"partner": relationship.partner.name})
        return redirect("partners:delegated_admins")
    return render(request, "billing/partners/delegated_admin_remove.html", {"relationship": relationship})


@require_perm(Perm.SUPPORT)
def support_overview(request):
    """Support > Overview: what support offers, the delegated administrators, and the partner to contact about
    billing for subscriptions bought through one (SPEC support/ "Support overview")."""
    return render(request, "billing/partners/support_overview.html", {
        "title": _("Support overview"), "intro": _("Help topics, service requests and whom to call."),
        "relationships": delegated_admin_list(tenant=request.tenant), "resellers": resellers(tenant=request.tenant),
    })
