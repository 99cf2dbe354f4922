"""The simulated company: users, profiles, permission sets, connected apps, OAuth grants.

An e-commerce retailer with a procurement team. Integration users are over-permissioned on
purpose (View All Data, API Enabled, no login IP ranges), like many real orgs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from leakline.simulate.geo import PlaceData
from leakline.simulate.ids import IdFactory, random_text, stream

COMPANIES = (
    ("Northwind Outfitters", "northwind-outfitters"),
    ("Bluepeak Supply Co.", "bluepeak-supply"),
    ("Harbor & Pine Goods", "harborpine"),
    ("Copperline Home", "copperline-home"),
    ("Tallgrass Trading", "tallgrass-trading"),
)
API_VERSION = "62.0"

# Permission names (PermissionSet field = "Permissions" + name).
ALL_PERMS = (
    "ApiEnabled", "ApiUserOnly", "ViewAllData", "ModifyAllData", "ManageUsers", "ExportReport", "RunReports",
    "CustomizeApplication", "ViewSetup", "AuthorApex", "ModifyMetadata", "ManageProfilesPermissionsets",
    "AssignPermissionSets", "ViewEventLogFiles", "MonitorLoginHistory", "FreezeUsers", "ResetPasswords",
    "BypassMFAForUiLogins", "CanApproveUninstalledApps", "UseAnyApiAuth", "ManageDataIntegrations",
    "ViewAllUsers", "ManageInternalUsers", "DataExport", "ManageRemoteAccess", "ViewEncryptedData",
    "EditTask", "EditEvent", "ManageCases", "ConvertLeads", "ImportLeads", "EmailSingle", "EmailMass",
)


@dataclass
class ProfileSpec:
    """A profile (and its owned permission set)."""

    key: str
    name: str
    license: str
    user_type: str
    perms: frozenset[str]
    objects: dict[str, str]  # object -> "R" / "CRE" / "CRED" / "ALL"
    id: str = ""
    owned_ps_id: str = ""
    login_ip_ranges: tuple[tuple[str, str], ...] = ()
    description: str = ""


@dataclass
class PermSetSpec:
    """A permission set that is not owned by a profile."""

    key: str
    label: str
    perms: frozenset[str]
    objects: dict[str, str] = field(default_factory=dict)
    fields_edit: tuple[str, ...] = ()
    custom_perms: tuple[str, ...] = ()
    id: str = ""
    description: str = ""


@dataclass
class UserSpec:
    """One user account."""

    key: str
    id: str
    username: str
    first: str
    last: str
    email: str
    profile: str
    title: str
    department: str
    kind: str  # human | admin | integration | guest
    place: int
    tz: str
    utc_offset: float
    created: datetime
    permsets: list[str] = field(default_factory=list)
    password: str = ""
    phone: str = ""
    user_type: str = "Standard"
    elf_user_type: str = "S"
    active: bool = True
    home_ip: str = ""
    ua: str = ""

    @property
    def name(self) -> str:
        """Full name as Salesforce shows it."""
        return f"{self.first} {self.last}".strip()


@dataclass
class AppSpec:
    """A connected app with its OAuth policy and the integration that uses it."""

    key: str
    name: str
    description: str
    scopes: tuple[str, ...]
    ip_relaxation: str
    refresh_policy: str
    admin_approved: bool
    callback: str
    client_name: str
    user_agent: str
    egress: tuple[str, ...]
    id: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    jwt: bool = False
    installed: bool = True
    created: datetime | None = None
    contact_email: str = ""
    reads: dict[str, list[str]] = field(default_factory=dict)
    writes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class TokenSpec:
    """An OAuth grant (OauthToken record) with its live secrets (credentials.json)."""

    id: str
    user_key: str
    app_key: str
    created: datetime
    last_used: datetime
    use_count: int
    refresh_token: str
    access_token: str
    delete_token: str
    scenario: str = ""


def _ip(rng: np.random.Generator, prefix: str) -> str:
    parts = [p for p in prefix.split(".") if p]
    while len(parts) < 4:
        parts.append(str(int(rng.integers(1, 255))))
    return ".".join(parts)


BROWSER_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36 Edg/133.0.0.0",
)
OFFICE_EGRESS = {"America/New_York": "64.124.36.", "America/Los_Angeles": "12.130.117.", "America/Chicago": "66.171.9.",
                 "Europe/London": "81.144.201.", "Europe/Berlin": "85.183.41.", "Asia/Kolkata": "115.112.74."}
HOME_PREFIXES = {"America/New_York": ("73.", "96.241.", "108.30."), "America/Los_Angeles": ("76.102.", "98.207."),
                 "America/Chicago": ("24.14.", "99.104."), "America/Denver": ("67.176.",),
                 "Europe/London": ("86.144.", "81.102."), "Europe/Berlin": ("91.64.", "93.196."),
                 "Asia/Kolkata": ("49.207.", "106.51.")}

# Employee teams: (profile key, title, department, count weight, office tz)
TEAMS = (
    ("sales", "Account Executive", "Sales", 0.22, ("America/New_York", "America/Chicago", "Europe/London")),
    ("sales", "Sales Development Rep", "Sales", 0.10, ("America/Chicago", "America/New_York")),
    ("support", "Customer Support Agent", "Customer Service", 0.30, ("America/Chicago", "Asia/Kolkata", "Europe/Berlin")),
    ("marketing", "Marketing Manager", "Marketing", 0.08, ("America/Los_Angeles", "America/New_York")),
    ("procurement", "Procurement Specialist", "Procurement", 0.08, ("America/New_York", "Europe/Berlin")),
    ("finance", "Accounts Payable Analyst", "Finance", 0.07, ("America/New_York",)),
    ("ops", "Operations Analyst", "Operations", 0.10, ("America/Los_Angeles", "Europe/London")),
    ("readonly", "Business Analyst", "Analytics", 0.05, ("America/Los_Angeles",)),
)
TZ_PLACE = {"America/New_York": 3, "America/Los_Angeles": 1, "America/Chicago": 10, "America/Denver": 14,
            "Europe/London": 33, "Europe/Berlin": 37, "Asia/Kolkata": 55}


def _profiles() -> list[ProfileSpec]:
    std = {"Account": "CRE", "Contact": "CRE", "Lead": "CRE", "Opportunity": "CRE", "Case": "CRE", "Order": "R"}
    return [
        ProfileSpec("admin", "System Administrator", "Salesforce", "Standard",
                    frozenset(ALL_PERMS) - {"ApiUserOnly", "BypassMFAForUiLogins"},
                    dict.fromkeys(("Account", "Contact", "Lead", "Opportunity", "Case", "Order", "Vendor__c",
                                   "Payment__c"), "ALL"), description="Full administrative access"),
        ProfileSpec("sales", "Sales User", "Salesforce", "Standard",
                    frozenset({"ApiEnabled", "RunReports", "ExportReport", "EditTask", "EditEvent", "ConvertLeads",
                               "EmailSingle"}), std),
        ProfileSpec("support", "Support Agent", "Salesforce", "Standard",
                    frozenset({"RunReports", "ManageCases", "EditTask", "EmailSingle"}),
                    {"Account": "R", "Contact": "CRE", "Case": "CRED", "Order": "R"}),
        ProfileSpec("marketing", "Marketing User", "Salesforce", "Standard",
                    frozenset({"ApiEnabled", "RunReports", "ExportReport", "ImportLeads", "EmailMass", "EmailSingle"}),
                    {"Lead": "CRED", "Contact": "R", "Account": "R", "Opportunity": "R"}),
        ProfileSpec("procurement", "Procurement User", "Salesforce", "Standard",
                    frozenset({"RunReports", "EditTask"}), {"Vendor__c": "CRE", "Order": "R", "Account": "R"}),
        ProfileSpec("finance", "Finance User", "Salesforce", "Standard",
                    frozenset({"RunReports", "ExportReport"}),
                    {"Vendor__c": "R", "Payment__c": "CRE", "Order": "R", "Opportunity": "R"}),
        ProfileSpec("ops", "Standard User", "Salesforce", "Standard",
                    frozenset({"ApiEnabled", "RunReports", "ExportReport", "EditTask"}), std),
        ProfileSpec("readonly", "Read Only", "Salesforce", "Standard", frozenset({"RunReports"}),
                    dict.fromkeys(std, "R")),
        ProfileSpec("integration", "API Integration", "Salesforce Integration", "Standard",
                    frozenset({"ApiEnabled", "ApiUserOnly", "RunReports"}),
                    dict.fromkeys(("Account", "Contact", "Lead", "Opportunity", "Case", "Order", "Vendor__c"), "CRE"),
                    description="Profile for integration users (API only)"),
        ProfileSpec("guest", "Customer Help Center Profile", "Guest User License", "Guest", frozenset(),
                    {"Contact": "R", "Case": "R", "Account": "R"},
                    description="Guest profile of the public help-center site"),
    ]


def _permsets() -> list[PermSetSpec]:
    return [
        PermSetSpec("integration_full", "Integration Full Access",
                    frozenset({"ApiEnabled", "ViewAllData", "ViewSetup", "ManageDataIntegrations"}),
                    description="Granted to all integration users so syncs never fail on sharing"),
        PermSetSpec("integration_write", "Integration Modify All", frozenset({"ModifyAllData", "ViewAllData", "ApiEnabled"}),
                    description="ERP connector needs to upsert any record"),
        PermSetSpec("report_export", "Report Export", frozenset({"ExportReport", "RunReports"})),
        PermSetSpec("data_loader", "Data Loader Users", frozenset({"ApiEnabled", "DataExport"}),
                    description="Bulk data operations with Data Loader"),
        PermSetSpec("vendor_master", "Vendor Master Maintenance", frozenset({"ApiEnabled"}),
                    {"Vendor__c": "CRED"},
                    fields_edit=("Vendor__c.Bank_Account_Number__c", "Vendor__c.IBAN__c", "Vendor__c.Routing_Number__c",
                                 "Vendor__c.Tax_Id__c"),
                    description="Create vendors and maintain their bank details"),
        PermSetSpec("payment_approver", "Vendor Payment Approver", frozenset(), {"Payment__c": "CRE"},
                    custom_perms=("Approve_Vendor_Payments",), description="Approve outgoing vendor payments"),
        PermSetSpec("event_monitoring", "Event Monitoring Analyst",
                    frozenset({"ViewEventLogFiles", "MonitorLoginHistory", "ApiEnabled"})),
    ]


def _apps(domain: str) -> list[AppSpec]:
    return [
        AppSpec("chat", "ChatBeacon Support Widget", "Website support chat: looks up contacts and opens cases",
                ("Api", "RefreshToken", "Full"), "BYPASS", "infinite", False,
                "https://app.chatbeacon.io/oauth/salesforce/callback", "ChatBeacon/3.8", "ChatBeacon-Connector/3.8.2",
                ("34.203.118.", "34.203.119."), contact_email="integrations@chatbeacon.io",
                reads={"Contact": ["Id", "FirstName", "LastName", "Email", "Phone", "AccountId"],
                       "Case": ["Id", "CaseNumber", "Status", "Subject", "ContactId"],
                       "Account": ["Id", "Name"]},
                writes={"Case": ["Subject", "Description", "ContactId", "Origin", "Status", "Priority"]}),
        AppSpec("marketing", "MarketPulse Sync", "Marketing automation sync of leads and contacts",
                ("Api", "RefreshToken"), "ENFORCE", "infinite", True,
                "https://sync.marketpulse.com/sfdc/callback", "MarketPulse/4.2", "MarketPulse-Sync/4.2 (SOAP)",
                ("52.1.76.", "52.1.77."), contact_email="support@marketpulse.com",
                reads={"Lead": ["Id", "FirstName", "LastName", "Email", "Company", "Status", "LeadSource",
                                "LastModifiedDate"],
                       "Contact": ["Id", "FirstName", "LastName", "Email", "HasOptedOutOfEmail", "LastModifiedDate"]},
                writes={"Lead": ["Status", "Rating", "LeadSource"], "Contact": ["HasOptedOutOfEmail"]}),
        AppSpec("erp", "Ledgerline ERP Connector", "Procurement/ERP sync of vendors, orders and payments",
                ("Api", "RefreshToken", "Full"), "BYPASS", "infinite", True,
                "https://erp.ledgerline.net/oauth/callback", "Ledgerline/7.1", "Ledgerline-ERP-Connector/7.1.4 Java/17",
                ("20.119.40.", "20.119.41."), contact_email="connectors@ledgerline.net",
                reads={"Account": ["Id", "Name", "BillingCountry"], "Order": ["Id", "OrderNumber", "Status",
                                                                             "TotalAmount", "AccountId"],
                       "Vendor__c": ["Id", "Name", "Vendor_Number__c", "Status__c"]},
                writes={"Vendor__c": ["Name", "Vendor_Number__c", "Tax_Id__c", "Bank_Account_Number__c", "IBAN__c",
                                      "Routing_Number__c", "Payment_Terms__c", "Status__c"],
                        "Order": ["Status"]}),
        AppSpec("dwh", "Snowfall Warehouse Sync", "Nightly extract to the analytics warehouse (JWT bearer)",
                ("Api", "RefreshToken"), "ENFORCE", "specific_lifetime:90:DAYS", True,
                "https://login.salesforce.com/services/oauth2/success", "SnowfallSync/2.3",
                "snowfall-sync/2.3.1 python-requests/2.31.0", ("35.171.22.", "35.171.23."), jwt=True,
                contact_email="data-platform@" + domain,
                reads={"Account": ["Id", "Name", "Industry", "BillingCountry", "AnnualRevenue", "SystemModstamp"],
                       "Contact": ["Id", "AccountId", "Email", "MailingCountry", "SystemModstamp"],
                       "Opportunity": ["Id", "AccountId", "Amount", "StageName", "CloseDate", "SystemModstamp"],
                       "Order": ["Id", "AccountId", "TotalAmount", "Status", "EffectiveDate", "SystemModstamp"],
                       "Case": ["Id", "AccountId", "Status", "Priority", "Origin", "SystemModstamp"]},
                writes={}),
        AppSpec("dataloader_bulk", "Dataloader Bulk", "Salesforce Data Loader (bulk)", ("Api", "RefreshToken", "Web"),
                "ENFORCE", "infinite", False, "https://login.salesforce.com/services/oauth2/success",
                "DataLoaderBulkUI/62.0.0", "Dataloader/62.0.0 (Java/17.0.9)", ()),
        AppSpec("sfcli", "Salesforce CLI", "Salesforce CLI (sf)", ("Api", "RefreshToken", "Web"), "ENFORCE",
                "infinite", False, "http://localhost:1717/OauthRedirect", "sfdx toolbelt:2.72.21",
                "@salesforce/cli/2.72.21 darwin-arm64 node-v22.11.0", ()),
        AppSpec("dataloader_partner", "Dataloader Partner", "Salesforce Data Loader (partner)",
                ("Api", "RefreshToken", "Web"), "ENFORCE", "infinite", False,
                "https://login.salesforce.com/services/oauth2/success", "DataLoaderPartnerUI/62.0.0",
                "Dataloader/62.0.0 (Java/17.0.9)", ()),
    ]


class Org:
    """All org-level entities of one simulated org, with lookups."""

    def __init__(self, seed: int, size: str, end: datetime, days: int, n_employees: int, ids: IdFactory) -> None:
        self.seed = seed
        self.ids = ids
        self.end = end
        self.start = end - timedelta(days=days)
        rng = stream(seed, "org")
        self.rng = rng
        name, slug = COMPANIES[seed % len(COMPANIES)]
        self.name = name
        self.my_domain = slug
        self.domain = slug.replace("-", "") + ".com"
        self.instance_url = f"https://{slug}.my.salesforce.com"
        self.org_id = ids.new("Organization")
        self.org_id15 = self.org_id[:15]
        self.created = datetime(2019, 4, 8, 15, 12, tzinfo=end.tzinfo)
        self.places = PlaceData(stream(seed, "org-places"), pool=16)
        self.profiles = {p.key: p for p in _profiles()}
        for p in self.profiles.values():
            p.id = ids.new("Profile")
            p.owned_ps_id = ids.new("PermissionSet")
        self.permsets = {p.key: p for p in _permsets()}
        for ps in self.permsets.values():
            ps.id = ids.new("PermissionSet")
        self.apps = {a.key: a for a in _apps(self.domain)}
        for app in self.apps.values():
            self._finish_app(app, rng)
        self.users: dict[str, UserSpec] = {}
        self._make_users(n_employees, rng)
        self.tokens: list[TokenSpec] = []
        self.locked_users: set[str] = set()
        self._make_tokens(rng)
        self.reports = [(ids.new("Report"), name, entity) for name, entity in (
            ("Pipeline by Stage", "Opportunity"), ("Open Cases by Agent", "Case"), ("All Contacts with Email", "Contact"),
            ("New Leads This Week", "Lead"), ("Vendor Master List", "Vendor__c"), ("Orders by Region", "Order"),
            ("Accounts by Revenue", "Account"), ("Customer List - Full Export", "Contact"),
            ("Case Backlog", "Case"), ("Payments Awaiting Approval", "Payment__c"))]

    def _finish_app(self, app: AppSpec, rng: np.random.Generator) -> None:
        app.id = self.ids.new("ConnectedApplication")
        app.consumer_key = "3MVG9" + random_text(rng, 1, 80)[0]
        app.consumer_secret = "".join(random_text(rng, 1, 64, np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)))
        if app.created is None:
            app.created = self.created + timedelta(days=int(rng.integers(200, 2000)))
            app.created = min(app.created, self.start - timedelta(days=30))

    def add_app(self, app: AppSpec) -> AppSpec:
        """Register an app created during the window (e.g. an attacker's)."""
        self._finish_app(app, self.rng)
        self.apps[app.key] = app
        return app

    # -- users -----------------------------------------------------------------------------------
    def _user(self, key: str, first: str, last: str, profile: str, title: str, dept: str, kind: str, tz: str,
              rng: np.random.Generator, username: str | None = None) -> UserSpec:
        place = TZ_PLACE.get(tz, 3)
        local = username or f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        for src, dst in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("é", "e"), ("ß", "ss"), ("á", "a"), ("í", "i")):
            local = local.replace(src, dst)
        uname = local if "@" in local else f"{local}@{self.domain}"
        while any(u.username == uname for u in self.users.values()):
            uname = uname.replace("@", f"{int(rng.integers(2, 99))}@", 1)
        offset = ZoneInfo(tz).utcoffset(self.start.replace(tzinfo=None)) if tz != "UTC" else None
        created = self.created + timedelta(days=int(rng.integers(30, 2400)))
        created = min(created, self.start - timedelta(days=20))
        user = UserSpec(
            key=key, id=self.ids.new("User"), username=uname, first=first, last=last,
            email=uname if kind != "guest" else f"{local}@{self.domain}", profile=profile, title=title,
            department=dept, kind=kind, place=place, tz=tz,
            utc_offset=(offset.total_seconds() / 3600) if offset else 0.0, created=created,
            password=random_text(rng, 1, 12)[0] + "!9a",
            phone=self.places.phone(place),
        )
        if kind in ("human", "admin"):
            home = HOME_PREFIXES.get(tz, ("73.",))
            user.home_ip = _ip(rng, home[int(rng.integers(0, len(home)))])
            user.ua = BROWSER_UAS[int(rng.integers(0, len(BROWSER_UAS)))]
        self.users[key] = user
        return user

    def _make_users(self, n_employees: int, rng: np.random.Generator) -> None:
        self._user("admin1", "Dana", "Whitfield", "admin", "Salesforce Administrator", "IT", "admin",
                   "America/New_York", rng)
        self._user("admin2", "Marcus", "Oyelaran", "admin", "CRM Platform Lead", "IT", "admin",
                   "America/Chicago", rng)
        self.users["admin1"].permsets += ["data_loader", "event_monitoring"]
        self.users["admin2"].permsets += ["data_loader"]
        weights = np.array([t[3] for t in TEAMS])
        team_idx = rng.choice(len(TEAMS), size=max(n_employees - 2, 8), p=weights / weights.sum())
        for n, ti in enumerate(team_idx):
            profile, title, dept, _, tzs = TEAMS[int(ti)]
            tz = tzs[int(rng.integers(0, len(tzs)))]
            place = TZ_PLACE.get(tz, 3)
            first, last = self.places.name(place)
            user = self._user(f"emp{n}", first, last, profile, title, dept, "human", tz, rng)
            if profile in ("sales", "ops") and rng.random() < 0.3:
                user.permsets.append("report_export")
        # The planted segregation-of-duties conflict: a procurement user who can create vendors,
        # edit their bank details and approve payments.
        sod = next(u for u in self.users.values() if u.profile == "procurement")
        sod.permsets += ["vendor_master", "payment_approver"]
        self.sod_user = sod.key
        for u in self.users.values():
            if u.profile == "procurement" and u.key != sod.key:
                u.permsets.append("vendor_master")
            if u.profile == "finance":
                u.permsets.append("payment_approver")
        for key, first, last, app, extra in (
            ("int_chat", "ChatBeacon", "Integration", "chat", ["integration_full"]),
            ("int_marketing", "MarketPulse", "Integration", "marketing", ["integration_full"]),
            ("int_erp", "Ledgerline", "Integration", "erp", ["integration_full", "integration_write"]),
            ("int_dwh", "Warehouse", "Integration", "dwh", ["integration_full"]),
        ):
            user = self._user(key, first, last, "integration", "Integration User", "IT", "integration", "UTC", rng,
                              username=f"integration.{app}@{self.domain}")
            user.permsets += extra
        guest = self._user("guest", "Customer Help Center", "Site Guest User", "guest", "", "", "guest", "UTC", rng,
                           username=f"helpcenter@{self.my_domain}.my.site.com")
        guest.user_type = "Guest"
        guest.elf_user_type = "G"

    def app_user(self, app_key: str) -> UserSpec:
        """The integration user that runs an app's traffic."""
        return self.users[{"chat": "int_chat", "marketing": "int_marketing", "erp": "int_erp",
                           "dwh": "int_dwh"}[app_key]]

    def humans(self) -> list[UserSpec]:
        """Employees (including admins) who log in through the UI."""
        return [u for u in self.users.values() if u.kind in ("human", "admin")]

    def by_profile(self, profile: str) -> list[UserSpec]:
        """Users of one profile."""
        return [u for u in self.users.values() if u.profile == profile]

    def perms_of(self, user: UserSpec) -> set[str]:
        """Effective user permissions (profile + permission sets)."""
        perms = set(self.profiles[user.profile].perms)
        for ps in user.permsets:
            perms |= self.permsets[ps].perms
        return perms

    # -- tokens ----------------------------------------------------------------------------------
    def new_token(self, user_key: str, app_key: str, created: datetime, last_used: datetime, use_count: int,
                  scenario: str = "") -> TokenSpec:
        """Create an OAuth grant with fresh (fake) secrets."""
        rng = self.rng
        tok = TokenSpec(
            id=self.ids.new("OauthToken"), user_key=user_key, app_key=app_key, created=created,
            last_used=last_used, use_count=use_count,
            refresh_token="5Aep861" + random_text(rng, 1, 80)[0],
            access_token=self.org_id15 + "!AR8AQ" + random_text(rng, 1, 96)[0],
            delete_token="DT" + random_text(rng, 1, 40)[0], scenario=scenario,
        )
        self.tokens.append(tok)
        return tok

    def _make_tokens(self, rng: np.random.Generator) -> None:
        for app_key in ("chat", "marketing", "erp", "dwh"):
            app = self.apps[app_key]
            assert app.created is not None
            self.new_token(self.app_user(app_key).key, app_key, app.created + timedelta(hours=2), self.end,
                           int(rng.integers(20_000, 900_000)))
        self.new_token("admin2", "sfcli", self.start - timedelta(days=int(rng.integers(20, 200))), self.start, 57)
        for user_key in ("admin1", "admin2"):
            self.new_token(user_key, "dataloader_bulk", self.start - timedelta(days=int(rng.integers(40, 300))),
                           self.start, int(rng.integers(10, 400)))
        # Stale grants nobody cleaned up: a realistic org has them.
        for u in self.humans()[2:]:
            if u.profile in ("ops", "marketing") and rng.random() < 0.35:
                created = self.start - timedelta(days=int(rng.integers(60, 700)))
                self.new_token(u.key, "dataloader_partner", created,
                               created + timedelta(days=int(rng.integers(0, 30))), int(rng.integers(1, 60)))

    def token_for(self, user_key: str, app_key: str) -> TokenSpec:
        """The first grant of a user to an app."""
        return next(t for t in self.tokens if t.user_key == user_key and t.app_key == app_key)


__all__ = ["API_VERSION", "AppSpec", "Org", "TokenSpec", "UserSpec"]
