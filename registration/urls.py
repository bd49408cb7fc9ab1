from django.urls import path

from registration import views

app_name = "registration"

urlpatterns = [
    path("", views.register, name="register"),
    path("kind/<int:kind_id>/", views.register_kind, name="register_kind"),
    path("redeem/", views.redeem, name="redeem"),
    path("<int:registration_id>/accept/", views.accept, name="accept"),
    path("<int:registration_id>/decline/", views.decline, name="decline"),
    path("<int:registration_id>/cancel/", views.cancel, name="cancel"),
]
