from django.apps import AppConfig
from django.db.models import Q

from plumbers.mail_kinds import MailSegment


class SponsorsConfig(AppConfig):
    name = "sponsors"
    verbose_name = "Sponsors"
    mail_segments = {
        "sponsors.contacts": MailSegment(
            "Sponsor contacts (visible sponsors)",
            lambda c: Q(sponsor_contacts__tier__conference=c, sponsor_contacts__visible=True),
        ),
    }
    demo_loader = "sponsors.demo.load"
    dashboard = "sponsors.dashboard.panels"
    page_parts = [
        ("home.bottom", 10, "sponsors/parts/home.html"),
        ("footer", 10, "sponsors/parts/footer.html"),
    ]

    def ready(self):
        from sponsors import signals  # noqa: F401  (connects the cache invalidation)
