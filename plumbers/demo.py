"""LPC 2022 demo data, replayed live.

The 2022 story is anchored on ``STORY_TODAY`` (a few days after the refereed deadline was
extended from June 12 to June 19, with in-person registration sold out and a waitlist open).
By default every date of the story is shifted by whole days so that STORY_TODAY is today;
``--historical`` keeps the real 2022 dates. Every app's demo module receives the same
``DemoContext`` and places its dates with ``ctx.at(...)`` so the whole story moves together.

Apps add their part with a ``load(ctx)`` function named by their AppConfig's ``demo_loader``
(see plumbers.extensions); they run lowest layer first, so each finds what it builds on.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.utils import timezone

from plumbers.extensions import demo_loaders
from plumbers.models import Announcement, Conference, User
from plumbers.permissions import ORGANIZERS_GROUP

STORY_TODAY = dt.date(2022, 6, 14)
STORY_STARTS_ON = dt.date(2022, 9, 12)  # the first day of LPC 2022
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")

DEMO_ACCOUNTS = [
    # (email, display name, password, role)
    ("organizer@example.org", "Olive Organizer", "plumbers-organizer", "organizer"),
    ("reviewer@example.org", "Rita Reviewer", "plumbers-reviewer", "reviewer"),
    ("attendee@example.org", "Adam Attendee", "plumbers-attendee", "attendee"),
]


@dataclass
class DemoContext:
    conference: Conference
    historical: bool
    shift: dt.timedelta
    out: Callable[[str], None]
    accounts: dict[str, User] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def date(self, year: int, month: int, day: int) -> dt.date:
        """A date of the 2022 story, moved onto the demo's timeline."""
        return dt.date(year, month, day) + self.shift

    def at(self, year, month, day, hour=12, minute=0, second=0, tz=DUBLIN) -> dt.datetime:
        """An aware datetime of the 2022 story (wall time in ``tz``), moved onto the timeline."""
        local = dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
        return local + self.shift

    def user(self, email: str, display_name: str, password: str | None = None, **extra) -> User:
        """A verified demo user, created once; later runs leave it as it is."""
        return ensure_user(email=email, display_name=display_name, password=password, **extra)


def ensure_user(*, email: str, display_name: str, password: str | None = None, **extra) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, display_name=display_name, **extra
        )
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def story_shift(*, historical: bool, today: dt.date | None = None) -> dt.timedelta:
    if historical:
        return dt.timedelta(0)
    today = today or timezone.localdate()
    return dt.timedelta(days=(today - STORY_TODAY).days)


# Announcements of LPC 2022 (titles are facts; bodies are our own words). Dates place them
# on the story's timeline; those after STORY_TODAY are scheduled posts in the live demo.
ANNOUNCEMENTS = [
    (
        (2022, 5, 5),
        "Microconferences at Linux Plumbers Conference: Kernel Memory Management",
        "kernel-memory-management-mc",
        "The Kernel Memory Management microconference complements LSF/MM: the same hard "
        "problems, a different room, a different audience and another point in the year.\n\n"
        "Expect discussion of LRU designs, the slab allocators, folios, page pinning, "
        "reflinked files, huge pages beyond hugetlbfs and memory failure handling. See the "
        "[microconference page](/microconferences/kernel-memory-management/) for the topics.",
    ),
    (
        (2022, 5, 27),
        "Registration Currently Sold Out, We’re Trying to Add More Places",
        "registration-sold-out",
        "When we planned this edition we expected social distancing to still be with us, so "
        "we sized the venue for a smaller crowd. The community proved us wrong: in-person "
        "places were gone within days.\n\nWe are looking at ways to grow the venue's "
        "capacity. Virtual places remain available. We will post here as soon as we know "
        "more.",
    ),
    (
        (2022, 6, 1),
        "Microconferences at Linux Plumbers Conference: Real-time and Scheduling",
        "real-time-and-scheduling-mc",
        "Real-time and scheduling share one microconference again this year. Much of "
        "PREEMPT_RT is already in mainline and what remains is close; the scheduler has to "
        "serve everything from tiny devices to HPC.\n\nWe will talk about scaling "
        "PREEMPT_RT, partitioning, analysis tools, safety-critical use, finishing the merge "
        "and latency nice.",
    ),
    (
        (2022, 6, 3),
        "Microconferences at Linux Plumbers Conference: IoTs a 4-Letter Word",
        "iot-mc",
        "The IoT microconference returns for a fourth year. Linux and Zephyr are shipping in "
        "products in new ways, from open silicon to Matter gateways, and there is a lot to "
        "compare notes on.\n\nBeginners and veterans are equally welcome.",
    ),
    (
        (2022, 6, 9),
        "CFP Deadline Extended – Refereed Presentations",
        "cfp-deadline-extended-refereed",
        "One last time, we keep our habit of a one-week extension: the refereed-track "
        "deadline moves from **June 12** to **June 19**.\n\nFrom 2023 the refereed deadline "
        "will be hard and will not be extended. Thank you to everyone who has already "
        "submitted; everyone else has one more week.",
    ),
    (
        (2022, 6, 10),
        "Registration Still Sold Out, But There is Now a Waitlist",
        "registration-waitlist",
        "In-person places went so quickly that we now run a waitlist (virtual places are "
        "still open). When you join it, tell us clearly why you want to attend.\n\n"
        "Priority goes to **new attendees** and to **people expected to contribute "
        "content**. We plan to accept a first group from the waitlist in mid July.",
    ),
    (
        (2022, 6, 13),
        "Microconferences at Linux Plumbers Conference: CPU Isolation",
        "cpu-isolation-mc",
        "Some workloads, such as DPDK in telco and 5G, cannot tolerate any interruption. "
        "Full CPU isolation needs the kernel and user space to cooperate, and sources of OS "
        "noise are still easy to find.\n\nThis microconference is about finding that noise, "
        "tracking it in the open and removing it.",
    ),
    (
        (2022, 6, 20),
        "Microconferences at Linux Plumbers Conference: Open Printing",
        "open-printing-mc",
        "OpenPrinting keeps changing how Linux prints and scans. Driverless printing made "
        "life easier, and the work goes on: CUPS 2.5 and 3.0, 3D printing, testing, "
        "documentation and sandboxed printer applications.",
    ),
    (
        (2022, 6, 27),
        "Microconferences at Linux Plumbers Conference: Android",
        "android-mc",
        "The Android microconference continues to bring the Android and upstream kernel "
        "communities together so that both move in step.",
    ),
    (
        (2022, 7, 5),
        "Microconferences at Linux Plumbers Conference: VFIO/IOMMU/PCI",
        "vfio-iommu-pci-mc",
        "PCI devices, the IOMMUs in front of them and the VFIO layer that hands them to user "
        "space and guests have to evolve together. This microconference is where the three "
        "subsystems coordinate their interfaces.",
    ),
]


