"""CRM and procurement records: Accounts, Contacts, Leads, Cases, Opportunities, Orders, Vendors.

Case text is written the way support agents write it: mostly harmless, sometimes with a phone
number, address or date of birth pasted in, and now and then a secret a customer or engineer
shared (fake AWS-shaped keys ending in ``EXAMPLE``, passwords, Snowflake logins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from leakline.simulate import finance
from leakline.simulate.formats import ms_to_sf_many, sf_date, to_ms
from leakline.simulate.geo import COUNTRIES, PLACES, PlaceData, people
from leakline.simulate.ids import BASE62, random_text, stream
from leakline.simulate.org import Org

# Records per size (≈5k / ≈100k / ≈1M in total).
COUNTS: dict[str, dict[str, int]] = {
    "small": {"Account": 400, "Contact": 1600, "Lead": 900, "Case": 1200, "Opportunity": 300, "Order": 480,
              "Vendor__c": 90, "Payment__c": 60},
    "medium": {"Account": 8000, "Contact": 32000, "Lead": 18000, "Case": 24000, "Opportunity": 6000, "Order": 10000,
               "Vendor__c": 1400, "Payment__c": 800},
    "large": {"Account": 80000, "Contact": 320000, "Lead": 180000, "Case": 240000, "Opportunity": 60000,
              "Order": 100000, "Vendor__c": 12000, "Payment__c": 8000},
}

# Which data element (pii/elements.yaml) each field holds, per object.
FIELD_ELEMENTS: dict[str, dict[str, str]] = {
    "Contact": {"FirstName": "name", "LastName": "name", "Name": "name", "Email": "email", "Phone": "phone",
                "MobilePhone": "phone", "MailingStreet": "address", "MailingCity": "address",
                "MailingPostalCode": "address", "Birthdate": "dob"},
    "Lead": {"FirstName": "name", "LastName": "name", "Name": "name", "Email": "email", "Phone": "phone",
             "Street": "address", "City": "address", "PostalCode": "address"},
    "User": {"FirstName": "name", "LastName": "name", "Name": "name", "Email": "email", "Phone": "phone",
             "MobilePhone": "phone", "Username": "email"},
    "Case": {"SuppliedName": "name", "SuppliedEmail": "email", "SuppliedPhone": "phone"},
    "Vendor__c": {"Contact_Name__c": "name", "Email__c": "email", "Phone__c": "phone", "Street__c": "address",
                  "Bank_Account_Number__c": "financial_account", "IBAN__c": "financial_account",
                  "Tax_Id__c": "tax_id"},
}
NAME_FIELDS = {"FirstName", "LastName", "Name", "SuppliedName", "Contact_Name__c"}

INDUSTRIES = ("Retail", "Apparel", "Consumer Goods", "Hospitality", "Manufacturing", "Wholesale", "Technology",
              "Healthcare", "Education", "Transportation")
SUFFIX = ("Inc.", "LLC", "GmbH", "Ltd", "S.A.", "B.V.", "Pty Ltd", "Ltda.", "K.K.", "SAS", "AB", "Sp. z o.o.")
WORDS = ("Summit", "Harbor", "Cedar", "Atlas", "Nova", "Lumen", "Granite", "Juniper", "Meridian", "Orchid", "Pioneer",
         "Quarry", "Riverside", "Sterling", "Tidewater", "Vantage", "Willow", "Zephyr", "Beacon", "Crescent")
NOUNS = ("Outdoor", "Supply", "Goods", "Trading", "Retail", "Apparel", "Home", "Logistics", "Foods", "Sports")

CASE_SUBJECTS = (
    "Where is my order?", "Package arrived damaged", "Refund not received", "Wrong size delivered",
    "Cannot log in to my account", "Change shipping address", "Promo code not working", "Return label request",
    "Invoice copy needed", "Item out of stock - backorder ETA", "Payment declined at checkout",
    "Integration sync error", "Vendor portal access", "Bulk order quote",
)
CASE_BODIES = (
    "Customer reports order {order} has not arrived after 10 days. Tracking shows label created only.",
    "Customer received a damaged item and requests a replacement. Photos attached to the email thread.",
    "Refund for order {order} was approved last week but the customer has not seen it on the statement.",
    "Customer asks to exchange for a larger size; original item unworn with tags.",
    "Customer locked out after password reset emails went to spam. Verified identity via order number.",
    "Please update the delivery address before dispatch; customer moved.",
    "Checkout rejects code SPRING25 for items in the sale category.",
)
PII_BODIES = (
    ("Customer called from {phone}, please call back about order {order}.", ("phone",)),
    ("New delivery address: {street}, {postal} {city}. Customer confirmed by phone {phone}.", ("address", "phone")),
    ("For verification the customer gave DOB {dob} and the last order number {order}.", ("dob",)),
)
SECRET_BODIES = (
    ("Engineer pasted the S3 credentials used by the returns-label export so support can re-run it: "
     "aws_access_key_id={akia} aws_secret_access_key={aws_secret}", (("aws_access_key", "api_secret"),
                                                                       ("aws_secret_key", "api_secret"))),
    ("Customer shared their storefront admin login so we can reproduce: user {email} password: {password}",
     (("password", "username_password"),)),
    ("Warehouse feed failing. Snowflake account {sf_account}.snowflakecomputing.com user SVC_RETURNS "
     "password={password} - please escalate to data team", (("snowflake", "api_secret"),)),
    ("Temporary VPN password for the 3PL contractor portal is {password} (expires Friday).",
     (("password", "username_password"),)),
)


@dataclass
class CaseSecret:
    """A secret planted in a Case Description (ground truth for secret hunting)."""

    case_id: str
    kind: str
    element: str


@dataclass
class Crm:
    """All CRM/procurement records, keyed by object, with per-subject side information."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    jurisdiction: dict[str, str] = field(default_factory=dict)  # person record id -> jurisdiction
    case_pii: dict[str, tuple[str, ...]] = field(default_factory=dict)
    case_secrets: list[CaseSecret] = field(default_factory=list)
    vendor_individual: set[str] = field(default_factory=set)

    def ids(self, obj: str) -> list[str]:
        """Record ids of one object, in file order."""
        return [r["Id"] for r in self.records.get(obj, [])]


