# The two commands the README promises:
#   make demo   runs the safeguard on a bundled service and shows its report
#   make test   runs every test, setting up what they need (Go modules, the
#               Serverless Framework from npm, the Lambda emulator, moto)
# CI (.ci/run) calls `make test`.

GO        ?= go
NPM       ?= npm
PYTHON    ?= python3
WORK      := $(CURDIR)/.build
TESTTIME  ?= 15m

.PHONY: demo test setup lint unit bench fuzz lambdas install clean

demo:
	@$(GO) build -o $(WORK)/safeguard ./safeguard
	@echo '$$ safeguard check --stage production tests/services/orders-api/serverless.yml'
	@$(WORK)/safeguard check --stage production tests/services/orders-api/serverless.yml; \
	  code=$$?; echo; echo "exit status $$code (0 nothing blocks, 1 deploy blocked, 2 cannot check)"; \
	  test $$code -le 1
	@echo
	@echo '$$ safeguard check --stage production serverless.yml   # this project, deployed with its own safeguard'
	@$(WORK)/safeguard check --stage production serverless.yml

# npm ci --ignore-scripts: nothing the tests use needs an install script
# (esbuild's only validates its binary, and can fail with ETXTBSY).
setup:
	@$(PYTHON) -c 'import moto' || { echo "moto (python3 -m moto.server) is required by the tests"; exit 1; }
	$(GO) mod download
	cd tests/plugin && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: setup lint
	SAFEGUARD_REQUIRE_MOTO=1 SAFEGUARD_REQUIRE_SLS=1 $(GO) test -timeout $(TESTTIME) ./...

unit:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Fuzz every loader; FUZZTIME per target.
FUZZTIME ?= 1m
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseYAML$$' -fuzztime $(FUZZTIME) ./shared/value/
	$(GO) test -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime $(FUZZTIME) ./shared/value/
	$(GO) test -run '^$$' -fuzz '^FuzzChunkedParse$$' -fuzztime $(FUZZTIME) ./shared/value/
	$(GO) test -run '^$$' -fuzz '^FuzzResolve$$' -fuzztime $(FUZZTIME) ./shared/variables/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./shared/cfn/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./shared/serverless/

# The Lambda packages the project's serverless.yml deploys (arm64, provided.al2023).
lambdas:
	@mkdir -p $(WORK)/lambdas
	for fn in auditor dlq-archiver; do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
	    -o $(WORK)/lambdas/$$fn/bootstrap ./functions/$$fn && \
	  (cd $(WORK)/lambdas/$$fn && rm -f ../$$fn.zip && $(PYTHON) -c "import zipfile,os; z=zipfile.ZipFile('../$$fn.zip','w',zipfile.ZIP_DEFLATED); i=zipfile.ZipInfo('bootstrap',(2020,1,1,0,0,0)); i.external_attr=0o755<<16; i.compress_type=zipfile.ZIP_DEFLATED; z.writestr(i,open('bootstrap','rb').read()); z.close()") || exit 1; \
	done

# safeguard and safeguard-aws (which runs `safeguard audit` and `safeguard dlq`) side by side.
install:
	$(GO) install ./safeguard ./safeguard/cmd/safeguard-aws

clean:
	rm -rf $(WORK)
