from django.urls import path

from cfp import views

app_name = "cfp"

urlpatterns = [
    path("", views.index, name="index"),
    path("deadlines.ics", views.deadlines_ics, name="deadlines_ics"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("invitations/<slug:token>/", views.invitation, name="invitation"),
    path("review/", views.review_list, name="review_list"),
    path("review/next/", views.review_next, name="review_next"),
    path("review/decide/", views.review_bulk_decide, name="review_bulk_decide"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
]
