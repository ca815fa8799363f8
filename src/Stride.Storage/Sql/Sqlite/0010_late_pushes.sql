-- Late pushes (SPEC §4.4): a deployment whose changes come from its commit chain records the commit at
-- which its walk found no push (chain_gap). A push that arrives later bringing that commit (a webhook
-- redelivered after the deployment, deliveries out of order) walks those deployments' chains again,
-- so the result does not depend on the order in which the provider delivered.
ALTER TABLE deployments ADD COLUMN chain_gap TEXT;
CREATE INDEX deployments_by_chain_gap ON deployments (org, system, chain_gap) WHERE chain_gap IS NOT NULL;
