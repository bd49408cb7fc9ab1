from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from plumbers.models import Announcement


class NewsFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("news_list")
    subtitle = "News from the conference organizers."

    def title(self):
        return f"{settings.PLUMBERS_SITE_NAME}: news"

    def items(self):
        return Announcement.objects.published().select_related("author")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return str(item.author) if item.author else "The organizers"