def _company_names(rng: np.random.Generator, n: int, countries: list[str]) -> list[str]:
    a = rng.integers(0, len(WORDS), n)
    b = rng.integers(0, len(NOUNS), n)
    suffix_for = {"US": "Inc.", "DE": "GmbH", "GB": "Ltd", "NL": "B.V.", "AU": "Pty Ltd", "BR": "Ltda.", "JP": "K.K.",
                  "FR": "SAS", "SE": "AB", "PL": "Sp. z o.o.", "ES": "S.A.", "IT": "S.p.A.", "IE": "Ltd", "CA": "Inc.",
                  "IN": "Pvt Ltd"}
    return [f"{WORDS[int(a[i])]} {NOUNS[int(b[i])]} {suffix_for.get(countries[i], 'LLC')}" for i in range(n)]


def _times(rng: np.random.Generator, n: int, lo: datetime, hi: datetime) -> np.ndarray:
    return np.sort(rng.integers(to_ms(lo), to_ms(hi), n))


def build(org: Org, size: str, seed: int) -> Crm:
    """Generate every CRM record for ``size``."""
    counts = COUNTS[size]
    ids = org.ids
    rng = stream(seed, "crm")
    pdata = PlaceData(stream(seed, "crm-places"))
    crm = Crm()
    owners_sales = [u.id for u in org.by_profile("sales")] or [org.users["admin1"].id]
    owners_support = [u.id for u in org.by_profile("support")] or owners_sales
    owners_proc = [u.id for u in org.by_profile("procurement")] or owners_sales
    admin_id = org.users["admin1"].id
    history_start = org.start - timedelta(days=900)

    def audit(n: int, created_lo: datetime) -> tuple[list[str], list[str]]:
        """CreatedDate / LastModifiedDate texts; about 15% of records were touched during the window."""
        created = _times(rng, n, created_lo, org.start - timedelta(days=1))
        modified = created + rng.integers(0, 1, n)
        touched = rng.random(n) < 0.15
        modified[touched] = rng.integers(to_ms(org.start), to_ms(org.end), int(touched.sum()))
        return ms_to_sf_many(created), ms_to_sf_many(modified)

    # Accounts
    n = counts["Account"]
    acc_people = people(pdata, n)
    acc_ids = ids.many("Account", n)
    names = _company_names(rng, n, acc_people.country_code)
    created, modified = audit(n, history_start)
    ind = rng.integers(0, len(INDUSTRIES), n)
    rev = rng.lognormal(15, 1.5, n).round(-3)
    emp = rng.integers(5, 5000, n)
    kind = rng.choice(["Customer", "Customer", "Customer", "Prospect", "Partner"], n)
    own = rng.integers(0, len(owners_sales), n)
    crm.records["Account"] = [
        {"Id": acc_ids[i], "Name": names[i], "Type": str(kind[i]), "Industry": INDUSTRIES[int(ind[i])],
         "BillingStreet": acc_people.street[i], "BillingCity": acc_people.city[i],
         "BillingState": acc_people.state[i] or None, "BillingStateCode": acc_people.state_code[i] or None,
         "BillingPostalCode": acc_people.postal[i], "BillingCountry": acc_people.country[i],
         "BillingCountryCode": acc_people.country_code[i], "Phone": acc_people.phone[i],
         "Website": "https://www." + names[i].split()[0].lower() + names[i].split()[1].lower() + ".example.com",
         "AnnualRevenue": float(rev[i]), "NumberOfEmployees": int(emp[i]), "OwnerId": owners_sales[int(own[i])],
         "CreatedById": admin_id, "CreatedDate": created[i], "LastModifiedDate": modified[i],
         "SystemModstamp": modified[i]}
        for i in range(n)
    ]

    # Contacts
    n = counts["Contact"]
    ppl = people(pdata, n)
    con_ids = ids.many("Contact", n)
    created, modified = audit(n, history_start)
    acc_of = rng.integers(0, len(acc_ids), n)
    has_dob = rng.random(n) < 0.25
    dob_days = rng.integers(18 * 365, 75 * 365, n)
    optout = rng.random(n) < 0.12
    own = rng.integers(0, len(owners_sales), n)
    sources = rng.choice(["Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Purchased List"], n)
    emails = []
    for i in range(n):
        local = f"{ppl.first[i]}.{ppl.last[i]}{i % 97}".lower().replace(" ", "").replace("'", "")
        emails.append(local.encode("ascii", "ignore").decode() + "@example.com")
    contacts = []
    for i in range(n):
        rec = {
            "Id": con_ids[i], "AccountId": acc_ids[int(acc_of[i])], "FirstName": ppl.first[i], "LastName": ppl.last[i],
            "Name": f"{ppl.first[i]} {ppl.last[i]}", "Email": emails[i], "Phone": ppl.phone[i],
            "MobilePhone": ppl.mobile[i] if i % 3 else None,
            "Birthdate": sf_date((org.start - timedelta(days=int(dob_days[i]))).date()) if has_dob[i] else None,
            "MailingStreet": ppl.street[i], "MailingCity": ppl.city[i], "MailingState": ppl.state[i] or None,
            "MailingStateCode": ppl.state_code[i] or None, "MailingPostalCode": ppl.postal[i],
            "MailingCountry": ppl.country[i], "MailingCountryCode": ppl.country_code[i],
            "LeadSource": str(sources[i]), "HasOptedOutOfEmail": bool(optout[i]), "OwnerId": owners_sales[int(own[i])],
            "CreatedById": admin_id, "CreatedDate": created[i], "LastModifiedDate": modified[i],
            "SystemModstamp": modified[i],
        }
        contacts.append(rec)
        crm.jurisdiction[con_ids[i]] = ppl.jurisdiction[i]
    crm.records["Contact"] = contacts

    # Leads
    n = counts["Lead"]
    ppl = people(pdata, n)
    lead_ids = ids.many("Lead", n)
    created, modified = audit(n, org.start - timedelta(days=400))
    comp = _company_names(rng, n, ppl.country_code)
    status = rng.choice(["Open - Not Contacted", "Working - Contacted", "Closed - Not Converted", "Qualified"], n)
    rating = rng.choice(["Hot", "Warm", "Cold", ""], n)
    own = rng.integers(0, len(owners_sales), n)
    crm.records["Lead"] = []
    for i in range(n):
        local = f"{ppl.first[i][0]}{ppl.last[i]}{i % 89}".lower().replace(" ", "").replace("'", "")
        crm.records["Lead"].append({
            "Id": lead_ids[i], "FirstName": ppl.first[i], "LastName": ppl.last[i],
            "Name": f"{ppl.first[i]} {ppl.last[i]}", "Company": comp[i],
            "Email": local.encode("ascii", "ignore").decode() + "@example.org", "Phone": ppl.phone[i],
            "Street": ppl.street[i], "City": ppl.city[i], "State": ppl.state[i] or None,
            "StateCode": ppl.state_code[i] or None, "PostalCode": ppl.postal[i], "Country": ppl.country[i],
            "CountryCode": ppl.country_code[i], "Status": str(status[i]), "Rating": str(rating[i]) or None,
            "LeadSource": str(sources[i % len(sources)]), "IsConverted": False, "OwnerId": owners_sales[int(own[i])],
            "CreatedById": admin_id, "CreatedDate": created[i], "LastModifiedDate": modified[i],
            "SystemModstamp": modified[i],
        })
        crm.jurisdiction[lead_ids[i]] = ppl.jurisdiction[i]

    # Orders
    n = counts["Order"]
    ord_ids = ids.many("Order", n)
    created, modified = audit(n, org.start - timedelta(days=365))
    con_of = rng.integers(0, len(con_ids), n)
    amount = rng.lognormal(5, 1, n).round(2)
    ostatus = rng.choice(["Activated", "Activated", "Activated", "Draft"], n)
    order_numbers = [f"{10000000 + i:08d}" for i in range(n)]
    crm.records["Order"] = [
        {"Id": ord_ids[i], "OrderNumber": order_numbers[i], "AccountId": contacts[int(con_of[i])]["AccountId"],
         "ShipToContactId": con_ids[int(con_of[i])], "Status": str(ostatus[i]),
         "EffectiveDate": created[i][:10], "TotalAmount": float(amount[i]), "CurrencyIsoCode": "USD",
         "ShippingStreet": contacts[int(con_of[i])]["MailingStreet"],
         "ShippingCity": contacts[int(con_of[i])]["MailingCity"],
         "ShippingPostalCode": contacts[int(con_of[i])]["MailingPostalCode"],
         "ShippingCountry": contacts[int(con_of[i])]["MailingCountry"],
         "OwnerId": owners_sales[i % len(owners_sales)], "CreatedById": admin_id, "CreatedDate": created[i],
         "LastModifiedDate": modified[i], "SystemModstamp": modified[i]}
        for i in range(n)
    ]

    # Opportunities
    n = counts["Opportunity"]
    opp_ids = ids.many("Opportunity", n)
    created, modified = audit(n, org.start - timedelta(days=500))
    stage = rng.choice(["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won",
                        "Closed Lost"], n)
    amount = rng.lognormal(9, 1.2, n).round(-2)
    acc_of = rng.integers(0, len(acc_ids), n)
    close = rng.integers(-120, 180, n)
    crm.records["Opportunity"] = [
        {"Id": opp_ids[i], "AccountId": acc_ids[int(acc_of[i])],
         "Name": crm.records["Account"][int(acc_of[i])]["Name"] + " - Wholesale " + ("Q1", "Q2", "Q3", "Q4")[i % 4],
         "StageName": str(stage[i]), "Amount": float(amount[i]),
         "CloseDate": sf_date((org.end + timedelta(days=int(close[i]))).date()),
         "Probability": {"Prospecting": 10, "Qualification": 20, "Proposal/Price Quote": 50,
                         "Negotiation/Review": 75, "Closed Won": 100, "Closed Lost": 0}[str(stage[i])],
         "Type": "New Customer" if i % 3 else "Existing Customer - Upgrade",
         "OwnerId": owners_sales[i % len(owners_sales)], "CreatedById": admin_id, "CreatedDate": created[i],
         "LastModifiedDate": modified[i], "SystemModstamp": modified[i]}
        for i in range(n)
    ]

    _cases(crm, org, counts["Case"], rng, con_ids, contacts, order_numbers, owners_support, admin_id, pdata)
    _vendors(crm, org, counts["Vendor__c"], counts["Payment__c"], rng, owners_proc, admin_id, pdata)
    return crm


