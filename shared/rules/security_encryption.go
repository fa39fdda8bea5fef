package rules

import (
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// EncryptionAtRest enforces Security 1: data stores and the services that
// carry data in transit through them encrypt it at rest.
var EncryptionAtRest = &Rule{
	ID:     "encryption-at-rest",
	Pillar: Security,
	Point:  "Security 1",
	Title:  "Data is encrypted at rest",
	Checklist: "Data is encrypted at rest for: AWS RDS, AWS SNS, AWS OpenSearch, AWS S3, AWS MSK, AWS DynamoDB, AWS Redshift. " +
		"All services that store data (permanently or as part of a transfer process such as events streaming) must encrypt the data at rest.",
	Rationale: "Encryption at rest protects the data if the storage itself is obtained: without the keys it cannot be read. " +
		"With customer-managed KMS keys, every consumer also needs permission to decrypt, which limits what a compromised " +
		"service can read. It is also a regulatory requirement.",
	Remediation: "Turn encryption on in the resource's properties: RDS and DocumentDB StorageEncrypted: true (on an existing " +
		"database this replaces it: snapshot, restore encrypted, switch over), SNS KmsMasterKeyId (alias/aws/sns or your " +
		"key), OpenSearch EncryptionAtRestOptions.Enabled: true, S3 BucketEncryption (write it even though S3 encrypts new " +
		"objects by default since 2023: the standard wants it declared), Redshift Encrypted: true, SQS leave " +
		"SqsManagedSseEnabled on or set KmsMasterKeyId, Kinesis StreamEncryption, EFS Encrypted: true.",
	Example: `resources:
  Resources:
    OrdersTopic:
      Type: AWS::SNS::Topic
      Properties:
        KmsMasterKeyId: alias/aws/sns
    DocumentsBucket:
      Type: AWS::S3::Bucket
      Properties:
        BucketEncryption:
          ServerSideEncryptionConfiguration:
            - ServerSideEncryptionByDefault:
                SSEAlgorithm: aws:kms
    OrdersDatabase:
      Type: AWS::RDS::DBInstance
      Properties:
        Engine: postgres
        StorageEncrypted: true`,
	Check: checkEncryptionAtRest,
}

// encryptionChecks holds, per resource type, how its encryption at rest is
// read. Types AWS encrypts with no way to turn it off and no setting to
// declare (Timestream, QLDB, Keyspaces, FSx, Redshift Serverless,
// ElastiCache Serverless, CloudWatch Logs) are not listed: there is nothing
// to check or change. Memcached clusters cannot encrypt at rest at all; a
// Redis replication group is checked.
var encryptionChecks = map[string]func(*Context, *inventory.Resource){
	"AWS::RDS::DBInstance":           checkRDSInstanceEncryption,
	"AWS::RDS::DBCluster":            checkClusterEncryption,
	"AWS::DocDB::DBCluster":          checkClusterEncryption,
	"AWS::Neptune::DBCluster":        checkClusterEncryption,
	"AWS::DocDB::DBInstance":         checkMemberEncryption,
	"AWS::Neptune::DBInstance":       checkMemberEncryption,
	"AWS::SNS::Topic":                checkKeyedEncryption,
	"AWS::OpenSearchService::Domain": checkDomainEncryption,
	"AWS::Elasticsearch::Domain":     checkDomainEncryption,
	"AWS::S3::Bucket":                checkBucketEncryption,
	"AWS::Redshift::Cluster":         func(c *Context, r *inventory.Resource) { requireEncryptionFlag(c, r, "Redshift cluster", "Encrypted") },
	"AWS::EFS::FileSystem":           func(c *Context, r *inventory.Resource) { requireEncryptionFlag(c, r, "EFS file system", "Encrypted") },
	"AWS::ElastiCache::ReplicationGroup": func(c *Context, r *inventory.Resource) {
		requireEncryptionFlag(c, r, "ElastiCache replication group", "AtRestEncryptionEnabled")
	},
	"AWS::SQS::Queue":             checkQueueEncryption,
	"AWS::Kinesis::Stream":        checkStreamEncryption,
	"AWS::DynamoDB::Table":        checkTableEncryption,
	"AWS::DynamoDB::GlobalTable":  checkTableEncryption,
	"AWS::MSK::Cluster":           checkKafkaEncryption,
	"AWS::MSK::ServerlessCluster": checkKafkaEncryption,
}

func checkEncryptionAtRest(c *Context) {
	for _, r := range c.Inv.All() {
		check, ok := encryptionChecks[r.Type]
		if !ok || r.External {
			continue // another service's resource: its own safeguard and the nightly audit check it
		}
		check(c, r)
	}
}

// requireEncryptionFlag checks a boolean that must be true.
func requireEncryptionFlag(c *Context, r *inventory.Resource, noun string, path ...string) {
	n := r.Prop(path...)
	prop := strings.Join(path, ".")
	at := r.PosOf(path...)
	name := r.DisplayName()
	switch readBool(n) {
	case boolTrue:
		c.Pass(r, "%s %s is encrypted at rest (%s: true)", noun, name, prop)
	case boolUnseen:
		c.Fail(r, at, "cannot see whether %s %s is encrypted at rest: %s is %s", noun, name, prop, describeUnseen(n))
	case boolInvalid:
		c.Fail(r, at, "%s %s: %s must be true, found %s", noun, name, prop, n.Describe())
	case boolFalse:
		c.Fail(r, at, "%s %s is not encrypted at rest: %s is false; set it to true", noun, name, prop)
	default:
		c.Fail(r, at, "%s %s is not encrypted at rest: %s is not set and defaults to false; set it to true", noun, name, prop)
	}
}

func checkRDSInstanceEncryption(c *Context, r *inventory.Resource) {
	if r.Prop("StorageEncrypted").Has() {
		requireEncryptionFlag(c, r, "RDS instance", "StorageEncrypted")
		return
	}
	if cluster, ref := clusterOf(c.Inv, r); ref != nil {
		if cluster == nil || cluster.External {
			c.Fail(r, r.PosOf("DBClusterIdentifier"), "cannot see whether RDS instance %s is encrypted at rest: it takes encryption from cluster %s, which is not part of this service", r.DisplayName(), describeRef(ref))
		}
		return // the cluster's own result covers its instances
	}
	if src, ref := replicaSource(c.Inv, r); ref != nil {
		if src == nil || src.External {
			c.Fail(r, ref.Pos, "cannot see whether read replica %s is encrypted at rest: it inherits encryption from %s, which is not part of this service", r.DisplayName(), describeRef(ref))
			return
		}
		switch readBool(src.Prop("StorageEncrypted")) {
		case boolTrue:
			c.Pass(r, "read replica %s inherits encryption at rest from %s", r.DisplayName(), src.DisplayName())
		default:
			c.Fail(r, src.PosOf("StorageEncrypted"), "read replica %s inherits its encryption from %s, which is not encrypted at rest; encrypt the source (StorageEncrypted: true)", r.DisplayName(), src.DisplayName())
		}
		return
	}
	if snap := r.Prop("DBSnapshotIdentifier"); snap.Has() {
		c.Fail(r, r.PosOf("DBSnapshotIdentifier"), "cannot see whether RDS instance %s is encrypted at rest: it takes encryption from snapshot %s; set StorageEncrypted: true to make it explicit", r.DisplayName(), describeRef(snap))
		return
	}
	requireEncryptionFlag(c, r, "RDS instance", "StorageEncrypted")
}

func checkClusterEncryption(c *Context, r *inventory.Resource) {
	noun := dataStoreTypes[r.Type].Noun
	if isAuroraServerlessV1(r) {
		c.Pass(r, "Aurora Serverless v1 cluster %s is always encrypted at rest", r.DisplayName())
		return
	}
	if !r.Prop("StorageEncrypted").Has() {
		for _, p := range []string{"SnapshotIdentifier", "SourceDBClusterIdentifier"} {
			if src := r.Prop(p); src.Has() {
				c.Fail(r, r.PosOf(p), "cannot see whether %s %s is encrypted at rest: it takes encryption from %s %s; set StorageEncrypted: true to make it explicit", noun, r.DisplayName(), p, describeRef(src))
				return
			}
		}
	}
	requireEncryptionFlag(c, r, noun, "StorageEncrypted")
}

// checkMemberEncryption handles DocumentDB and Neptune instances, which
// have no encryption setting of their own: the cluster's covers them.
func checkMemberEncryption(c *Context, r *inventory.Resource) {
	if cluster, ref := clusterOf(c.Inv, r); ref != nil && (cluster == nil || cluster.External) {
		c.Fail(r, r.PosOf("DBClusterIdentifier"), "cannot see whether instance %s is encrypted at rest: it takes encryption from cluster %s, which is not part of this service", r.DisplayName(), describeRef(ref))
	}
}

func checkKeyedEncryption(c *Context, r *inventory.Resource) {
	key := r.Prop("KmsMasterKeyId")
	switch {
	case key != nil && key.Kind == value.String && strings.TrimSpace(key.Str) == "":
		c.Fail(r, r.PosOf("KmsMasterKeyId"), "SNS topic %s is not encrypted at rest: KmsMasterKeyId is empty; name a KMS key (alias/aws/sns or a customer-managed key)", r.DisplayName())
	case key.Has():
		// A deploy-time key id still means a key is configured: SSM and
		// stack outputs cannot hold an empty value.
		c.Pass(r, "SNS topic %s is encrypted at rest with KMS key %s", r.DisplayName(), describeRef(key))
	default:
		c.Fail(r, r.PosOf("KmsMasterKeyId"), "SNS topic %s is not encrypted at rest: set KmsMasterKeyId (alias/aws/sns, or a customer-managed key that subscribers may decrypt with)", r.DisplayName())
	}
}

func checkDomainEncryption(c *Context, r *inventory.Resource) {
	requireEncryptionFlag(c, r, dataStoreTypes[r.Type].Noun, "EncryptionAtRestOptions", "Enabled")
}

func checkBucketEncryption(c *Context, r *inventory.Resource) {
	enc := r.Prop("BucketEncryption")
	rules := enc.Get("ServerSideEncryptionConfiguration")
	switch {
	case isDeployTime(enc) || isDeployTime(rules):
		n := enc
		if !isDeployTime(enc) {
			n = rules
		}
		c.Fail(r, r.PosOf("BucketEncryption"), "cannot see the encryption of S3 bucket %s: BucketEncryption is %s", r.DisplayName(), describeUnseen(n))
	case rules.Len() > 0:
		algo := rules.Get("0", "ServerSideEncryptionByDefault", "SSEAlgorithm")
		c.Pass(r, "S3 bucket %s declares default encryption (%s)", r.DisplayName(), describeRef(algo))
	default:
		c.Fail(r, r.PosOf("BucketEncryption"), "S3 bucket %s declares no encryption: S3 encrypts new objects with SSE-S3 by default since January 2023, "+
			"but the standard wants encryption declared, so add BucketEncryption.ServerSideEncryptionConfiguration (SSE-S3 or aws:kms)", r.DisplayName())
	}
}

func checkQueueEncryption(c *Context, r *inventory.Resource) {
	name := r.DisplayName()
	if key := r.Prop("KmsMasterKeyId"); key.Has() {
		c.Pass(r, "SQS queue %s is encrypted at rest with KMS key %s", name, describeRef(key))
		return
	}
	sse := r.Prop("SqsManagedSseEnabled")
	switch readBool(sse) {
	case boolUnset, boolTrue:
		c.Pass(r, "SQS queue %s is encrypted at rest with SQS-managed keys (SSE-SQS)", name)
	case boolUnseen:
		c.Fail(r, r.PosOf("SqsManagedSseEnabled"), "cannot see whether SQS queue %s is encrypted at rest: SqsManagedSseEnabled is %s and no KmsMasterKeyId is set", name, describeUnseen(sse))
	case boolInvalid:
		c.Fail(r, r.PosOf("SqsManagedSseEnabled"), "SQS queue %s: SqsManagedSseEnabled must be true or false, found %s", name, sse.Describe())
	default:
		c.Fail(r, r.PosOf("SqsManagedSseEnabled"), "SQS queue %s is not encrypted at rest: SqsManagedSseEnabled is false and no KmsMasterKeyId is set; remove the false or set a KMS key", name)
	}
}

func checkStreamEncryption(c *Context, r *inventory.Resource) {
	t := r.Prop("StreamEncryption", "EncryptionType")
	switch {
	case isDeployTime(t) || isDeployTime(r.Prop("StreamEncryption")):
		c.Fail(r, r.PosOf("StreamEncryption"), "cannot see whether Kinesis stream %s is encrypted at rest: StreamEncryption is %s", r.DisplayName(), describeUnseen(r.Prop("StreamEncryption")))
	case strings.EqualFold(t.String(), "KMS"):
		c.Pass(r, "Kinesis stream %s is encrypted at rest with KMS", r.DisplayName())
	default:
		c.Fail(r, r.PosOf("StreamEncryption"), "Kinesis stream %s is not encrypted at rest: Kinesis does not encrypt by default; set StreamEncryption {EncryptionType: KMS, KeyId: alias/aws/kinesis}", r.DisplayName())
	}
}

// checkTableEncryption: DynamoDB encrypts every table at rest; SSEEnabled
// only chooses between an AWS-owned key (false or unset) and a KMS key.
func checkTableEncryption(c *Context, r *inventory.Resource) {
	noun := dataStoreTypes[r.Type].Noun
	sse := r.Prop("SSESpecification", "SSEEnabled")
	switch readBool(sse) {
	case boolTrue:
		c.Pass(r, "%s %s is encrypted at rest with a KMS key", noun, r.DisplayName())
	case boolFalse:
		c.Pass(r, "%s %s is encrypted at rest with an AWS-owned key (SSEEnabled: false does not turn DynamoDB encryption off; set it to true for a KMS key you can audit)", noun, r.DisplayName())
	default:
		c.Pass(r, "%s %s is encrypted at rest (DynamoDB always encrypts, with an AWS-owned key unless SSESpecification names a KMS key)", noun, r.DisplayName())
	}
}

// checkKafkaEncryption: MSK always encrypts broker storage; there is no
// setting that turns it off, only one that picks the key.
func checkKafkaEncryption(c *Context, r *inventory.Resource) {
	if key := r.Prop("EncryptionInfo", "EncryptionAtRest", "DataVolumeKMSKeyId"); key.Has() {
		c.Pass(r, "MSK cluster %s is encrypted at rest with KMS key %s", r.DisplayName(), describeRef(key))
		return
	}
	c.Pass(r, "MSK cluster %s is encrypted at rest (MSK always encrypts, with an AWS-managed key unless EncryptionInfo.EncryptionAtRest names one)", r.DisplayName())
}
