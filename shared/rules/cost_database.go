package rules

import (
	"strings"

	"prodready/shared/inventory"
)

// DatabaseTechnology enforces Cost 1: the council's preferred database
// technologies, unless another was evaluated and agreed.
var DatabaseTechnology = &Rule{
	ID:     "database-technology",
	Pillar: Cost,
	Point:  "Cost optimisation 1",
	Title:  "Data is stored in DynamoDB, RDS PostgreSQL or S3",
	Checklist: "Database technology is DynamoDB (for NoSQL), RDS Postgres (for SQL) or S3 (for file storage) unless " +
		"otherwise evaluated and agreed upon.",
	Rationale: "Few technologies across the council's services keep maintenance, skills and costs consistent. Another " +
		"technology is allowed on a \"yes, unless\" basis: when a product's requirements cannot be met by the preferred " +
		"ones, and that evaluation has been agreed.",
	Remediation: "Use DynamoDB for NoSQL, RDS or Aurora PostgreSQL (Engine: postgres or aurora-postgresql) for SQL, S3 for " +
		"files. If another technology was evaluated and agreed, record that as an exemption in custom.safeguard.exemptions " +
		"(rule: database-technology, the resource, the reason, who approved it and until when).",
	Example: `resources:
  Resources:
    CasesDatabase:
      Type: AWS::RDS::DBCluster
      Properties:
        Engine: aurora-postgresql
        StorageEncrypted: true
custom:
  safeguard:
    exemptions:
      - rule: database-technology
        resource: SearchCache
        reason: Redis session cache evaluated against DynamoDB in ADR-012
        approvedBy: Head of Engineering
        expires: "2027-03-31"`,
	Check: checkDatabaseTechnology,
}

// preferredEngines are the RDS engines the standard names (RDS Postgres,
// and Aurora's PostgreSQL edition).
var preferredEngines = []string{"postgres", "aurora-postgresql"}

const agreedEvaluation = "if it was evaluated and agreed, record that as an exemption (custom.safeguard.exemptions, rule database-technology) with the reason and who approved it"

func checkDatabaseTechnology(c *Context) {
	for _, r := range ownDataStores(c.Inv) {
		kind := dataStoreTypes[r.Type]
		noun := kind.Noun + " " + r.DisplayName()
		switch kind.Technology {
		case techS3:
			c.Pass(r, "%s uses S3, the preferred file storage", noun)
		case techDynamoDB:
			c.Pass(r, "%s uses DynamoDB, the preferred NoSQL database", noun)
		case techSearch:
			// The standard itself points to OpenSearch for search endpoints
			// beyond what two GSIs can serve (Cost 2): a search index next
			// to the database, not a choice of database.
			c.Pass(r, "%s is a search index, which the standard recommends alongside DynamoDB rather than as the database", noun)
		case techRDS:
			checkEngine(c, r, noun)
		default:
			c.Fail(r, r.Pos, "%s uses %s; the standard's choices are DynamoDB (NoSQL), RDS PostgreSQL (SQL) and S3 (files): %s", noun, kind.Technology, agreedEvaluation)
		}
	}
}

func checkEngine(c *Context, r *inventory.Resource, noun string) {
	engine := r.Prop("Engine")
	at := r.PosOf("Engine")
	if !engine.Has() {
		if src, ref := replicaSource(c.Inv, r); ref != nil && src != nil {
			engine = src.Prop("Engine") // a replica runs its source's engine
		}
	}
	switch {
	case isDeployTime(engine):
		c.Fail(r, at, "cannot see the engine of %s: Engine is %s", noun, describeUnseen(engine))
	case !engine.Has():
		c.Fail(r, at, "cannot see the engine of %s: Engine is not set (it comes from a snapshot or source this check cannot read); set Engine: postgres", noun)
	case equalFoldAny(preferredEngines, strings.TrimSpace(engine.String())):
		c.Pass(r, "%s runs %s, the preferred SQL database", noun, engine.String())
	default:
		c.Fail(r, at, "%s runs %s; the standard's SQL choice is RDS PostgreSQL (postgres or aurora-postgresql): %s", noun, engine.Describe(), agreedEvaluation)
	}
}
