from django.urls import path

from domains import views

app_name = "domains"

urlpatterns = [
    path("admin/domains/", views.domains, name="list"),
]
