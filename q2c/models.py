# q2c owns no tables; it gathers the stages (flows, portal, dashboards, the account page).
