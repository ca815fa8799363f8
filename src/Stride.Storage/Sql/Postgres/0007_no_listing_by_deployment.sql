-- No read looks up a deployment's listed changes by the deployment: re-pushed deployments unlist
-- their old changes by the full key, from the change list stored on the deployment. The index only
-- cost every listed change of every request an entry (35 MB on the large benchmark dataset).
DROP INDEX IF EXISTS deployment_changes_by_dep;
