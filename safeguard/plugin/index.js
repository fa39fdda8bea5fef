'use strict';

// Serverless Framework plugin: runs `safeguard check` on the template the
// Framework compiled, and stops `sls package` / `sls deploy` when the service
// breaks the council's Production Deployment standard in an enforced stage.
//
// Hooks (checked against osls 4.3.1, lib/plugins/aws/package and deploy):
//   after:package:finalize  the compiled template is complete (resources:
//                           merged) and written to the package directory.
//   before:deploy:deploy    runs after the core hook that spawns `package`
//                           (so a plain deploy was already checked once) and
//                           before the first CloudFormation call; for
//                           `deploy --package DIR` it is the only check.
// Hooks are awaited by the plugin manager, so a thrown error stops the
// command before anything is deployed.
//
// Fail closed: a missing binary, a crash, a timeout, exit 2 or output that
// cannot be read all throw. Nothing here lets a deploy through by accident.
//
// Use: `plugins: [./path/to/safeguard/plugin]` (inside the service
// directory), or `npm install` this folder and list
// serverless-prodready-safeguard. Settings under custom.safeguard:
//   binary:  path to the safeguard binary, relative to the service
//            directory (else SAFEGUARD_BIN, else PATH)
//   reports: {sarif: FILE, junit: FILE, json: FILE, markdown: FILE, text: FILE}
//            written on every check, relative to the service directory
// The other settings (enforce, exemptions, ...) are the binary's.
//
// A package that fails the check is withdrawn, not just reported: the
// Framework has already written it when after:package:finalize runs, and a
// later `deploy --package` would upload it unchecked by anything but this
// plugin. The plugin deletes serverless-state.json and the CloudFormation
// templates (without them neither osls nor any other tool can deploy the
// directory) and writes safeguard-blocked.txt there with the reason. The
// code archives stay: they deploy nothing alone and help whoever debugs.
// A package handed to `deploy --package DIR` is never touched: it may be a
// valid package for another stage.

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

// Exit statuses of `safeguard check`, a contract with the Go command.
const EXIT_OK = 0;
const EXIT_FAILED = 1;

// Report formats `safeguard check --report FORMAT=FILE` writes.
const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'];

// The files that make a package directory deployable: `deploy --package`
// refuses a directory without serverless-state.json, and the templates are
// what CloudFormation would receive.
const DEPLOYABLE_FILES = [
  'serverless-state.json',
  'cloudformation-template-update-stack.json',
  'cloudformation-template-create-stack.json',
];
const BLOCKED_MARKER = 'safeguard-blocked.txt';

// A check reads a few files and runs in well under a second; a minute means
// something hangs, and a hung check must not hold a deploy (or pass it).
const CHECK_TIMEOUT_MS = 120 * 1000;

const INSTALL_HINT = [
  'Install it from the prodready repository with `go install ./safeguard` (it lands in',
  '$(go env GOPATH)/bin, which must be on PATH), or point the plugin at a built binary with',
  'SAFEGUARD_BIN=/path/to/safeguard or custom.safeguard.binary in serverless.yml.',
].join('\n');

class SafeguardPlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.options = options || {};
    const writers = utils || {};
    this.log = writers.log || legacyLog(serverless);
    this.progress = writers.progress;
    this.checked = false;

    this.hooks = {
      'after:package:finalize': () => this.afterPackage(),
      'before:deploy:deploy': () => this.beforeDeploy(),
    };
  }

  // afterPackage checks the freshly compiled template. On any failure the
  // package just written is withdrawn, so it cannot be deployed later with
  // `deploy --package` (see withdrawPackage).
  async afterPackage() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    try {
      await this.check(template, 'the compiled template');
    } catch (err) {
      this.withdrawPackage(err);
      throw err;
    }
  }

  // beforeDeploy checks `deploy --package DIR`; a plain deploy ran package
  // (and so the check) moments ago in this process.
  async beforeDeploy() {
    if (this.checked) return;
    const dir = this.packageDir();
    if (this.options.package || this.serverless.service.package.path) {
      const template = readPackagedTemplate(dir, this.Error());
      await this.check(template, `the package in ${dir}`);
      return;
    }
    // Another plugin may have skipped package:finalize; check what the
    // Framework holds in memory, which is what it would deploy.
    await this.check(
      this.serverless.service.provider.compiledCloudFormationTemplate,
      'the compiled template'
    );
  }

  async check(template, what) {
    const ServerlessError = this.Error();
    if (!isObject(template) || !isObject(template.Resources)) {
      throw new ServerlessError(
        `Safeguard: ${what} has no Resources, so it cannot be checked; the deploy is blocked.`,
        'SAFEGUARD_NO_TEMPLATE'
      );
    }
    const config = this.serverless.configurationInput;
    if (!isObject(config)) {
      throw new ServerlessError(
        'Safeguard: the Framework has no resolved service configuration to check; the deploy is blocked.',
        'SAFEGUARD_NO_CONFIGURATION'
      );
    }
    const provider = this.serverless.getProvider('aws');
    const stage = provider.getStage();
    const region = provider.getRegion();
    const serviceDir = this.serverless.serviceDir || process.cwd();
    const configPath = path.join(serviceDir, this.serverless.configurationFilename || 'serverless.yml');
    const binary = this.findBinary(serviceDir);
    const reports = this.reportFiles(serviceDir);
    // There is no switch to turn the check off: the binary refuses unknown
    // custom.safeguard settings (enabled: false among them) with exit 2.

    const started = process.hrtime.bigint();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'safeguard-'));
    const progress = this.progress && this.progress.get('safeguard');
    try {
      if (progress) progress.notice(`Safeguard: checking ${what} for stage ${stage}`);
      const templateFile = path.join(tmp, 'template.json');
      const configFile = path.join(tmp, 'config.json');
      const textFile = path.join(tmp, 'report.txt');
      // The configuration may hold resolved secrets: the directory is
      // private (mkdtemp makes it 0700) and removed below.
      fs.writeFileSync(templateFile, JSON.stringify(template), { mode: 0o600 });
      fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });

      const args = [
        'check',
        configPath,
        '--template',
        templateFile,
        '--config',
        configFile,
        '--stage',
        stage,
        '--region',
        region,
        '--format',
        'json',
        '--no-color',
        '--report',
        `text=${textFile}`,
      ];
      for (const [format, file] of reports) args.push('--report', `${format}=${file}`);
      for (const [name, value] of cliOptions(this.options)) args.push('--opt', `${name}=${value}`);

      const binaryStarted = process.hrtime.bigint();
      const run = await runBinary(binary, args, serviceDir);
      const binaryMs = msSince(binaryStarted);
      const text = readIfExists(textFile);
      // Verbose only: what the check adds to the command (tests/plugin
      // benchmarks it).
      this.log.info(`Safeguard: checked ${what} in ${msSince(started)} ms (the binary took ${binaryMs} ms)`);
      this.judge(run, { binary, stage, text, serviceDir });
      this.checked = true;
    } finally {
      if (progress) progress.remove();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  // judge turns the binary's exit status and JSON report into the
  // plugin's verdict: return (pass, maybe with warnings) or throw.
  judge(run, { binary, stage, text, serviceDir }) {
    const ServerlessError = this.Error();
    if (run.error) {
      throw new ServerlessError(
        `Safeguard: could not run ${binary}: ${run.error.message}\nThe deploy is blocked until the check can run.\n${INSTALL_HINT}`,
        'SAFEGUARD_NOT_RUN'
      );
    }
    if (run.timedOut) {
      throw new ServerlessError(
        `Safeguard: ${binary} did not finish within ${CHECK_TIMEOUT_MS / 1000}s and was stopped; the deploy is blocked.${stderrBlock(run.stderr)}`,
        'SAFEGUARD_TIMEOUT'
      );
    }
    if (run.code !== EXIT_OK && run.code !== EXIT_FAILED) {
      const how = run.signal ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
      throw new ServerlessError(
        `Safeguard: the check could not be completed (${binary} ${how}), so the deploy is blocked.${stderrBlock(run.stderr)}`,
        'SAFEGUARD_CANNOT_CHECK'
      );
    }
    let report;
    try {
      report = JSON.parse(run.stdout);
    } catch (err) {
      report = null;
    }
    const valid = isObject(report) && Array.isArray(report.findings) && isObject(report.summary);
    if (run.code === EXIT_FAILED) {
      const summary = valid ? blockSummary(report, stage, serviceDir) : `Safeguard: the service fails the Production Deployment standard in stage ${stage}.`;
      this.lastSummary = summary;
      throw new ServerlessError(
        `${summary}\n${this.withdrawNote()}\n\nFull report:\n${(text || run.stdout).trimEnd()}`,
        'SAFEGUARD_BLOCKED'
      );
    }
    // Exit 0 must come with a report that agrees; anything else is a
    // safeguard we cannot trust.
    if (!valid || report.summary.blocking) {
      throw new ServerlessError(
        `Safeguard: ${binary} exited 0 but its report is ${valid ? 'blocking' : 'unreadable'}; the deploy is blocked.${stderrBlock(run.stderr)}`,
        'SAFEGUARD_BAD_REPORT'
      );
    }
    const failing = report.findings.filter((f) => f.status === 'fail');
    if (failing.length > 0) {
      this.log.warning(warnSummary(report, failing, stage, serviceDir));
      if (text) this.log.notice(text.trimEnd());
      return;
    }
    const s = report.summary;
    this.log.notice(
      `Safeguard: stage ${stage} passes the Production Deployment standard (${s.passed} checks passed, ${s.exempted} exempted, ${s.rules} rules).`
    );
    if (Array.isArray(report.notes) && report.notes.length > 0 && text) this.log.notice(text.trimEnd());
  }

  // findBinary looks in custom.safeguard.binary, then SAFEGUARD_BIN, then
  // PATH. A configured path that does not exist is an error, not a reason
  // to fall back: the team asked for that binary.
  findBinary(serviceDir) {
    const ServerlessError = this.Error();
    const configured = safeguardSettings(this.serverless).binary;
    if (configured !== undefined) {
      if (typeof configured !== 'string' || configured === '') {
        throw new ServerlessError('Safeguard: custom.safeguard.binary must be a path to the safeguard binary.', 'SAFEGUARD_CONFIG');
      }
      const p = path.resolve(serviceDir, configured);
      if (!isExecutable(p)) {
        throw new ServerlessError(
          `Safeguard: custom.safeguard.binary is ${configured}, but ${p} is not an executable file; the deploy is blocked.\n${INSTALL_HINT}`,
          'SAFEGUARD_BINARY_MISSING'
        );
      }
      return p;
    }
    const fromEnv = process.env.SAFEGUARD_BIN;
    if (fromEnv) {
      const p = path.resolve(fromEnv);
      if (!isExecutable(p)) {
        throw new ServerlessError(
          `Safeguard: SAFEGUARD_BIN is ${fromEnv}, which is not an executable file; the deploy is blocked.\n${INSTALL_HINT}`,
          'SAFEGUARD_BINARY_MISSING'
        );
      }
      return p;
    }
    const found = lookPath('safeguard');
    if (!found) {
      throw new ServerlessError(
        `Safeguard: the safeguard binary was not found (custom.safeguard.binary and SAFEGUARD_BIN are unset and it is not on PATH); the deploy is blocked.\n${INSTALL_HINT}`,
        'SAFEGUARD_BINARY_MISSING'
      );
    }
    return found;
  }

  // reportFiles reads custom.safeguard.reports: {FORMAT: path}, paths
  // relative to the service directory.
  reportFiles(serviceDir) {
    const ServerlessError = this.Error();
    const reports = safeguardSettings(this.serverless).reports;
    if (reports === undefined || reports === null) return [];
    if (!isObject(reports)) {
      throw new ServerlessError(
        `Safeguard: custom.safeguard.reports must map formats (${REPORT_FORMATS.join(', ')}) to file paths.`,
        'SAFEGUARD_CONFIG'
      );
    }
    return Object.entries(reports).map(([format, file]) => {
      if (!REPORT_FORMATS.includes(format)) {
        throw new ServerlessError(
          `Safeguard: custom.safeguard.reports.${format} is not a report format (expected ${REPORT_FORMATS.join(', ')}).`,
          'SAFEGUARD_CONFIG'
        );
      }
      if (typeof file !== 'string' || file === '') {
        throw new ServerlessError(`Safeguard: custom.safeguard.reports.${format} must be a file path.`, 'SAFEGUARD_CONFIG');
      }
      return [format, path.resolve(serviceDir, file)];
    });
  }

  packageDir() {
    const serviceDir = this.serverless.serviceDir || process.cwd();
    return path.resolve(serviceDir, this.options.package || this.serverless.service.package.path || '.serverless');
  }

  // withdrawPackage removes what makes the package just written deployable
  // (state and templates) and leaves a note saying why. The code archives
  // stay: they deploy nothing on their own. The Framework itself clears
  // this directory on every package, so nothing of the team's is lost.
  withdrawPackage(err) {
    const dir = this.packageDir();
    if (!fs.existsSync(dir)) return;
    for (const name of DEPLOYABLE_FILES) fs.rmSync(path.join(dir, name), { force: true });
    const why = this.lastSummary || (err && err.message) || 'the safeguard check did not pass';
    fs.writeFileSync(
      path.join(dir, BLOCKED_MARKER),
      `This package was withdrawn by the safeguard plugin: its templates and serverless-state.json\nwere removed so that it cannot be deployed.\n\n${why}\n`
    );
  }

  withdrawNote() {
    if (this.checkingDeployPackage()) return 'Nothing was deployed.';
    return `Nothing was deployed; the package in ${path.relative(process.cwd(), this.packageDir()) || '.'} was withdrawn (see ${BLOCKED_MARKER} there).`;
  }

  checkingDeployPackage() {
    const commands = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    return commands[0] === 'deploy' && Boolean(this.options.package || this.serverless.service.package.path);
  }

  Error() {
    return (this.serverless.classes && this.serverless.classes.Error) || Error;
  }
}

