"""URLs of the partner pages, namespace "partners" (mounted from the project URLs, beside billing's: these pages
have their own roles, not the billing administrators').

The customer's Delegated administrators live under Support (SPEC: Support > Overview > Delegated
administrators); the authorization page is public: the invitation link names it with its secret."""

from django.urls import path

from billing import partner_views

app_name = "partners"

urlpatterns = [
    path("admin/partner/customers/", partner_views.partner_customers, name="customers"),
    path("admin/partner/customers/manage/", partner_views.partner_manage, name="manage"),
    path("admin/partner/return/", partner_views.partner_return, name="return"),
    path("admin/partner/invitations/", partner_views.partner_invitations, name="invitations"),
    path("admin/partner/invitations/<uuid:invitation_id>/resend/", partner_views.partner_invitation_resend,
         name="invitation_resend"),
    path("admin/partner/invitations/<uuid:invitation_id>/withdraw/", partner_views.partner_invitation_revoke,
         name="invitation_revoke"),
    path("partner-invitation/<str:token>/", partner_views.partner_invitation, name="invitation"),
    path("admin/support/delegated-administrators/", partner_views.delegated_admins, name="delegated_admins"),
    path("admin/support/delegated-administrators/<uuid:relationship_id>/remove/",
         partner_views.delegated_admin_remove, name="delegated_admin_remove"),
]
