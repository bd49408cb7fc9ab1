from django.apps import AppConfig


class CfpConfig(AppConfig):
    name = "cfp"
    label = "cfp"
    verbose_name = "Call for proposals"
    demo_loader = "cfp.demo.load"
    page_parts = [
        ("home.top", 10, "cfp/parts/home_key_dates.html"),
        ("microconference.after_topics", 10, "cfp/parts/mc_submit_topic.html"),
    ]
