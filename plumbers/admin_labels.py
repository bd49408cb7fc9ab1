"""Every admin form control gets an accessible name, and valid markup.

Django's admin leaves some controls without a label that assistive technology can read: the
date and time halves of a split date-time field, the cells of an inline table (their names
are column headings, not labels) and the editable cells of a change list. The site wraps
every registered admin class, and the inlines it lists, so the widgets of each of those
fields carry an ``aria-label`` made of the field's own label. Autocomplete selects always
start with a labelled empty option (a required select must, by the HTML standard).
"""

from django.contrib.admin import ModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms import MultiWidget, SplitDateTimeWidget
from django.forms.utils import pretty_name

SPLIT_PARTS = ("date", "time")


def label_widget(widget, name: str) -> None:
    inner = getattr(widget, "widget", widget)  # RelatedFieldWidgetWrapper holds the real one
    if isinstance(inner, MultiWidget):
        parts = (
            SPLIT_PARTS
            if isinstance(inner, SplitDateTimeWidget)
            else [str(n + 1) for n in range(len(inner.widgets))]
        )
        for sub, part in zip(inner.widgets, parts, strict=False):
            sub.attrs.setdefault("aria-label", f"{name}: {part}")
    elif not inner.is_hidden:  # a hidden input may carry no aria-* (HTML standard)
        inner.attrs.setdefault("aria-label", name)


EMPTY_LABEL = "---------"


class NamedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, whose empty option has a label and is always there."""

    def optgroups(self, name, value, attr=None):
        groups = super().optgroups(name, value, attr)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options[0]["label"] = EMPTY_LABEL
        else:
            options.insert(0, self.create_option(name, "", EMPTY_LABEL, False, 0))
        return groups


def labelled_formset(formset_class):
    """``formset_class`` whose rows name every control after its field, the ones the form
    declares itself and the formset's own (ordering, "Delete") included."""

    class Labelled(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            for name, field in form.fields.items():
                label_widget(field.widget, str(field.label or pretty_name(name)))

    Labelled.__name__ = formset_class.__name__
    return Labelled


class LabelledWidgets:
    """Mixed into a ModelAdmin or an inline: the field's label becomes its widget's name."""

    def get_formset(self, request, obj=None, **kwargs):  # inlines: a table, no <label>s
        return labelled_formset(super().get_formset(request, obj, **kwargs))

    def get_changelist_formset(self, request, **kwargs):  # list_editable cells
        return labelled_formset(super().get_changelist_formset(request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = NamedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            label_widget(formfield.widget, str(formfield.label or db_field.verbose_name))
        return formfield


def _labelled(cls):
    if issubclass(cls, LabelledWidgets):
        return cls
    return type(cls.__name__, (LabelledWidgets, cls), {"__module__": cls.__module__})


def with_labelled_widgets(admin_class: type | None) -> type:
    """``admin_class`` (or ModelAdmin) and its inlines, each with labelled widgets."""
    admin_class = _labelled(admin_class or ModelAdmin)
    admin_class.inlines = [_labelled(inline) for inline in admin_class.inlines]
    return admin_class
