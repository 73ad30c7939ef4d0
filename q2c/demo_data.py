"""What the demo holds: the people (one login per role, in two sales teams) and the customers
(the seller on their documents is q2c/demo_company.py)."""

from core.roles import Role

DEMO_PASSWORD = "q2c-demo"

# username, first name, last name, role, manager's username, team
DEMO_USERS = [
    ("maria", "Maria", "Manning", Role.SALES_MANAGER, None, "East"),
    ("sam", "Sam", "Seller", Role.SALES_REP, "maria", "East"),
    ("rita", "Rita", "Reyes", Role.SALES_REP, "maria", "East"),
    ("walter", "Walter", "West", Role.SALES_MANAGER, None, "West"),
    ("wendy", "Wendy", "Wu", Role.SALES_REP, "walter", "West"),
    ("fiona", "Fiona", "Fischer", Role.FINANCE, None, ""),
    ("adam", "Adam", "Auditor", Role.ACCOUNTANT, None, ""),
    ("cara", "Cara", "Catalog", Role.CATALOG_ADMIN, None, ""),
]

# name, country, region, city, currency, payment terms code, credit limit
DEMO_ACCOUNTS = [
    ("Acme Robotics", "US", "CA", "San Jose", "USD", "net-30", "250000"),
    ("Globex Logistics", "US", "TX", "Austin", "USD", "net-45", "400000"),
    ("Initech Software", "US", "NY", "New York", "USD", "net-30", "150000"),
    ("Umbrella Health", "US", "MA", "Boston", "USD", "2-10-net-30", "300000"),
    ("Hooli Cloud", "US", "WA", "Seattle", "USD", "net-60", "800000"),
    ("Vandelay Industries", "US", "IL", "Chicago", "USD", "net-15", "60000"),
    ("Stark Aerospace", "US", "FL", "Orlando", "USD", "net-30", "500000"),
    ("Wayne Analytics", "US", "NJ", "Newark", "USD", "eom-30", "350000"),
    ("Soylent Foods", "US", "OR", "Portland", "USD", "net-30", "90000"),
    ("Tyrell Biotech", "US", "CA", "Los Angeles", "USD", "50-50-30", "600000"),
    ("Cyberdyne Systems", "US", "CA", "Sunnyvale", "USD", "net-45", "700000"),
    ("Massive Dynamic", "US", "NY", "Brooklyn", "USD", "net-30", "450000"),
    ("Northwind Traders", "CA", "ON", "Toronto", "CAD", "net-30", "120000"),
    ("Maple Leaf Media", "CA", "BC", "Vancouver", "CAD", "net-45", "80000"),
    ("Bluth Property Group", "US", "CA", "Newport Beach", "USD", "net-15", "50000"),
    ("Dunder Paper", "US", "PA", "Scranton", "USD", "net-30", "40000"),
    ("Rheinmetall Digital", "DE", "BY", "Munich", "EUR", "net-30", "300000"),
    ("Berliner Mobility", "DE", "BE", "Berlin", "EUR", "net-45", "200000"),
    ("Lumiere Studios", "FR", "IDF", "Paris", "EUR", "net-60", "250000"),
    ("Azul Energia", "ES", "MD", "Madrid", "EUR", "net-30", "180000"),
    ("Van Dijk Logistics", "NL", "NH", "Amsterdam", "EUR", "eom-30", "220000"),
    ("Nordlicht Versicherung", "DE", "HH", "Hamburg", "EUR", "net-30", "350000"),
    ("Brabant Analytics", "BE", "BRU", "Brussels", "EUR", "net-30", "150000"),
    ("Milano Design Group", "IT", "MI", "Milan", "EUR", "net-60", "90000"),
    ("Thames Fintech", "GB", "ENG", "London", "GBP", "net-30", "400000"),
    ("Highland Distillers", "GB", "SCT", "Edinburgh", "GBP", "net-45", "70000"),
    ("Cambridge Genomics", "GB", "ENG", "Cambridge", "GBP", "2-10-net-30", "260000"),
    ("Sakura Electronics", "JP", "13", "Tokyo", "JPY", "eom-30", "50000000"),
    ("Osaka Precision", "JP", "27", "Osaka", "JPY", "net-30", "30000000"),
    ("Kiwi Outdoor", "AU", "NSW", "Sydney", "AUD", "net-30", "150000"),
    ("Alpine Watchworks", "CH", "GE", "Geneva", "CHF", "net-30", "200000"),
    ("Gulf Ventures", "KW", "KU", "Kuwait City", "KWD", "net-30", "60000"),
    ("Pied Piper", "US", "CA", "Palo Alto", "USD", "net-15", "30000"),
]

