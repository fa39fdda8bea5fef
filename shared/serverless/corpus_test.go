package serverless

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/value"
)

const corpusDir = "../../tests/corpus/hackney"

// corpusFacts are what a reader of each real serverless.yml sees: its
// functions, and its REST API methods with and without an authorizer (CORS
// preflight OPTIONS methods aside).
var corpusFacts = map[string]struct {
	functions, withAuth, withoutAuth int
	// externals the service's events name (SSM queues, existing topics).
	externals int
}{
	"api-auth-verify-token.yml":       {1, 0, 0, 0},
	"asset-information-api.yml":       {1, 1, 1, 0},
	"contact-details-api.yml":         {1, 1, 1, 0},
	"documents-api.yml":               {3, 1, 0, 0},
	"finance-charges-listener.yml":    {1, 0, 0, 1},
	"housing-search-api.yml":          {1, 1, 1, 0},
	"lbh-base-api.yml":                {1, 0, 2, 0},
	"lbh-fss-public-api.yml":          {1, 0, 1, 0},
	"notes-api.yml":                   {1, 1, 1, 0},
	"patches-and-areas-api.yml":       {1, 1, 1, 0},
	"person-api.yml":                  {1, 1, 1, 0},
	"processes-api.yml":               {1, 1, 1, 0},
	"search-listener.yml":             {1, 0, 0, 1},
	"social-care-case-viewer-api.yml": {3, 0, 2, 1},
	"tenure-information-api.yml":      {1, 1, 1, 0},
}

// corpusFailures are stages named under custom.vpc that osls 4.3.1 itself
// refuses (checked with `sls print`): the error names what is missing.
var corpusFailures = map[string]string{
	"social-care-case-viewer-api.yml/development": "custom.mongoDBImportBucket.development",
	"api-auth-verify-token.yml/pre-production":    "custom.desAccountIds.pre-production",
}

// corpusVPCs reads custom.vpc of a file without resolving anything: the
// stages it names, and for each whether its functions land in the VPC (the
// Framework drops VpcConfig unless both securityGroupIds and subnetIds are
// set).
func corpusVPCs(t *testing.T, path string) (stages []string, inVPC map[string]bool) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := value.ParseYAML(path, src, value.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	inVPC = map[string]bool{}
	root.Get("custom", "vpc").Each(func(stage string, v *value.Node) {
		stages = append(stages, stage)
		inVPC[stage] = v.Field("securityGroupIds").Has() && v.Field("subnetIds").Has()
	})
	return stages, inVPC
}

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.yml"))
	if len(files) != 15 {
		t.Fatalf("found %d corpus files, want 15", len(files))
	}
	for _, path := range files {
		base := filepath.Base(path)
		facts, ok := corpusFacts[base]
		if !ok {
			t.Errorf("no facts recorded for %s", base)
			continue
		}
		stages, wantVPC := corpusVPCs(t, path)
		for _, stage := range stages {
			t.Run(base+"/"+stage, func(t *testing.T) {
				s, err := Load(path, Options{Stage: stage})
				if want, fails := corpusFailures[base+"/"+stage]; fails {
					if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path+":") {
						t.Fatalf("err = %v, want the Framework's failure naming %s with a position", err, want)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				inv, err := s.Compile()
				if err != nil {
					t.Fatal(err)
				}
				if inv.Stage != stage || inv.Region != "eu-west-2" || inv.Service != s.Name {
					t.Errorf("inventory %s/%s/%s", inv.Service, inv.Stage, inv.Region)
				}
				fns, auth, noauth, exts := 0, 0, 0, 0
				inVPC := true
				for _, r := range inv.OfType("AWS::Lambda::Function") {
					if r.Framework {
						continue
					}
					fns++
					if r.Prop("VpcConfig") == nil {
						inVPC = false
					}
					if r.Pos.File != path {
						t.Errorf("function %s at %v", r.ID, r.Pos)
					}
				}
				for _, r := range inv.OfType("AWS::ApiGateway::Method") {
					if r.Prop("HttpMethod").String() == "OPTIONS" {
						continue
					}
					if r.Prop("AuthorizationType").String() == "NONE" {
						noauth++
					} else {
						auth++
					}
				}
				for _, r := range inv.All() {
					if r.External {
						exts++
					}
				}
				if fns != facts.functions || auth != facts.withAuth || noauth != facts.withoutAuth || inVPC != wantVPC[stage] || exts != facts.externals {
					t.Errorf("functions %d, methods with/without authorizer %d/%d, in VPC %v, externals %d; want %d, %d/%d, %v, %d",
						fns, auth, noauth, inVPC, exts, facts.functions, facts.withAuth, facts.withoutAuth, wantVPC[stage], facts.externals)
				}
				if len(inv.OfType("AWS::ApiGateway::RestApi")) > 0 && inv.ByID(idAPIStage) == nil {
					t.Errorf("a REST API without the synthesized %s", idAPIStage)
				}
			})
		}
	}
}

