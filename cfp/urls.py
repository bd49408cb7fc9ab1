from django.urls import path

from cfp import review_views, speaker_views, views

app_name = "cfp"

urlpatterns = [
    path("", views.index, name="index"),
    path("deadlines.ics", views.deadlines_ics, name="deadlines_ics"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", speaker_views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/confirm/", speaker_views.proposal_confirm, name="proposal_confirm"),
    path("proposals/<int:pk>/decline/", speaker_views.proposal_decline, name="proposal_decline"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("invitations/<slug:token>/", views.invitation, name="invitation"),
    path("review/", views.review_list, name="review_list"),
    path("review/late-codes/", speaker_views.late_codes_page, name="late_codes"),
    path("review/next/", views.review_next, name="review_next"),
    path("review/decide/", views.review_bulk_decide, name="review_bulk_decide"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    # Review depth (issue 14, the reviewers' half): cfp/review_views.py.
    path(
        "review/track/<int:pk>/assignments/",
        review_views.track_assignments,
        name="track_assignments",
    ),
    path(
        "review/track/<int:pk>/assignments/auto/",
        review_views.track_assign_auto,
        name="track_assign_auto",
    ),
    path(
        "review/track/<int:pk>/assignments/remove/",
        review_views.track_unassign,
        name="track_unassign",
    ),
    path(
        "review/track/<int:pk>/preference/",
        review_views.track_preference,
        name="track_preference",
    ),
    path("review/track/<int:pk>/ranking/", review_views.track_ranking, name="track_ranking"),
    path("review/export.csv", review_views.review_export_csv, name="review_export_csv"),
    path("review/<int:pk>/conflict/", views.review_conflict, name="review_conflict"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
]
