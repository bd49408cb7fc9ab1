from django.urls import path

from sponsors import views

app_name = "sponsors"

urlpatterns = [
    path("", views.sponsor_list, name="list"),
    path("logo/<int:pk>/<str:filename>", views.logo, name="logo"),
]