// TestCorpusStageFacts checks the stage-dependent parts of a few files.
func TestCorpusStageFacts(t *testing.T) {
	load := func(t *testing.T, file, stage string) *inventory.Inventory {
		t.Helper()
		s, err := Load(filepath.Join(corpusDir, file), Options{Stage: stage})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := s.Compile()
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	t.Run("processes-api canary only in staging and production", func(t *testing.T) {
		for stage, want := range map[string]bool{"development": false, "staging": true, "production": true} {
			if got := load(t, "processes-api.yml", stage).ByID("Canary") != nil; got != want {
				t.Errorf("%s: canary present %v, want %v", stage, got, want)
			}
		}
	})
	t.Run("patches-and-areas-api canary only in production", func(t *testing.T) {
		for stage, want := range map[string]bool{"development": false, "staging": false, "production": true} {
			if got := load(t, "patches-and-areas-api.yml", stage).ByID("Canary") != nil; got != want {
				t.Errorf("%s: canary present %v, want %v", stage, got, want)
			}
		}
	})
	t.Run("api-auth-verify-token DR resources only in production", func(t *testing.T) {
		for stage, want := range map[string]bool{"staging": false, "production": true} {
			inv := load(t, "api-auth-verify-token.yml", stage)
			if got := inv.ByID("AllowDRCrossAccountAuthorizer") != nil && inv.ByID("assumeRoleForDRPolicy") != nil; got != want {
				t.Errorf("%s: DR resources present %v, want %v", stage, got, want)
			}
		}
	})
	t.Run("processes-api authorizer from the stage's ARN", func(t *testing.T) {
		inv := load(t, "processes-api.yml", "production")
		m := inv.ByID("ApiGatewayMethodProxyVarAny")
		if m == nil || m.Prop("AuthorizationType").String() != "CUSTOM" {
			t.Fatalf("ANY /{proxy+} method = %+v", m)
		}
		if id, _ := m.Prop("AuthorizerId").RefTarget(); id != "ApiauthverifytokennewApiGatewayAuthorizer" || inv.ByID(id) == nil {
			t.Errorf("authorizer %q", id)
		}
		if p := inv.ByID("ApiauthverifytokennewLambdaPermissionApiGateway"); p != nil {
			t.Errorf("managedExternally authorizer got a permission: %s", p.ID)
		}
		if st := inv.ByID(idAPIStage); !st.Prop("TracingEnabled").IsTrue() || st.Prop("StageName").String() != "production" {
			t.Errorf("stage %v", st.Props.Plain())
		}
		if fn := inv.ByID("ProcessesApiLambdaFunction"); fn.Prop("TracingConfig", "Mode").String() != "Active" {
			t.Errorf("tracing %v", fn.Prop("TracingConfig").Plain())
		}
	})
	t.Run("tenure-information-api authorizer ARN from SSM is a deploy-time value", func(t *testing.T) {
		inv := load(t, "tenure-information-api.yml", "staging")
		var found bool
		for _, a := range inv.OfType("AWS::ApiGateway::Authorizer") {
			inventory.Walk(a.Prop("AuthorizerUri"), func(n *value.Node) bool {
				found = found || n.IsUnknown()
				return true
			})
		}
		if !found {
			t.Error("authorizer URI does not carry the SSM parameter as an Unknown")
		}
	})
	t.Run("finance-charges-listener queue from SSM is external", func(t *testing.T) {
		inv := load(t, "finance-charges-listener.yml", "production")
		var q *inventory.Resource
		for _, r := range inv.OfType("AWS::SQS::Queue") {
			q = r
		}
		if q == nil || !q.External || !strings.Contains(q.ID, "/sqs-queue/production/charges/arn") || q.Pos.Line != 38 {
			t.Fatalf("external queue = %+v", q)
		}
		esm := inv.OfType("AWS::Lambda::EventSourceMapping")
		if len(esm) != 1 || !esm[0].Prop("EventSourceArn").IsUnknown() {
			t.Fatalf("event source mappings %v", esm)
		}
	})
	t.Run("asset-information-api access and execution logs", func(t *testing.T) {
		inv := load(t, "asset-information-api.yml", "production")
		st := inv.ByID(idAPIStage)
		if st.Prop("AccessLogSetting", "DestinationArn") == nil || st.Prop("MethodSettings", "0", "LoggingLevel").String() != "INFO" {
			t.Errorf("stage %v", st.Props.Plain())
		}
		if st.Prop("MethodSettings", "0", "MetricsEnabled").String() != "true" {
			t.Errorf("metrics %v", st.Prop("MethodSettings").Plain())
		}
		if inv.ByID(idAPILogGroup) == nil {
			t.Error("no API access log group")
		}
	})
}

func TestCorpusDocumentsAPIDevelopment(t *testing.T) {
	path := filepath.Join(corpusDir, "documents-api.yml")
	_, err := Load(path, Options{Stage: "development"})
	if err == nil {
		t.Fatal("documents-api loads in development, which has no custom.vpc entry; osls refuses it")
	}
	p, ok := value.ErrorPos(err)
	if !ok || p.File != path || p.Line != 5 || !strings.Contains(err.Error(), "custom.vpc.development") {
		t.Errorf("err = %v (at %v), want %s:5 naming custom.vpc.development", err, p, path)
	}
}
