/**
 * Jest global setup and teardown of the unit suite: every temp dir the tests make (cdk8s's `Testing.app()` makes one
 * per app, the charts-out fixtures theirs) goes under one dir of this run, removed when the run ends. Workers are
 * started after the setup, so they inherit its TMPDIR, which `os.tmpdir()` reads.
 */
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const KEY = 'K8S_PLATFORM_JEST_TMPDIR';

module.exports = {
  setup() {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-platform-jest-'));
    process.env[KEY] = dir;
    process.env.TMPDIR = dir;
  },
  teardown() {
    const dir = process.env[KEY];
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};
