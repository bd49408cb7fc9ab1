from django.contrib import admin
from django.urls import include, path

from plumbers import feeds, views
from plumbers.pagecache import public_page

handler400 = "plumbers.errors.bad_request"
handler403 = "plumbers.errors.permission_denied"
handler404 = "plumbers.errors.page_not_found"
handler500 = "plumbers.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("news/", views.news_list, name="news_list"),
    path("news/feed/", public_page(feeds.NewsFeed()), name="news_feed"),
    path("news/<slug:slug>/", views.news_detail, name="news_detail"),
    path("me/", views.me, name="me"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/photo", views.profile_photo, name="profile_photo"),
    path("accounts/", include("allauth.urls")),
    path("microconferences/", include("microconferences.urls")),
    path("cfp/", include("cfp.urls")),
    path("schedule/", include("schedule.urls")),
    path("speakers/", include("schedule.speaker_urls")),
    path("register/", include("registration.urls")),
    path("sponsors/", include("sponsors.urls")),
    path("admin/", admin.site.urls),
]