def load_core(*, historical: bool, out: Callable[[str], None], today=None) -> DemoContext:
    shift = story_shift(historical=historical, today=today)
    site = Site.objects.get_current()
    if site.domain == "example.com":
        site.domain, site.name = "127.0.0.1:8000", "Linux Plumbers Conference"
        site.save()

    conference, created = Conference.objects.update_or_create(
        slug="2022",
        defaults={
            "name": "Linux Plumbers Conference 2022",
            "year": 2022,
            "starts_on": STORY_STARTS_ON + shift,
            "ends_on": dt.date(2022, 9, 14) + shift,
            "city": "Dublin",
            "venue": "Clayton Hotel Burlington Road",
            "timezone": "Europe/Dublin",
        },
    )
    Conference.objects.exclude(pk=conference.pk).filter(is_current=True).update(is_current=False)
    if not conference.is_current:
        conference.is_current = True
        conference.save(update_fields=["is_current"])
    out(
        f"{'Created' if created else 'Updated'} edition {conference.name} "
        f"({conference.starts_on:%d %b %Y}–{conference.ends_on:%d %b %Y}, {conference.city}); "
        f"timeline shifted by {shift.days} days."
    )

    ctx = DemoContext(conference=conference, historical=historical, shift=shift, out=out)
    organizers = Group.objects.get(name=ORGANIZERS_GROUP)
    for email, name, password, role in DEMO_ACCOUNTS:
        user = ensure_user(email=email, display_name=name, password=password)
        user.set_password(password)
        if role == "organizer":
            user.is_staff = True
            user.groups.add(organizers)
        user.save()
        ctx.accounts[role] = user
    out(f"Demo accounts ready: {', '.join(a[0] for a in DEMO_ACCOUNTS)}.")

    organizer = ctx.accounts["organizer"]
    made = scheduled = 0
    now = timezone.now()
    for (y, m, d), title, slug, body in ANNOUNCEMENTS:
        scheduled += ctx.at(y, m, d, 10) > now
        _, was_created = Announcement.objects.update_or_create(
            slug=slug,
            defaults={
                "conference": conference,
                "title": title,
                "body": body,
                "published_at": ctx.at(y, m, d, 10),
                "author": organizer,
            },
        )
        made += was_created
    out(
        f"News: {len(ANNOUNCEMENTS)} announcements ({made} new): "
        f"{len(ANNOUNCEMENTS) - scheduled} published on /news/, {scheduled} scheduled for "
        "later dates of the story."
    )
    return ctx


def load_demo(*, historical: bool = False, out: Callable[[str], None] = print, today=None):
    """Load the whole demo: the core, then each app's part in dependency order."""
    ctx = load_core(historical=historical, out=out, today=today)
    for _label, load in demo_loaders():
        load(ctx)
    return ctx
