"""Every Markdown field is limited in forms and in the database, and its sanitized HTML is
rendered once on save and stored (pages never render Markdown per view)."""

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from plumbers.markdown import MARKDOWN_MAX_LENGTH, RenderedMarkdown
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import AnnouncementFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.sponsors.factories import SponsorFactory

pytestmark = pytest.mark.django_db

FACTORIES = {
    "plumbers.announcement": AnnouncementFactory,
    "plumbers.user": UserFactory,  # the speaker bio
    "cfp.track": TrackFactory,
    "cfp.proposal": ProposalFactory,
    "microconferences.microconference": MicroconferenceFactory,
    "sponsors.sponsor": SponsorFactory,
}


def _rendered_models():
    return [m for m in apps.get_models() if issubclass(m, RenderedMarkdown)]


def _cases():
    return [
        pytest.param(model, source, html, id=f"{model._meta.label_lower}.{source}")
        for model in _rendered_models()
        for source, html in model.markdown_fields.items()
    ]


def test_markdown_fields_every_rendered_model_has_a_factory_here():
    assert {m._meta.label_lower for m in _rendered_models()} <= set(FACTORIES)


@pytest.mark.parametrize(("model", "source", "html"), _cases())
def test_markdown_fields_render_on_save(model, source, html):
    obj = FACTORIES[model._meta.label_lower]()
    setattr(obj, source, "**bold** <script>alert(1)</script>")

    obj.save()

    stored = model.objects.values_list(html, flat=True).get(pk=obj.pk)
    assert "<strong>bold</strong>" in stored
    assert "<script" not in stored


@pytest.mark.parametrize(("model", "source", "html"), _cases())
def test_markdown_fields_form_refuses_too_long(model, source, html):
    form_class = modelform_factory(model, fields=[source])

    typed = "x" * (MARKDOWN_MAX_LENGTH + 1)
    form = form_class(data={source: typed})

    assert not form.is_valid()
    assert f"at most {MARKDOWN_MAX_LENGTH}" in form.errors[source][0]
    assert "maxlength" not in str(form[source])  # a browser would cut a paste silently
    assert typed in str(form[source])  # shown back whole, nothing lost


@pytest.mark.parametrize(("model", "source", "html"), _cases())
def test_markdown_fields_database_refuses_too_long(model, source, html):
    obj = FACTORIES[model._meta.label_lower]()

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{source: "x" * (MARKDOWN_MAX_LENGTH + 1)})
