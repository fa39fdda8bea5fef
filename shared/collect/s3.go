package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"prodready/shared/inventory"
)

// S3 buckets of the audited region with encryption, public access block,
// website configuration and tags; a bucket policy becomes
// AWS::S3::BucketPolicy {Bucket, PolicyDocument}. The account-level public
// access block (s3control) is not read.
var s3Service = Service{
	Name:  "s3",
	Types: []string{"AWS::S3::Bucket", "AWS::S3::BucketPolicy"},
	Actions: []string{"s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock",
		"s3:GetBucketPolicy", "s3:GetBucketWebsite"},
	has: func(c Clients) bool { return c.S3 != nil },
	collect: func(ctx context.Context, s *svc) error {
		var buckets []types.Bucket
		p := s3.NewListBucketsPaginator(s.clients.S3, &s3.ListBucketsInput{BucketRegion: &s.o.Region, MaxBuckets: new(int32(1000))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("s3:ListBuckets", "", err)
			}
			for _, b := range out.Buckets {
				// Buckets are listed account-wide; an endpoint that ignores
				// the region filter still says where each bucket lives.
				if r := str(b.BucketRegion); r == "" || r == s.o.Region {
					buckets = append(buckets, b)
				}
			}
		}
		return detail(ctx, s, buckets, func(b types.Bucket) string { return str(b.Name) }, func(ctx context.Context, b types.Bucket) error {
			return collectBucket(ctx, s, str(b.Name))
		})
	},
}

func collectBucket(ctx context.Context, s *svc, name string) error {
	c := s.clients.S3
	arn := "arn:aws:s3:::" + name
	bp := props{}.set("BucketName", name)

	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &name})
	switch {
	case isCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
	case err != nil:
		return wrap("s3:GetBucketEncryption", name, err)
	case enc.ServerSideEncryptionConfiguration != nil:
		var rules []any
		for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
			rp := props{}.set("BucketKeyEnabled", r.BucketKeyEnabled)
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				rp.set("ServerSideEncryptionByDefault", props{}.set("SSEAlgorithm", string(d.SSEAlgorithm)).set("KMSMasterKeyID", d.KMSMasterKeyID))
			}
			rules = append(rules, map[string]any(rp))
		}
		bp.set("BucketEncryption", props{}.set("ServerSideEncryptionConfiguration", rules))
	}

	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: &name})
	switch {
	case isCode(err, "NoSuchPublicAccessBlockConfiguration"):
	case err != nil:
		return wrap("s3:GetPublicAccessBlock", name, err)
	case pab.PublicAccessBlockConfiguration != nil:
		b := pab.PublicAccessBlockConfiguration
		bp.set("PublicAccessBlockConfiguration", props{}.set("BlockPublicAcls", b.BlockPublicAcls).set("IgnorePublicAcls", b.IgnorePublicAcls).
			set("BlockPublicPolicy", b.BlockPublicPolicy).set("RestrictPublicBuckets", b.RestrictPublicBuckets))
	}

	web, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: &name})
	switch {
	case isCode(err, "NoSuchWebsiteConfiguration"):
	case err != nil:
		return wrap("s3:GetBucketWebsite", name, err)
	default:
		wp := props{}
		if web.IndexDocument != nil {
			wp.set("IndexDocument", web.IndexDocument.Suffix)
		}
		if web.ErrorDocument != nil {
			wp.set("ErrorDocument", web.ErrorDocument.Key)
		}
		if r := web.RedirectAllRequestsTo; r != nil {
			wp.set("RedirectAllRequestsTo", props{}.set("HostName", r.HostName).set("Protocol", string(r.Protocol)))
		}
		if len(wp) == 0 {
			wp["IndexDocument"] = "" // a website configuration with nothing readable is still a website
		}
		bp.set("WebsiteConfiguration", wp)
	}

	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &name})
	var policy any
	switch {
	case isCode(err, "NoSuchBucketPolicy"):
	case err != nil:
		return wrap("s3:GetBucketPolicy", name, err)
	default:
		if policy, err = jsonDoc(str(pol.Policy)); err != nil {
			policy = str(pol.Policy) // kept as text: a rule still sees there is a policy
		}
	}

	tags := s.tags[arn]
	bp.set("Tags", tagList(tags))
	bucket := s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::S3::Bucket", Props: bp.node()}, tags)
	if policy != nil {
		r := &inventory.Resource{ID: arn + "#policy", Name: name + " policy", Type: "AWS::S3::BucketPolicy",
			Props: props{}.set("Bucket", name).set("PolicyDocument", policy).node()}
		if id := bucket.Attrs["LogicalId"]; id == "ServerlessDeploymentBucket" {
			r.Framework = true
		}
		s.child(bucket, r)
	}
	return nil
}
