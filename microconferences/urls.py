from django.urls import path

from microconferences import views

app_name = "microconferences"

urlpatterns = [
    path("", views.microconference_list, name="list"),
    path("<slug:slug>/", views.microconference_detail, name="detail"),
    path("<slug:slug>/edit/", views.microconference_edit, name="edit"),
    path("<slug:slug>/edit/topics/add/", views.topic_add, name="topic_add"),
    path("<slug:slug>/edit/topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path("<slug:slug>/edit/topics/<int:pk>/move/", views.topic_move, name="topic_move"),
    path("<slug:slug>/edit/topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("<slug:slug>/edit/headings/add/", views.group_add, name="group_add"),
    path("<slug:slug>/edit/headings/<int:pk>/", views.group_edit, name="group_edit"),
    path("<slug:slug>/edit/headings/<int:pk>/move/", views.group_move, name="group_move"),
    path("<slug:slug>/edit/headings/<int:pk>/delete/", views.group_delete, name="group_delete"),
]
