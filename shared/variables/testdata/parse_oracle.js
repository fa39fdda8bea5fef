// Runs osls's own variable parser over parse_cases.json and writes what it
// returns (or throws) to parse.golden.json; parse_test.go compares parse.go
// with it. Run by regen.sh (node parse_oracle.js /path/to/osls).
'use strict';

const fs = require('fs');
const path = require('path');

const osls = process.argv[2];
const parse = require(path.join(osls, 'lib/configuration/variables/parse.js'));
const cases = JSON.parse(fs.readFileSync(path.join(__dirname, 'parse_cases.json'), 'utf8'));
const out = cases.map((input) => {
  try {
    return { input, result: parse(input) };
  } catch (error) {
    return { input, error: { message: error.message, code: error.code } };
  }
});
fs.writeFileSync(path.join(__dirname, 'parse.golden.json'), `${JSON.stringify(out, null, 2)}\n`);