def _akia(rng: np.random.Generator) -> str:
    return "AKIA" + random_text(rng, 1, 9, np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", dtype=np.uint8))[0] \
        + "EXAMPLE"


def _cases(crm: Crm, org: Org, n: int, rng: np.random.Generator, con_ids: list[str], contacts: list[dict[str, Any]],
           order_numbers: list[str], owners: list[str], admin_id: str, pdata: PlaceData) -> None:
    case_ids = org.ids.many("Case", n)
    created = _times(rng, n, org.start - timedelta(days=300), org.end - timedelta(hours=1))
    created_s = ms_to_sf_many(created)
    con_of = rng.integers(0, len(con_ids), n)
    subj = rng.integers(0, len(CASE_SUBJECTS), n)
    body = rng.integers(0, len(CASE_BODIES), n)
    roll = rng.random(n)
    status = rng.choice(["New", "Working", "Escalated", "Closed", "Closed", "Closed"], n)
    prio = rng.choice(["Low", "Medium", "Medium", "High"], n)
    origin = rng.choice(["Chat", "Chat", "Web", "Email", "Phone"], n)
    out = []
    for i in range(n):
        contact = contacts[int(con_of[i])]
        order = order_numbers[i % len(order_numbers)] if order_numbers else "00000000"
        text = CASE_BODIES[int(body[i])].format(order=order)
        if roll[i] < 0.015:
            template, kinds = SECRET_BODIES[i % len(SECRET_BODIES)]
            text = template.format(
                akia=_akia(rng), aws_secret=random_text(rng, 1, 30)[0] + "EXAMPLEKEY",
                email=contact["Email"], password="Sp" + random_text(rng, 1, 8)[0] + "!",
                sf_account="xy" + str(10000 + i % 89999),
            )
            for kind, element in kinds:
                crm.case_secrets.append(CaseSecret(case_ids[i], kind, element))
        elif roll[i] < 0.10:
            template, elements = PII_BODIES[i % len(PII_BODIES)]
            text = text + " " + template.format(
                phone=contact["Phone"], street=contact["MailingStreet"], postal=contact["MailingPostalCode"],
                city=contact["MailingCity"], dob=contact["Birthdate"] or "1984-07-12", order=order)
            crm.case_pii[case_ids[i]] = elements
        closed = str(status[i]) == "Closed"
        out.append({
            "Id": case_ids[i], "CaseNumber": f"{100000 + i:08d}", "AccountId": contact["AccountId"],
            "ContactId": contact["Id"], "Subject": CASE_SUBJECTS[int(subj[i])], "Description": text,
            "Status": str(status[i]), "Priority": str(prio[i]), "Origin": str(origin[i]), "Type": "Problem",
            "SuppliedName": contact["Name"] if str(origin[i]) in ("Web", "Chat") else None,
            "SuppliedEmail": contact["Email"] if str(origin[i]) in ("Web", "Chat") else None,
            "SuppliedPhone": None, "OwnerId": owners[i % len(owners)], "IsClosed": closed,
            "ClosedDate": created_s[min(i + 3, n - 1)] if closed else None, "CreatedById": admin_id,
            "CreatedDate": created_s[i], "LastModifiedDate": created_s[min(i + 1, n - 1)],
            "SystemModstamp": created_s[min(i + 1, n - 1)],
        })
    crm.records["Case"] = out


def _vendors(crm: Crm, org: Org, n: int, n_pay: int, rng: np.random.Generator, owners: list[str], admin_id: str,
             pdata: PlaceData) -> None:
    vendor_ids = org.ids.many("Vendor__c", n)
    ppl = people(pdata, n)
    names = _company_names(rng, n, ppl.country_code)
    created = ms_to_sf_many(_times(rng, n, org.start - timedelta(days=1500), org.start - timedelta(days=2)))
    individual = rng.random(n) < 0.2
    terms = rng.choice(["Net 15", "Net 30", "Net 30", "Net 45", "Net 60", "2/10 Net 30"], n)
    value = rng.lognormal(11, 1.1, n).round(-2)
    start_days = rng.integers(60, 1400, n)
    out = []
    for i in range(n):
        cc = ppl.country_code[i]
        is_ind = bool(individual[i])
        rec: dict[str, Any] = {
            "Id": vendor_ids[i], "Name": f"{ppl.first[i]} {ppl.last[i]}" if is_ind else names[i],
            "Vendor_Number__c": f"V-{20000 + i:06d}", "Vendor_Type__c": "Individual" if is_ind else "Company",
            "Contact_Name__c": f"{ppl.first[i]} {ppl.last[i]}", "Email__c":
                f"{ppl.first[i][0]}.{ppl.last[i]}{i}".lower().encode("ascii", "ignore").decode().replace(" ", "")
                + "@example.net",
            "Phone__c": ppl.phone[i], "Street__c": ppl.street[i], "City__c": ppl.city[i],
            "State__c": ppl.state_code[i] or None, "Postal_Code__c": ppl.postal[i], "Country__c": cc,
            "Bank_Name__c": None, "Bank_Account_Number__c": None, "Routing_Number__c": None, "IBAN__c": None,
            "SWIFT_BIC__c": None,
        }
        if cc == "US":
            rec["Tax_Id__c"] = finance.make_ssn(rng) if is_ind else finance.make_tax_id("US", rng)
            rec["Bank_Name__c"] = ("Chase", "Bank of America", "Wells Fargo", "Citibank", "US Bank")[i % 5]
            rec["Bank_Account_Number__c"] = finance.make_us_account(rng)
            rec["Routing_Number__c"] = finance.make_aba_routing(rng)
        elif cc in finance.iban_countries():
            rec["Tax_Id__c"] = finance.make_tax_id(cc, rng)
            rec["IBAN__c"] = finance.make_iban(cc, rng)
            rec["Bank_Name__c"] = "Bank " + COUNTRIES[cc].name
            rec["SWIFT_BIC__c"] = rec["IBAN__c"][5:9].upper() if cc in ("GB", "NL", "IE") else None
        else:
            rec["Tax_Id__c"] = finance.make_tax_id(cc, rng)
            rec["Bank_Name__c"] = "Bank " + COUNTRIES[cc].name
            rec["Bank_Account_Number__c"] = "".join(BASE62[int(d)] for d in rng.integers(0, 10, 12))
        start = org.start - timedelta(days=int(start_days[i]))
        rec.update({
            "Payment_Terms__c": str(terms[i]), "Contract_Start__c": sf_date(start.date()),
            "Contract_End__c": sf_date((start + timedelta(days=730)).date()), "Contract_Value__c": float(value[i]),
            "Status__c": "Active" if i % 11 else "Inactive", "OwnerId": owners[i % len(owners)],
            "CreatedById": admin_id, "CreatedDate": created[i], "LastModifiedDate": created[i],
            "SystemModstamp": created[i],
        })
        out.append(rec)
        if is_ind:
            crm.vendor_individual.add(vendor_ids[i])
            crm.jurisdiction[vendor_ids[i]] = PLACES[ppl.place[i]].jurisdiction
    crm.records["Vendor__c"] = out
    approvers = [u.id for u in org.users.values() if "payment_approver" in u.permsets]
    pay_ids = org.ids.many("Payment__c", n_pay)
    amounts = rng.lognormal(8, 1.0, n_pay).round(2)
    pay_created = ms_to_sf_many(_times(rng, n_pay, org.start - timedelta(days=90), org.end - timedelta(hours=2)))
    crm.records["Payment__c"] = [
        {"Id": pay_ids[i], "Name": f"PAY-{500000 + i}", "Vendor__c": vendor_ids[i % n],
         "Amount__c": float(amounts[i]), "Status__c": ("Pending", "Approved", "Paid", "Paid")[i % 4],
         "Approved_By__c": approvers[i % len(approvers)] if i % 4 and approvers else None,
         "Due_Date__c": pay_created[i][:10], "CreatedById": owners[i % len(owners)], "CreatedDate": pay_created[i],
         "LastModifiedDate": pay_created[i], "SystemModstamp": pay_created[i]}
        for i in range(n_pay)
    ]


def elements_of(obj: str, fields: list[str], record: dict[str, Any], crm: Crm) -> set[str]:
    """Data elements exposed when ``fields`` of ``record`` are read (non-empty values only)."""
    mapping = FIELD_ELEMENTS.get(obj, {})
    out = {mapping[f] for f in fields if f in mapping and record.get(f) not in (None, "")}
    if obj == "Vendor__c" and "tax_id" in out and record.get("Country__c") == "US" \
            and record.get("Vendor_Type__c") == "Individual":
        out.discard("tax_id")
        out.add("ssn")
    if obj == "Case" and "Description" in fields:
        out |= set(crm.case_pii.get(record["Id"], ()))
    if "name" in out and not ({"FirstName", "LastName"} & set(fields) or {"Name", "Contact_Name__c",
                                                                           "SuppliedName"} & set(fields)):
        out.discard("name")
    return out
