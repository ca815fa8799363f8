-- Provider webhooks (SPEC §4.4). Each organization may set one signing secret per provider. The
-- secret is kept as given, not hashed: a signature is an HMAC of the body keyed by it (GitHub,
-- PagerDuty) or the secret itself (GitLab), so the server must be able to recover it.
CREATE TABLE webhook_secrets (
    org        INTEGER NOT NULL REFERENCES organizations (id),
    provider   TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org, provider)
) WITHOUT ROWID;

-- Delivery ids already stored, so that a provider's redelivery stores nothing twice and gets the
-- same answer. Written in the same transaction as the delivery's events.
CREATE TABLE webhook_deliveries (
    org         INTEGER NOT NULL REFERENCES organizations (id),
    provider    TEXT    NOT NULL,
    delivery    TEXT    NOT NULL,
    stored      INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (org, provider, delivery)
) WITHOUT ROWID;
