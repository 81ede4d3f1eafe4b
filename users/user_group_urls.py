"""URLs of the user detail page's Groups card actions (namespace "users", included from users/urls.py)."""

from django.urls import path

from users import user_group_views

urlpatterns = [
    path("admin/users/<uuid:user_id>/groups/add/", user_group_views.user_groups_add_page, name="user_groups_add"),
    path("admin/users/<uuid:user_id>/groups/<uuid:group_id>/remove/", user_group_views.user_group_remove_page,
         name="user_group_remove"),
]
