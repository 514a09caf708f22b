/**
 * The kernel's site settings, read from `litePluginSettings` in `jupyter-lite.json`.
 *
 * A JupyterLite site configures in-browser kernels through page config, not
 * through JupyterLab's settings registry, because the kernel must be
 * configured before any settings are loaded. The site owner writes:
 *
 * ```json
 * {
 *   "jupyter-config-data": {
 *     "litePluginSettings": {
 *       "jupyterlite-sync-kernel:kernel": {
 *         "packageBaseUrl": "./pyodide-packages/",
 *         "transform": true,
 *         "snapshot": true,
 *         "prepare": true
 *       }
 *     }
 *   }
 * }
 * ```
 *
 * Everything here is pure (no DOM, no page config access) so it is tested
 * under Node.
 */
import pyodidePackage from 'pyodide/package.json';

import { defaultPackageBaseUrl, KERNEL_PLUGIN_ID } from '../protocol';

export { KERNEL_PLUGIN_ID };

/** The Pyodide version whose files ship with the extension (the `pyodide` npm package's). */
export const PYODIDE_VERSION: string = pyodidePackage.version;

/**
 * Where Pyodide's distribution packages (numpy, pandas, ...) come from unless
 * the site says otherwise: Pyodide's own CDN for the bundled version. Only
 * `import numpy`-style loads reach it; starting the kernel never does.
 */
export const DEFAULT_PACKAGE_BASE_URL = defaultPackageBaseUrl(PYODIDE_VERSION);

/** The settings after validation, with defaults filled in and URLs made absolute. */
export interface IKernelSettings {
  /** Absolute base URL (ending in `/`) of Pyodide's distribution packages. */
  packageBaseUrl: string;
  /** Whether cells are rewritten when the kernel starts (`%transform on`). */
  transform: boolean;
  /** Whether kernels start from the memory snapshot when the site has one that fits. */
  snapshot: boolean;
  /** Whether the page prepares its first kernel as it loads (see `prepared-worker.ts`). */
  prepare: boolean;
  /** Whether Tab completion loads jedi after the first completion (`RuntimeOptions.jedi`). */
  jedi: boolean;
}

/** The result of {@link readSettings}: the settings and what was wrong with the input. */
export interface ISettingsResult {
  settings: IKernelSettings;
  /** One sentence per ignored value, naming the key and why; empty when all is well. */
  problems: string[];
}

/**
 * Validate the raw `litePluginSettings` object of the whole site and pick
 * this kernel's entry.
 *
 * @param allPluginSettings - The parsed `litePluginSettings` value (any JSON).
 * @param baseUrl - The site's absolute base URL; relative URLs resolve against it.
 * @returns The settings, defaults for anything missing or invalid, and the problems found.
 *
 * @example
 * ```ts
 * readSettings({ 'jupyterlite-sync-kernel:kernel': { packageBaseUrl: 'pkgs' } },
 *              'https://example.org/lite/').settings.packageBaseUrl;
 * // 'https://example.org/lite/pkgs/'
 * ```
 */
export function readSettings(allPluginSettings: unknown, baseUrl: string): ISettingsResult {
  const problems: string[] = [];
  const settings: IKernelSettings = {
    packageBaseUrl: DEFAULT_PACKAGE_BASE_URL,
    transform: true,
    snapshot: true,
    prepare: true,
    jedi: false,
  };
  const raw = isObject(allPluginSettings) ? allPluginSettings[KERNEL_PLUGIN_ID] : undefined;
  if (raw === undefined) {
    return { settings, problems };
  }
  if (!isObject(raw)) {
    problems.push(`litePluginSettings["${KERNEL_PLUGIN_ID}"] must be an object; using defaults.`);
    return { settings, problems };
  }
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'packageBaseUrl': {
        const url = typeof value === 'string' && value ? resolveDirectoryUrl(value, baseUrl) : null;
        if (url) {
          settings.packageBaseUrl = url;
        } else {
          problems.push(
            `packageBaseUrl must be a URL string (absolute, or relative to the site); ` +
              `got ${JSON.stringify(value)}, using ${DEFAULT_PACKAGE_BASE_URL}.`,
          );
        }
        break;
      }
      case 'transform':
      case 'snapshot':
      case 'prepare':
      case 'jedi':
        if (typeof value === 'boolean') {
          settings[key] = value;
        } else {
          problems.push(`${key} must be true or false; got ${JSON.stringify(value)}, using ${settings[key]}.`);
        }
        break;
      default:
        problems.push(`Unknown setting "${key}" ignored (known: packageBaseUrl, transform, snapshot, prepare, jedi).`);
    }
  }
  return { settings, problems };
}

/**
 * Resolve `url` against `baseUrl` and make sure it ends with `/`, so file
 * names can be appended. Returns `null` for something that is not a URL.
 */
export function resolveDirectoryUrl(url: string, baseUrl: string): string | null {
  let resolved: URL;
  try {
    resolved = new URL(url, baseUrl);
  } catch {
    return null;
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    return null;
  }
  const href = resolved.href;
  return href.endsWith('/') ? href : `${href}/`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
