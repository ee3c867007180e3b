"""The base every form of the product inherits: it strips surrounding blanks and
refuses control characters (NUL included) in every text field, in the user's
language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from incubator.i18n import is_chinese
from incubator.security import has_control_chars


def _strip(value):
    return value.strip() if isinstance(value, str) else value


_WTFORMS_ZH = None


def _wtforms_chinese():
    """WTForms' own Chinese catalogue (its folder is ``zh``, which the
    ``zh_Hans_CN`` locale does not find by itself)."""
    global _WTFORMS_ZH
    if _WTFORMS_ZH is None:
        from wtforms.i18n import get_translations

        _WTFORMS_ZH = get_translations(["zh"])
    return _WTFORMS_ZH


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_chinese() if is_chinese() else None

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters and not unbound_field.kwargs.get("keep_blanks"):
                unbound_field.kwargs["filters"] = [_strip, *filters]
            unbound_field.kwargs.pop("keep_blanks", None)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and has_control_chars(field.data):
                field.errors = [
                    *field.errors,
                    _l("Control characters are not allowed."),
                ]
                ok = False
        return ok

    # A service's field name -> this form's field showing it, where they differ
    # (e.g. ``ends_at`` is typed in the ``end_time`` field).
    domain_field_aliases: dict[str, str] = {}

    def show_domain_error(self, error) -> None:
        """Put a service's ``DomainError`` on the field it names (or the form)."""
        name = self.domain_field_aliases.get(error.field, error.field)
        field = getattr(self, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class EmptyForm(BaseForm):
    """For POST-only buttons: carries just the CSRF token."""
