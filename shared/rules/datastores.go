package rules

import (
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// storeKind describes a resource type that holds data, for the rules that
// apply to "all AWS resources storing data" (backup tags, database
// technology).
type storeKind struct {
	// Noun names the kind in messages ("S3 bucket").
	Noun string
	// Technology is what the cost rule judges: one of the preferred
	// technologies or the name of another one.
	Technology string
	// Cache marks stores that hold copies of data kept elsewhere (the
	// council's central backup has nothing to restore from them).
	Cache bool
}

// Technologies the standard prefers (Cost 1). RDS is judged by engine.
const (
	techS3       = "S3"
	techDynamoDB = "DynamoDB"
	techRDS      = "RDS"
	techSearch   = "OpenSearch"
)

// dataStoreTypes are the resource types that store data. Messaging
// (SQS, SNS, Kinesis, MSK) is encrypted by the encryption rule but is not a
// data store: the standard's backups and database choice are about where
// data lives, not how it moves. Cluster members (Aurora, DocumentDB and
// Neptune instances) are left out: their data lives in the cluster volume,
// which is what is tagged, backed up and chosen.
var dataStoreTypes = map[string]storeKind{
	"AWS::S3::Bucket":                    {Noun: "S3 bucket", Technology: techS3},
	"AWS::DynamoDB::Table":               {Noun: "DynamoDB table", Technology: techDynamoDB},
	"AWS::DynamoDB::GlobalTable":         {Noun: "DynamoDB global table", Technology: techDynamoDB},
	"AWS::RDS::DBInstance":               {Noun: "RDS instance", Technology: techRDS},
	"AWS::RDS::DBCluster":                {Noun: "RDS cluster", Technology: techRDS},
	"AWS::DocDB::DBCluster":              {Noun: "DocumentDB cluster", Technology: "DocumentDB"},
	"AWS::DocDBElastic::Cluster":         {Noun: "DocumentDB elastic cluster", Technology: "DocumentDB"},
	"AWS::Neptune::DBCluster":            {Noun: "Neptune cluster", Technology: "Neptune"},
	"AWS::OpenSearchService::Domain":     {Noun: "OpenSearch domain", Technology: techSearch},
	"AWS::Elasticsearch::Domain":         {Noun: "Elasticsearch domain", Technology: techSearch},
	"AWS::Redshift::Cluster":             {Noun: "Redshift cluster", Technology: "Redshift"},
	"AWS::RedshiftServerless::Namespace": {Noun: "Redshift Serverless namespace", Technology: "Redshift"},
	"AWS::EFS::FileSystem":               {Noun: "EFS file system", Technology: "EFS"},
	"AWS::FSx::FileSystem":               {Noun: "FSx file system", Technology: "FSx"},
	"AWS::Cassandra::Table":              {Noun: "Keyspaces table", Technology: "Amazon Keyspaces (Cassandra)"},
	"AWS::Timestream::Table":             {Noun: "Timestream table", Technology: "Timestream"},
	"AWS::QLDB::Ledger":                  {Noun: "QLDB ledger", Technology: "QLDB"},
	"AWS::MemoryDB::Cluster":             {Noun: "MemoryDB cluster", Technology: "MemoryDB"},
	"AWS::ElastiCache::CacheCluster":     {Noun: "ElastiCache cluster", Technology: "ElastiCache", Cache: true},
	"AWS::ElastiCache::ReplicationGroup": {Noun: "ElastiCache replication group", Technology: "ElastiCache", Cache: true},
	"AWS::ElastiCache::ServerlessCache":  {Noun: "ElastiCache serverless cache", Technology: "ElastiCache", Cache: true},
}

// dataStoreTypeNames lists dataStoreTypes' keys, for Inventory.OfType.
func dataStoreTypeNames() []string {
	out := make([]string, 0, len(dataStoreTypes))
	for t := range dataStoreTypes {
		out = append(out, t)
	}
	return out
}

// IsDataStore reports whether resources of type t store data.
func IsDataStore(t string) bool { _, ok := dataStoreTypes[t]; return ok }

// ownDataStores returns the service's data stores: not the Framework's
// deployment bucket (build artifacts), not resources it only uses
// (External: their properties are another service's to check), and not
// cluster members (the cluster is the store).
func ownDataStores(inv *inventory.Inventory) []*inventory.Resource {
	var out []*inventory.Resource
	for _, r := range inv.OfType(dataStoreTypeNames()...) {
		if r.Framework || r.External || isClusterMember(inv, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Relational databases and search domains, the "databases hosted in a
// private subnet" of the Lambda and network rules.
var (
	rdsTypes       = []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}
	docdbTypes     = []string{"AWS::DocDB::DBCluster", "AWS::DocDB::DBInstance"}
	searchTypes    = []string{"AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"}
	redshiftTypes  = []string{"AWS::Redshift::Cluster"}
	privateDBTypes = joinTypes(rdsTypes, docdbTypes, searchTypes, redshiftTypes)
)

func joinTypes(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// clusterOf returns the cluster an RDS, DocumentDB or Neptune instance
// belongs to: ref is the DBClusterIdentifier node (nil for a standalone
// instance) and cluster the resource it names, when the inventory has it.
func clusterOf(inv *inventory.Inventory, inst *inventory.Resource) (cluster *inventory.Resource, ref *value.Node) {
	switch inst.Type {
	case "AWS::RDS::DBInstance", "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance":
	default:
		return nil, nil
	}
	ref = inst.Prop("DBClusterIdentifier")
	if !ref.Has() {
		return nil, nil
	}
	return inv.Resolve(ref), ref
}

// isClusterMember reports whether r is an instance of a cluster.
func isClusterMember(inv *inventory.Inventory, r *inventory.Resource) bool {
	_, ref := clusterOf(inv, r)
	return ref != nil
}

// replicaSource returns what an RDS instance replicates: ref is its
// SourceDBInstanceIdentifier (or SourceDBClusterIdentifier) node, nil for a
// primary.
func replicaSource(inv *inventory.Inventory, inst *inventory.Resource) (src *inventory.Resource, ref *value.Node) {
	if inst.Type != "AWS::RDS::DBInstance" {
		return nil, nil
	}
	for _, p := range []string{"SourceDBInstanceIdentifier", "SourceDBClusterIdentifier"} {
		if ref = inst.Prop(p); ref.Has() {
			return inv.Resolve(ref), ref
		}
	}
	return nil, nil
}

// membersOf returns the instances whose DBClusterIdentifier names cluster.
func membersOf(inv *inventory.Inventory, cluster *inventory.Resource) []*inventory.Resource {
	var out []*inventory.Resource
	for _, r := range inv.OfType("AWS::RDS::DBInstance", "AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance") {
		if c, _ := clusterOf(inv, r); c == cluster {
			out = append(out, r)
		}
	}
	return out
}

// isAuroraServerlessV1 reports whether a cluster is Aurora Serverless v1
// (EngineMode serverless), which has no instances and is always encrypted.
func isAuroraServerlessV1(r *inventory.Resource) bool {
	return r.Type == "AWS::RDS::DBCluster" && strings.EqualFold(r.Prop("EngineMode").String(), "serverless")
}

// isMultiAZDBCluster reports whether an RDS cluster is a Multi-AZ DB
// cluster (not Aurora): it has a writer and two readable standbys in three
// zones, and carries instance settings itself.
func isMultiAZDBCluster(r *inventory.Resource) bool {
	return r.Type == "AWS::RDS::DBCluster" && r.Prop("DBClusterInstanceClass").Has()
}

// boolSetting is a boolean property as a check sees it.
type boolSetting int

const (
	boolUnset   boolSetting = iota // absent or null: the service's default applies
	boolTrue                       // true or "true"
	boolFalse                      // false or "false"
	boolUnseen                     // known only at deploy time, or an expression
	boolInvalid                    // something that is not a boolean
)

// readBool reads a boolean property the way CloudFormation does.
func readBool(n *value.Node) boolSetting {
	switch {
	case !n.Has():
		return boolUnset
	case n.IsUnknown():
		return boolUnseen
	}
	if _, _, ok := n.Intrinsic(); ok {
		return boolUnseen
	}
	b, ok := n.AsBool()
	switch {
	case !ok:
		return boolInvalid
	case b:
		return boolTrue
	}
	return boolFalse
}

// describeUnseen describes a value a check could not read, for "cannot see X: it
// is …" messages: the deploy-time expression and why it is unknown, or
// the intrinsic function left unresolved.
func describeUnseen(n *value.Node) string {
	switch {
	case n == nil:
		return "not visible"
	case n.IsUnknown():
		if n.Why != "" {
			return n.Str + " (" + n.Why + ")"
		}
		return n.Str
	}
	if name, _, ok := n.Intrinsic(); ok {
		return "a " + name + " expression the check cannot evaluate"
	}
	return n.Describe()
}

// isDeployTime reports whether n is a deploy-time value or an unresolved
// intrinsic (other than a reference, which names a known resource).
func isDeployTime(n *value.Node) bool {
	if n.IsUnknown() {
		return true
	}
	if _, ok := n.RefTarget(); ok {
		return false
	}
	_, _, ok := n.Intrinsic()
	return ok
}
