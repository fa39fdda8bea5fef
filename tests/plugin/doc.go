// Package plugin holds the end-to-end tests of the Serverless Framework
// plugin (safeguard/plugin): they build the safeguard binary, run the real
// `sls` (osls, pinned in package.json here) offline on temporary copies of
// services, and check what the command prints, what it leaves in the
// package directory and which AWS requests it makes.
//
// The tests skip only when node_modules is absent (run `npm ci` here) and
// SAFEGUARD_REQUIRE_SLS is unset; CI sets it, so CI fails instead.
package plugin
