namespace Stride.Server.OpenApi;

/// <summary>Examples of the read routes' answers, as the server gave them for a few events of system <c>api</c>.</summary>
internal static class ResponseExamples
{
    public const string Metrics = """
        {
          "from": "2023-11-01T00:00:00Z",
          "to": "2023-11-22T00:00:00Z",
          "systems": [
            "api"
          ],
          "environment": "production",
          "benchmark": "2023",
          "deploymentFrequency": {
            "deployments": 2,
            "perDay": 0.09523809523809523,
            "deploymentDays": 2,
            "medianDeploymentDaysPerWeek": 1,
            "tier": "high"
          },
          "leadTimeForChanges": {
            "changes": 2,
            "medianSeconds": 2700,
            "p90Seconds": 3420,
            "meanSeconds": 2700,
            "changesWithoutTimestamp": 0,
            "negativeLeadTimes": 0,
            "tier": "elite"
          },
          "changeFailureRate": {
            "deployments": 2,
            "failedDeployments": 1,
            "rate": 0.5,
            "tier": "low"
          },
          "timeToRestore": {
            "incidents": 1,
            "medianSeconds": 3600,
            "meanSeconds": 3600,
            "p90Seconds": 3600,
            "openIncidents": 0,
            "tier": "high"
          },
          "failedDeploymentRecoveryTime": {
            "incidents": 1,
            "medianSeconds": 7200,
            "tier": "high"
          },
          "reworkRate": {
            "deployments": 2,
            "reworkDeployments": 1,
            "rate": 0.5
          },
          "previous": {
            "deploymentFrequency": {
              "deployments": 0,
              "perDay": 0,
              "deploymentDays": 0,
              "medianDeploymentDaysPerWeek": 0,
              "tier": null
            },
            "leadTimeForChanges": {
              "changes": 0,
              "medianSeconds": null,
              "p90Seconds": null,
              "meanSeconds": null,
              "changesWithoutTimestamp": 0,
              "negativeLeadTimes": 0,
              "tier": null
            },
            "changeFailureRate": {
              "deployments": 0,
              "failedDeployments": 0,
              "rate": null,
              "tier": null
            },
            "timeToRestore": {
              "incidents": 0,
              "medianSeconds": null,
              "meanSeconds": null,
              "p90Seconds": null,
              "openIncidents": 0,
              "tier": null
            },
            "failedDeploymentRecoveryTime": {
              "incidents": 0,
              "medianSeconds": null,
              "tier": null
            },
            "reworkRate": {
              "deployments": 0,
              "reworkDeployments": 0,
              "rate": null
            }
          }
        }
        """;

    public const string Series = """
        {
          "interval": "week",
          "tz": "UTC",
          "buckets": [
            {
              "start": "2023-11-13T00:00:00Z",
              "end": "2023-11-20T00:00:00Z",
              "deploymentFrequency": {
                "deployments": 2,
                "perDay": 0.2857142857142857,
                "deploymentDays": 2,
                "medianDeploymentDaysPerWeek": 2,
                "tier": "high"
              },
              "leadTimeForChanges": {
                "changes": 2,
                "medianSeconds": 2700,
                "p90Seconds": 3420,
                "meanSeconds": 2700,
                "changesWithoutTimestamp": 0,
                "negativeLeadTimes": 0,
                "tier": "elite"
              },
              "changeFailureRate": {
                "deployments": 2,
                "failedDeployments": 1,
                "rate": 0.5,
                "tier": "low"
              },
              "timeToRestore": {
                "incidents": 1,
                "medianSeconds": 3600,
                "meanSeconds": 3600,
                "p90Seconds": 3600,
                "openIncidents": 0,
                "tier": "high"
              },
              "failedDeploymentRecoveryTime": {
                "incidents": 1,
                "medianSeconds": 7200,
                "tier": "high"
              },
              "reworkRate": {
                "deployments": 2,
                "reworkDeployments": 1,
                "rate": 0.5
              }
            }
          ]
        }
        """;

    public const string Latest = """
        {
          "system": "api",
          "environment": "production",
          "identifier": "v1.4.1",
          "timestamp": "2023-11-15T01:16:40Z",
          "commit": null
        }
        """;

    public const string Systems = """
        [
          {
            "name": "api",
            "deployments": 2,
            "lastDeploymentAt": "2023-11-15T01:16:40Z"
          }
        ]
        """;

    public const string Deployments = """
        {
          "items": [
            {
              "system": "api",
              "environment": "production",
              "identifier": "v1.4.1",
              "timestamp": "2023-11-15T01:16:40Z",
              "result": "success",
              "rework": true,
              "commit": null,
              "teams": [],
              "changes": 0,
              "medianLeadTimeSeconds": null,
              "incidents": []
            }
          ],
          "nextCursor": "eyJUIjoxNzAwMDExMDAwLCJTIjoiYXBpIiwiSSI6InYxLjQuMSJ9"
        }
        """;

