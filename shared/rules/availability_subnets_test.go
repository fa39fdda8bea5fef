package rules

import (
	"strings"
	"testing"

	"prodready/shared/inventory"
	"prodready/shared/policy"
	"prodready/shared/value"
)

func TestZoneSpread(t *testing.T) {
	inv := inventoryFromYAML(t, inventory.FromTemplate, `
Resources:
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {AvailabilityZone: eu-west-2a}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: !Select [1, !GetAZs ""]
  SubnetC:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: !Select [2, !GetAZs ""]
  SubnetNoZone:
    Type: AWS::EC2::Subnet
    Properties: {CidrBlock: 10.0.9.0/24}
  SubnetById:
    Type: AWS::EC2::Subnet
    Properties: {AvailabilityZoneId: euw2-az3}
`)
	s := policy.Defaults()
	s.SubnetZones = map[string]string{"subnet-a": "eu-west-2a", "subnet-a2": "eu-west-2a", "subnet-b": "eu-west-2b", "subnet-c": "eu-west-2c"}
	p := value.Pos{}
	str := func(s string) *value.Node { return value.NewString(s, p) }
	ref := func(id string) *value.Node { return value.NewMap(p).Set("Ref", str(id)) }
	unknown := value.NewUnknown("${ssm:/vpc/subnets~split}", "SSM parameter read at deploy time", p)
	list := func(items ...*value.Node) *value.Node { return value.NewList(p, items...) }
	tests := []struct {
		name        string
		subnets     *value.Node
		wantOK      bool
		wantCertain bool
		wantZones   int
	}{
		{"three declared zones", list(str("subnet-a"), str("subnet-b"), str("subnet-c")), true, true, 3},
		{"two subnets can never make three", list(str("subnet-x"), str("subnet-y")), false, true, 0},
		{"duplicates count once", list(str("subnet-a"), str("subnet-b"), str("subnet-b")), false, true, 2},
		{"three subnets, two in one zone", list(str("subnet-a"), str("subnet-a2"), str("subnet-b")), false, true, 2},
		{"three subnets of unknown zone fail closed", list(str("subnet-x"), str("subnet-y"), str("subnet-z")), false, false, 0},
		{"one unknown zone could make the third", list(str("subnet-a"), str("subnet-b"), str("subnet-x")), false, false, 2},
		{"one unknown zone cannot make the third", list(str("subnet-a"), str("subnet-a2"), str("subnet-x")), false, true, 1},
		{"subnet resources by name and by GetAZs index", list(ref("SubnetA"), ref("SubnetB"), ref("SubnetC")), true, true, 3},
		{"subnet resource without a zone", list(ref("SubnetA"), ref("SubnetB"), ref("SubnetNoZone")), false, false, 2},
		{"zone id", list(ref("SubnetA"), ref("SubnetB"), ref("SubnetById")), true, true, 3},
		{"the list is read at deploy time", unknown, false, false, 0},
		{"an entry is read at deploy time", list(str("subnet-a"), str("subnet-b"), value.NewUnknown("${ssm:/vpc/c}", "SSM", p)), false, false, 2},
		{"known zones are enough despite an unknown entry", list(str("subnet-a"), str("subnet-b"), str("subnet-c"), value.NewUnknown("${ssm:/vpc/d}", "SSM", p)), true, true, 3},
		{"a single subnet string", str("subnet-a"), false, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := spreadOf(inv, s, tc.subnets)
			ok, certain := z.Verdict(3)
			if ok != tc.wantOK || certain != tc.wantCertain || len(z.Zones) != tc.wantZones {
				t.Errorf("verdict ok=%v certain=%v zones=%v; want ok=%v certain=%v %d zones (%s)", ok, certain, z.Zones, tc.wantOK, tc.wantCertain, tc.wantZones, z.Describe("subnets", true))
			}
		})
	}
}

func TestZoneSpreadDescribeAsksForZones(t *testing.T) {
	s := policy.Defaults()
	inv := inventory.New(inventory.FromTemplate)
	p := value.Pos{}
	z := spreadOf(inv, s, value.NewList(p, value.NewString("subnet-x", p), value.NewString("subnet-y", p), value.NewString("subnet-z", p)))
	msg := z.Describe("VpcConfig.SubnetIds", true)
	if !strings.Contains(msg, "custom.safeguard.subnets") || !strings.Contains(msg, "subnet-x") {
		t.Errorf("message does not tell how to declare zones: %s", msg)
	}
	unknown := spreadOf(inv, s, value.NewUnknown("${ssm:/vpc/subnets~split}", "SSM parameter read at deploy time", p))
	if msg := unknown.Describe("VpcConfig.SubnetIds", true); !strings.Contains(msg, "${ssm:/vpc/subnets~split}") {
		t.Errorf("message does not name the unseen list: %s", msg)
	}
}
