package rules

// backupRules are the Back ups pillar's rules, in checklist order.
func backupRules() []*Rule {
	return []*Rule{DynamoDBPITR, BackupTags}
}
