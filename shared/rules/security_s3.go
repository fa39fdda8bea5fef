package rules

import (
	"fmt"
	"strings"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// S3PublicAccess enforces Security 3 for buckets: every bucket blocks
// public access, and no bucket policy grants to everyone.
var S3PublicAccess = &Rule{
	ID:     "s3-public-access",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "S3 buckets block public access",
	Checklist: "No publicly accessible resources. All buckets should be blocking public access. The only exception to this " +
		"rule is if the bucket is used to serve publicly available assets, such as website images.",
	Rationale: "A public bucket can be listed or read by anyone on the internet; most council data leaks of this kind come " +
		"from one policy statement or ACL. The four public access blocks make S3 refuse public ACLs and policies even if one " +
		"is added later by mistake.",
	Remediation: "Set all four PublicAccessBlockConfiguration flags to true on the bucket (for the Framework's deployment " +
		"bucket: provider.deploymentBucket.blockPublicAccess: true). Give a bucket policy's Allow statements a fixed principal " +
		"(a role ARN, a service such as cloudfront.amazonaws.com) or a condition fixing the source (aws:SourceArn, " +
		"aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce). A bucket that must serve public assets needs an exemption " +
		"recording that decision, and should be served through CloudFront instead.",
	Example: `provider:
  deploymentBucket:
    blockPublicAccess: true
resources:
  Resources:
    DocumentsBucket:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true`,
	Check: checkS3PublicAccess,
}

// S3WebsiteHosting enforces Security 3 for websites: served through
// CloudFront, not from the bucket's website endpoint.
var S3WebsiteHosting = &Rule{
	ID:     "s3-website-hosting",
	Pillar: Security,
	Point:  "Security 3",
	Title:  "Websites are served through CloudFront, not from S3 website hosting",
	Checklist: "For buckets used for website hosting, the website should be made available via AWS CloudFront and not " +
		"directly via the S3 bucket.",
	Rationale: "An S3 website endpoint is HTTP only and needs the bucket to be public. CloudFront serves the same files over " +
		"HTTPS from a private bucket (origin access control), with caching and a WAF if needed.",
	Remediation: "Remove WebsiteConfiguration from the bucket, keep the bucket private, and put a CloudFront distribution in " +
		"front of it with an origin access control; the bucket policy then allows only cloudfront.amazonaws.com with " +
		"aws:SourceArn set to the distribution.",
	Example: `resources:
  Resources:
    SiteBucket:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true
    SiteOriginAccess:
      Type: AWS::CloudFront::OriginAccessControl
      Properties:
        OriginAccessControlConfig:
          Name: site
          OriginAccessControlOriginType: s3
          SigningBehavior: always
          SigningProtocol: sigv4`,
	Check: checkS3WebsiteHosting,
}

// publicAccessBlocks are the four flags of PublicAccessBlockConfiguration.
var publicAccessBlocks = []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"}

// publicCannedACLs are the AccessControl values that grant beyond the owner.
var publicCannedACLs = []string{"PublicRead", "PublicReadWrite", "AuthenticatedRead"}

// shortfall is one reason a resource fails, with the line to change.
type shortfall struct {
	pos value.Pos
	msg string
}

// failShortfalls records one failure for r listing every problem, at the
// first problem's position.
func failShortfalls(c *Context, r *inventory.Resource, lead string, ps []shortfall) {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.msg
	}
	c.Fail(r, ps[0].pos, "%s: %s", lead, strings.Join(msgs, "; "))
}

func checkS3PublicAccess(c *Context) {
	buckets := map[*inventory.Resource][]*inventory.Resource{} // bucket -> its policies
	for _, pol := range c.Inv.OfType("AWS::S3::BucketPolicy") {
		b := c.Inv.Resolve(pol.Prop("Bucket"))
		if b == nil || b.Type != "AWS::S3::Bucket" || b.External {
			checkOrphanBucketPolicy(c, pol)
			continue
		}
		buckets[b] = append(buckets[b], pol)
	}
	for _, b := range c.Inv.OfType("AWS::S3::Bucket") {
		if b.External {
			continue
		}
		ps := publicAccessBlockProblems(b)
		if acl := b.Prop("AccessControl"); equalFoldAny(publicCannedACLs, acl.String()) {
			ps = append(ps, shortfall{b.PosOf("AccessControl"), fmt.Sprintf("AccessControl %s grants access beyond the account", acl.String())})
		}
		for _, pol := range buckets[b] {
			ps = append(ps, bucketPolicyProblems(pol)...)
		}
		if len(ps) == 0 {
			c.Pass(b, "S3 bucket %s blocks public access and its policy grants nothing to everyone", b.DisplayName())
			continue
		}
		lead := "S3 bucket " + b.DisplayName() + " is not closed to the public"
		if b.Framework {
			lead += " (it is the Framework's deployment bucket: set provider.deploymentBucket.blockPublicAccess: true)"
		}
		failShortfalls(c, b, lead, ps)
	}
}