# E-invoicing customers: a German business receives Factur-X invoices in German (the CII inside
# its PDF/A-3), a Belgian one the PDF and a UBL (Peppol BIS Billing 3.0) document by email.
DEMO_EINVOICING = {
    "Rheinmetall Digital": {"vat_id": "DE811128135", "einvoice_format": "facturx",
                            "document_language": "de", "purchase_order": "4500012345"},
    "Brabant Analytics": {"vat_id": "BE0477472701", "einvoice_format": "ubl",
                          "peppol_id": "0208:0477472701", "buyer_reference": "BRABANT-AP"},
}

FIRST_NAMES = ["Alex", "Jordan", "Priya", "Chen", "Lena", "Marco", "Aisha", "Tom", "Yuki", "Sofia",
               "Noah", "Ines", "Ravi", "Emma", "Kofi", "Hana"]
LAST_NAMES = ["Novak", "Okafor", "Schmidt", "Tanaka", "Rossi", "Patel", "Dubois", "Kim", "Lopez",
              "Berg", "Silva", "Murphy", "Ahmed", "Larsen", "Costa", "Ito"]

# Units of the functional currency (USD) per unit, at the start of the demo history; the seed
# moves each a little month by month so documents in the past convert at their own rate.
DEMO_RATES = {"EUR": "1.0850", "GBP": "1.2700", "JPY": "0.0067", "CAD": "0.7350",
              "AUD": "0.6600", "CHF": "1.1300", "KWD": "3.2500"}

# More customers, made from these parts, so the history has hundreds of accounts to sell to:
# (city, country, region, currency) places and name parts, combined in a fixed order.
PLACES = [
    ("Denver", "US", "CO", "USD"), ("Atlanta", "US", "GA", "USD"), ("Phoenix", "US", "AZ", "USD"),
    ("Minneapolis", "US", "MN", "USD"), ("Raleigh", "US", "NC", "USD"),
    ("Salt Lake City", "US", "UT", "USD"), ("Nashville", "US", "TN", "USD"),
    ("Detroit", "US", "MI", "USD"), ("Lyon", "FR", "ARA", "EUR"), ("Cologne", "DE", "NW", "EUR"),
    ("Rotterdam", "NL", "ZH", "EUR"), ("Valencia", "ES", "VC", "EUR"),
    ("Manchester", "GB", "ENG", "GBP"), ("Bristol", "GB", "ENG", "GBP"),
    ("Yokohama", "JP", "14", "JPY"), ("Nagoya", "JP", "23", "JPY"),
]
NAME_PARTS = (
    ["Apex", "Blue Harbor", "Cedar", "Delta", "Evergreen", "Falcon", "Granite", "Horizon",
     "Ironwood", "Juniper", "Keystone", "Lighthouse", "Meridian", "Northstar", "Orchard",
     "Pinnacle", "Quarry", "Riverbend", "Summit", "Tidewater", "Union", "Vertex"],
    ["Analytics", "Biologics", "Capital", "Devices", "Energy", "Foods", "Health", "Labs",
     "Logistics", "Media"],
)
EXTRA_ACCOUNTS = 170
TERMS_CYCLE = ["net-30", "net-30", "net-45", "net-15", "eom-30", "net-60", "2-10-net-30"]
