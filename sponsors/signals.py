"""Clear the cached wall whenever a tier or a sponsor is saved or deleted, whoever does it
(services, admin, shell), so the footer never lags behind the database."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sponsors.cache import invalidate_on_commit
from sponsors.models import Sponsor, SponsorTier


@receiver(post_save, sender=Sponsor)
@receiver(post_delete, sender=Sponsor)
@receiver(post_save, sender=SponsorTier)
@receiver(post_delete, sender=SponsorTier)
def sponsors_changed(sender, **kwargs):
    invalidate_on_commit()
