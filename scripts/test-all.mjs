#!/usr/bin/env node
// Runs every suite (vitest, then pytest) and ends with one line of totals over all of them:
// "N passed, N failed, N skipped". Exit status is non-zero if any suite failed or ran nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 's7rt-tests-'));
const python = process.env.PYTHON ?? 'python3';
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status;
}

// vitest: the JSON reporter gives exact counts
const vitestJson = join(out, 'vitest.json');
const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  if (r.numTotalTests === 0) broken = true;
  // a suite that fails to load counts as a failure even when no test in it ran
  totals.failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  console.error('vitest wrote no report');
  broken = true;
}
if (vitestStatus !== 0) broken = true;

// pytest: the JUnit XML report gives exact counts
const junit = join(out, 'pytest.xml');
const pytestStatus = run(python, ['-m', 'pytest', 'models/tests', '-q', `--junitxml=${junit}`]);
if (existsSync(junit)) {
  const xml = readFileSync(junit, 'utf8');
  const suite = xml.match(/<testsuite\b[^>]*>/)?.[0] ?? '';
  const attr = (name) => Number(suite.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const tests = attr('tests');
  const failed = attr('failures') + attr('errors');
  const skipped = attr('skipped');
  totals.passed += tests - failed - skipped;
  totals.failed += failed;
  totals.skipped += skipped;
  if (tests === 0) broken = true;
} else {
  console.error('pytest wrote no report');
  broken = true;
}
if (pytestStatus !== 0) broken = true;

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(broken || totals.failed > 0 ? 1 : 0);
