"""The only code that talks to an org: auth, limits/backoff, query, Bulk 2.0, EventLogFile, containment."""

from leakline.salesforce.auth import Auth, ClientCredentialsAuth, JwtBearerAuth, SessionAuth
from leakline.salesforce.client import (
    DEFAULT_API_VERSION,
    ApiBudget,
    BudgetExhausted,
    NotFound,
    SalesforceClient,
    sf_datetime,
    soql_datetime,
)
from leakline.salesforce.models import (
    ApiUsage,
    BulkQueryResult,
    Download,
    EventLogFileInfo,
    Limit,
    OauthGrant,
    QueryPage,
    Record,
    Secret,
    Token,
    UserLoginState,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "ApiBudget",
    "ApiUsage",
    "Auth",
    "BudgetExhausted",
    "BulkQueryResult",
    "ClientCredentialsAuth",
    "Download",
    "EventLogFileInfo",
    "JwtBearerAuth",
    "Limit",
    "NotFound",
    "OauthGrant",
    "QueryPage",
    "Record",
    "SalesforceClient",
    "Secret",
    "SessionAuth",
    "Token",
    "UserLoginState",
    "sf_datetime",
    "soql_datetime",
]
