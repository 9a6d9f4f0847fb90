"""The phrase bank behind the demo company: hand-written product themes, message templates and name parts.

Every customer message in the demo is rendered from a template here, with ``{slot}`` fillers drawn from
:data:`GLOBAL_SLOTS` or the theme's own ``slots``. Templates are grouped by the kind of message they are
(bug, feature request, complaint, praise, question, other), so the generated corpus carries a ground truth
that tests and benchmarks of the feedback engine can score against. French and German templates use only
language-neutral slots (product names, numbers, browsers), so a rendered message never mixes languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS: tuple[str, ...] = ("bug", "feature_request", "complaint", "praise", "question", "other")
"""Ground-truth kinds of feedback, in the order the generator draws them."""

DEFAULT_KIND_WEIGHTS: Mapping[str, float] = {
    "bug": 0.22,
    "feature_request": 0.33,
    "complaint": 0.16,
    "praise": 0.10,
    "question": 0.16,
    "other": 0.03,
}
"""The kind mix of a theme unless the theme overrides some of it."""


@dataclass(frozen=True)
class ThemePhrases:
    """One product theme: what customers say about it, how often, who says it, and how it trends.

    ``segment_affinity`` multiplies the chance that a customer of each segment (enterprise, mid_market,
    smb, startup) raises the theme; ``trend_slope`` in [-1, 1] tilts its volume towards the end (rising)
    or the start (falling) of the 26-week window; ``spike_at`` (fraction of the window) adds a burst, as
    after a bad release.
    """

    key: str
    name: str
    area: str
    keywords: tuple[str, ...]
    problem: str
    weight: float
    trend_slope: float
    segment_affinity: tuple[float, float, float, float]
    templates: Mapping[str, tuple[str, ...]]
    french: tuple[tuple[str, str], ...]
    german: tuple[tuple[str, str], ...]
    ideas: tuple[tuple[str, str], ...]
    slots: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kind_weights: Mapping[str, float] = field(default_factory=dict)
    spike_at: float | None = None
    spike_share: float = 0.0


@dataclass(frozen=True)
class AreaPhrases:
    """A product area of Lumen and the team that owns it."""

    key: str
    name: str
    description: str
    team: str


COMPANY_NAME = "Lumen Analytics"
COMPANY_DOMAIN = "lumenanalytics.com"
COMPANY_DESCRIPTION = (
    "Lumen Analytics is a B2B SaaS analytics platform for operating teams. Customers connect their data "
    "warehouse, build dashboards and charts with a visual builder or SQL, schedule reports to e-mail and "
    "Slack, set alerts on metrics, and embed dashboards in their own products. Around 300 companies use "
    "it, from seed-stage startups on the Starter plan to enterprises with thousands of viewers."
)

TEAMS: tuple[tuple[str, str, str], ...] = (
    ("insights", "Insights", "Dashboards, charts, the SQL editor, search and collaboration."),
    ("data_platform", "Data Platform", "Connectors, the query engine, exports, the API and data governance."),
    ("trust_admin", "Trust & Admin", "Sign-in, roles, audit, billing and workspace settings."),
    (
        "growth_mobile",
        "Growth & Mobile",
        "Onboarding, the mobile app, notifications, integrations and alerts.",
    ),
)
"""(key, name, mission) of the four product teams."""

AREAS: tuple[AreaPhrases, ...] = (
    AreaPhrases("dashboards", "Dashboards", "Building, arranging and filtering dashboards.", "insights"),
    AreaPhrases(
        "charts", "Charts & visualizations", "Chart types, formatting, colours and legends.", "insights"
    ),
    AreaPhrases("sql_editor", "SQL editor", "Writing, running and saving SQL queries.", "insights"),
    AreaPhrases("search", "Search", "Finding dashboards, charts, metrics and people.", "insights"),
    AreaPhrases(
        "collaboration", "Comments & collaboration", "Comments, mentions and annotations.", "insights"
    ),
    AreaPhrases("appearance", "Appearance & themes", "Light and dark themes, density, branding.", "insights"),
    AreaPhrases(
        "data_connectors",
        "Warehouse connectors",
        "Syncing Snowflake, BigQuery, Redshift and others.",
        "data_platform",
    ),
    AreaPhrases(
        "query_engine", "Query engine & caching", "How fast dashboards load and refresh.", "data_platform"
    ),
    AreaPhrases("exports", "Exports", "CSV, Excel and PDF downloads of charts and tables.", "data_platform"),
    AreaPhrases("public_api", "Public API", "The REST API, tokens and rate limits.", "data_platform"),
    AreaPhrases("webhooks", "Webhooks", "Outgoing events to customers' own systems.", "data_platform"),
    AreaPhrases(
        "data_governance",
        "Data retention & governance",
        "Retention windows, deletion, residency.",
        "data_platform",
    ),
    AreaPhrases(
        "authentication", "Sign-in & authentication", "Passwords, SSO, SAML and two-factor.", "trust_admin"
    ),
    AreaPhrases("access_control", "Roles & permissions", "Who can see and edit what.", "trust_admin"),
    AreaPhrases("audit", "Audit log", "A record of who did what, for compliance.", "trust_admin"),
    AreaPhrases(
        "billing", "Billing & invoices", "Plans, seats, invoices and payment methods.", "trust_admin"
    ),
    AreaPhrases(
        "workspace_settings", "Workspace settings", "Time zones, locales, fiscal calendars.", "trust_admin"
    ),
    AreaPhrases("onboarding", "Onboarding", "Sign-up, setup checklist and first dashboard.", "growth_mobile"),
    AreaPhrases("mobile_app", "Mobile app", "The iOS and Android apps.", "growth_mobile"),
    AreaPhrases("notifications", "Notifications", "In-app, e-mail and push notifications.", "growth_mobile"),
    AreaPhrases(
        "slack_integration", "Slack integration", "Posting charts and alerts to Slack.", "growth_mobile"
    ),
    AreaPhrases("crm_integrations", "CRM integrations", "Salesforce and HubSpot sync.", "growth_mobile"),
    AreaPhrases(
        "scheduled_reports", "Scheduled reports", "Recurring e-mail and PDF reports.", "growth_mobile"
    ),
    AreaPhrases("alerts", "Metric alerts", "Threshold and anomaly alerts on metrics.", "growth_mobile"),
    AreaPhrases(
        "embedding", "Embedded analytics", "Dashboards embedded in customers' own products.", "growth_mobile"
    ),
)
"""The 25 product areas of Lumen, each owned by one team."""

GLOBAL_SLOTS: Mapping[str, tuple[str, ...]] = {
    "browser": ("Chrome", "Firefox", "Safari", "Edge", "Chrome on Windows", "Safari on macOS"),
    "device": (
        "iPhone 15",
        "iPhone 13 mini",
        "Pixel 8",
        "Galaxy S23",
        "iPad Air",
        "Galaxy A54",
        "OnePlus 11",
    ),
    "mobile_os": ("iOS 18.1", "iOS 17.6", "Android 14", "Android 13"),
    "app_version": ("4.11.3", "4.12.0", "4.12.1", "4.13.0"),
    "count": ("2", "3", "4", "5", "6", "8", "10", "12"),
    "seats": ("40", "75", "120", "250", "600", "1,200"),
    "minutes": ("5", "10", "15", "20", "30", "45"),
    "seconds": ("20", "30", "40", "45", "60", "90"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"),
    "month": ("January", "March", "April", "June", "September", "October", "December"),
    "competitor": ("Looker", "Tableau", "Metabase", "Power BI", "Mode", "Sigma"),
    "stakeholder": (
        "our CFO",
        "the sales team",
        "our ops lead",
        "the board",
        "our CS team",
        "the data team",
        "my manager",
        "our CEO",
        "the finance team",
    ),
    "dashboard": (
        "Weekly Revenue",
        "Pipeline Overview",
        "Churn Watch",
        "Marketing Funnel",
        "Ops Daily",
        "Exec Summary",
        "Support SLA",
        "Product Usage",
        "Inventory Health",
    ),
    "warehouse": ("Snowflake", "BigQuery", "Redshift", "Postgres", "Databricks", "SQL Server"),
    "idp": ("Okta", "Azure AD", "Microsoft Entra ID", "Google Workspace", "OneLogin", "JumpCloud"),
    "rows": ("50,000", "120,000", "250,000", "1 million", "2.5 million"),
    "plan_tier": ("Business", "Growth", "Starter"),
}
"""Slot fillers every theme may use. Those used by French or German templates are language-neutral."""

OPENERS_EN: tuple[str, ...] = (
    "Hi team,",
    "Hello,",
    "Hi there,",
    "Hey folks,",
    "Good morning,",
    "Quick one:",
    "Hi Lumen support,",
    "Hi all,",
    "Hey,",
)
CLOSERS_EN: tuple[str, ...] = (
    "Thanks!",
    "Thanks in advance.",
    "Cheers",
    "Any update would be appreciated.",
    "Thank you.",
    "Let me know if you need more details.",
    "Thanks for looking into it.",
)
CONTEXT_EN: Mapping[str, tuple[str, ...]] = {
    "bug": (
        "This is blocking {stakeholder} right now.",
        "Happens to at least {count} people on my team.",
        "It started after last week's update, as far as I can tell.",
        "Tried clearing the cache and a different browser, same result.",
        "Screenshot attached.",
        "We have {seats} people on Lumen, so this hurts.",
        "Not urgent, but it is annoying.",
    ),
    "feature_request": (
        "It would save us hours every week.",
        "{competitor} has had this for a while.",
        "We'd happily pay more for this.",
        "This came up again in our quarterly review.",
        "Happy to join a beta if you build it.",
        "It would make rolling Lumen out to {seats} people much easier.",
        "Right now we work around it with spreadsheets.",
    ),
    "complaint": (
        "Our renewal is coming up in {month} and this will come up.",
        "This is the third time I'm raising it.",
        "{stakeholder} asked me why we're paying for this.",
        "We are seriously looking at {competitor} because of it.",
        "Please escalate this.",
    ),
    "praise": (
        "Keep it up!",
        "The team noticed straight away.",
        "Honestly one of the reasons we picked you over {competitor}.",
        "Big thanks to whoever built it.",
    ),
    "question": (
        "Couldn't find anything in the docs.",
        "Sorry if this is obvious.",
        "Asking on behalf of {stakeholder}.",
        "A link to the right help article would be enough.",
    ),
    "other": ("Thanks.",),
}
"""Sentences added around a message to vary its length, per kind."""

OPENERS_FR: tuple[str, ...] = ("Bonjour,", "Bonjour à tous,", "Bonjour l'équipe Lumen,")
CLOSERS_FR: tuple[str, ...] = ("Merci d'avance.", "Merci !", "Cordialement.", "Bonne journée.")
OPENERS_DE: tuple[str, ...] = ("Hallo,", "Hallo zusammen,", "Guten Tag,", "Liebes Lumen-Team,")
CLOSERS_DE: tuple[str, ...] = ("Danke!", "Vielen Dank im Voraus.", "Viele Grüße.", "Besten Dank.")

_TRUST_THEMES: tuple[ThemePhrases, ...] = (
    ThemePhrases(
        key="sso_saml",
        name="SSO / SAML login",
        area="authentication",
        keywords=("sso", "saml", "single sign-on", "scim", "identity provider", "okta"),
        problem="Companies cannot roll Lumen out widely until sign-in goes through their identity provider.",
        weight=1.3,
        trend_slope=0.5,
        segment_affinity=(4.0, 1.5, 0.4, 0.3),
        slots={
            "saml_error": (
                "Invalid SAML response",
                "NameID missing",
                "Audience mismatch",
                "Signature validation failed",
            )
        },
        templates={
            "bug": (
                "SSO login through {idp} fails with '{saml_error}' for about half of our users since "
                "{weekday}.",
                "When someone signs in with SAML they land on the Lumen login page again instead of their "
                "dashboard. Looks like a redirect loop.",
                "New hires provisioned in {idp} get an error on their first SSO login and we have to invite "
                "them by hand.",
                "SAML login works in {browser} but not in the desktop app, it just spins forever.",
            ),
            "feature_request": (
                "Please add SAML SSO to the {plan_tier} plan, our security team won't approve Lumen "
                "without it.",
                "We need SCIM provisioning with {idp} so that leavers are deprovisioned automatically.",
                "Can you support just-in-time provisioning with SSO? Creating {count} accounts by hand every "
                "month is painful.",
                "It would be great to enforce SSO for the whole workspace and switch off password logins.",
                "Support for more than one identity provider per workspace, please. We use {idp} for staff "
                "and "
                "a separate one for contractors.",
            ),
            "complaint": (
                "Honestly ridiculous that SSO is locked behind the Enterprise tier. It's a basic security "
                "feature in 2026.",
                "Our IT team spent two days getting SAML to work with {idp}. The setup docs are out of date.",
                "Every time the SAML certificate rotates everyone gets locked out. It happened again this "
                "morning.",
                "We still can't roll Lumen out company-wide because there is no way to enforce SSO.",
            ),
            "praise": (
                "SSO setup with {idp} took ten minutes. Easiest SAML integration we've done this year.",
                "Thanks for shipping SCIM, our IT admin is very happy.",
                "Love that login now goes straight through {idp}, no more password resets.",
            ),
            "question": (
                "Does Lumen support SAML 2.0 with {idp}, and is it included in our plan?",
                "How do we rotate the SAML signing certificate without locking users out?",
                "Is there a way to map {idp} groups to Lumen roles automatically?",
                "Which attribute do you expect as the NameID, e-mail or employee id?",
            ),
            "other": (
                "Our security team will send over the SSO questionnaire this week, please route it to the "
                "right person.",
                "Forwarding the SAML metadata file from our IT team as discussed on the call.",
            ),
        },
        french=(
            (
                "bug",
                "La connexion SSO via {idp} ne fonctionne plus depuis ce matin, nos utilisateurs voient une "
                "erreur SAML.",
            ),
            (
                "feature_request",
                "Nous aurions besoin du provisionnement SCIM avec {idp} pour désactiver "
                "automatiquement les comptes des personnes qui quittent l'entreprise.",
            ),
            (
                "question",
                "Est-ce que le SSO SAML est inclus dans notre offre actuelle ? Notre DSI le demande "
                "avant de déployer Lumen.",
            ),
        ),
        german=(
            (
                "bug",
                "Seit dem letzten Update schlägt die Anmeldung per SSO über {idp} bei mehreren Kollegen "
                "fehl.",
            ),
            (
                "feature_request",
                "Bitte bietet SAML-SSO auch im Business-Tarif an, ohne das gibt unsere "
                "IT-Sicherheit kein grünes Licht.",
            ),
            ("complaint", "Dass SSO nur im Enterprise-Tarif enthalten ist, ist für uns ein echtes Ärgernis."),
        ),
        ideas=(
            ("SAML SSO on the Business plan", "Offer SAML single sign-on below the Enterprise tier."),
            (
                "SCIM user provisioning",
                "Create, update and deactivate Lumen users from the identity provider.",
            ),
            ("Enforce SSO for a workspace", "Let admins switch off password logins once SSO is configured."),
            (
                "Zero-downtime SAML certificate rotation",
                "Accept the old and the new signing certificate during a rollover window.",
            ),
            ("Map identity provider groups to roles", "Assign Lumen roles from group membership at login."),
        ),
    ),
    ThemePhrases(
        key="two_factor_auth",
        name="Two-factor authentication",
        area="authentication",
        keywords=("2fa", "two-factor", "mfa", "authenticator", "security key", "login code"),
        problem="Accounts without SSO rely on passwords alone, and the second factor is easy to lose.",
        weight=0.6,
        trend_slope=0.0,
        segment_affinity=(1.0, 1.3, 1.0, 0.8),
        slots={"factor": ("authenticator app", "SMS code", "YubiKey", "passkey")},
        templates={
            "bug": (
                "The 2FA code from my authenticator app is rejected every time, even though the clock on my "
                "phone is correct.",
                "I never receive the SMS login code when I sign in from {browser}.",
                "After enabling two-factor the 'remember this device' box does nothing, I get asked for a "
                "code on every login.",
            ),
            "feature_request": (
                "Please let admins require two-factor authentication for everyone in the workspace.",
                "Can you add support for hardware security keys like a {factor}?",
                "Passkey login would be great, half of our team already uses them everywhere else.",
                "We'd like to see which users have 2FA turned on from the admin page.",
            ),
            "complaint": (
                "I lost my phone and the only way to recover my 2FA was a five-day support back-and-forth.",
                "Being asked for a 2FA code every single time I open Lumen is driving me nuts.",
                "SMS codes arrive minutes late, if at all. This is not a usable second factor.",
            ),
            "praise": (
                "Setting up two-factor with my {factor} was painless, thank you.",
                "Glad you added enforced 2FA, it ticked a big box in our security review.",
            ),
            "question": (
                "How do I reset two-factor for a colleague who got a new phone?",
                "Do you support a {factor} as a second factor?",
                "Are backup codes available if someone loses their authenticator?",
            ),
            "other": ("Our compliance officer asked for your MFA policy document, can you share it?",),
        },
        french=(
            (
                "question",
                "Comment réinitialiser la double authentification d'un collègue qui a changé de téléphone ?",
            ),
            (
                "feature_request",
                "Pouvez-vous rendre la double authentification obligatoire pour tout l'espace de travail ?",
            ),
        ),
        german=(
            ("bug", "Der Zwei-Faktor-Code aus meiner Authenticator-App wird jedes Mal abgelehnt."),
            (
                "feature_request",
                "Bitte unterstützt Hardware-Sicherheitsschlüssel wie YubiKey für die Anmeldung.",
            ),
        ),
        ideas=(
            (
                "Require two-factor for a workspace",
                "Admins can make a second factor mandatory for all users.",
            ),
            ("Passkeys and security keys", "Support WebAuthn passkeys and hardware keys as second factors."),
            (
                "Self-service 2FA recovery",
                "Backup codes and an admin reset flow instead of a support ticket.",
            ),
            ("2FA status in the member list", "Show who has a second factor enabled on the admin page."),
        ),
    ),
    ThemePhrases(
        key="permissions_roles",
        name="Permissions & roles",
        area="access_control",
        keywords=("permissions", "roles", "viewer", "editor", "access", "row-level security", "folder"),
        problem="Large workspaces cannot control who sees and edits which dashboards and data.",
        weight=1.2,
        trend_slope=0.2,
        segment_affinity=(3.0, 2.0, 0.7, 0.4),
        slots={"team_name": ("sales", "finance", "marketing", "support", "HR", "ops")},
        templates={
            "bug": (
                "Viewers can still edit chart titles on shared dashboards, which they shouldn't be able to "
                "do.",
                "A user I removed from the {team_name} group can still open the {dashboard} dashboard.",
                "Changing someone's role from editor to viewer only takes effect after they log out and in "
                "again.",
                "Folder permissions are not inherited by new dashboards created inside the folder.",
            ),
            "feature_request": (
                "We need custom roles. Editor and viewer are too coarse for a company our size.",
                "Row-level security please, so the {team_name} team only sees their own region's numbers.",
                "Can we give someone edit rights to a single folder without making them a workspace editor?",
                "It would help to have a 'can view but not export' permission for sensitive dashboards.",
                "Please add permission groups that sync from {idp}.",
            ),
            "complaint": (
                "Managing access for {seats} users one by one is a nightmare. There are no groups to speak "
                "of.",
                "Someone from {team_name} saw salary data they should never have seen because permissions "
                "are "
                "all or nothing.",
                "We had to create a second workspace just to keep finance dashboards private. That's silly.",
            ),
            "praise": (
                "The new folder permissions are exactly what we needed, thanks!",
                "Custom roles made our security review so much easier.",
            ),
            "question": (
                "Is there a way to let {team_name} see only their own dashboards?",
                "What is the difference between an editor and an admin exactly?",
                "Can I see a list of everyone who has access to the {dashboard} dashboard?",
            ),
            "other": ("Attaching our access control matrix so you can see how we'd like roles to work.",),
        },
        french=(
            (
                "feature_request",
                "Nous avons besoin de rôles personnalisés, éditeur et lecteur ne suffisent "
                "pas pour une entreprise de notre taille.",
            ),
            ("question", "Est-il possible de limiter l'accès d'une équipe à ses propres tableaux de bord ?"),
            ("bug", "Un utilisateur retiré du groupe peut toujours ouvrir le tableau de bord {dashboard}."),
        ),
        german=(
            (
                "feature_request",
                "Wir brauchen Berechtigungen auf Zeilenebene, damit jedes Vertriebsteam nur "
                "seine eigene Region sieht.",
            ),
            (
                "complaint",
                "Die Rechteverwaltung für Hunderte von Nutzern einzeln zu pflegen ist mühsam, es fehlen "
                "Gruppen.",
            ),
            ("question", "Wie kann ich sehen, wer alles Zugriff auf das Dashboard {dashboard} hat?"),
        ),
        ideas=(
            ("Custom roles", "Define roles from a list of fine-grained permissions."),
            ("Row-level security", "Filter the data a user sees by attributes such as region or team."),
            ("Folder-level permissions", "Grant view or edit rights per folder, inherited by its content."),
            (
                "Permission groups synced from the IdP",
                "Keep Lumen groups in step with identity provider groups.",
            ),
            ("Access report per dashboard", "List everyone who can see or edit a dashboard and why."),
        ),
    ),
    ThemePhrases(
        key="audit_log",
        name="Audit log",
        area="audit",
        keywords=("audit log", "audit trail", "compliance", "soc 2", "who changed", "history"),
        problem="Compliance teams cannot see who viewed, changed or exported data, so audits stall.",
        weight=0.7,
        trend_slope=0.3,
        segment_affinity=(4.0, 1.2, 0.3, 0.2),
        slots={
            "audit_event": (
                "dashboard deletions",
                "exports",
                "permission changes",
                "logins",
                "API token creation",
            )
        },
        templates={
            "bug": (
                "The audit log doesn't show {audit_event} at all, only edits.",
                "Audit log entries show the wrong user when changes are made through the API.",
                "Filtering the audit log by date returns nothing for anything older than {count} days.",
            ),
            "feature_request": (
                "We need a full audit log including {audit_event} for our SOC 2 audit.",
                "Please let us stream audit events to our SIEM, ideally Splunk or Datadog.",
                "Could you add an audit log export as CSV? Our auditors ask for it every quarter.",
                "Show version history on dashboards so we can see who changed what and roll back.",
            ),
            "complaint": (
                "Our auditors flagged that Lumen has no record of who exported customer data. Not great.",
                "Someone deleted the {dashboard} dashboard and nobody can tell who. We need an audit trail.",
                "The audit log only keeps 30 days, which is useless for a yearly audit.",
            ),
            "praise": (
                "The audit log saved us during our ISO audit this week, thanks.",
                "Version history on dashboards is brilliant, we restored a broken chart in seconds.",
            ),
            "question": (
                "Does the audit log cover {audit_event}?",
                "How long do you retain audit log entries?",
                "Is there an API endpoint for the audit log?",
            ),
            "other": ("Sending our SOC 2 vendor questionnaire, section 4 is about audit logging.",),
        },
        french=(
            (
                "feature_request",
                "Pour notre audit SOC 2, il nous faut un journal d'audit complet, exports compris.",
            ),
            ("question", "Combien de temps conservez-vous les entrées du journal d'audit ?"),
        ),
        german=(
            (
                "feature_request",
                "Wir benötigen ein Audit-Log mit allen Exporten und Rechteänderungen für unsere Prüfung.",
            ),
            (
                "complaint",
                "Jemand hat das Dashboard {dashboard} gelöscht und niemand kann nachvollziehen, wer es war.",
            ),
            ("question", "Gibt es eine API für das Audit-Log?"),
        ),
        ideas=(
            ("Complete audit log", "Record views, exports, permission changes and logins, not only edits."),
            ("Stream audit events to a SIEM", "Push audit events to Splunk, Datadog or a webhook."),
            ("Dashboard version history", "See every change to a dashboard and restore an earlier version."),
            ("Configurable audit retention", "Keep audit entries for one to seven years."),
        ),
    ),
    ThemePhrases(
        key="billing_invoices",
        name="Billing & invoices",
        area="billing",
        keywords=(
            "invoice",
            "billing",
            "payment",
            "vat",
            "credit card",
            "seats",
            "receipt",
            "purchase order",
        ),
        problem="Invoices and seat charges confuse finance teams and create avoidable tickets.",
        weight=1.0,
        trend_slope=-0.2,
        segment_affinity=(0.5, 0.9, 1.5, 1.5),
        slots={"amount": ("$480", "$1,250", "$2,900", "$640", "$3,400"), "currency": ("EUR", "GBP", "CHF")},
        templates={
            "bug": (
                "We were charged {amount} twice this month. Can you refund the duplicate?",
                "The invoice PDF download returns a blank page in {browser}.",
                "Our VAT number is on file but the last invoice still added VAT.",
                "Updating the credit card fails with 'card declined' although the bank says everything is "
                "fine.",
            ),
            "feature_request": (
                "Please add the purchase order number to invoices, our finance team rejects them without it.",
                "Could you bill us in {currency} instead of USD?",
                "Let us add a separate billing contact so invoices don't go to the person who signed up.",
                "An annual plan with invoicing instead of a card charge would make our procurement happier.",
            ),
            "complaint": (
                "We got billed for {count} seats that belong to people who left months ago. There is no "
                "warning when seats renew.",
                "Why did our bill jump to {amount}? Nothing in the app explains the charge.",
                "Cancelling the extra seats took three e-mails. Billing should be self-service.",
            ),
            "praise": (
                "Thanks for sorting the invoice so quickly, really appreciate it.",
                "The new billing page is so much clearer, I finally understand what we pay for.",
            ),
            "question": (
                "Where can I download last year's invoices?",
                "How are seats counted, do viewers count as paid users?",
                "Can we pay by bank transfer instead of card?",
                "When exactly does our plan renew?",
            ),
            "other": (
                "Please update our billing address, we moved offices.",
                "Our accounts payable team needs your W-9 form.",
            ),
        },
        french=(
            ("bug", "Nous avons été facturés deux fois ce mois-ci, pouvez-vous rembourser le doublon ?"),
            (
                "feature_request",
                "Pourriez-vous indiquer notre numéro de bon de commande sur les factures ? "
                "Notre service comptable les refuse sinon.",
            ),
            ("question", "Où puis-je télécharger les factures de l'année dernière ?"),
            ("other", "Merci de mettre à jour notre adresse de facturation, nous avons déménagé."),
        ),
        german=(
            (
                "bug",
                "Auf der letzten Rechnung wurde Mehrwertsteuer berechnet, obwohl unsere USt-IdNr. "
                "hinterlegt ist.",
            ),
            ("feature_request", "Könnt ihr uns bitte in EUR statt in USD abrechnen?"),
            ("question", "Zählen Leser als zahlende Nutzer oder nur Bearbeiter?"),
            (
                "complaint",
                "Wir haben für Plätze bezahlt, die längst niemand mehr nutzt. Eine Warnung vor der "
                "Verlängerung wäre das Mindeste.",
            ),
        ),
        ideas=(
            ("Purchase order numbers on invoices", "Let customers add PO numbers and tax ids to invoices."),
            ("Billing in EUR and GBP", "Price and invoice in the customer's currency."),
            ("Seat renewal reminders", "Warn admins about inactive paid seats before renewal."),
            ("Self-service seat changes", "Add and remove seats without contacting support."),
            ("Separate billing contacts", "Send invoices to a finance address, not the workspace owner."),
        ),
    ),
    ThemePhrases(
        key="timezone_dates",
        name="Time zones & date formats",
        area="workspace_settings",
        keywords=("time zone", "timezone", "utc", "date format", "fiscal year", "week start", "locale"),
        problem="Numbers shift between days and weeks because time zones and calendars are hard-wired.",
        weight=0.7,
        trend_slope=0.0,
        segment_affinity=(1.2, 1.1, 0.9, 0.8),
        slots={"tz": ("CET", "Pacific time", "AEST", "IST", "Eastern time")},
        templates={
            "bug": (
                "Daily totals are cut at midnight UTC, not {tz}, so yesterday's numbers never match our "
                "system.",
                "After the daylight saving change every chart is off by one hour.",
                "The date picker shows American dates even though my locale is set to UK English.",
            ),
            "feature_request": (
                "Please support a fiscal year that starts in {month}.",
                "Let us choose whether weeks start on Monday or Sunday.",
                "Each viewer should see timestamps in their own time zone, not the workspace one.",
                "Support for ISO week numbers in date groupings, please.",
            ),
            "complaint": (
                "I keep having to explain to {stakeholder} why the weekly numbers differ from our finance "
                "report. It's the time zone again.",
                "Dates in exports are in UTC with no indication, which has caused real mistakes for us.",
            ),
            "praise": (
                "Fiscal calendar support is a huge win for our finance team, thanks!",
                "Finally weeks start on Monday. Small thing, big relief.",
            ),
            "question": (
                "Which time zone are scheduled reports sent in?",
                "How do I change the workspace time zone to {tz}?",
                "Can the week start on Monday?",
            ),
            "other": ("Our office in Singapore will start using Lumen next month, just so you know.",),
        },
        french=(
            (
                "bug",
                "Les totaux journaliers sont calculés à minuit UTC et non à l'heure de Paris, les chiffres "
                "ne correspondent jamais.",
            ),
            (
                "feature_request",
                "Pouvez-vous permettre que la semaine commence le lundi et afficher les dates "
                "au format français ?",
            ),
        ),
        german=(
            ("feature_request", "Bitte unterstützt ein Geschäftsjahr, das im April beginnt."),
            ("bug", "Seit der Zeitumstellung sind alle Diagramme um eine Stunde verschoben."),
            ("question", "Wie stelle ich die Zeitzone des Arbeitsbereichs auf Berlin um?"),
        ),
        ideas=(
            ("Fiscal calendars", "Fiscal years and quarters that start in any month."),
            ("Per-viewer time zones", "Show timestamps in each viewer's own time zone."),
            ("Configurable week start", "Choose Monday or Sunday and ISO week numbers."),
            ("Locale-aware date formats", "Format dates and numbers from the viewer's locale."),
        ),
    ),
)

_DATA_PLATFORM_THEMES: tuple[ThemePhrases, ...] = (
    ThemePhrases(
        key="dashboard_speed",
        name="Dashboard load speed",
        area="query_engine",
        keywords=("slow", "loading", "performance", "spinner", "timeout", "cache", "speed"),
        problem="Dashboards take too long to load, so people stop opening them.",
        weight=1.6,
        trend_slope=0.7,
        segment_affinity=(1.5, 1.3, 0.9, 0.7),
        templates={
            "bug": (
                "The {dashboard} dashboard takes {seconds} seconds to load and sometimes times out "
                "completely.",
                "Charts keep showing the loading spinner forever after switching filters.",
                "Since the last release every dashboard with more than {count} charts is painfully slow.",
                "Queries that take two seconds in {warehouse} take over a minute through Lumen.",
                "Dashboard refresh fails with 'query timed out' every morning around 9am.",
            ),
            "feature_request": (
                "Please cache dashboard results so the first load in the morning isn't so slow.",
                "Could charts load one by one instead of waiting for the slowest query?",
                "Let us schedule a cache warm-up before the Monday meeting.",
                "Show how long each chart's query takes so we can find the slow ones ourselves.",
            ),
            "complaint": (
                "Lumen has become so slow that {stakeholder} stopped using it and asks me for screenshots.",
                "Waiting {seconds} seconds for every filter change is not acceptable for a paid product.",
                "Performance has got noticeably worse over the last few weeks. What changed?",
                "Our Monday exec meeting starts with five minutes of staring at spinners. Embarrassing.",
            ),
            "praise": (
                "Dashboards load so much faster since the update, great job.",
                "Whatever you did to caching, the {dashboard} dashboard is instant now.",
            ),
            "question": (
                "Is there a recommended maximum number of charts per dashboard?",
                "How long are query results cached?",
                "Is the slowness today on your side? Everything is loading very slowly.",
            ),
            "other": ("Sending the HAR file you asked for regarding the slow dashboard.",),
        },
        french=(
            (
                "bug",
                "Le tableau de bord {dashboard} met plus de {seconds} secondes à charger, parfois il "
                "n'aboutit jamais.",
            ),
            ("complaint", "Lumen est devenu tellement lent que notre direction ne l'utilise plus."),
            ("question", "Combien de temps les résultats des requêtes sont-ils mis en cache ?"),
        ),
        german=(
            (
                "bug",
                "Das Dashboard {dashboard} braucht über {seconds} Sekunden zum Laden und bricht manchmal "
                "ganz ab.",
            ),
            (
                "complaint",
                "Die Performance ist in den letzten Wochen deutlich schlechter geworden. Was hat "
                "sich geändert?",
            ),
            (
                "feature_request",
                "Bitte speichert Dashboard-Ergebnisse zwischen, damit das erste Laden am "
                "Morgen nicht so lange dauert.",
            ),
        ),
        ideas=(
            (
                "Result caching with scheduled warm-up",
                "Cache query results and refresh them before peak hours.",
            ),
            ("Progressive chart loading", "Render each chart as soon as its own query returns."),
            ("Query performance panel", "Show query time per chart and flag the slow ones."),
            ("Query engine rewrite for large dashboards", "Batch and deduplicate queries across charts."),
            ("Materialized metrics", "Pre-aggregate heavy metrics in the warehouse on a schedule."),
        ),
    ),
    ThemePhrases(
        key="csv_export",
        name="CSV & Excel export",
        area="exports",
        keywords=("export", "csv", "excel", "xlsx", "download", "pdf"),
        problem="People need the numbers outside Lumen, and exports are limited, slow or wrongly formatted.",
        weight=1.5,
        trend_slope=0.0,
        segment_affinity=(1.1, 1.1, 1.0, 0.9),
        templates={
            "bug": (
                "CSV export cuts off at {rows} rows without any warning.",
                "Exported CSV files have broken accents, names like Müller come out garbled in Excel.",
                "Export to Excel button does nothing in {browser}.",
                "Numbers in the CSV export use the display format, so '1.2k' instead of 1200.",
            ),
            "feature_request": (
                "Please add export to Excel with the formatting kept, not just plain CSV.",
                "We need to export a whole dashboard at once, not chart by chart.",
                "Could exports include the filters that were applied, as a header row?",
                "Let us choose the delimiter for CSV exports, semicolons for our European team.",
                "Export of the underlying data for a chart, not only the aggregated values.",
            ),
            "complaint": (
                "I spend {minutes} minutes every Monday exporting charts one by one for {stakeholder}.",
                "The export limit makes Lumen useless for our month-end reconciliation.",
                "Exports keep failing on big tables and there's no error message, just nothing happens.",
            ),
            "praise": (
                "Excel export with formatting is perfect, our finance team loves it.",
                "Exporting the full dashboard as PDF is a real time saver. Thanks!",
            ),
            "question": (
                "What is the maximum number of rows I can export to CSV?",
                "Is there a way to export all charts from a dashboard in one go?",
                "Can I schedule a CSV export to land in an S3 bucket?",
            ),
            "other": ("Attached is the CSV that came out wrong, for your engineers.",),
        },
        french=(
            (
                "bug",
                "Les exports CSV cassent les accents : les noms comme Lefèvre ou Hélène deviennent "
                "illisibles dans Excel.",
            ),
            (
                "feature_request",
                "Pourriez-vous permettre le point-virgule comme séparateur dans les exports "
                "CSV ? C'est le standard chez nous.",
            ),
            ("question", "Quel est le nombre maximal de lignes que l'on peut exporter en CSV ?"),
        ),
        german=(
            ("bug", "Beim CSV-Export werden Umlaute zerstört, aus Müller wird in Excel Zeichensalat."),
            ("feature_request", "Bitte ermöglicht den Export ganzer Dashboards nach Excel mit Formatierung."),
            ("complaint", "Das Exportlimit macht Lumen für unseren Monatsabschluss praktisch unbrauchbar."),
        ),
        ideas=(
            ("Excel export with formatting", "Export tables and pivots to XLSX with number formats kept."),
            ("Export a whole dashboard", "One download with every chart, as PDF or a multi-sheet workbook."),
            ("Raise the export row limit", "Stream large exports in the background and e-mail a link."),
            (
                "Regional CSV settings",
                "Choose delimiter, decimal mark and encoding, UTF-8 with BOM by default.",
            ),
            ("Scheduled exports to cloud storage", "Write exports to S3, GCS or Azure Blob on a schedule."),
        ),
    ),
    ThemePhrases(
        key="api_rate_limits",
        name="API rate limits",
        area="public_api",
        keywords=("api", "rate limit", "429", "throttling", "token", "endpoint", "quota"),
        problem="Teams automating Lumen hit API limits and cannot plan around them.",
        weight=0.9,
        trend_slope=0.3,
        segment_affinity=(1.0, 1.2, 0.8, 2.0),
        slots={"rate": ("60", "100", "300", "600")},
        templates={
            "bug": (
                "We get HTTP 429 from the API even though we send far fewer than {rate} requests a minute.",
                "The Retry-After header on 429 responses is missing, so our client can't back off properly.",
                "API tokens created by an admin stop working when that admin leaves the workspace.",
            ),
            "feature_request": (
                "Please raise the API rate limit to at least {rate} requests per minute for paid plans.",
                "Could you expose our current API usage and remaining quota somewhere?",
                "A bulk endpoint for creating charts would save us thousands of calls.",
                "Service accounts for API access, not tied to a person, please.",
            ),
            "complaint": (
                "Our nightly sync keeps failing because of rate limits. This wasn't a problem a month ago.",
                "The API limits are not documented anywhere, we found out in production.",
                "We're building on your API and the throttling makes it impossible to ship reliably.",
            ),
            "praise": (
                "The new API docs are great, we had our integration running in an afternoon.",
                "Thanks for raising our rate limit so quickly, sync is stable again.",
            ),
            "question": (
                "What are the API rate limits on the {plan_tier} plan?",
                "Is there a sandbox for testing API calls?",
                "Can API tokens be scoped to read-only access?",
            ),
            "other": ("We'll be load testing our integration on {weekday}, just a heads-up.",),
        },
        french=(
            (
                "bug",
                "L'API nous renvoie des erreurs 429 alors que nous envoyons bien moins de {rate} requêtes "
                "par minute.",
            ),
            ("question", "Quelles sont les limites de l'API pour notre abonnement ?"),
        ),
        german=(
            ("feature_request", "Bitte erhöht das API-Limit auf mindestens {rate} Anfragen pro Minute."),
            (
                "complaint",
                "Die API-Limits sind nirgends dokumentiert, wir haben es erst in Produktion bemerkt.",
            ),
        ),
        ideas=(
            ("Higher API limits for paid plans", "Tiered rate limits with a documented burst allowance."),
            ("API usage dashboard", "Show calls, remaining quota and throttled requests per token."),
            ("Bulk API endpoints", "Create and update many charts or users in one call."),
            ("Service accounts", "API tokens owned by the workspace, with scopes."),
        ),
    ),
    ThemePhrases(
        key="webhooks",
        name="Webhooks",
        area="webhooks",
        keywords=("webhook", "callback", "event", "payload", "retry", "signature"),
        problem="Customers want Lumen events in their own systems, and webhooks are missing or unreliable.",
        weight=0.6,
        trend_slope=0.1,
        segment_affinity=(1.0, 1.2, 0.7, 1.6),
        templates={
            "bug": (
                "Webhooks for alert events are sometimes delivered twice.",
                "Our endpoint was down for {minutes} minutes and the webhook events from that window were "
                "never retried.",
                "The webhook signature header doesn't validate with the secret shown in settings.",
            ),
            "feature_request": (
                "Please send a webhook when a dashboard is published or changed.",
                "We need a delivery log for webhooks so we can see what failed.",
                "Could webhooks include the full alert payload instead of just an id?",
            ),
            "complaint": (
                "We lost a day of alert events because webhooks don't retry. Not OK for production use.",
                "There is no way to debug webhooks, we're flying blind.",
            ),
            "praise": ("Webhook delivery logs are exactly what we needed, thank you.",),
            "question": (
                "Which events can trigger a webhook?",
                "How many times do you retry a failed webhook?",
                "Are webhook payloads signed, and with which algorithm?",
            ),
            "other": ("Our webhook endpoint URL is changing next week, we'll update it in settings.",),
        },
        french=(
            (
                "feature_request",
                "Il nous faudrait un journal des envois de webhooks pour voir ce qui a échoué.",
            ),
        ),
        german=(
            ("bug", "Webhooks für Alarme werden manchmal doppelt zugestellt."),
            ("question", "Wie oft wird ein fehlgeschlagener Webhook erneut gesendet?"),
        ),
        ideas=(
            (
                "Webhook retries with backoff",
                "Retry failed deliveries for 24 hours with exponential backoff.",
            ),
            ("Webhook delivery log", "Show each delivery, its response and a resend button."),
            ("More webhook events", "Events for dashboard changes, new users and exports."),
        ),
    ),
    ThemePhrases(
        key="warehouse_connectors",
        name="Warehouse connectors & sync",
        area="data_connectors",
        keywords=("snowflake", "bigquery", "redshift", "connector", "sync", "schema", "connection"),
        problem="Connections to the warehouse break or lag, so dashboards show stale or missing data.",
        weight=1.1,
        trend_slope=-0.3,
        segment_affinity=(1.3, 1.2, 0.8, 0.9),
        slots={"schema_change": ("a renamed column", "a new table", "a dropped view", "a changed data type")},
        templates={
            "bug": (
                "The {warehouse} connection fails with an authentication error since we rotated the "
                "password.",
                "Schema refresh doesn't pick up {schema_change}, we have to reconnect the whole source.",
                "Sync from {warehouse} has been stuck at 'running' for {count} hours.",
                "Data from {warehouse} shows yesterday's numbers although the sync says it finished.",
            ),
            "feature_request": (
                "Please add a connector for ClickHouse.",
                "Key-pair authentication for Snowflake, password auth is being phased out at our company.",
                "Could you connect through an SSH tunnel? Our {warehouse} isn't public.",
                "Let us set the sync frequency per table instead of per connection.",
            ),
            "complaint": (
                "Connector failures are silent. We found out from {stakeholder} that the numbers were stale.",
                "Every schema change on our side breaks half the dashboards.",
                "We've had three {warehouse} outages on your side this month.",
            ),
            "praise": (
                "The BigQuery connector just works, setup took five minutes.",
                "Love the new sync status page, we can see at a glance what's fresh.",
            ),
            "question": (
                "Which IP addresses do I need to allowlist for the {warehouse} connection?",
                "Do you support read replicas for Postgres?",
                "How often does the sync run on our plan?",
            ),
            "other": ("We're migrating from Redshift to Snowflake next quarter and will need some help.",),
        },
        french=(
            (
                "bug",
                "La connexion {warehouse} échoue avec une erreur d'authentification depuis que nous avons "
                "changé le mot de passe.",
            ),
            ("question", "Quelles adresses IP faut-il autoriser pour la connexion à {warehouse} ?"),
            ("complaint", "Chaque changement de schéma de notre côté casse la moitié des tableaux de bord."),
        ),
        german=(
            ("bug", "Die Synchronisation mit {warehouse} hängt seit {count} Stunden im Status 'läuft'."),
            (
                "feature_request",
                "Bitte ermöglicht die Verbindung über einen SSH-Tunnel, unser {warehouse} ist "
                "nicht öffentlich erreichbar.",
            ),
        ),
        ideas=(
            ("Connector health alerts", "Tell admins when a sync fails or data goes stale."),
            (
                "Automatic schema change handling",
                "Detect renamed and new columns and repair affected charts.",
            ),
            ("SSH tunnel and private link", "Reach warehouses that are not on the public internet."),
            ("ClickHouse connector", "A native connector for ClickHouse."),
            ("Key-pair auth for Snowflake", "Authenticate with key pairs instead of passwords."),
        ),
    ),
    ThemePhrases(
        key="data_retention",
        name="Data retention & deletion",
        area="data_governance",
        keywords=("retention", "gdpr", "delete", "data residency", "eu hosting", "purge", "dpa"),
        problem="Regulated customers need control over where their data lives and how long it is kept.",
        weight=0.6,
        trend_slope=0.4,
        segment_affinity=(4.0, 1.2, 0.4, 0.3),
        templates={
            "bug": (
                "Deleted dashboards still show up in search results after {count} days.",
                "The retention setting of 90 days doesn't seem to apply, we still see query results from "
                "last "
                "year.",
            ),
            "feature_request": (
                "We need EU data residency before legal will sign the renewal.",
                "Please let us configure how long cached query results are kept.",
                "A way to permanently delete a user's data on request, for GDPR.",
                "Could you add a retention policy per workspace, not just the global default?",
            ),
            "complaint": (
                "Legal blocked our expansion because you can't guarantee data stays in the EU.",
                "It took {count} weeks to get a deletion confirmation from you. That's far too slow.",
            ),
            "praise": (
                "EU hosting was the last box we needed ticked, thank you.",
                "The retention settings are clear and simple, our DPO was impressed.",
            ),
            "question": (
                "Where is our data stored, and can we choose the region?",
                "How long do you keep cached query results?",
                "Can you send us your DPA and sub-processor list?",
            ),
            "other": ("Our DPO will be in touch about the data processing agreement.",),
        },
        french=(
            (
                "feature_request",
                "Nous avons besoin d'un hébergement des données dans l'UE avant que notre "
                "service juridique valide le renouvellement.",
            ),
            ("question", "Où nos données sont-elles stockées, et pouvons-nous choisir la région ?"),
            (
                "complaint",
                "Il a fallu plusieurs semaines pour obtenir une confirmation de suppression, "
                "c'est beaucoup trop long.",
            ),
        ),
        german=(
            (
                "feature_request",
                "Wir brauchen Datenhaltung in der EU, sonst unterschreibt unsere "
                "Rechtsabteilung die Verlängerung nicht.",
            ),
            ("question", "Könnt ihr uns euren AVV und die Liste der Unterauftragsverarbeiter schicken?"),
            (
                "feature_request",
                "Bitte eine Möglichkeit, alle Daten eines Nutzers gemäß DSGVO endgültig zu löschen.",
            ),
        ),
        ideas=(
            ("EU data residency", "Host workspaces and caches in an EU region."),
            ("Workspace retention policies", "Set retention for caches, exports and logs per workspace."),
            ("GDPR deletion requests", "Delete a person's data on request and issue a confirmation."),
            ("Sub-processor and DPA portal", "Self-service legal documents and change notices."),
        ),
    ),
)

_INSIGHTS_THEMES: tuple[ThemePhrases, ...] = (
    ThemePhrases(
        key="chart_customization",
        name="Chart customization",
        area="charts",
        keywords=("chart", "colors", "axis", "legend", "labels", "format", "visualization"),
        problem=(
            "Charts cannot be formatted the way companies present numbers, so people rebuild them in slides."
        ),
        weight=1.3,
        trend_slope=0.0,
        segment_affinity=(1.0, 1.1, 1.1, 1.0),
        slots={
            "chart_type": (
                "waterfall chart",
                "funnel chart",
                "heatmap",
                "sankey diagram",
                "box plot",
                "combo bar and line chart",
            )
        },
        templates={
            "bug": (
                "Axis labels overlap on bar charts with more than {count} categories.",
                "The legend colours don't match the series after I reorder them.",
                "Percentages on stacked charts add up to 101% because of rounding.",
                "Custom colours reset to the default palette whenever the dashboard is duplicated.",
            ),
            "feature_request": (
                "Please add a {chart_type}, we need it for our monthly business review.",
                "Let us set our brand colours once as a palette for the whole workspace.",
                "A secondary y-axis on line charts, please.",
                "Could we format numbers as thousands or millions (12.3k, 1.2M) on axes?",
                "Reference lines for targets on line charts would be really useful.",
            ),
            "complaint": (
                "I end up rebuilding every chart in PowerPoint because the formatting options are so "
                "limited.",
                "No {chart_type} in 2026? {competitor} has had it for years.",
                "Changing a colour takes six clicks per series. Very tedious.",
            ),
            "praise": (
                "The new {chart_type} is beautiful, {stakeholder} loved it.",
                "Love the new chart formatting panel, it's so much faster to make things look right.",
                "Target lines on charts are exactly what we needed for the exec dashboard.",
            ),
            "question": (
                "How do I add a target line to a chart?",
                "Can I change the number format on the y-axis?",
                "Is a {chart_type} on the roadmap?",
            ),
            "other": ("Attaching a mock-up of how we'd like our revenue chart to look.",),
        },
        french=(
            (
                "feature_request",
                "Pourriez-vous ajouter un graphique en cascade ? Nous en avons besoin pour "
                "notre revue mensuelle.",
            ),
            (
                "bug",
                "Les étiquettes de l'axe se chevauchent sur les graphiques à barres avec beaucoup de "
                "catégories.",
            ),
            ("praise", "La nouvelle mise en forme des graphiques est superbe, bravo à l'équipe."),
        ),
        german=(
            ("feature_request", "Bitte ermöglicht eine zweite Y-Achse bei Liniendiagrammen."),
            ("question", "Wie füge ich eine Ziellinie zu einem Diagramm hinzu?"),
            ("praise", "Die neuen Formatierungsoptionen für Diagramme sind großartig, vielen Dank!"),
        ),
        ideas=(
            ("Workspace colour palettes", "Define brand colours once and apply them to every chart."),
            ("Waterfall and funnel charts", "Two new chart types for finance and growth reviews."),
            ("Target and reference lines", "Draw goals, averages and thresholds on charts."),
            ("Compact number formats", "Show 12.3k and 1.2M on axes and labels."),
            ("Dual-axis combo charts", "Bars and lines on two y-axes in one chart."),
        ),
    ),
    ThemePhrases(
        key="sql_editor",
        name="SQL editor",
        area="sql_editor",
        keywords=("sql", "query", "editor", "autocomplete", "syntax", "snippet", "query history"),
        problem="Analysts write SQL in an editor that lacks the basics of their usual tools.",
        weight=0.9,
        trend_slope=0.0,
        segment_affinity=(1.0, 1.2, 0.9, 1.3),
        templates={
            "bug": (
                "Autocomplete in the SQL editor suggests columns from the wrong table.",
                "The SQL editor loses my query when I switch tabs before saving.",
                "Running a query with a CTE returns 'syntax error' although it runs fine in {warehouse}.",
                "Typing in the editor becomes laggy once a query is longer than about 200 lines.",
            ),
            "feature_request": (
                "Please add query history so I can get back to what I ran yesterday.",
                "Saved SQL snippets that the whole team can reuse would be great.",
                "Could the editor format my SQL with one shortcut?",
                "Parameters in SQL queries that map to dashboard filters, please.",
                "Vim keybindings in the SQL editor. Yes, really.",
            ),
            "complaint": (
                "I lost {minutes} minutes of work because the editor doesn't autosave. Again.",
                "The SQL editor is so basic that our analysts write everything in DataGrip and paste it in.",
            ),
            "praise": (
                "Query history is a life saver, thank you!",
                "The new autocomplete is spot on, it even knows our dbt models.",
            ),
            "question": (
                "Is there a keyboard shortcut to run only the selected part of a query?",
                "Can I use variables in SQL queries?",
                "Where do I find queries my colleagues have saved?",
            ),
            "other": ("Our analytics engineers would love to give feedback on the SQL editor in a session.",),
        },
        french=(
            ("feature_request", "Pourriez-vous ajouter un historique des requêtes dans l'éditeur SQL ?"),
            ("bug", "L'éditeur SQL perd ma requête quand je change d'onglet avant d'enregistrer."),
        ),
        german=(
            ("feature_request", "Bitte speichert eine Abfragehistorie im SQL-Editor."),
            (
                "complaint",
                "Der SQL-Editor speichert nicht automatisch, ich habe schon wieder Arbeit verloren.",
            ),
        ),
        ideas=(
            ("Query history", "Every query a user ran, searchable, with results cached for a day."),
            ("Shared SQL snippets", "Reusable snippets for the whole workspace."),
            ("Autosave drafts", "Never lose an unsaved query."),
            ("SQL parameters bound to filters", "Use dashboard filters as parameters inside SQL."),
        ),
    ),
    ThemePhrases(
        key="search_relevance",
        name="Search relevance",
        area="search",
        keywords=("search", "find", "results", "relevance", "lookup"),
        problem="People cannot find the dashboard or metric they need and create duplicates instead.",
        weight=0.8,
        trend_slope=-0.1,
        segment_affinity=(1.4, 1.2, 0.8, 0.7),
        templates={
            "bug": (
                "Searching for '{dashboard}' doesn't return the dashboard with exactly that name.",
                "Search results include dashboards I don't have access to and then I get an error.",
                "Search finds nothing when there's a typo or a plural in the query.",
            ),
            "feature_request": (
                "Let me filter search results by owner, folder and type.",
                "Search should look inside chart titles and descriptions, not only dashboard names.",
                "Please show recently viewed dashboards at the top of search.",
            ),
            "complaint": (
                "Search is basically useless, I keep a bookmark list instead.",
                "We have {count} copies of the same dashboard because nobody can find the original.",
                "Popular dashboards are buried under old test copies in search results.",
            ),
            "praise": (
                "Search is much better now, it finds charts by their description too.",
                "The new command palette search is fantastic.",
            ),
            "question": (
                "Is there a way to search for a metric across all dashboards?",
                "Can I search by dashboard owner?",
            ),
            "other": ("We cleaned up our old dashboards this week, search should be tidier for us now.",),
        },
        french=(
            (
                "complaint",
                "La recherche ne trouve jamais le bon tableau de bord, je garde une liste de favoris "
                "à la place.",
            ),
            (
                "feature_request",
                "Pourriez-vous permettre de filtrer les résultats de recherche par "
                "propriétaire et par dossier ?",
            ),
        ),
        german=(
            ("bug", "Die Suche findet nichts, sobald ein Tippfehler im Suchbegriff ist."),
            ("feature_request", "Die Suche sollte auch Diagrammtitel und Beschreibungen durchsuchen."),
        ),
        ideas=(
            ("Typo-tolerant search", "Fuzzy matching and stemming for dashboards and charts."),
            ("Search filters", "Filter by owner, folder, type and last viewed."),
            ("Popularity-ranked results", "Rank results by views and certification, not recency."),
            ("Certified dashboards", "Mark the official version so copies stop competing with it."),
        ),
    ),
    ThemePhrases(
        key="dark_mode",
        name="Dark mode",
        area="appearance",
        keywords=("dark mode", "dark theme", "night mode", "contrast", "theme"),
        problem="Users who work at night or on big screens ask for a dark theme.",
        weight=0.9,
        trend_slope=-0.2,
        segment_affinity=(0.4, 0.8, 1.3, 2.0),
        kind_weights={
            "bug": 0.06,
            "feature_request": 0.55,
            "complaint": 0.10,
            "praise": 0.12,
            "question": 0.14,
        },
        templates={
            "bug": (
                "In dark mode the tooltip text is black on dark grey and impossible to read.",
                "Dark mode resets to light every time I log in.",
            ),
            "feature_request": (
                "Dark mode please! My eyes at 11pm would thank you.",
                "Any chance of a dark theme? Everything else on my screen is dark.",
                "Please add dark mode for the dashboards we show on the office TV.",
                "Could the app follow my system theme setting?",
                "Dark mode on mobile would be lovely.",
            ),
            "complaint": (
                "Still no dark mode after it's been the top request in your community for ages.",
                "The bright white background on the TV wall dashboard is blinding.",
            ),
            "praise": (
                "DARK MODE! Finally, thank you so much.",
                "The dark theme looks gorgeous, great work.",
                "Dark mode is lovely, especially on the mobile app.",
            ),
            "question": (
                "Is dark mode on the roadmap?",
                "Can I turn on dark mode just for TV dashboards?",
            ),
            "other": ("Upvoting dark mode on behalf of our whole data team.",),
        },
        french=(
            (
                "feature_request",
                "Un mode sombre serait vraiment le bienvenu, surtout pour travailler le soir.",
            ),
            ("praise", "Le mode sombre est magnifique, merci !"),
        ),
        german=(
            (
                "feature_request",
                "Bitte einen Dunkelmodus einbauen, abends ist die helle Oberfläche anstrengend.",
            ),
            ("question", "Ist ein dunkles Design geplant?"),
        ),
        ideas=(
            ("Dark mode", "A dark theme for the web app that follows the system setting."),
            ("TV mode for dashboards", "Full-screen, high-contrast display for office screens."),
            ("Dark mode on mobile", "Bring the dark theme to the iOS and Android apps."),
        ),
    ),
    ThemePhrases(
        key="comments_collaboration",
        name="Comments & collaboration",
        area="collaboration",
        keywords=("comment", "mention", "annotation", "share", "discussion", "collaborate"),
        problem="Discussions about numbers happen outside Lumen and the context gets lost.",
        weight=0.7,
        trend_slope=0.1,
        segment_affinity=(1.1, 1.2, 1.0, 0.9),
        templates={
            "bug": (
                "When someone @mentions me in a comment I never get the e-mail.",
                "Comments on a chart disappear after the chart is edited.",
            ),
            "feature_request": (
                "Let us annotate a point on a chart, for example to explain a dip after a launch.",
                "Threaded replies on comments would help a lot.",
                "Please let us resolve comments once the question is answered.",
                "Could we share a link that opens the dashboard with my filters applied?",
            ),
            "complaint": (
                "Every time someone asks why a number dropped, the answer is lost in a Slack thread. "
                "Comments "
                "in Lumen are too basic to help.",
                "We can't comment on a specific data point, only on the whole chart, which isn't useful.",
            ),
            "praise": (
                "Chart annotations are brilliant, our weekly review is much quicker now.",
                "Sharing a filtered view with a link is so handy.",
            ),
            "question": (
                "Can viewers leave comments, or only editors?",
                "Is there a way to see all comments I was mentioned in?",
            ),
            "other": ("Our team lead asked me to pass on that the comment feature is used a lot here.",),
        },
        french=(
            (
                "feature_request",
                "Pourriez-vous permettre d'annoter un point précis d'un graphique, par exemple "
                "pour expliquer une baisse ?",
            ),
        ),
        german=(
            ("feature_request", "Bitte ermöglicht Antworten in Threads bei Kommentaren."),
            ("bug", "Wenn mich jemand in einem Kommentar erwähnt, bekomme ich keine E-Mail."),
        ),
        ideas=(
            ("Chart annotations", "Pin notes to a point or range on a chart, visible to every viewer."),
            ("Threaded comments", "Replies, resolve and a mentions inbox."),
            ("Share links with filters", "Links that open a dashboard in the sender's filter state."),
        ),
    ),
)

_GROWTH_THEMES: tuple[ThemePhrases, ...] = (
    ThemePhrases(
        key="onboarding_confusion",
        name="Onboarding confusion",
        area="onboarding",
        keywords=("onboarding", "getting started", "setup", "first dashboard", "tutorial", "confusing"),
        problem="New teams get stuck between sign-up and their first useful dashboard.",
        weight=1.2,
        trend_slope=-0.7,
        segment_affinity=(0.3, 0.7, 1.5, 2.0),
        kind_weights={"bug": 0.08, "complaint": 0.25, "question": 0.30},
        templates={
            "bug": (
                "The setup checklist says I haven't connected a data source, but I have.",
                "The 'create your first dashboard' tutorial gets stuck on step {count}.",
            ),
            "feature_request": (
                "Please add templates for common dashboards, like a SaaS metrics starter.",
                "A sample dataset to play with before connecting our own warehouse would help a lot.",
                "Could you offer a guided setup call for new teams?",
                "A short video walkthrough inside the app would make onboarding much easier.",
            ),
            "complaint": (
                "We signed up {count} days ago and still haven't managed to build a single useful dashboard.",
                "The difference between sources, models and datasets is really confusing for new users.",
                "I invited my team and nobody knew what to do first. The empty state just says 'No "
                "dashboards'.",
                "Onboarding assumes you know SQL. Half my team doesn't.",
            ),
            "praise": (
                "The new setup checklist made getting started so easy, we had our first dashboard in an "
                "hour.",
                "Templates are great, the SaaS metrics one saved us a day.",
                "Onboarding was smooth, the sample data helped a lot.",
            ),
            "question": (
                "Where do I start? I've connected {warehouse} but don't know what to do next.",
                "What's the difference between a model and a dataset?",
                "How do I invite my team and give them view-only access?",
                "Is there a getting-started guide for people who don't write SQL?",
            ),
            "other": ("Just signed up, looking forward to trying Lumen with the team.",),
        },
        french=(
            (
                "question",
                "Par où commencer ? J'ai connecté {warehouse} mais je ne sais pas quoi faire ensuite.",
            ),
            (
                "complaint",
                "La différence entre sources, modèles et jeux de données est vraiment déroutante "
                "pour les nouveaux utilisateurs.",
            ),
            (
                "praise",
                "La nouvelle liste de démarrage est très claire, nous avions notre premier tableau de "
                "bord en une heure.",
            ),
        ),
        german=(
            (
                "question",
                "Wo fange ich an? Ich habe {warehouse} verbunden, weiß aber nicht, was als Nächstes kommt.",
            ),
            (
                "complaint",
                "Das Onboarding setzt SQL-Kenntnisse voraus, die die Hälfte meines Teams nicht hat.",
            ),
            ("feature_request", "Vorlagen für typische Dashboards würden den Einstieg sehr erleichtern."),
        ),
        ideas=(
            ("Dashboard templates", "Starter dashboards for SaaS, e-commerce and support metrics."),
            ("Sample dataset", "A demo warehouse to explore before connecting real data."),
            ("Setup checklist", "A guided checklist from sign-up to the first shared dashboard."),
            ("No-SQL onboarding path", "A visual builder path for people who don't write SQL."),
            ("Explain sources, models and datasets", "In-app explanations of the data model."),
        ),
    ),
    ThemePhrases(
        key="mobile_app_crashes",
        name="Mobile app crashes",
        area="mobile_app",
        keywords=("mobile", "app", "crash", "ios", "android", "iphone", "freezes"),
        problem="The mobile app crashes often enough that executives stop checking numbers on the go.",
        weight=1.0,
        trend_slope=0.1,
        segment_affinity=(1.2, 1.0, 1.0, 1.0),
        kind_weights={
            "bug": 0.45,
            "feature_request": 0.12,
            "complaint": 0.25,
            "praise": 0.06,
            "question": 0.08,
        },
        spike_at=0.8,
        spike_share=0.45,
        templates={
            "bug": (
                "The app crashes as soon as I open a dashboard on my {device} ({mobile_os}).",
                "Version {app_version} crashes on launch. Reinstalling didn't help.",
                "App freezes when I rotate the phone while a chart is loading.",
                "Push notification opens the app and then it immediately closes.",
                "Crashes every time I try to switch workspaces on {mobile_os}.",
            ),
            "feature_request": (
                "Please support offline viewing of my favourite dashboards on mobile.",
                "A home screen widget with one key metric would be amazing.",
                "Face ID login for the mobile app, please.",
            ),
            "complaint": (
                "Since the last update the app is unusable. Crashes constantly.",
                "One star until the crashes are fixed. Was a great app before {app_version}.",
                "Our CEO checks numbers on his phone and the app keeps crashing. Please fix this now.",
            ),
            "praise": (
                "Great app, I check our numbers every morning on the train.",
                "The crash is fixed in the latest version, thanks for the quick turnaround.",
            ),
            "question": (
                "Is there a fix coming for the crash on {mobile_os}?",
                "Does the mobile app support SSO login?",
            ),
            "other": ("Sent the crash log from my {device} through the in-app form.",),
        },
        french=(
            ("bug", "L'application plante dès que j'ouvre un tableau de bord sur mon {device}."),
            (
                "complaint",
                "Depuis la dernière mise à jour, l'application est inutilisable, elle plante sans arrêt.",
            ),
            ("praise", "Très bonne application, je consulte nos chiffres chaque matin dans le train."),
        ),
        german=(
            ("bug", "Die App stürzt beim Start ab, seit ich auf Version {app_version} aktualisiert habe."),
            ("complaint", "Ein Stern, bis die Abstürze behoben sind. Vor dem Update war die App super."),
            ("feature_request", "Bitte ein Widget für den Startbildschirm mit einer wichtigen Kennzahl."),
        ),
        ideas=(
            ("Mobile crash fix sprint", "Fix the top crash signatures reported since 4.12."),
            ("Offline dashboards on mobile", "Cache favourite dashboards for viewing without a connection."),
            ("Home screen metric widget", "Show one key metric on the phone's home screen."),
            ("Biometric login on mobile", "Face ID and fingerprint login."),
            ("Mobile release quality gates", "Staged rollouts with automatic halt on crash rate."),
        ),
    ),
    ThemePhrases(
        key="notification_overload",
        name="Notification overload",
        area="notifications",
        keywords=("notifications", "emails", "too many", "spam", "digest", "unsubscribe", "noise"),
        problem="People get so many notifications that they ignore the important ones.",
        weight=0.9,
        trend_slope=0.4,
        segment_affinity=(1.1, 1.2, 1.0, 0.8),
        templates={
            "bug": (
                "I unsubscribed from comment e-mails but I still get them.",
                "I receive the same notification {count} times.",
                "Notification settings don't save, they reset after I leave the page.",
            ),
            "feature_request": (
                "Please add a daily digest instead of one e-mail per event.",
                "Let me mute notifications for a single dashboard.",
                "Quiet hours for push notifications, please.",
                "Admins should be able to set notification defaults for the whole workspace.",
            ),
            "complaint": (
                "I get about {count}0 e-mails a day from Lumen. I've started filtering them all to a folder.",
                "Way too many notifications. My team has stopped reading them, including the important "
                "alerts.",
                "Why do I get a notification every time anyone edits any dashboard?",
            ),
            "praise": (
                "The daily digest is perfect, my inbox is finally calm.",
                "Thanks for the notification settings page, so much better.",
            ),
            "question": (
                "How do I turn off e-mails for comments but keep alerts?",
                "Can I get notifications in Slack instead of e-mail?",
            ),
            "other": ("Forwarding a notification e-mail that looks odd, the links are broken.",),
        },
        french=(
            (
                "complaint",
                "Je reçois beaucoup trop de notifications de Lumen, j'ai fini par toutes les filtrer "
                "dans un dossier.",
            ),
            ("feature_request", "Un résumé quotidien à la place d'un e-mail par événement serait idéal."),
        ),
        german=(
            ("complaint", "Viel zu viele Benachrichtigungen, mein Team liest sie inzwischen gar nicht mehr."),
            ("feature_request", "Bitte eine tägliche Zusammenfassung statt einer E-Mail pro Ereignis."),
            ("question", "Wie schalte ich E-Mails zu Kommentaren ab, behalte aber die Alarme?"),
        ),
        ideas=(
            ("Daily notification digest", "Bundle non-urgent notifications into one daily e-mail."),
            ("Per-dashboard mute", "Mute notifications for a dashboard or folder."),
            ("Workspace notification defaults", "Admins set sensible defaults for everyone."),
            ("Quiet hours", "No push notifications outside working hours."),
        ),
    ),
    ThemePhrases(
        key="slack_integration",
        name="Slack integration",
        area="slack_integration",
        keywords=("slack", "channel", "unfurl", "bot", "teams", "chat"),
        problem="Teams live in Slack, and Lumen's charts and alerts don't get there well.",
        weight=1.0,
        trend_slope=0.0,
        segment_affinity=(0.9, 1.2, 1.1, 1.4),
        slots={"channel": ("#sales", "#growth", "#exec", "#data-alerts", "#marketing", "#ops")},
        templates={
            "bug": (
                "Charts posted to {channel} show up as a broken image.",
                "The Slack integration disconnected itself again and alerts stopped arriving in {channel}.",
                "Dashboard links don't unfurl in Slack anymore.",
            ),
            "feature_request": (
                "Please let us post a chart to Slack on a schedule, every Monday at 9 in {channel}.",
                "A Slack command to look up a metric, like /lumen revenue last week.",
                "Could we get a Microsoft Teams integration as well? Half the company is on Teams.",
                "Send alerts to a Slack channel rather than to e-mail.",
            ),
            "complaint": (
                "The Slack integration breaks every few weeks and we have to reconnect it.",
                "Posting a chart to Slack only sends a link, nobody clicks it.",
            ),
            "praise": (
                "The Slack unfurls look great, people actually read the numbers now.",
                "Scheduled posts to {channel} are our favourite feature.",
                "Love the Slack alerts, they're fast and clear.",
            ),
            "question": (
                "Can I post the same chart to several Slack channels?",
                "Does the Slack app work with Slack Enterprise Grid?",
                "Do you have a Microsoft Teams integration?",
            ),
            "other": ("Our Slack admin approved the Lumen app, we can connect it now.",),
        },
        french=(
            (
                "feature_request",
                "Pourriez-vous publier un graphique dans Slack chaque lundi matin automatiquement ?",
            ),
            ("bug", "Les graphiques publiés dans {channel} apparaissent comme des images cassées."),
        ),
        german=(
            (
                "feature_request",
                "Bitte auch eine Integration für Microsoft Teams, die Hälfte der Firma nutzt Teams.",
            ),
            (
                "complaint",
                "Die Slack-Integration trennt sich alle paar Wochen und wir müssen sie neu verbinden.",
            ),
        ),
        ideas=(
            ("Scheduled chart posts to Slack", "Post a chart image to a channel on a schedule."),
            ("Slack slash command", "Look up a metric from Slack with /lumen."),
            ("Microsoft Teams integration", "Alerts and chart posts in Teams."),
            ("Reliable Slack connection", "Token refresh and reconnect without admin action."),
        ),
    ),
    ThemePhrases(
        key="salesforce_sync",
        name="Salesforce & CRM sync",
        area="crm_integrations",
        keywords=("salesforce", "hubspot", "crm", "opportunity", "pipeline", "sync"),
        problem="Revenue teams need CRM data next to product data, and the sync is partial and fragile.",
        weight=0.8,
        trend_slope=0.2,
        segment_affinity=(2.5, 2.0, 0.6, 0.3),
        slots={"crm_object": ("opportunities", "custom objects", "activities", "contacts", "quotes")},
        templates={
            "bug": (
                "Salesforce sync skips {crm_object} created by our integration user.",
                "The HubSpot sync duplicates deals when the stage changes.",
                "Currency fields from Salesforce come through without the currency, so totals are wrong.",
            ),
            "feature_request": (
                "Please sync Salesforce {crm_object}, not only accounts.",
                "We'd like to push Lumen health scores back into Salesforce.",
                "A HubSpot connector on the {plan_tier} plan would be great.",
                "Sync more often than once a day, our sales team wants live pipeline numbers.",
            ),
            "complaint": (
                "The pipeline dashboard never matches Salesforce, so sales leadership doesn't trust it.",
                "Salesforce sync fails silently and we only notice when {stakeholder} complains.",
            ),
            "praise": (
                "Having Salesforce data next to product usage is a game changer for our CS team.",
                "The new Salesforce sync is fast and reliable, thank you.",
            ),
            "question": (
                "Does the Salesforce connector support {crm_object}?",
                "How often does the CRM sync run?",
            ),
            "other": ("Our Salesforce admin changed, please use the new contact for the integration.",),
        },
        french=(
            (
                "complaint",
                "Le tableau de bord du pipeline ne correspond jamais à Salesforce, l'équipe "
                "commerciale ne lui fait plus confiance.",
            ),
            ("question", "À quelle fréquence la synchronisation avec le CRM est-elle effectuée ?"),
        ),
        german=(
            ("feature_request", "Bitte synchronisiert auch Opportunities und eigene Objekte aus Salesforce."),
            ("bug", "Die HubSpot-Synchronisation legt Deals doppelt an, wenn sich die Phase ändert."),
        ),
        ideas=(
            ("Sync Salesforce opportunities and custom objects", "Bring the full pipeline into Lumen."),
            ("Reverse sync to the CRM", "Write account health scores back to Salesforce and HubSpot."),
            ("Hourly CRM sync", "Incremental CRM sync every hour."),
            ("HubSpot connector for all plans", "Offer the HubSpot connector below Enterprise."),
        ),
    ),
    ThemePhrases(
        key="scheduled_reports",
        name="Scheduled reports",
        area="scheduled_reports",
        keywords=("scheduled report", "email report", "pdf", "subscription", "weekly report", "recipients"),
        problem=(
            "Stakeholders who never log in depend on e-mailed reports that arrive late, broken or unreadable."
        ),
        weight=1.0,
        trend_slope=-0.1,
        segment_affinity=(1.2, 1.2, 1.0, 0.7),
        templates={
            "bug": (
                "The weekly {dashboard} report arrived empty this morning.",
                "Scheduled PDF reports cut off the last charts on the page.",
                "Reports scheduled for 8am arrive at 2am, I think it's a time zone problem.",
                "External recipients don't get the scheduled report, only people in our workspace.",
            ),
            "feature_request": (
                "Please let us send a report only when a number changes by more than 10%.",
                "Could scheduled reports include the charts inline in the e-mail, not just a PDF?",
                "We'd like to schedule reports monthly on the first working day.",
                "Let us send scheduled reports to people outside the company, like our board.",
            ),
            "complaint": (
                "The scheduled report to {stakeholder} failed twice this month and I only found out when "
                "they "
                "asked.",
                "PDF reports look terrible, the charts are tiny and blurry.",
            ),
            "praise": (
                "The {dashboard} report lands in my inbox every Monday and it's the first thing I read.",
                "Inline charts in the report e-mail are brilliant.",
            ),
            "question": (
                "Can I schedule a report for the first Monday of each month?",
                "Can people without a Lumen account receive scheduled reports?",
                "How do I change who receives the weekly report?",
            ),
            "other": ("Please add our new finance director to the monthly report distribution.",),
        },
        french=(
            ("bug", "Le rapport hebdomadaire {dashboard} est arrivé vide ce matin."),
            (
                "feature_request",
                "Pourriez-vous intégrer les graphiques directement dans l'e-mail au lieu d'un PDF ?",
            ),
        ),
        german=(
            ("bug", "Geplante PDF-Berichte schneiden die letzten Diagramme auf der Seite ab."),
            ("question", "Können auch Personen ohne Lumen-Konto geplante Berichte erhalten?"),
            (
                "praise",
                "Der Bericht {dashboard} kommt jeden Montag pünktlich und ist das Erste, was ich lese.",
            ),
        ),
        ideas=(
            ("Inline charts in report e-mails", "Render charts in the e-mail body, not only as a PDF."),
            ("Conditional report delivery", "Send only when a metric moves past a threshold."),
            ("External report recipients", "Send reports to people without a Lumen account, with limits."),
            ("Report delivery monitoring", "Tell the owner when a scheduled report fails."),
            ("Print-quality PDF layout", "Readable PDF reports with page breaks between charts."),
        ),
    ),
    ThemePhrases(
        key="metric_alerts",
        name="Metric alerts",
        area="alerts",
        keywords=("alert", "threshold", "anomaly", "monitor", "notify when", "spike", "drop"),
        problem="Teams find out about drops in their numbers too late because alerts are too simple.",
        weight=0.8,
        trend_slope=0.2,
        segment_affinity=(1.0, 1.2, 1.0, 1.1),
        templates={
            "bug": (
                "The alert on daily signups didn't fire although signups dropped to zero on {weekday}.",
                "I got an alert for a threshold I deleted last week.",
                "Alerts evaluate on stale data when the warehouse sync is late, so we get false alarms.",
            ),
            "feature_request": (
                "Please add anomaly detection so we don't have to guess thresholds.",
                "Alert when a metric changes by a percentage, not only when it crosses a fixed value.",
                "Let alerts go to PagerDuty for our on-call team.",
                "Could alerts include a small chart of the last few days?",
            ),
            "complaint": (
                "We missed a revenue drop for three days because the alert never fired.",
                "Too many false alarms, the team has started ignoring alerts.",
            ),
            "praise": (
                "The anomaly alert caught a tracking bug within an hour. Fantastic.",
                "Alerts with a mini chart are so useful.",
            ),
            "question": (
                "How often are alert conditions checked?",
                "Can an alert go to several channels at once?",
            ),
            "other": ("Our on-call rota changed, please send alert escalations to the new address.",),
        },
        french=(
            (
                "feature_request",
                "Pourriez-vous ajouter une détection d'anomalies pour ne plus avoir à deviner les seuils ?",
            ),
            (
                "bug",
                "L'alerte sur les inscriptions ne s'est pas déclenchée alors qu'elles sont tombées à zéro.",
            ),
        ),
        german=(
            (
                "feature_request",
                "Bitte Alarme bei prozentualen Änderungen, nicht nur bei festen Schwellenwerten.",
            ),
            ("complaint", "Zu viele Fehlalarme, das Team ignoriert die Alarme inzwischen."),
        ),
        ideas=(
            ("Anomaly detection alerts", "Alerts from a seasonal baseline instead of a fixed threshold."),
            ("Percentage-change alerts", "Fire when a metric moves by a share over a window."),
            ("PagerDuty and Opsgenie targets", "Route alerts to on-call tools."),
            ("Freshness-aware alerts", "Skip evaluation while the source data is stale."),
        ),
    ),
    ThemePhrases(
        key="embedded_analytics",
        name="Embedded analytics",
        area="embedding",
        keywords=("embed", "iframe", "white label", "customer-facing", "signed url", "multi-tenant"),
        problem=(
            "Customers embed Lumen in their own products and need it to look and behave like their product."
        ),
        weight=0.7,
        trend_slope=0.3,
        segment_affinity=(2.0, 2.0, 0.6, 0.8),
        templates={
            "bug": (
                "Embedded dashboards show the Lumen login screen in {browser} because of third-party "
                "cookies.",
                "Filters passed through the signed embed URL are ignored on mobile.",
                "Embedded charts don't resize when the iframe changes width.",
            ),
            "feature_request": (
                "Please let us remove the Lumen branding from embedded dashboards.",
                "We need row-level filtering per tenant when embedding dashboards for our customers.",
                "Could you provide a JavaScript SDK instead of plain iframes?",
                "Let us match fonts and colours in embedded dashboards to our own app.",
            ),
            "complaint": (
                "Our customers see 'Powered by Lumen' in our product, which our CEO hates.",
                "The embed docs are thin, it took us {count} weeks to get signed URLs right.",
            ),
            "praise": (
                "Embedding was straightforward, our customers love the new reporting page.",
                "The embed SDK is really well designed, thanks.",
            ),
            "question": (
                "How is embedded usage priced, per viewer or per customer?",
                "Can embedded dashboards be filtered per tenant?",
            ),
            "other": ("We're launching the customer reporting page built on Lumen next month.",),
        },
        french=(
            (
                "feature_request",
                "Pourriez-vous retirer la marque Lumen des tableaux de bord intégrés dans notre produit ?",
            ),
        ),
        german=(
            ("question", "Wie wird die eingebettete Nutzung abgerechnet, pro Betrachter oder pro Kunde?"),
            ("bug", "Eingebettete Diagramme passen sich nicht an, wenn sich die Breite des Iframes ändert."),
        ),
        ideas=(
            ("White-label embedding", "Remove Lumen branding and apply the customer's theme."),
            ("Tenant filters for embedding", "Enforce per-tenant data filters in signed embed tokens."),
            ("Embed JavaScript SDK", "A typed SDK with events instead of raw iframes."),
            ("Cookie-free embed sessions", "Embedded sessions that work without third-party cookies."),
        ),
    ),
)

THEMES: tuple[ThemePhrases, ...] = _TRUST_THEMES + _DATA_PLATFORM_THEMES + _INSIGHTS_THEMES + _GROWTH_THEMES
"""Every product theme of the demo company, in a fixed order."""

MORE_IDEAS: tuple[tuple[str, str, str], ...] = (
    (
        "two_factor_auth",
        "Remember trusted devices for 30 days",
        "Fewer second-factor prompts on known devices.",
    ),
    ("audit_log", "Audit log export", "Download audit entries as CSV for auditors."),
    ("timezone_dates", "Time zone label on every export", "State the time zone in exported timestamps."),
    ("api_rate_limits", "Retry-After on throttled responses", "Tell clients exactly when to retry."),
    ("webhooks", "Signed webhook payloads", "HMAC signatures and a secret rotation flow."),
    ("data_retention", "Right-to-erasure audit report", "Evidence of every deletion for the DPO."),
    ("sql_editor", "SQL formatter", "Format a query with one keyboard shortcut."),
    ("search_relevance", "Command palette", "Jump to any dashboard, chart or setting from the keyboard."),
    ("dark_mode", "High-contrast accessible theme", "A WCAG AA high-contrast theme for all screens."),
    ("comments_collaboration", "Mentions inbox", "One place for every comment that mentions you."),
    ("notification_overload", "Send notifications to Slack", "Route personal notifications to Slack DMs."),
    ("metric_alerts", "Alert previews with mini charts", "Show the last days of the metric in each alert."),
    ("embedded_analytics", "Embedded usage analytics", "Show which embedded dashboards tenants use."),
)
"""Ideas beyond the ones listed on each theme: (theme key, title, summary)."""

COMPANY_NAME_FIRST: tuple[str, ...] = (
    "Blue",
    "North",
    "Silver",
    "Granite",
    "Harbor",
    "Summit",
    "Cedar",
    "Iron",
    "Bright",
    "Clear",
    "Red",
    "Golden",
    "Pioneer",
    "Atlas",
    "Vertex",
    "Nimbus",
    "Orbit",
    "Beacon",
    "Copper",
    "Evergreen",
    "Falcon",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Meridian",
    "Oak",
    "Pine",
    "Quartz",
    "River",
    "Sierra",
    "Sterling",
    "Tidal",
    "Union",
    "Vista",
    "Willow",
    "Zenith",
    "Aurora",
    "Cobalt",
    "Crescent",
    "Delta",
    "Ember",
    "Fjord",
    "Helix",
    "Indigo",
    "Kestrel",
    "Lumos",
    "Mosaic",
    "Nova",
    "Onyx",
    "Prairie",
    "Redwood",
)
COMPANY_NAME_SECOND: tuple[str, ...] = (
    "ridge",
    "field",
    "stone",
    "point",
    "bridge",
    "wave",
    "line",
    "path",
    "gate",
    "works",
    "craft",
    "light",
    "leaf",
    "peak",
    "bay",
    "forge",
    "mark",
    "wind",
    "vale",
    "brook",
    "",
    "",
    "",
    "",
)
COMPANY_NAME_SUFFIX: tuple[str, ...] = (
    "Labs",
    "Logistics",
    "Health",
    "Systems",
    "Group",
    "Foods",
    "Capital",
    "Software",
    "Retail",
    "Energy",
    "Robotics",
    "Media",
    "Analytics",
    "Insurance",
    "Travel",
    "Learning",
    "Mobility",
    "Bank",
    "Pharma",
    "Studios",
    "Networks",
    "Commerce",
    "Security",
    "Biotech",
    "Consulting",
    "Freight",
    "Clinics",
    "Games",
    "Apparel",
    "Payments",
    "Realty",
    "Telecom",
)
"""Parts of customer company names: a first word, an optional glued second part, a sector suffix."""

REGIONS: Mapping[str, tuple[tuple[str, float], ...]] = {
    "north_america": (("US", 0.82), ("CA", 0.18)),
    "emea": (
        ("GB", 0.26),
        ("DE", 0.22),
        ("FR", 0.2),
        ("NL", 0.1),
        ("AT", 0.05),
        ("CH", 0.05),
        ("ES", 0.07),
        ("SE", 0.05),
    ),
    "apac": (("AU", 0.45), ("SG", 0.25), ("JP", 0.15), ("IN", 0.15)),
    "latam": (("BR", 0.55), ("MX", 0.45)),
}
"""Regions, and the countries within each with their shares."""

REGION_WEIGHTS: Mapping[str, float] = {"north_america": 0.5, "emea": 0.33, "apac": 0.11, "latam": 0.06}

COUNTRY_TLDS: Mapping[str, tuple[str, ...]] = {
    "US": ("com", "com", "io", "co"),
    "CA": ("ca", "com"),
    "GB": ("co.uk", "com", "io"),
    "DE": ("de", "de", "com"),
    "FR": ("fr", "fr", "com"),
    "NL": ("nl", "com"),
    "AT": ("at", "com"),
    "CH": ("ch", "com"),
    "ES": ("es", "com"),
    "SE": ("se", "com"),
    "AU": ("com.au", "io"),
    "SG": ("sg", "com"),
    "JP": ("jp", "com"),
    "IN": ("in", "com"),
    "BR": ("com.br", "com"),
    "MX": ("mx", "com"),
}

FRENCH_SPEAKING: frozenset[str] = frozenset({"FR"})
GERMAN_SPEAKING: frozenset[str] = frozenset({"DE", "AT", "CH"})

FIRST_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": (
        "Emma",
        "Liam",
        "Olivia",
        "Noah",
        "Ava",
        "James",
        "Sophia",
        "Lucas",
        "Mia",
        "Ethan",
        "Grace",
        "Daniel",
        "Chloe",
        "Samuel",
        "Hannah",
        "Ryan",
        "Priya",
        "Arjun",
        "Mei",
        "Kenji",
        "Aisha",
        "Omar",
        "Sofia",
        "Mateo",
        "Isabela",
        "Rafael",
        "Zoe",
        "Nathan",
        "Leah",
        "Marcus",
        "Julia",
        "Tom",
        "Rachel",
        "Kevin",
        "Nina",
        "Ben",
        "Laura",
        "Chris",
        "Fatima",
        "Diego",
    ),
    "fr": (
        "Camille",
        "Louis",
        "Chloé",
        "Hugo",
        "Léa",
        "Julien",
        "Manon",
        "Thomas",
        "Inès",
        "Antoine",
        "Élodie",
        "Mathieu",
        "Sarah",
        "Nicolas",
        "Claire",
        "Romain",
        "Amélie",
        "Guillaume",
    ),
    "de": (
        "Lukas",
        "Anna",
        "Jonas",
        "Lena",
        "Felix",
        "Marie",
        "Maximilian",
        "Sophie",
        "Jan",
        "Katharina",
        "Tobias",
        "Laura",
        "Sebastian",
        "Julia",
        "Florian",
        "Miriam",
        "Matthias",
        "Hannah",
    ),
}
LAST_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": (
        "Smith",
        "Johnson",
        "Brown",
        "Williams",
        "Taylor",
        "Martin",
        "Lee",
        "Walker",
        "Patel",
        "Nguyen",
        "Garcia",
        "Kim",
        "Chen",
        "Wright",
        "Clarke",
        "Hughes",
        "Evans",
        "Okafor",
        "Silva",
        "Santos",
        "Tanaka",
        "Sato",
        "Kowalski",
        "Murphy",
        "O'Brien",
        "Reyes",
        "Cohen",
        "Singh",
        "Shah",
        "Anderson",
        "Thompson",
        "Rossi",
        "Novak",
        "Jensen",
        "Haddad",
        "Morales",
        "Fischer",
        "Park",
        "Ali",
        "Bennett",
    ),
    "fr": (
        "Martin",
        "Bernard",
        "Dubois",
        "Lefèvre",
        "Moreau",
        "Laurent",
        "Girard",
        "Roux",
        "Fournier",
        "Mercier",
        "Blanc",
        "Faure",
        "Chevalier",
        "Garnier",
        "Rousseau",
        "Lambert",
        "Bonnet",
        "Durand",
    ),
    "de": (
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Braun",
        "Zimmermann",
    ),
}
"""Given names and family names by the language of the country a person works in."""

CONTACT_ROLES: tuple[str, ...] = (
    "Head of Data",
    "Data Analyst",
    "Analytics Engineer",
    "VP Finance",
    "Finance Manager",
    "IT Administrator",
    "Head of Sales Operations",
    "Customer Success Lead",
    "COO",
    "CTO",
    "Product Manager",
    "Marketing Analyst",
    "BI Developer",
    "Revenue Operations Manager",
    "Security Officer",
    "Founder",
)
"""Job titles of contacts at customers."""

SEGMENT_PLANS: Mapping[str, tuple[tuple[str, float], ...]] = {
    "enterprise": (("enterprise", 0.85), ("business", 0.15)),
    "mid_market": (("business", 0.6), ("growth", 0.3), ("enterprise", 0.1)),
    "smb": (("growth", 0.55), ("starter", 0.45)),
    "startup": (("starter", 0.65), ("growth", 0.35)),
}
"""Plans customers of each segment are on, with their shares."""