// readPackagedTemplate returns the template `deploy --package DIR` would
// deploy. osls restores the service from DIR's serverless-state.json
// (extended-validate.js) and uploads provider.compiledCloudFormationTemplate
// from it, so that copy is the truth; cloudformation-template-update-stack.json
// is the fallback for a state file without one.
function readPackagedTemplate(dir, ServerlessError) {
  const statePath = path.join(dir, 'serverless-state.json');
  const templatePath = path.join(dir, 'cloudformation-template-update-stack.json');
  const state = readJSON(statePath, ServerlessError);
  const fromState = state && state.service && state.service.provider && state.service.provider.compiledCloudFormationTemplate;
  if (isObject(fromState)) return fromState;
  const template = readJSON(templatePath, ServerlessError);
  if (!template) {
    throw new ServerlessError(
      `Safeguard: ${dir} holds neither serverless-state.json nor cloudformation-template-update-stack.json, so the package cannot be checked; the deploy is blocked.`,
      'SAFEGUARD_NO_TEMPLATE'
    );
  }
  return template;
}

function readJSON(file, ServerlessError) {
  let src;
  try {
    src = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw new ServerlessError(`Safeguard: cannot read ${file}: ${err.message}; the deploy is blocked.`, 'SAFEGUARD_NO_TEMPLATE');
  }
  try {
    return JSON.parse(src);
  } catch (err) {
    throw new ServerlessError(`Safeguard: ${file} is not valid JSON (${err.message}); the deploy is blocked.`, 'SAFEGUARD_NO_TEMPLATE');
  }
}

