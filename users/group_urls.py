"""URLs of the security group pages (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import group_views

urlpatterns = [
    path("admin/groups/", group_views.groups_page, name="groups"),
    path("admin/groups/new/", group_views.group_create_page, name="group_create"),
    path("admin/groups/<uuid:group_id>/", group_views.group_members_page, name="group_members"),
    path("admin/groups/<uuid:group_id>/edit/", group_views.group_edit_page, name="group_edit"),
    path("admin/groups/<uuid:group_id>/delete/", group_views.group_delete_page, name="group_delete"),
    path("admin/groups/<uuid:group_id>/members/add/", group_views.group_members_add_page, name="group_members_add"),
    path("admin/groups/<uuid:group_id>/members/remove/", group_views.group_members_remove_page,
         name="group_members_remove"),
]
