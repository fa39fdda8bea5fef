#!/usr/bin/env python3
"""Seeds a moto server with the SSM parameters a corpus serverless.yml reads
for one stage, and prints the --param options its ${param:…} variables need.

Every parameter's value is "SSM(<name>)" and every param's "PARAM(<name>)",
so oracle_corpus_test.go can map Resolve's Unknown nodes onto what osls
printed. Used by regen.sh; usage: seed_corpus.py ENDPOINT FILE STAGE
"""
import re
import sys

import boto3

endpoint, path, stage = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
region = "eu-west-2"
m = re.search(r"^  region: *([a-z0-9-]+) *$", text, re.M)
if m:
    region = m.group(1)


def expressions(prefix):
    """The inner text of every ${prefix…} with balanced braces."""
    out = []
    start = text.find("${" + prefix)
    while start >= 0:
        depth, i = 0, start
        while i < len(text):
            if text.startswith("${", i):
                depth += 1
                i += 2
                continue
            if text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        out.append(text[start + 2 + len(prefix) : i])
        start = text.find("${" + prefix, i)
    return out


def with_stage(s):
    for v in ("${self:provider.stage}", "${opt:stage}", "${sls:stage}"):
        s = s.replace(v, stage)
    return s


kw = dict(region_name=region, endpoint_url=endpoint,
          aws_access_key_id="x", aws_secret_access_key="y")
ssm = boto3.client("ssm", **kw)
secrets = boto3.client("secretsmanager", **kw)
for expr in expressions("ssm:"):
    name = with_stage(expr)
    if "${" in name:
        print(f"seed_corpus.py: cannot seed {expr!r}", file=sys.stderr)
        continue
    ref = "/aws/reference/secretsmanager/"
    if name.startswith(ref):
        try:
            secrets.create_secret(Name=name[len(ref):], SecretString=f"SSM({name})")
        except secrets.exceptions.ResourceExistsException:
            pass
        continue
    ssm.put_parameter(Name=name, Value=f"SSM({name})", Type="String", Overwrite=True)

for name in sorted(set(expressions("param:"))):
    print(f"--param={name}=PARAM({name})")
