package rules

// securityRules are the Security pillar's rules, in checklist order.
func securityRules() []*Rule {
	return []*Rule{
		EncryptionAtRest,
		APIAuthorizer,
		S3PublicAccess,
		S3WebsiteHosting,
		LambdaPublicInvoke,
		LambdaVPCForPrivateDB,
		RDSNotPublic,
		OpenSearchInVPC,
	}
}