    public const string Deployment = """
        {
          "deployment": {
            "system": "api",
            "environment": "production",
            "identifier": "v1.4.0",
            "timestamp": "2023-11-14T23:13:20Z",
            "result": "success",
            "rework": false,
            "commit": "9f1c",
            "teams": [
              "core"
            ],
            "changes": 2,
            "medianLeadTimeSeconds": 2700,
            "incidents": [
              "INC-7"
            ]
          },
          "changes": [
            {
              "identifier": "9f1c",
              "timestamp": "2023-11-14T22:13:20Z",
              "firstDeployment": true,
              "leadTimeSeconds": 3600
            },
            {
              "identifier": "6ccf",
              "timestamp": "2023-11-14T22:43:20Z",
              "firstDeployment": true,
              "leadTimeSeconds": 1800
            }
          ],
          "incidents": [
            {
              "system": "api",
              "identifier": "INC-7",
              "timestampCreated": "2023-11-15T00:13:20Z",
              "timestampResolved": "2023-11-15T01:13:20Z",
              "deployment": "v1.4.0",
              "attributedDeployment": "v1.4.0"
            }
          ]
        }
        """;

    public const string Incidents = """
        {
          "items": [
            {
              "system": "api",
              "identifier": "INC-7",
              "timestampCreated": "2023-11-15T00:13:20Z",
              "timestampResolved": "2023-11-15T01:13:20Z",
              "deployment": "v1.4.0",
              "attributedDeployment": "v1.4.0"
            }
          ],
          "nextCursor": null
        }
        """;

    public const string Changes = """
        {
          "items": [
            {
              "system": "api",
              "identifier": "6ccf",
              "timestamp": "2023-11-14T22:43:20Z",
              "firstDeployment": "v1.4.0",
              "deployedAt": "2023-11-14T23:13:20Z",
              "leadTimeSeconds": 1800
            }
          ],
          "nextCursor": "eyJUIjoxNzAwMDAxODAwLCJTIjoiYXBpIiwiSSI6IjZjY2YifQ"
        }
        """;

    public const string CreatedKey = """
        {
          "id": 2,
          "key": "stride_nUOA97RADXVfaOINzHhFqMKVncwj3nkaa3FfoVUwQ08",
          "name": "ci pipeline",
          "scopes": [
            "ingest"
          ],
          "prefix": "stride_nUOA97"
        }
        """;

    public const string Keys = """
        [
          {
            "id": 2,
            "name": "ci pipeline",
            "prefix": "stride_nUOA97",
            "scopes": [
              "ingest"
            ],
            "createdAt": "2026-11-22T18:41:48Z",
            "revokedAt": null,
            "lastUsedAt": "2026-11-22T19:02:10Z"
          },
          {
            "id": 1,
            "name": "bootstrap",
            "prefix": "k_te",
            "scopes": [
              "admin",
              "operator"
            ],
            "createdAt": "2026-11-22T18:41:38Z",
            "revokedAt": null,
            "lastUsedAt": "2026-11-22T18:41:48Z"
          }
        ]
        """;

    public const string CreatedOrganization = """
        {
          "id": 2,
          "name": "payments",
          "adminKey": "stride_Qm2Zr8TtVb1cPq0sXyLwE4nA7uJk9dHf3gRiOe5Ml6C"
        }
        """;

    public const string Organizations = """
        [
          {
            "id": 1,
            "name": "default",
            "createdAt": "2026-11-22T18:41:38Z"
          },
          {
            "id": 2,
            "name": "payments",
            "createdAt": "2026-11-22T18:52:03Z"
          }
        ]
        """;

    // CRLF line ends on the wire (RFC 4180).
    public const string DeploymentsCsv = """
        system,environment,identifier,timestamp,result,rework,commit,teams,changes,medianLeadTimeSeconds,incidents
        api,production,v1.4.1,2023-11-15T01:16:40Z,success,true,,,0,,
        api,production,v1.4.0,2023-11-14T23:13:20Z,success,false,9f1c,core,2,2700,INC-7
        """;

    public const string IncidentsCsv = """
        system,identifier,timestampCreated,timestampResolved,deployment,attributedDeployment
        api,INC-7,2023-11-15T00:13:20Z,2023-11-15T01:13:20Z,v1.4.0,v1.4.0
        """;

    public const string ChangesCsv = """
        system,identifier,timestamp,firstDeployment,deployedAt,leadTimeSeconds
        api,6ccf,2023-11-14T22:43:20Z,v1.4.0,2023-11-14T23:13:20Z,1800
        api,9f1c,2023-11-14T22:13:20Z,v1.4.0,2023-11-14T23:13:20Z,3600
        """;
}
