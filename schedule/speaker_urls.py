"""Public speaker pages, mounted at /speakers/ by the root URL conf."""

from django.urls import path

from schedule import views

app_name = "speakers"

urlpatterns = [
    path("", views.speakers, name="list"),
    path("<int:pk>/", views.speaker, name="detail"),
    path("<int:pk>/photo/<str:filename>", views.speaker_photo, name="photo"),
]
