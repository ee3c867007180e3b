"""incubator: incubating community social organizations (社区社会组织孵化管理)."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from config import Config, ProductionConfig, config_from_env

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_folder(name: str) -> str:
    """``templates`` or ``migrations``: inside the package when installed from a
    wheel (setup.py puts them there), else at the top of the checkout."""
    installed = PACKAGE_DIR / name
    return str(installed if installed.is_dir() else PACKAGE_DIR.parent / name)


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the application. ``overrides`` replace single settings (tests)."""
    config = config or config_from_env()
    if issubclass(config, ProductionConfig):
        config.check()
    app = Flask(
        __name__,
        template_folder=_resource_folder("templates"),
        instance_relative_config=True,
    )
    app.config.from_object(config)
    app.config.update(overrides)
    assert isinstance(app.json, DefaultJSONProvider)
    app.json.ensure_ascii = False  # Chinese text round-trips unescaped
    # Ids in URLs fit the database's integer columns; larger ones are a 404.
    from incubator.security import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        # Flask's documented way to wrap the app in WSGI middleware
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n
        )
    if not app.config.get("SECRET_KEY"):
        from incubator import secret_key

        app.config["SECRET_KEY"] = secret_key.load_or_create(
            app.config["SECRET_KEY_FILE"]
        )
    configure_logging(app)
    from incubator import storage

    storage.init_app(app)  # a wrong STORAGE/S3_* setting stops here, with why
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_cli(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log lines in ``LOG_FORMAT`` (text or json) with the request id; tests keep
    pytest's own capture. Registered first, so each request's log line runs after
    every other ``after_request`` step and sees the final status."""
    from incubator import observability

    if not app.debug and not app.testing:
        observability.configure_logging(
            app.config["LOG_FORMAT"], app.config["LOG_LEVEL"]
        )
    observability.init_app(app)


def register_extensions(app: Flask) -> None:
    from incubator import database, i18n
    from incubator.extensions import babel, bootstrap, csrf, db, login_manager, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(app.config)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=_resource_folder("migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=database.render_migration_item,
    )
    with app.app_context():
        database.install_sqlite_pragmas(db.engine)
        database.install_transaction_rules(db.engine)
        database.dispose_after_fork(db.engine)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
    )
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
    i18n.init_app(app)
    _import_models()
    _connect_receivers()


def _import_models() -> None:
    """Every model module, so metadata (and migrations) see all tables."""
    from incubator import import_batches as _import_batches  # noqa: F401
    from incubator.activities import models as _activities  # noqa: F401
    from incubator.api import models as _api  # noqa: F401
    from incubator.audit import models as _audit  # noqa: F401
    from incubator.auth import models as _auth  # noqa: F401
    from incubator.bookings import models as _bookings  # noqa: F401
    from incubator.community import models as _community  # noqa: F401
    from incubator.followups import models as _followups  # noqa: F401
    from incubator.organizations import models as _orgs  # noqa: F401
    from incubator.projects import models as _projects  # noqa: F401
    from incubator.reminders import models as _reminders  # noqa: F401
    from incubator.schedule import models as _schedule  # noqa: F401
    from incubator.sessions import models as _sessions  # noqa: F401
    from incubator.signins import models as _signins  # noqa: F401
    from incubator.ventures import models as _ventures  # noqa: F401
    from incubator.volunteers import models as _volunteers  # noqa: F401


def _connect_receivers() -> None:
    """The modules that answer lower layers' signals (incubator.signals): their
    receivers connect when imported."""
    from incubator import scheduler as _scheduler  # noqa: F401  scheduled_jobs
    from incubator.audit import services as _audit  # noqa: F401  account_changed
    from incubator.bookings import hooks as _bookings  # noqa: F401  activity, session
    from incubator.community import users as _community_users  # noqa: F401
    from incubator.organizations import leaders as _leaders  # noqa: F401
    from incubator.reminders import exports as _exports  # noqa: F401  export_requested
    from incubator.reminders import notices as _notices  # noqa: F401


# The modules that declare API endpoints. Each registers its endpoints on the API
# blueprint when imported, in this order, which is the OpenAPI document's order.
API_MODULES = (
    "incubator.activities.api",
    "incubator.api.auth",
    "incubator.community.users_api",
    "incubator.reminders.api",
    "incubator.api.openapi",
    "incubator.organizations.api",
    "incubator.reports.api",
    "incubator.projects.api",
    "incubator.sessions.api",
    "incubator.followups.api",
    "incubator.ventures.api",
    "incubator.volunteers.api",
    "incubator.community.api",
    "incubator.bookings.api",
    "incubator.signins.api",
)


def load_api_modules() -> None:
    """Import every module of ``API_MODULES`` (once; later calls do nothing), so that
    ``incubator.api.core.ROUTES`` lists every endpoint. Tests that walk the routes
    call it before reading ``ROUTES``."""
    for name in API_MODULES:
        importlib.import_module(name)


def register_blueprints(app: Flask) -> None:
    from incubator.activities.resource_views import bp as resources_bp
    from incubator.activities.views import bp as activities_bp
    from incubator.api import bp as api_bp

    load_api_modules()
    from incubator.audit.views import bp as audit_bp
    from incubator.auth.admin_views import bp as admin_bp
    from incubator.auth.views import bp as auth_bp
    from incubator.bookings import action_views  # noqa: F401  (routes on bp)
    from incubator.bookings.views import bp as bookings_bp
    from incubator.community.user_import_views import bp as user_import_bp
    from incubator.community.views import bp as communities_admin_bp
    from incubator.extensions import csrf
    from incubator.followups.views import bp as followups_bp
    from incubator.main.health import bp as health_bp
    from incubator.main.pwa import bp as pwa_bp
    from incubator.main.views import bp as main_bp
    from incubator.organizations import (
        import_views,  # noqa: F401  (routes on bp)
        record_views,  # noqa: F401  (routes on bp)
    )
    from incubator.organizations.admin_views import bp as incubation_admin_bp
    from incubator.organizations.views import bp as organizations_bp
    from incubator.projects.views import bp as projects_bp
    from incubator.reminders.export_views import bp as exports_bp
    from incubator.reminders.views import admin_bp as reminders_admin_bp
    from incubator.reminders.views import bp as notifications_bp
    from incubator.reports.views import bp as reports_bp
    from incubator.schedule.views import bp as calendar_bp
    from incubator.sessions.views import bp as sessions_bp
    from incubator.signins.admin_views import bp as residents_admin_bp
    from incubator.signins.public import bp as signin_public_bp
    from incubator.signins.views import bp as signins_bp
    from incubator.ventures import action_views as _venture_actions  # noqa: F401
    from incubator.ventures.views import bp as ventures_bp
    from incubator.volunteers import record_views as _volunteer_records  # noqa: F401
    from incubator.volunteers.views import bp as volunteers_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(user_import_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(communities_admin_bp)
    app.register_blueprint(organizations_bp)
    app.register_blueprint(incubation_admin_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(ventures_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(followups_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reminders_admin_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(signins_bp)
    app.register_blueprint(residents_admin_bp)
    app.register_blueprint(signin_public_bp)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing to forge
    app.register_blueprint(api_bp)


def register_security(app: Flask) -> None:
    from incubator import security, transaction
    from incubator.auth.sessions import touch_session_after_request
    from incubator.main import errors, navigation

    security.init_app(app)
    from incubator.activities import hooks as activity_hooks

    activity_hooks.init_app(app)
    # The features' receivers of incubator.signals connect when their modules are
    # imported (once per process, however many apps are built).
    from incubator.followups import hooks as _followup_hooks  # noqa: F401
    from incubator.projects import hooks as _project_hooks  # noqa: F401
    from incubator.reminders import views as reminder_views
    from incubator.signins import panels as _signin_panels  # noqa: F401
    from incubator.ventures import hooks as _venture_hooks  # noqa: F401
    from incubator.volunteers import timeline as _volunteer_timeline  # noqa: F401

    reminder_views.init_app(app)
    app.after_request(touch_session_after_request)
    # Registered last so it runs first: the unit of work commits before the
    # session toucher and the security headers (see incubator.transaction).
    transaction.init_app(app, on_commit_failure=errors.commit_failed)
    errors.init_app(app)
    navigation.init_app(app)


def register_cli(app: Flask) -> None:
    from incubator.auth.cli import users_cli
    from incubator.backup.cli import backup_command, guard_downgrade, restore_command
    from incubator.backup.storage_cli import storage_cli
    from incubator.community.cli import communities_cli
    from incubator.community.user_import import users_import  # noqa: F401
    from incubator.demo.cli import demo_cli
    from incubator.organizations.cli import organizations_cli
    from incubator.projects.setup import setup_command
    from incubator.reminders.cli import reminders_cli
    from incubator.scheduler import scheduler_cli
    from incubator.signins.cli import signins_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(communities_cli)
    app.cli.add_command(organizations_cli)
    app.cli.add_command(setup_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(storage_cli)
    guard_downgrade(app)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(signins_cli)
