package rules

import (
	"fmt"
	"maps"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

// BackupTags enforces Back ups 2: every data store carries the tag the
// council's central AWS Backup plans select on, with the stage's value.
var BackupTags = &Rule{
	ID:     "backup-tags",
	Pillar: Backups,
	Point:  "Back ups 2",
	Title:  "Data stores carry the backup tag with the stage's value",
	Checklist: "All AWS resources storing data have been assigned backup tags with the correct value. All applicable " +
		"production AWS services must include the backup tags in the resource configuration to ensure those are backed up.",
	Rationale: "The council's centralised AWS Backup plans pick resources by tag. A data store without the tag, or with " +
		"another stage's value, is silently left out of the production backups (or backed up on the wrong schedule).",
	Remediation: "Tag the resource with the backup tag and the stage's value (by default BackupPolicy: Prod in production, " +
		"Stg in staging, Dev in development): per resource in its Tags, or for every resource at once in " +
		"provider.stackTags. A team using other values sets custom.safeguard.backupTag.",
	Example: `provider:
  stackTags:
    BackupPolicy: ${self:custom.backupPolicy.${sls:stage}}
custom:
  backupPolicy:
    production: Prod
    staging: Stg
    development: Dev`,
	Check: checkBackupTags,
}

func checkBackupTags(c *Context) {
	key := c.Settings.BackupTagKey
	want, known := c.Settings.ExpectedBackupTag()
	stage := c.Settings.Stage
	if stage == "" {
		stage = c.Settings.BackupStage
	}
	for _, r := range ownDataStores(c.Inv) {
		kind := dataStoreTypes[r.Type]
		if kind.Cache {
			continue // a cache holds copies; the central backup restores the source
		}
		noun := kind.Noun + " " + r.DisplayName()
		if !known {
			c.Fail(r, r.PosOf("Tags"), "cannot judge the backup tag %s of %s: no value is configured for stage %q; set custom.safeguard.backupTag.values.%s", key, noun, stage, stage)
			continue
		}
		if r.Type == "AWS::DynamoDB::GlobalTable" {
			checkReplicaBackupTags(c, r, noun, key, want, stage)
			continue
		}
		if s := backupTagShortfall(r, r.Tags, key, want, stage); s != nil {
			failShortfalls(c, r, noun+" is not tagged for backup", []shortfall{*s})
			continue
		}
		c.Pass(r, "%s is tagged %s=%s", noun, key, want)
	}
}

// checkReplicaBackupTags: a global table's tags live on each replica (the
// stack's tags apply to all of them).
func checkReplicaBackupTags(c *Context, r *inventory.Resource, noun, key, want, stage string) {
	var ps []shortfall
	for _, rep := range r.Prop("Replicas").List() {
		tags := maps.Clone(r.Tags)
		maps.Copy(tags, inventory.TagsFromProperty(rep.Get("Tags")))
		if s := backupTagShortfall(r, tags, key, want, stage); s != nil {
			s.msg = "replica " + rep.Get("Region").String() + ": " + s.msg
			if s.pos == r.PosOf("Tags") && !rep.Pos.IsZero() {
				s.pos = rep.Pos
			}
			ps = append(ps, *s)
		}
	}
	if len(ps) > 0 {
		failShortfalls(c, r, noun+" is not tagged for backup", ps)
		return
	}
	c.Pass(r, "every replica of %s is tagged %s=%s", noun, key, want)
}

func backupTagShortfall(r *inventory.Resource, tags map[string]*value.Node, key, want, stage string) *shortfall {
	v, ok := tags[key]
	switch {
	case !ok && isDeployTime(r.Prop("Tags")):
		return &shortfall{r.PosOf("Tags"), fmt.Sprintf("cannot see its tags: Tags is %s", describeUnseen(r.Prop("Tags")))}
	case !ok:
		return &shortfall{r.PosOf("Tags"), fmt.Sprintf("it has no %s tag; add %s: %s (the value for stage %s)", key, key, want, backupStageName(stage))}
	case isDeployTime(v):
		return &shortfall{tagPos(v.Pos, r.PosOf("Tags")), fmt.Sprintf("cannot see its %s tag: it is %s", key, describeUnseen(v))}
	}
	got, _ := v.Text()
	if got != want {
		return &shortfall{tagPos(v.Pos, r.PosOf("Tags")), fmt.Sprintf("its %s tag is %s; stage %s needs %s", key, v.Describe(), backupStageName(stage), want)}
	}
	return nil
}

func backupStageName(s string) string {
	if s == "" {
		return "(live audit)"
	}
	return s
}

// tagPos returns p, or def when p is zero.
func tagPos(p, def value.Pos) value.Pos {
	if p.IsZero() {
		return def
	}
	return p
}
