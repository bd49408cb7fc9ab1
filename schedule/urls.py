from django.urls import path

from schedule import views

app_name = "schedule"

urlpatterns = [
    path("", views.program, name="program"),
    path("changelog/", views.changelog, name="changelog"),
    path("mine/", views.mine, name="mine"),
    path("mine/feed/", views.feed_regenerate, name="feed_regenerate"),
    path("mine/feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("mine/<str:token>.ics", views.my_feed, name="my_feed"),
    path("export/schedule.xml", views.export_xml, name="export_xml"),
    path("export/schedule.json", views.export_json, name="export_json"),
    path("export/schedule.ics", views.export_ics, name="export_ics"),
    path("<uuid:key>/", views.item, name="item"),
    path("<uuid:key>/calendar.ics", views.item_ics, name="item_ics"),
    path("<uuid:key>/star/", views.star, name="star"),
]