// publicAccessBlockProblems lists the public access blocks a bucket lacks.
func publicAccessBlockProblems(b *inventory.Resource) []shortfall {
	cfg := b.Prop("PublicAccessBlockConfiguration")
	if !cfg.Has() {
		return []shortfall{{b.PosOf("PublicAccessBlockConfiguration"), "PublicAccessBlockConfiguration is not set " +
			"(S3 blocks public access on new buckets since April 2023, but the standard wants the block declared so it cannot be lifted unnoticed)"}}
	}
	if isDeployTime(cfg) {
		return []shortfall{{b.PosOf("PublicAccessBlockConfiguration"), "cannot see PublicAccessBlockConfiguration: it is " + describeUnseen(cfg)}}
	}
	var missing, unseenFlags []string
	for _, f := range publicAccessBlocks {
		switch readBool(cfg.Get(f)) {
		case boolTrue:
		case boolUnseen:
			unseenFlags = append(unseenFlags, f+" is "+describeUnseen(cfg.Get(f)))
		default:
			missing = append(missing, f)
		}
	}
	var ps []shortfall
	if len(missing) > 0 {
		at := b.PosOf("PublicAccessBlockConfiguration", missing[0])
		ps = append(ps, shortfall{at, strings.Join(missing, ", ") + " must be true"})
	}
	if len(unseenFlags) > 0 {
		ps = append(ps, shortfall{b.PosOf("PublicAccessBlockConfiguration"), "cannot see " + strings.Join(unseenFlags, ", ")})
	}
	return ps
}

// bucketPolicyProblems lists the statements of a bucket policy that grant
// to everyone, or that could not be read.
func bucketPolicyProblems(pol *inventory.Resource) []shortfall {
	var ps []shortfall
	for _, v := range publicGrants(pol.Prop("PolicyDocument")) {
		at := v.Statement.Pos
		if at.IsZero() {
			at = pol.PosOf("PolicyDocument")
		}
		switch {
		case v.Public:
			ps = append(ps, shortfall{at, fmt.Sprintf("bucket policy %s%s allows everyone: %s", pol.DisplayName(), sidOf(v.Statement), v.Why)})
		case v.Unseen != "":
			ps = append(ps, shortfall{at, fmt.Sprintf("cannot tell whether bucket policy %s%s is public: %s", pol.DisplayName(), sidOf(v.Statement), v.Unseen)})
		}
	}
	return ps
}

// sidOf names a statement for messages: " statement Sid" when it has one.
func sidOf(st *value.Node) string {
	if s := st.Get("Sid").String(); s != "" {
		return " statement " + s
	}
	return ""
}

// checkOrphanBucketPolicy judges a policy for a bucket the service does not
// define: it still must not open that bucket to everyone.
func checkOrphanBucketPolicy(c *Context, pol *inventory.Resource) {
	ps := bucketPolicyProblems(pol)
	if len(ps) == 0 {
		c.Pass(pol, "bucket policy %s grants nothing to everyone", pol.DisplayName())
		return
	}
	failShortfalls(c, pol, fmt.Sprintf("bucket policy %s (for bucket %s) opens its bucket to the public", pol.DisplayName(), describeRef(pol.Prop("Bucket"))), ps)
}

func checkS3WebsiteHosting(c *Context) {
	for _, b := range c.Inv.OfType("AWS::S3::Bucket") {
		if b.External {
			continue
		}
		if w := b.Prop("WebsiteConfiguration"); w.Has() {
			c.Fail(b, b.PosOf("WebsiteConfiguration"), "S3 bucket %s serves a website directly (WebsiteConfiguration); serve it through CloudFront from a private bucket instead", b.DisplayName())
			continue
		}
		c.Pass(b, "S3 bucket %s does not serve a website directly", b.DisplayName())
	}
}