function runBinary(binary, args, cwd) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      resolve({ error });
      return;
    }
    const out = [];
    const errOut = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, CHECK_TIMEOUT_MS);
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => errOut.push(b));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errOut).toString('utf8'),
      });
    });
  });
}

// blockSummary is the one screen an engineer reads when the deploy stops:
// what fails, where, how to fix it and how an exemption is recorded.
function blockSummary(report, stage, serviceDir) {
  const failing = report.findings.filter((f) => f.status === 'fail');
  const service = report.service ? `${report.service} ` : 'this service ';
  const lines = [
    `Safeguard: ${service}cannot be deployed to ${stage}: it breaks the council's Production Deployment standard.`,
    `${count(failing.length, 'check')} fail${failing.length === 1 ? 's' : ''} in ${count(byRule(failing).length, 'rule')} (stage ${stage} is enforced):`,
  ];
  lines.push(...ruleLines(failing, serviceDir));
  const first = failing[0] || { rule: '<rule-id>', resource: '<resource>' };
  lines.push(
    'To exempt a resource the checklist point truly does not apply to, the team lead records it in',
    `serverless.yml: custom.safeguard.exemptions: [{rule: ${first.rule}, resource: ${oneLine(first.resource)},`,
    '  reason: <why>, approvedBy: <team lead>, expires: <YYYY-MM-DD>}]. `safeguard explain RULE-ID` shows each fix.'
  );
  return lines.join('\n');
}

