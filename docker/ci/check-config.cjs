// Checks .circleci/config.yml offline: CircleCI 2.1 structure and job references with
// @circleci/circleci-config-parser, then the rules that parser does not know (requires, the tag-filter chain,
// no orbs, the delivery policy). Prints the docker/ci scripts the config runs, one per line, for the caller to
// check. Needs NODE_PATH pointing at a node_modules holding the parser.
//
//   node docker/ci/check-config.cjs .circleci/config.yml
'use strict';

const fs = require('fs');
const parser = require('@circleci/circleci-config-parser');
const YAML = require('yaml');

const path = process.argv[2];
const source = fs.readFileSync(path, 'utf8');
const problems = [];

function parses(text) {
  try {
    parser.parseConfig(text);
    return null;
  } catch (e) {
    // The parser's messages are multi-line and end in an object dump: the first two lines say what failed.
    return String(e.message).split('\n').slice(0, 2).join(' | ');
  }
}

// A validator that passes everything proves nothing: it must reject known-bad variants of this very config.
function mustReject(what, mutate) {
  const broken = YAML.parse(source);
  mutate(broken);
  if (parses(YAML.stringify(broken)) === null) problems.push(`the parser accepted a config with ${what}`);
}

const parseError = parses(source);
if (parseError) problems.push(`parser: ${parseError}`);
mustReject('an unknown step', (c) => c.jobs.build.steps.push({ no_such_step: {} }));
mustReject('a workflow job that does not exist', (c) => c.workflows.delivery.jobs.push('no-such-job'));

const config = YAML.parse(source);
if (String(config.version) !== '2.1') problems.push(`version is ${config.version}, not 2.1`);
if (config.orbs) problems.push('orbs cannot be validated offline: use inline steps');

const scripts = new Set();
for (const [name, job] of Object.entries(config.jobs || {})) {
  for (const step of job.steps || []) {
    const run = step && step.run;
    const command = typeof run === 'string' ? run : run && run.command;
    for (const m of String(command || '').matchAll(/docker\/ci\/[\w.-]+\.sh/g)) scripts.add(m[0]);
  }
  if (!(job.steps || []).some((s) => s && s.run)) problems.push(`job ${name} runs nothing`);
}

for (const [wfName, wf] of Object.entries(config.workflows || {})) {
  if (wfName === 'version') continue;
  const entries = new Map();
  for (const item of wf.jobs || []) {
    const [name, options] = typeof item === 'string' ? [item, {}] : Object.entries(item)[0];
    entries.set(name, options || {});
  }
  for (const [name, options] of entries) {
    if (options.type !== 'approval' && !(config.jobs || {})[name]) problems.push(`${wfName}: no job ${name}`);
    for (const need of options.requires || []) {
      if (!entries.has(need)) problems.push(`${wfName}: ${name} requires ${need}, which is not in the workflow`);
    }
  }
  // CircleCI runs a job for a tag only if it and everything upstream of it have a tags filter.
  const hasTags = (name) => Boolean(((entries.get(name) || {}).filters || {}).tags);
  const upstream = (name, seen = new Set()) => {
    for (const need of (entries.get(name) || {}).requires || []) {
      if (!seen.has(need)) {
        seen.add(need);
        upstream(need, seen);
      }
    }
    return seen;
  };
  for (const name of entries.keys()) {
    if (!hasTags(name)) continue;
    for (const need of upstream(name)) {
      if (!hasTags(need)) problems.push(`${wfName}: ${name} filters tags, but ${need} upstream of it does not`);
    }
  }
}

// The delivery policy of issue 4, so a careless edit of the filters fails here rather than on a release day.
const delivery = new Map(
  (((config.workflows || {}).delivery || {}).jobs || []).map((i) =>
    typeof i === 'string' ? [i, {}] : Object.entries(i)[0],
  ),
);
const filters = (name) => (delivery.get(name) || {}).filters || {};
const expect = (ok, what) => ok || problems.push(`delivery policy: ${what}`);
expect(!filters('build').branches && filters('build').tags?.only === '/^v.*/', 'build runs on every branch and v* tags');
expect((delivery.get('publish-image')?.requires || []).includes('build'), 'publish-image requires build');
expect(filters('publish-image').branches?.only === 'main', 'publish-image runs only on main among branches');
expect(filters('publish-image').tags?.only === '/^v.*/', 'publish-image runs on v* tags');

if (problems.length) {
  for (const p of problems) console.error(`check-config: ${p}`);
  process.exit(1);
}
for (const s of [...scripts].sort()) console.log(s);
