/**
 * The site settings the kernel reads from `litePluginSettings` (src/lab/settings.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULT_PACKAGE_BASE_URL, KERNEL_PLUGIN_ID, readSettings } from '../../src/lab/settings';

const SITE = 'https://teacher.github.io/course/';

describe('readSettings', () => {
  test('with nothing configured: Pyodide CDN for packages, rewriting on, the snapshot used, a kernel prepared, no jedi', () => {
    assert.deepEqual(readSettings({}, SITE), {
      settings: {
        packageBaseUrl: DEFAULT_PACKAGE_BASE_URL,
        transform: true,
        snapshot: true,
        prepare: true,
        jedi: false,
      },
      problems: [],
    });
    assert.equal(DEFAULT_PACKAGE_BASE_URL, 'https://cdn.jsdelivr.net/pyodide/v314.0.7/full/');
  });

  test('other plugins’ settings are not ours', () => {
    const { settings, problems } = readSettings(
      { '@jupyterlite/pyodide-kernel-extension:kernel': { pyodideUrl: 'x' } },
      SITE,
    );
    assert.equal(settings.packageBaseUrl, DEFAULT_PACKAGE_BASE_URL);
    assert.deepEqual(problems, []);
  });

  test('a relative packageBaseUrl resolves against the site and ends with a slash', () => {
    const { settings, problems } = readSettings(
      {
        [KERNEL_PLUGIN_ID]: {
          packageBaseUrl: 'pyodide-packages',
          transform: false,
          snapshot: false,
          prepare: false,
          jedi: true,
        },
      },
      SITE,
    );
    assert.deepEqual(settings, {
      packageBaseUrl: 'https://teacher.github.io/course/pyodide-packages/',
      transform: false,
      snapshot: false,
      prepare: false,
      jedi: true,
    });
    assert.deepEqual(problems, []);
  });

  test('an absolute packageBaseUrl is kept', () => {
    const { settings } = readSettings(
      { [KERNEL_PLUGIN_ID]: { packageBaseUrl: 'https://mirror.example.org/pyodide/314/' } },
      SITE,
    );
    assert.equal(settings.packageBaseUrl, 'https://mirror.example.org/pyodide/314/');
  });

  test('bad values fall back to the defaults and say why', () => {
    const { settings, problems } = readSettings(
      {
        [KERNEL_PLUGIN_ID]: {
          packageBaseUrl: 'javascript:alert(1)',
          transform: 'yes',
          snapshot: 0,
          prepare: 'later',
          jedi: 'please',
          pyodideUrl: 'x',
        },
      },
      SITE,
    );
    assert.deepEqual(settings, {
      packageBaseUrl: DEFAULT_PACKAGE_BASE_URL,
      transform: true,
      snapshot: true,
      prepare: true,
      jedi: false,
    });
    assert.equal(problems.length, 6);
    assert.match(problems[0], /^packageBaseUrl must be a URL/);
    assert.match(problems[1], /^transform must be true or false/);
    assert.match(problems[2], /^snapshot must be true or false/);
    assert.match(problems[3], /^prepare must be true or false/);
    assert.match(problems[4], /^jedi must be true or false/);
    assert.match(problems[5], /^Unknown setting "pyodideUrl"/);
  });

  test('a non-object entry is reported', () => {
    const { settings, problems } = readSettings({ [KERNEL_PLUGIN_ID]: 'on' }, SITE);
    assert.equal(settings.transform, true);
    assert.match(problems[0], /must be an object/);
  });
});