function warnSummary(report, failing, stage, serviceDir) {
  return [
    `Safeguard: ${count(failing.length, 'check')} would block a production deploy; stage ${stage} is not enforced, so these are warnings:`,
    ...ruleLines(failing, serviceDir),
  ].join('\n');
}

function ruleLines(failing, serviceDir) {
  const lines = [];
  for (const group of byRule(failing)) {
    const f = group[0];
    const resources = [];
    for (const x of group) {
      const where = x.file && x.line ? ` (${path.relative(serviceDir, x.file) || x.file}:${x.line})` : '';
      const entry = oneLine(x.resource) + where;
      if (!resources.includes(entry)) resources.push(entry);
    }
    const shown = resources.slice(0, 3).join(', ') + (resources.length > 3 ? ` and ${resources.length - 3} more` : '');
    lines.push(`  ${f.rule}: ${oneLine(f.title || '')}`.trimEnd());
    lines.push(`      ${shown}`);
    if (f.fix) lines.push(`      fix: ${clip(firstSentence(oneLine(f.fix)), 120)}`);
  }
  return lines;
}

// firstSentence keeps a remediation to its opening sentence; the full
// report below the summary has the rest.
function firstSentence(s) {
  const m = /^.*?[.!?](?=\s+[A-Z(])/.exec(s);
  return m ? m[0] : s;
}

function byRule(findings) {
  const groups = new Map();
  for (const f of findings) {
    if (!groups.has(f.rule)) groups.set(f.rule, []);
    groups.get(f.rule).push(f);
  }
  return [...groups.values()];
}

// cliOptions are the string options of this command, so the binary's own
// reading of serverless.yml (for line numbers) resolves ${opt:...} as the
// Framework did. Stage and region travel as flags of their own.
function cliOptions(options) {
  const out = [];
  for (const [name, value] of Object.entries(options || {})) {
    if (name === 'stage' || name === 'region' || name === 's' || name === 'r') continue;
    if (typeof value === 'string' && value !== '' && !/[\r\n]/.test(value)) out.push([name, value]);
  }
  return out;
}

function safeguardSettings(serverless) {
  const custom = serverless.service && serverless.service.custom;
  const settings = custom && custom.safeguard;
  return isObject(settings) ? settings : {};
}

function lookPath(name) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (process.env.PATHEXT || '.EXE').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

function isExecutable(p) {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function stderrBlock(stderr) {
  const s = (stderr || '').trim();
  return s ? `\n\nsafeguard said:\n${s}` : '\n(safeguard printed nothing on stderr)';
}

function legacyLog(serverless) {
  const say = (msg) => serverless.cli && serverless.cli.log(msg);
  return { notice: say, warning: say, info: () => {} };
}

function msSince(start) {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e6);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function count(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function clip(s, n) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

// oneLine keeps a resource name or message from breaking the summary
// layout or smuggling terminal escapes.
function oneLine(s) {
  return String(s).replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

module.exports = SafeguardPlugin;
